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

Headless commands import this module, so it imports no UI, and no numpy at import time.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from lrgame.engine.outcome import Outcome

from .atomic import write_atomically

VERSION = 1
FILE_NAME = "progress.json"
DEFAULT_CAMPAIGN = "default"
HOME_ENV = "LRGAME_HOME"
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


def default_home() -> Path:
    """``$LRGAME_HOME`` if set, else the platform's user data directory."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    # Imported here: platformdirs is only needed when no home is given (tests never need it).
    from platformdirs import user_data_dir

    return Path(user_data_dir("lrgame"))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fresh() -> dict[str, Any]:
    return {
        "version": VERSION,
        "settings": {"unlock_all": False, "language": None, "theme": None},
        "campaigns": {},
    }


class _BadShape(ValueError):
    """The save file parsed as JSON but is not a version-1 save."""


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; a file holding them was not written by us.
    raise _BadShape(f"non-standard JSON constant {name}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check(data: Any) -> dict[str, Any]:
    """The save document if it has the version-1 shape, else _BadShape.

    Strict on purpose: the game trusts these values (a string where a score
    should be would crash a screen later), and a file in any other shape is
    moved aside intact rather than half-read. Unknown extra keys are tolerated.
    """
    if not isinstance(data, dict):
        raise _BadShape("not an object")
    if type(data.get("version")) is not int or data["version"] != VERSION:  # not True, not 1.0
        raise _BadShape(f"version {data.get('version')!r}")
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise _BadShape("settings")
    if not isinstance(settings.get("unlock_all", False), bool):
        raise _BadShape("settings.unlock_all")
    for key in ("language", "theme"):
        if not isinstance(settings.get(key), str | None):
            raise _BadShape(f"settings.{key}")
    campaigns = data.get("campaigns")
    if not isinstance(campaigns, dict):
        raise _BadShape("campaigns")
    for campaign in campaigns.values():
        if not isinstance(campaign, dict) or not isinstance(campaign.get("path"), str | None):
            raise _BadShape("campaign")
        levels = campaign.get("levels")
        if not isinstance(levels, dict):
            raise _BadShape("campaign.levels")
        for by_digest in levels.values():
            if not isinstance(by_digest, dict):
                raise _BadShape("level")
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
        raise _BadShape("record")
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
        raise _BadShape("record fields")


class ProgressStore:
    """The player's save data, loaded on first use, kept in memory, saved on every change."""

    def __init__(self, home: Path | None = None) -> None:
        self.home = Path(home) if home is not None else default_home()
        self.path = self.home / FILE_NAME
        self._data: dict[str, Any] | None = None
        self._notices: list[str] = []
        # False when an unreadable save could not be moved aside: writing would destroy it.
        self._may_write = True
        # Folder paths seen by campaign_key, stored beside their key for humans reading the file.
        self._campaign_paths: dict[str, str] = {}

    # -- reading ---------------------------------------------------------

    @property
    def notices(self) -> list[str]:
        """Plain-English messages for the player (a save moved aside, a save that failed)."""
        self._loaded()  # a corrupt file is only found by loading; the game asks here first
        return self._notices

    def _notice(self, message: str) -> None:
        # A read-only folder would otherwise add the same notice on every single save.
        if message not in self._notices:
            self._notices.append(message)

    def _loaded(self) -> dict[str, Any]:
        if self._data is None:
            self._data = self._load()
        return self._data

    def _load(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return _fresh()  # first run (or the data folder does not exist yet)
        except OSError as error:  # a directory in its place, permission denied, ...
            self._set_aside(error.strerror or str(error))
            return _fresh()
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
            return _check(data)
        except _BadShape:
            self._set_aside("it is not a save file of this version of lrgame")
        except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError; deep nesting
            self._set_aside("it is not valid JSON")
        return _fresh()

    def _set_aside(self, why: str) -> None:
        """Move an unusable save to ``progress.corrupt-<UTC timestamp>.json``, never deleting it."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.home / f"progress.corrupt-{stamp}.json"
        n = 1
        while os.path.lexists(target):  # two bad loads in one second must not overwrite each other
            target = self.home / f"progress.corrupt-{stamp}-{n}.json"
            n += 1
        try:
            os.rename(self.path, target)
        except OSError as error:
            self._may_write = False
            self._notice(
                f"Your save file {self.path} could not be read ({why}) or moved aside "
                f"({error.strerror or error}), so this session starts fresh and will not be saved."
            )
            return
        self._notice(
            f"Your save file could not be read ({why}), so it was moved aside to {target} "
            f"and the game starts fresh."
        )

    # -- writing ---------------------------------------------------------

    def _save(self) -> bool:
        """Write the file atomically; on failure, add a notice and keep playing from memory."""
        if not self._may_write:
            return False
        text = json.dumps(self._loaded(), indent=2, sort_keys=True, allow_nan=False) + "\n"
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            # A crash leaves either the old file or the new one, never a half-written one.
            write_atomically(self.path, text)
            return True
        except OSError as error:
            self._notice(
                f"Your progress could not be saved to {self.path} ({error.strerror or error}); "
                f"it is kept for this session only."
            )
            return False

    # -- campaigns and levels ----------------------------------------------

    def campaign_key(self, levels_dir: Path | None) -> str:
        """``"default"`` for the shipped campaign, else ``dir-`` + the first 12 hex digits
        of the SHA-256 of the resolved folder path (stable across runs and working dirs)."""
        if levels_dir is None:
            return DEFAULT_CAMPAIGN
        resolved = Path(levels_dir).expanduser().resolve()
        # Imported here: the loader pulls in numpy, which a plain save/load does not need.
        from .levels.loader import shipped_levels_dir

        with contextlib.suppress(OSError):
            if resolved == shipped_levels_dir().resolve():
                return DEFAULT_CAMPAIGN  # `--levels levels/` is the shipped campaign itself
        key = "dir-" + hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:12]
        self._campaign_paths[key] = str(resolved)
        return key

    def _campaign(self, campaign: str) -> dict[str, Any]:
        campaigns = self._loaded()["campaigns"]
        if campaign not in campaigns:
            campaigns[campaign] = {"path": self._campaign_paths.get(campaign), "levels": {}}
        return campaigns[campaign]

    def level_record(self, campaign: str, level_id: str, digest: str) -> LevelRecord | None:
        entry = self._loaded()["campaigns"].get(campaign)
        if entry is None:
            return None
        raw = entry["levels"].get(level_id, {}).get(digest)
        return None if raw is None else _record(level_id, digest, raw)

    def record_run(
        self,
        campaign: str,
        level_id: str,
        digest: str,
        verdict: VerdictLike,
        strategy_json: dict[str, Any],
    ) -> RunRecordResult:
        """Count a finished run; keeps the best score (and its strategy), the most stars,
        the fewest steps to goal of a win, and passed once the goal is reached."""
        # A copy through JSON: the store must not alias the caller's dict, and a
        # strategy that cannot be saved is a bug to find now, not at the next save.
        strategy = json.loads(json.dumps(strategy_json, allow_nan=False))
        won = verdict.outcome == Outcome.REACHED_GOAL
        levels = self._campaign(campaign)["levels"]
        old = levels.get(level_id, {}).get(digest)
        previous_best = None if old is None else int(old["best_score"])
        is_new_best = previous_best is None or verdict.score > previous_best
        steps = verdict.steps_to_goal if won else None
        old_steps = None if old is None else old["best_steps_to_goal"]
        raw = {
            "passed": won or (old is not None and old["passed"]),
            "best_score": verdict.score if is_new_best else previous_best,
            "stars": max(verdict.stars, 0 if old is None else old["stars"]),
            "best_steps_to_goal": (
                old_steps
                if steps is None
                else steps
                if old_steps is None
                else min(steps, old_steps)
            ),
            "plays": 1 + (0 if old is None else old["plays"]),
            "best_strategy": strategy if is_new_best else old["best_strategy"],
            "updated": _now(),
        }
        levels.setdefault(level_id, {})[digest] = raw
        self._save()
        return RunRecordResult(
            is_new_best=is_new_best,
            previous_best=previous_best,
            newly_passed=won and not (old is not None and old["passed"]),
            record=_record(level_id, digest, raw),
        )

    def is_unlocked(
        self,
        campaign: str,
        ordered: list[tuple[str, str] | None],
        index: int,
        unlock_all: bool,
    ) -> bool:
        """Level ``index`` of a campaign (``(id, digest)`` per level, None for a broken one)
        is open when it is first, everything is unlocked, or the previous playable level is
        passed. Broken levels are skipped so a typo in one file does not wall off the rest."""
        if not 0 <= index < len(ordered):
            raise IndexError(f"level index {index} out of range for {len(ordered)} levels")
        if index == 0 or unlock_all:
            return True
        for entry in reversed(ordered[:index]):
            if entry is not None:
                record = self.level_record(campaign, *entry)
                return record is not None and record.passed
        return True  # only broken levels before it: nothing playable to pass first

    # -- settings and reset -------------------------------------------------

    @property
    def settings(self) -> Settings:
        raw = self._loaded()["settings"]
        return Settings(unlock_all=raw["unlock_all"], language=raw["language"], theme=raw["theme"])

    def save_settings(self, settings: Settings) -> None:
        self._loaded()["settings"] = {
            "unlock_all": bool(settings.unlock_all),
            "language": settings.language,
            "theme": settings.theme,
        }
        self._save()

    def has_progress(self, campaign: str | None = None) -> bool:
        """Whether any level record exists (in one campaign, or in any)."""
        campaigns = self._loaded()["campaigns"]
        chosen = campaigns.values() if campaign is None else [campaigns.get(campaign)]
        return any(c is not None and any(c["levels"].values()) for c in chosen)

    def reset(self, campaign: str | None = None) -> None:
        """Forget one campaign's progress, or every campaign's; settings are kept."""
        data = self._loaded()
        if campaign is None:
            data["campaigns"] = {}
        else:
            data["campaigns"].pop(campaign, None)
        self._save()


def _record(level_id: str, digest: str, raw: dict[str, Any]) -> LevelRecord:
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


__all__ = [
    "DEFAULT_CAMPAIGN",
    "LevelRecord",
    "ProgressStore",
    "RunRecordResult",
    "Settings",
    "default_home",
]
