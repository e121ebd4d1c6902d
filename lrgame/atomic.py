"""Writing a file all at once or not at all: save data, level files, strategy files."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

BOM = b"\xef\xbb\xbf"


def write_atomically(path: str | os.PathLike[str], text: str, *, bom: bool = False) -> None:
    """Replace the file at ``path`` with ``text`` (UTF-8), all at once or not at all.

    The text goes to a temporary file in the same folder, is flushed to disk,
    and takes the file's place with ``os.replace``: a crash or a full disk
    leaves the old file whole. The file keeps its permissions; a symbolic link
    keeps pointing where it did (its target is replaced). Raises OSError, or
    UnicodeEncodeError for text UTF-8 cannot hold.
    """
    data = (BOM if bom else b"") + text.encode("utf-8")
    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    sync_folder(target.parent)


def sync_folder(folder: Path) -> None:
    """Make the rename durable where the platform allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
