"""Reading files that come from users, and showing their text, without surprises.

Level, strategy and save files are untrusted: a FIFO in their place would
block a plain ``open`` forever, ``/dev/zero`` never ends, and a title may
carry terminal escape sequences. :func:`read_capped` refuses anything but a
regular file, without waiting, and never reads more than the size limit;
:func:`printable` makes file text safe to print on a terminal.
"""

from __future__ import annotations

import errno
import os
import re
import stat

from .engine.limits import MAX_FILE_BYTES

__all__ = ["MAX_FILE_BYTES", "RefusedFile", "printable", "read_capped"]


class RefusedFile(OSError):
    """A file refused before it was read: not a regular file, or larger than the limit.

    An ``OSError``, so code that already handles unreadable files handles this
    too; ``strerror`` says why in words ("not a regular file (a FIFO)").
    """

    def __init__(self, path: str | os.PathLike[str], code: int, reason: str) -> None:
        super().__init__(code, reason, os.fsdecode(path))


_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_capped(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    The file is opened without blocking (a FIFO with no writer would wait
    forever) and checked before anything is read. Raises ``FileNotFoundError``,
    ``PermissionError``, ``IsADirectoryError``, :class:`RefusedFile` for a
    FIFO, device or socket, or for a file larger than ``limit`` (also one that
    grows past it while being read), or another ``OSError``.
    """
    flags = os.O_RDONLY
    for name in ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC", "O_BINARY"):
        flags |= getattr(os, name, 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory, not a file", os.fsdecode(path))
        if not stat.S_ISREG(info.st_mode):
            kind = next((what for test, what in _KINDS if test(info.st_mode)), "a special file")
            raise RefusedFile(path, errno.EINVAL, f"not a regular file ({kind})")
        too_large = f"larger than {limit:,} bytes"
        if info.st_size > limit:
            raise RefusedFile(path, errno.EFBIG, too_large)
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise RefusedFile(path, errno.EFBIG, too_large)
        return b"".join(chunks)
    finally:
        os.close(fd)


# C0 controls except tab and newline, DEL, and C1 controls; plus the Unicode
# line and paragraph separators and bidirectional overrides, which also move
# or reorder what a terminal shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object, *, multiline: bool = False) -> str:
    """``text`` with terminal control characters shown as escapes (``\\x1b``), never sent.

    An escape sequence from a file could recolour the terminal, retitle its
    window or move the cursor; a newline would split a one-line message. With
    ``multiline`` newlines and tabs are kept (a briefing's paragraphs);
    otherwise they are escaped too.
    """
    pattern = _CONTROL if multiline else _CONTROL_OR_BREAK
    return pattern.sub(_escape, str(text))
