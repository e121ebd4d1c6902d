"""What the game remembers between screens: the campaign, the player's settings per level.

Plain objects, no widgets: the screens read and update them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrgame.levels.loader import CampaignEntry, load_campaign
from lrgame.levels.model import Level


@dataclass
class LevelSettings:
    """The player's last choices on a level, so a retry keeps them."""

    strategy_json: dict[str, Any] | None = None
    practice: bool = False


@dataclass
class Campaign:
    directory: Path
    key: str
    entries: list[CampaignEntry] = field(default_factory=list)

    @classmethod
    def load(cls, directory: Path, key: str) -> Campaign:
        return cls(directory, key, load_campaign(directory))

    @property
    def ordered(self) -> list[tuple[str, str] | None]:
        """(id, digest) of each entry in order; None for a broken level."""
        out: list[tuple[str, str] | None] = []
        for entry in self.entries:
            level = entry.checked.level
            out.append(None if level is None else (level.id, level.digest))
        return out

    def index_of(self, level: Level) -> int | None:
        for i, entry in enumerate(self.entries):
            found = entry.checked.level
            if found is not None and found.id == level.id and found.digest == level.digest:
                return i
        return None

    def next_level(self, level: Level) -> Level | None:
        index = self.index_of(level)
        if index is None:
            return None
        for entry in self.entries[index + 1 :]:
            if entry.checked.level is not None:
                return entry.checked.level
        return None
