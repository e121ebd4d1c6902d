"""Writing a file all at once or not at all: save data, level files, strategy files."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import time
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
    # The writer's pid in the name lets a later start tell a crashed writer's leftover
    # from a file another process is writing right now (clean_stale_temporaries).
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent
    )
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


STALE_AFTER = 3600.0
"""Seconds after which a temporary file is a leftover whoever wrote it (a save takes
milliseconds; an old file whose pid is alive means the pid was reused)."""
UNNAMED_STALE_AFTER = 60.0
"""The same for temporary files without a pid in their name (written by older versions)."""


def _temporary_pattern(name: str) -> re.Pattern[str]:
    # mkstemp's random part is 8 characters of [a-z0-9_].
    return re.compile(rf"\.{re.escape(name)}\.(?:(\d+)\.)?[a-z0-9_]{{8}}\.tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    except (OSError, OverflowError):
        return False
    return True


def clean_stale_temporaries(
    path: str | os.PathLike[str], *, now: float | None = None
) -> list[Path]:
    """Delete the temporary files that :func:`write_atomically` left beside ``path``
    when its writer died mid-write; returns the files deleted.

    Only files named as ours for this very file are considered, and only when
    their writer is gone (the pid in the name is not running) or they are too
    old to be a write in progress (:data:`STALE_AFTER`, or
    :data:`UNNAMED_STALE_AFTER` for names without a pid). Regular files only;
    nothing is followed. Errors are ignored: this is housekeeping.
    """
    target = Path(os.path.realpath(path))
    pattern = _temporary_pattern(target.name)
    clock = time.time() if now is None else now
    removed: list[Path] = []
    try:
        names = os.listdir(target.parent)
    except OSError:
        return removed
    for name in names:
        match = pattern.fullmatch(name)
        if match is None:
            continue
        candidate = target.parent / name
        try:
            info = os.lstat(candidate)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        age = clock - info.st_mtime
        pid = match.group(1)
        if pid is None:
            stale = age > UNNAMED_STALE_AFTER
        else:
            stale = age > STALE_AFTER or (int(pid) != os.getpid() and not _alive(int(pid)))
        if stale:
            with contextlib.suppress(OSError):
                os.unlink(candidate)
                removed.append(candidate)
    return removed
