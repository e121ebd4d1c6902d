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
    """The shipped level whose file name starts with ``prefix`` (e.g. "03-")."""
    (path,) = [p for p in LEVELS_DIR.glob(f"{prefix}*.json")]
    checked = check_file(path, run_demos=False)
    assert checked.level is not None, checked.problems
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
    (path,) = LEVELS_DIR.glob(f"{prefix}*.json")
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
