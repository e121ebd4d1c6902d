"""Where the save lives: the data directory (``$LRGAME_HOME`` or the platform's) and its file names."""

from __future__ import annotations

import os
from pathlib import Path

FILE_NAME = "progress.json"
HOME_ENV = "LRGAME_HOME"
LOCK_SUFFIX = ".lock"


def default_home() -> Path:
    """``$LRGAME_HOME`` if set, else the platform's user data directory."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    # Imported here: platformdirs is only needed when no home is given (tests never need it).
    from platformdirs import user_data_dir

    return Path(user_data_dir("lrgame"))
