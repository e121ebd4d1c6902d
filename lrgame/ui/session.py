"""What the game remembers between screens: the campaign, the player's settings per level.

Plain objects, no widgets: the screens read and update them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lrgame.engine.outcome import Outcome, Verdict

if TYPE_CHECKING:
    # The loader (and with it NumPy and the engine) loads with the first level read,
    # not before the title screen.
    from lrgame.levels.loader import CampaignEntry
    from lrgame.levels.model import Level

PRACTICE_SCORE_FACTOR = 0.5
FINDER_COST = 50
"""Points a run loses when the LR finder was used for it: a real range test costs compute."""


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
        from lrgame.levels.loader import load_campaign

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


def practice_verdict(verdict: Verdict) -> Verdict:
    """Practice runs (landscape shown from the start) score half, and one star fewer (at least one on a win)."""
    from dataclasses import replace

    stars = max(1, verdict.stars - 1) if verdict.outcome == Outcome.REACHED_GOAL else 0
    return replace(verdict, score=round(verdict.score * PRACTICE_SCORE_FACTOR), stars=stars)


def finder_verdict(verdict: Verdict) -> Verdict:
    """A run set up with the LR finder's help scores ``FINDER_COST`` less (never below 0); stars stay."""
    from dataclasses import replace

    return replace(verdict, score=max(0, verdict.score - FINDER_COST))
