"""Decoding the bytes of a user's text file (scenario or experiment TOML, org-chart CSV).

One check for every reader: UTF-8 with or without a byte-order mark, not UTF-16, no NUL bytes.
The readers word their own messages (a TOML file has lines, a CSV export rows and a spreadsheet's
"Save as" advice), so a problem is raised as :class:`NotText` with where it is, and the caller
turns it into its own one-line input error.
"""

from __future__ import annotations

from typing import Literal


class NotText(ValueError):
    """The bytes are not UTF-8 text.

    Attributes:
        kind: ``"utf16"`` (a UTF-16 byte-order mark), ``"byte"`` (a byte that is not UTF-8) or
            ``"nul"`` (a NUL byte: a binary file, most likely).
        line: 1-based line of the problem (1 for ``"utf16"``).
        byte: the offending byte for ``"byte"``, else None.
    """

    def __init__(
        self, kind: Literal["utf16", "byte", "nul"], line: int, byte: int | None = None
    ) -> None:
        super().__init__(f"{kind} at line {line}")
        self.kind = kind
        self.line = line
        self.byte = byte


def decode_utf8(raw: bytes) -> str:
    """The text of a UTF-8 file (a leading byte-order mark is dropped).

    Raises:
        NotText: for UTF-16, bytes that are not UTF-8, or NUL bytes, with the line.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise NotText("utf16", 1)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise NotText("byte", raw[: e.start].count(b"\n") + 1, raw[e.start]) from None
    if "\x00" in text:
        raise NotText("nul", text[: text.index("\x00")].count("\n") + 1)
    return text
