"""What a campaign adds up to: each level's stars and best score, and whether it is complete.

Plain objects computed from the save file, shared by the map and the ending screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from lrgame.levels.model import Level
from lrgame.storage import ProgressStore

from .session import Campaign


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
