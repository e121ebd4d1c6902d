"""What the game remembers between screens: the player's settings per level.

The campaign and what it adds up to are :mod:`lrgame.analysis.campaign`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class LevelSettings:
    """The player's last choices on a level, so a retry keeps them."""

    strategy_json: dict[str, Any] | None = None
    practice: bool = False
