"""The save file's contents: its version-1 shape, strictly checked, and the records it holds."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

VERSION = 1
DEFAULT_CAMPAIGN = "default"
RECORD_KEYS = frozenset(
    ("passed", "best_score", "stars", "best_steps_to_goal", "plays", "best_strategy", "updated")
)


class VerdictLike(Protocol):
    """What ``record_run`` reads from an ``engine.outcome.Verdict`` (kept structural
    so that saving does not import the engine and its numpy)."""

    @property
    def outcome(self) -> str: ...
    @property
    def steps_to_goal(self) -> int | None: ...
    @property
    def score(self) -> int: ...
    @property
    def stars(self) -> int: ...


@dataclass(frozen=True)
class Settings:
    unlock_all: bool = False
    language: str | None = None
    theme: str | None = None


@dataclass(frozen=True)
class LevelRecord:
    level_id: str
    digest: str
    passed: bool
    best_score: int
    stars: int
    """The most stars any run earned."""
    best_steps_to_goal: int | None
    """The fewest steps to the goal among winning runs; None until a win."""
    plays: int
    best_strategy: dict[str, Any] | None
    """The strategy JSON of the best-scoring run, to race as a ghost."""
    updated: str
    """When this record last changed, ISO 8601 in UTC."""


@dataclass(frozen=True)
class RunRecordResult:
    is_new_best: bool
    """True when the run scored strictly more than any earlier run (or was the first)."""
    previous_best: int | None
    """The best score before this run; None on the first play."""
    newly_passed: bool
    """True when this run passed the level for the first time (the next one unlocks)."""
    record: LevelRecord


def utc_now() -> str:
    """Now, as the records write it (ISO 8601 in UTC, to the second)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fresh() -> dict[str, Any]:
    return {
        "version": VERSION,
        "settings": {"unlock_all": False, "language": None, "theme": None},
        "campaigns": {},
    }


class BadShape(ValueError):
    """The save file parsed as JSON but is not a version-1 save."""


def reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; a file holding them was not written by us.
    raise BadShape(f"non-standard JSON constant {name}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_document(data: Any) -> dict[str, Any]:
    """The save document if it has the version-1 shape, else BadShape.

    Strict on purpose: the game trusts these values (a string where a score
    should be would crash a screen later), and a file in any other shape is
    moved aside intact rather than half-read. Unknown extra keys are tolerated.
    """
    if not isinstance(data, dict):
        raise BadShape("not an object")
    if type(data.get("version")) is not int or data["version"] != VERSION:  # not True, not 1.0
        raise BadShape(f"version {data.get('version')!r}")
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise BadShape("settings")
    if not isinstance(settings.get("unlock_all", False), bool):
        raise BadShape("settings.unlock_all")
    for key in ("language", "theme"):
        if not isinstance(settings.get(key), str | None):
            raise BadShape(f"settings.{key}")
    campaigns = data.get("campaigns")
    if not isinstance(campaigns, dict):
        raise BadShape("campaigns")
    for campaign in campaigns.values():
        if not isinstance(campaign, dict) or not isinstance(campaign.get("path"), str | None):
            raise BadShape("campaign")
        levels = campaign.get("levels")
        if not isinstance(levels, dict):
            raise BadShape("campaign.levels")
        for by_digest in levels.values():
            if not isinstance(by_digest, dict):
                raise BadShape("level")
            for record in by_digest.values():
                _check_record(record)
    return {
        **data,
        "settings": {
            "unlock_all": settings.get("unlock_all", False),
            "language": settings.get("language"),
            "theme": settings.get("theme"),
        },
    }


def _check_record(record: Any) -> None:
    if not isinstance(record, dict) or not RECORD_KEYS <= record.keys():
        raise BadShape("record")
    ok = (
        isinstance(record.get("passed"), bool)
        and _is_int(record.get("best_score"))
        and _is_int(record.get("stars"))
        and 0 <= record["stars"] <= 3
        and (record.get("best_steps_to_goal") is None or _is_int(record["best_steps_to_goal"]))
        and _is_int(record.get("plays"))
        and record["plays"] >= 0
        and isinstance(record.get("best_strategy"), dict | None)
        and isinstance(record.get("updated"), str)
    )
    if not ok:
        raise BadShape("record fields")


def record_of(level_id: str, digest: str, raw: dict[str, Any]) -> LevelRecord:
    return LevelRecord(
        level_id=level_id,
        digest=digest,
        passed=raw["passed"],
        best_score=raw["best_score"],
        stars=raw["stars"],
        best_steps_to_goal=raw["best_steps_to_goal"],
        plays=raw["plays"],
        # A copy, so a screen mutating the ghost's strategy cannot change the save.
        best_strategy=copy.deepcopy(raw["best_strategy"]),
        updated=raw["updated"],
    )
