"""A campaign without a terminal: its levels in order, and what the player's progress adds up to.

The map, the ending and the leaderboard show these plain objects; the app keeps
one :class:`Campaign` and fills its entries once the level files are read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # The loader (and with it NumPy and the engine) loads with the first level read,
    # not before the title screen (tests/test_import_hygiene.py keeps it so).
    from lrgame.levels.loader import CampaignEntry
    from lrgame.levels.model import Level
    from lrgame.storage import ProgressStore


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


@dataclass(frozen=True)
class LevelResult:
    level: Level
    passed: bool
    stars: int
    best_score: int


@dataclass(frozen=True)
class LessonResult:
    lesson: str
    levels: int
    stars: int
    """Stars earned over the lesson's levels, out of 3 per level."""


@dataclass(frozen=True)
class CampaignSummary:
    levels: tuple[LevelResult, ...]

    @property
    def complete(self) -> bool:
        """Every playable level passed (broken files do not count against the player)."""
        return bool(self.levels) and all(r.passed for r in self.levels)

    @property
    def total_score(self) -> int:
        return sum(r.best_score for r in self.levels)

    @property
    def max_score(self) -> int:
        return 1000 * len(self.levels)

    @property
    def stars(self) -> int:
        return sum(r.stars for r in self.levels)

    @property
    def lessons(self) -> tuple[LessonResult, ...]:
        """One entry per lesson, in the order the campaign first teaches it."""
        order: list[str] = []
        for result in self.levels:
            if result.level.lesson not in order:
                order.append(result.level.lesson)
        return tuple(
            LessonResult(
                lesson,
                sum(1 for r in self.levels if r.level.lesson == lesson),
                sum(r.stars for r in self.levels if r.level.lesson == lesson),
            )
            for lesson in order
        )

    @property
    def last_level(self) -> Level | None:
        return self.levels[-1].level if self.levels else None


def summarize(campaign: Campaign, store: ProgressStore) -> CampaignSummary:
    results = []
    for entry in campaign.entries:
        level = entry.checked.level
        if level is None:
            continue
        record = store.level_record(campaign.key, level.id, level.digest)
        results.append(
            LevelResult(
                level,
                passed=record is not None and record.passed,
                stars=record.stars if record is not None else 0,
                best_score=record.best_score if record is not None else 0,
            )
        )
    return CampaignSummary(tuple(results))
