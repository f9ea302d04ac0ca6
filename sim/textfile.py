"""Reading and decoding a user's input file (scenario or experiment TOML, org-chart CSV).

Two checks for every reader:

* :func:`read_regular` reads the bytes: only a regular file (a folder, a FIFO, a character or
  block device such as ``/dev/zero``, a socket are refused before anything is read, so a FIFO
  cannot block and a device cannot fill memory), and at most ``limit`` bytes: it reads at most
  ``limit + 1`` bytes whatever the file's reported size, so a file that grows while it is read,
  or a ``/proc`` file reporting size 0, is caught too. The file is opened with ``O_NONBLOCK``
  and checked again on the open descriptor, so a FIFO swapped in after the first check does not
  block either.
* :func:`decode_utf8` decodes them: UTF-8 with or without a byte-order mark, not UTF-16, no NUL
  bytes.

The readers word their own messages (a TOML file has lines, a CSV export rows and a spreadsheet's
"Save as" advice), so a problem is raised as :class:`NotReadable` or :class:`NotText` with what
and where it is, and the caller turns it into its own one-line input error.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Literal


class NotReadable(ValueError):
    """The file cannot be read as an input: missing, a folder, not a regular file, too large.

    Attributes:
        kind: ``"missing"``, ``"folder"``, ``"special"`` (not a regular file: a FIFO, device or
            socket; :attr:`detail` says which), ``"too_large"`` (:attr:`size` bytes, or more,
            over the limit) or ``"os"`` (another error; :attr:`detail` is its text).
        detail: what the file is (``"a FIFO (named pipe)"``) or the operating system's message.
        size: for ``"too_large"``: the file's size, or ``limit + 1`` when it reads as a stream.
    """

    def __init__(
        self,
        kind: Literal["missing", "folder", "special", "too_large", "os"],
        detail: str = "",
        size: int = 0,
    ) -> None:
        super().__init__(f"{kind}: {detail or size}")
        self.kind = kind
        self.detail = detail
        self.size = size

    def describe(
        self,
        limit: int,
        what: str = "an input file",
        *,
        missing: str = "no such file",
        cap: str | None = None,
    ) -> str:
        """The problem in words, for a message that starts with the file's name.

        Args:
            limit: the byte limit the file was read with.
            what: what the file should have been (``"a CSV file"``).
            missing: the words for a file that does not exist (``"no such scenario file"``).
            cap: for a file over the limit, the reader's own statement of it (``"an org-chart
                file is at most 1073741824 bytes (1 GB)"``) instead of ``what`` and ``limit``.
        """
        if self.kind == "missing":
            return missing
        if self.kind == "folder":
            return f"is a folder; expected {what}"
        if self.kind == "special":
            return f"is {self.detail}, not a regular file; expected {what}"
        if self.kind == "too_large":
            if cap is not None:
                return f"file is {self.size} bytes or more; {cap}: is this the right file?"
            return (
                f"file is over {limit} bytes (read {self.size}); {what} is at most {limit} bytes"
                ": is this the right file?"
            )
        return f"cannot read ({self.detail})"


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_regular(path: str | Path) -> os.stat_result:
    """The file's status if it is a regular file (symbolic links followed).

    Raises:
        NotReadable: ``missing``, ``folder``, ``special`` or ``os``.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise NotReadable("missing") from None
    except OSError as e:
        raise NotReadable("os", e.strerror or str(e)) from None
    if stat.S_ISDIR(st.st_mode):
        raise NotReadable("folder")
    if not stat.S_ISREG(st.st_mode):
        raise NotReadable("special", _kind_of(st.st_mode))
    return st


def _open_regular(path: str | Path, limit: int) -> int:
    """A read-only descriptor of a regular file of at most ``limit`` bytes (by its status)."""
    st = check_regular(path)
    if st.st_size > limit:
        raise NotReadable("too_large", size=st.st_size)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise NotReadable("missing") from None
    except IsADirectoryError:
        raise NotReadable("folder") from None
    except OSError as e:
        raise NotReadable("os", e.strerror or str(e)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):  # swapped after the first check
        os.close(fd)
        raise NotReadable("folder" if stat.S_ISDIR(mode) else "special", _kind_of(mode))
    return fd


def _blocks(path: str | Path, limit: int, size: int) -> Iterator[bytes]:
    """The blocks of a regular file of at most ``limit`` bytes (never more than limit + 1 read).

    Raises:
        NotReadable: as :func:`read_regular`.
    """
    fd = _open_regular(path, limit)
    try:
        total = 0
        while total <= limit:
            try:
                block = os.read(fd, min(size, limit + 1 - total))
            except OSError as e:
                raise NotReadable("os", e.strerror or str(e)) from None
            if not block:
                return
            total += len(block)
            if total > limit:
                raise NotReadable("too_large", size=total)
            yield block
    finally:
        os.close(fd)


def count_lines(path: str | Path, limit: int) -> int:
    """Line ends in a regular file of at most ``limit`` bytes, read in blocks (nothing kept).

    Raises:
        NotReadable: as :func:`read_regular`.
    """
    return sum(block.count(b"\n") for block in _blocks(path, limit, 1 << 22))


def read_regular(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (never more than limit + 1 read).

    Raises:
        NotReadable: for a missing file, a folder, anything but a regular file, a file over
            ``limit`` bytes, or another operating-system error.
    """
    return b"".join(_blocks(path, limit, 1 << 20))


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
