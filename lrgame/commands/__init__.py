"""The headless commands: simulate, sweep, find-lr, validate, levels, schema, new, reset-progress.

They print JSON or a readable summary, and never import Textual, so they start fast.
One module a group: ``runs`` (simulate, sweep, find-lr), ``level_files`` (validate,
levels, export, schema, new, edit), ``saves`` (progress, reset-progress,
leaderboard), ``game`` (serve; ``play`` is :mod:`lrgame.game`, which loads none of this), and ``common`` for what they share.

``commands.simulate`` and the other handlers are looked up on first use
(PEP 562), so a command imports its own group only (``lrgame validate`` never
imports the coach; the time saved is small, as every group needs the level loader).
"""

from __future__ import annotations

import importlib
from typing import Any

_GROUP_OF = {
    "simulate": "runs",
    "sweep": "runs",
    "find_lr": "runs",
    "validate": "level_files",
    "levels": "level_files",
    "export": "level_files",
    "schema": "level_files",
    "new_level": "level_files",
    "edit": "level_files",
    "progress": "saves",
    "reset_progress": "saves",
    "leaderboard": "saves",
    "serve": "game",
}


def __getattr__(name: str) -> Any:
    group = _GROUP_OF.get(name)
    if group is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # No group module is named like a handler: importing it sets that name on this package.
    return getattr(importlib.import_module(f"{__name__}.{group}"), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_GROUP_OF])
