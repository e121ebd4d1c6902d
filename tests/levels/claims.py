"""Helpers that prove a level's lesson through the engine (shared by the campaign tests)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from lrgame.engine.outcome import Verdict
from lrgame.engine.simulate import BatchRun, Noise, run_batch, run_sweep
from lrgame.levels.loader import check_file
from lrgame.levels.model import Level

LEVELS_DIR = Path(__file__).resolve().parents[2] / "levels"
# The sweep the issue asks for when a lesson says "no constant rate wins".
SWEEP_LRS = np.geomspace(1e-6, 1e2, 1000)


def load(prefix: str) -> Level:
    """The shipped level named by ``prefix``: the start of its file name (e.g. "03-") or its
    id (e.g. "glass-canyon", which survives renumbering)."""
    path = path_of(prefix)
    checked = check_file(path, run_demos=False)
    assert checked.level is not None, checked.lines
    return checked.level


def with_noise_seed(level: Level, seed: int) -> Level:
    return replace(level, noise=Noise(level.noise.std, seed))


def verdicts(level: Level, batch: BatchRun) -> list[Verdict]:
    return level.judge(batch)


def sweep(level: Level, strategy: dict[str, Any], lrs: np.ndarray = SWEEP_LRS) -> list[Verdict]:
    """The strategy at every rate of ``lrs`` (its headline rate), as one batch."""
    base = level.strategy(strategy)
    return verdicts(level, run_sweep(level.landscape, level.start, base, lrs, level.noise))


def play(level: Level, strategy: dict[str, Any]) -> Verdict:
    batch = run_batch(level.landscape, level.start, [level.strategy(strategy)], level.noise)
    return verdicts(level, batch)[0]


def outcomes(results: Iterable[Verdict]) -> list[str]:
    return [v.outcome for v in results]


def winning_rates(
    level: Level, strategy: dict[str, Any], lrs: np.ndarray = SWEEP_LRS
) -> np.ndarray:
    results = sweep(level, strategy, lrs)
    return lrs[[v.outcome == "reached_goal" for v in results]]


def constant_settings(level: Level, *, exclude: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Every constant-rate optimizer setting the level allows, as the issue lists them:
    plain SGD; SGD with momentum 0.9 where momentum is allowed; Adam where allowed.
    ``exclude`` names the tool the lesson teaches ("momentum", "adam")."""
    skip = set(exclude)
    allowed = level.allowed
    settings: list[dict[str, Any]] = []
    if "sgd" in allowed.optimizers and "sgd" not in skip:
        settings.append({"optimizer": {"name": "sgd"}})
    if "sgd" in allowed.optimizers and allowed.momentum and "momentum" not in skip:
        settings.append({"optimizer": {"name": "sgd", "momentum": 0.9}})
    if "adam" in allowed.optimizers and "adam" not in skip:
        settings.append({"optimizer": {"name": "adam"}})
    return settings


def demo_strategies(level: Level, kind: str) -> list[dict[str, Any]]:
    demos = level.raw.get("demos", {}).get(kind, [])
    return [d["strategy"] for d in demos]


def path_of(prefix: str) -> Path:
    pattern = f"{prefix}*.json" if prefix[:1].isdigit() else f"[0-9][0-9]-{prefix}.json"
    (path,) = LEVELS_DIR.glob(pattern)
    return path


@cache
def level_of(prefix: str) -> Level:
    return load(prefix)


@cache
def _sweep(prefix: str, strategy_json: str, seed: int | None) -> tuple[Verdict, ...]:
    level = level_of(prefix)
    if seed is not None:
        level = with_noise_seed(level, seed)
    return tuple(sweep(level, json.loads(strategy_json)))


def verdicts_at_sweep_rates(
    prefix: str, strategy: dict[str, Any], seed: int | None = None
) -> tuple[Verdict, ...]:
    """The verdict at each of the 1,000 rates of SWEEP_LRS (cached: tests share sweeps)."""
    return _sweep(prefix, json.dumps(strategy, sort_keys=True), seed)


def swept(prefix: str, strategy: dict[str, Any], seed: int | None = None) -> np.ndarray:
    """The outcome at each rate of SWEEP_LRS."""
    return np.asarray(outcomes(verdicts_at_sweep_rates(prefix, strategy, seed)))


def rates(prefix: str, strategy: dict[str, Any], outcome: str) -> np.ndarray:
    """The rates of SWEEP_LRS that end with ``outcome``."""
    return SWEEP_LRS[swept(prefix, strategy) == outcome]


@cache
def level_schema_validator() -> Draft202012Validator:
    """The shipped level schema, with the strategy schema it refers to."""
    schema_dir = LEVELS_DIR.parent / "lrgame" / "levels"
    level_schema = json.loads((schema_dir / "level.schema.json").read_text(encoding="utf-8"))
    strategy_schema = json.loads((schema_dir / "strategy.schema.json").read_text(encoding="utf-8"))
    registry: Registry = Registry().with_resources(
        [
            (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012))
            for schema in (level_schema, strategy_schema)
        ]
    )
    return Draft202012Validator(level_schema, registry=registry)


# -- no luck: the winners of a sweep form a region ------------------------------------

CAMPAIGN_ORDER = (
    "first-steps",
    "the-gorge",
    "long-meadow",
    "false-bottom",
    "washboard",
    "the-long-way-down",
    "the-ravine",
    "loose-finish",
    "glass-canyon",
    "knife-edge-gully",
    "gusty-funnel",
    "four-valleys",
    "the-egg-crate",
    "the-banana-valley",
)
"""The shipped campaign by id, in play order (the boss last)."""

MAX_WIN_RUNS = 3
WIDEST_RUN_SHARE = 0.8


def every_constant_setting(level: Level) -> list[dict[str, Any]]:
    """Every optimizer setting the level offers, at torch's defaults and a constant rate:
    plain SGD, SGD with momentum 0.9 where momentum is offered, and each offered adaptive
    optimizer (Adam, AdamW, RMSprop, Adagrad)."""
    allowed = level.allowed
    if "constant" not in allowed.schedules:
        return []
    settings: list[dict[str, Any]] = []
    if "sgd" in allowed.optimizers:
        settings.append({"optimizer": {"name": "sgd"}})
        if allowed.momentum:
            settings.append({"optimizer": {"name": "sgd", "momentum": 0.9}})
    for name in ("adam", "adamw", "rmsprop", "adagrad"):
        if name in allowed.optimizers:
            settings.append({"optimizer": {"name": name}})
    return settings


def win_runs(outcome: np.ndarray) -> list[tuple[int, int]]:
    """The maximal runs of consecutive winning rates, as (first, last) indices."""
    won = np.concatenate(([0], (outcome == "reached_goal").astype(np.int8), [0]))
    edges = np.diff(won)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def luck_problem(outcome: np.ndarray) -> str | None:
    """Why the winners of a sweep are luck rather than a region, or None if they are a region:
    at most three runs of consecutive rates, the widest holding at least 80% of the winners."""
    runs = win_runs(outcome)
    if not runs:
        return None
    sizes = [last - first + 1 for first, last in runs]
    total = sum(sizes)
    ranges = ", ".join(f"{SWEEP_LRS[first]:.3g}..{SWEEP_LRS[last]:.3g}" for first, last in runs[:6])
    if len(runs) > MAX_WIN_RUNS:
        return f"{total} winners in {len(runs)} runs ({ranges}, ...)"
    if max(sizes) < WIDEST_RUN_SHARE * total:
        return f"the widest run holds {max(sizes)} of {total} winners ({ranges})"
    return None
