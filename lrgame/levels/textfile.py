"""A level file as the editor reads and writes it: its text, its byte order mark, its changes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from lrgame.atomic import write_atomically
from lrgame.safeio import read_capped

__all__ = ["BOM", "DELETED", "DiskText", "WatchedFile", "file_signature", "read_level_text"]

BOM = b"\xef\xbb\xbf"


def read_level_text(path: str | os.PathLike[str]) -> tuple[str, bool]:
    """A level file's text and whether it starts with a UTF-8 byte order mark.

    Raises OSError (also for a FIFO, a device or a file over the size limit), or
    UnicodeDecodeError for a file that is not UTF-8.
    """
    data = read_capped(path)
    bom = data.startswith(BOM)
    return data[len(BOM) :].decode("utf-8") if bom else data.decode("utf-8"), bom


def file_signature(path: str | os.PathLike[str]) -> tuple[int, int, int] | None:
    """What changes when the file does: modification time, size, inode (a rename-over)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


@dataclass(frozen=True)
class DiskText:
    """The file's new content, found on disk by :meth:`WatchedFile.poll`."""

    text: str
    bom: bool


DELETED: Final = "deleted"
"""What :meth:`WatchedFile.poll` says when the file it last read or wrote is gone."""


class WatchedFile:
    """A level file being edited: what it held when last read or written, and what changed since.

    The editor keeps the text; this keeps the file's side, so that saving, and
    noticing a change made elsewhere, can be tested without a screen.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.saved_text: str | None = None
        """What the file held when last read or written (None: not on disk)."""
        self.bom = False
        """The file starts with a UTF-8 byte order mark, which saving keeps."""
        self._signature: tuple[int, int, int] | None = None

    def read(self) -> str | None:
        """The file's text (None: there is no file yet), remembered as saved.

        Raises OSError or UnicodeDecodeError as :func:`read_level_text` does.
        """
        if not self.path.exists():
            return None
        text, self.bom = read_level_text(self.path)
        self.saved_text = text
        self._signature = file_signature(self.path)
        return text

    def write(self, text: str) -> None:
        """Replace the file atomically (its old content stays whole if this raises OSError)."""
        write_atomically(self.path, text, bom=self.bom)
        self.saved_text = text
        self._signature = file_signature(self.path)

    def follow(self, change: DiskText) -> None:
        """The buffer now shows ``change``: it is what the file holds."""
        self.saved_text = change.text
        self.bom = change.bom

    def poll(self) -> DiskText | Literal["deleted"] | None:
        """What changed on disk since the last look: new text, ``DELETED``, or None.

        A file half-written or unreadable now is looked at again next time.
        """
        signature = file_signature(self.path)
        if signature == self._signature:
            return None
        self._signature = signature
        if signature is None:
            if self.saved_text is None:
                return None
            self.saved_text = None
            return DELETED
        try:
            text, bom = read_level_text(self.path)
        except (OSError, UnicodeDecodeError):
            return None
        if text == self.saved_text:
            return None
        return DiskText(text, bom)
