"""Where the shipped campaign lives.

Apart from the loader so that the app can name the campaign's folder before the
title screen without importing NumPy and the engine (see tests/test_import_hygiene.py).
"""

from __future__ import annotations

from pathlib import Path


def shipped_levels_dir() -> Path:
    """The campaign shipped with lrgame: ``levels/`` beside the package, or its installed copy."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "levels", here / "campaign"):
        if candidate.is_dir():
            return candidate
    return here.parent / "levels"
