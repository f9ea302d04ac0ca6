"""The shared UTF-8 check of user text files (sim/textfile.py)."""

from __future__ import annotations

import pytest

from sim.textfile import NotText, decode_utf8


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"a = 1\n", "a = 1\n"),
        (b"\xef\xbb\xbfa = 1\n", "a = 1\n"),  # a byte-order mark (Excel's "CSV UTF-8") is dropped
        ("unit = 'Zürich'\n".encode(), "unit = 'Zürich'\n"),
        (b"", ""),
    ],
)
def test_utf8_text_is_decoded(raw: bytes, text: str) -> None:
    assert decode_utf8(raw) == text


@pytest.mark.parametrize(
    ("raw", "kind", "line", "byte"),
    [
        ("a = 1\n".encode("utf-16"), "utf16", 1, None),
        ("a = 1\n".encode("utf-16-be").join([b"\xfe\xff", b""]), "utf16", 1, None),
        (b"a = 1\nb = 'Z\xfcrich'\n", "byte", 2, 0xFC),  # Latin-1
        (b"\x89PNG\r\n", "byte", 1, 0x89),
        (b"a = 1\nb = 2\n\x00\x00", "nul", 3, None),
    ],
)
def test_what_is_not_utf8_text_is_located(
    raw: bytes, kind: str, line: int, byte: int | None
) -> None:
    with pytest.raises(NotText) as e:
        decode_utf8(raw)
    assert (e.value.kind, e.value.line, e.value.byte) == (kind, line, byte)
