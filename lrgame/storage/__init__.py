"""Save data: progress, stars, best scores and settings, in the user's data directory.

One JSON file (``progress.json``, ``"version": 1``) holds everything::

    {
      "version": 1,
      "settings": {"unlock_all": false, "language": null, "theme": null},
      "campaigns": {
        "default": {"path": null, "levels": {"<level id>": {"<digest>": {record}}}},
        "dir-0123456789ab": {"path": "/home/me/my-levels", "levels": {...}}
      }
    }

Records are keyed by level id *and* digest, so an edited level starts afresh
(and a reverted one finds its old record again). A save file that cannot be
read is moved aside, never deleted, and the game starts fresh; a save that
cannot be written becomes a notice for the player. Nothing here raises on I/O.

Several games may share one save (a classroom server, two terminals). Every
change is therefore a small operation, not a new file: under an exclusive
``fcntl`` lock on ``progress.json.lock`` the store re-reads the file, applies
the changes this process has not saved yet (a run adds one play and keeps the
better score, stars and pass), writes the result atomically and lets go. A
change that could not be written stays pending and is applied again at the
next save, so nothing is counted twice and nothing is lost.

Headless commands import this package, so it imports no UI, and no numpy at import time.

``paths`` says where the save lives, ``records`` what it holds (the checked
version-1 shape), ``store`` how it changes (the lock, the merge, the notices).
Import what you need from ``lrgame.storage`` itself.
"""

from __future__ import annotations

from .paths import FILE_NAME, default_home
from .records import DEFAULT_CAMPAIGN, LevelRecord, RunRecordResult, Settings
from .store import ProgressStore

__all__ = [
    "DEFAULT_CAMPAIGN",
    "FILE_NAME",
    "LevelRecord",
    "ProgressStore",
    "RunRecordResult",
    "Settings",
    "default_home",
]
