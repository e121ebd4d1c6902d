"""Which of the level's tools would have won: small batched sweeps, lesson first.

When no rate wins with the player's strategy, the coach names a tool the level
offers that does win, never one it does not offer. Each candidate is the
player's strategy with one thing changed: SGD momentum 0.9, an adaptive
optimizer at torch's defaults, a decaying schedule, or a warmup. All of them
run as one engine batch over :data:`PROBE_POINTS` rates; a tool wins when one of
its checked winning intervals exists (see :func:`lrgame.analysis.sweep.winning_intervals`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lrgame.engine.errors import SpecError
from lrgame.engine.optimizers import ADAPTIVE_NAMES
from lrgame.engine.outcome import Outcome
from lrgame.engine.simulate import run_sweeps
from lrgame.engine.strategy import Strategy
from lrgame.levels.model import Level

from .sweep import Interval, is_scattered, sweep_rates, winning_intervals

PROBE_POINTS = 80
DECAY = ("cosine", "step", "multistep", "exponential")
WARMUP = ("warmup_cosine", "linear")
LESSON_TOOL = {
    "momentum": "momentum",
    "local_minimum": "momentum",
    "step_decay": "decay",
    "noise": "decay",
    "adaptive": "adaptive",
    "adaptive_finish": "decay",
    "warmup": "warmup",
}
"""The tool each lesson teaches, named first when it wins."""


@dataclass(frozen=True)
class ToolResult:
    code: str
    """``momentum``, ``adaptive``, ``decay`` or ``warmup``."""
    strategy: Strategy
    """The strategy that won (its lr is the probe's; only the intervals matter)."""
    intervals: list[Interval]

    @property
    def scattered(self) -> bool:
        """Its winners lie in more than three runs, or at isolated rates only: it wins by luck."""
        return is_scattered(self.intervals)

    @property
    def label(self) -> str:
        """The tool as a name: ``sgd`` + momentum, ``adam``, ``cosine``…"""
        opt = self.strategy.optimizer
        if self.code == "momentum":
            return "momentum"
        if self.code == "adaptive":
            return opt.name
        return self.strategy.schedule.name


def candidates(level: Level, strategy: Strategy) -> list[tuple[str, Strategy]]:
    """The one-change variants of the player's strategy that the level offers."""
    allowed = level.allowed
    opt = strategy.optimizer
    out: list[tuple[str, Strategy]] = []

    def add(code: str, obj: dict[str, Any]) -> None:
        try:
            variant = level.strategy({**obj, "steps": strategy.steps})
        except SpecError:
            return
        if allowed.refusal(variant) is None:
            out.append((code, variant))

    schedule = strategy.schedule.to_json()
    constant = strategy.schedule.name == "constant"
    if (
        allowed.momentum
        and "sgd" in allowed.optimizers
        and not (opt.name == "sgd" and opt.params.get("momentum"))
    ):
        add(
            "momentum",
            {"optimizer": {"name": "sgd", "lr": opt.lr, "momentum": 0.9}, "schedule": schedule},
        )
    for name in ADAPTIVE_NAMES:
        if name in allowed.optimizers and name != opt.name:
            add("adaptive", {"optimizer": {"name": name, "lr": opt.lr}, "schedule": schedule})
    if constant:
        for name in DECAY:
            if name in allowed.schedules:
                add("decay", {"optimizer": opt.to_json(), "schedule": {"name": name}})
        for name in WARMUP:
            if name in allowed.schedules:
                add("warmup", {"optimizer": opt.to_json(), "schedule": {"name": name}})
    return out


def winning_tools(level: Level, strategy: Strategy, points: int = PROBE_POINTS) -> list[ToolResult]:
    """The tools that win: regions before scattered winners, lesson first, then the widest."""
    found = candidates(level, strategy)
    if not found:
        return []
    lrs = sweep_rates(strategy.lr, points)
    batch = run_sweeps(level.landscape, level.start, [(s, lrs) for _, s in found], level.noise)
    verdicts = level.judge(batch)
    best: dict[str, ToolResult] = {}
    for k, (code, variant) in enumerate(found):
        rows = verdicts[k * len(lrs) : (k + 1) * len(lrs)]
        wins = np.array([v.outcome == Outcome.REACHED_GOAL for v in rows])
        if not wins.any():
            continue
        intervals = winning_intervals(level, variant, lrs, wins)
        if not intervals:
            continue
        result = ToolResult(code, variant, intervals)
        if code not in best or _rank(result) < _rank(best[code]):
            best[code] = result
    lesson = LESSON_TOOL.get(level.lesson)
    return sorted(best.values(), key=lambda r: (r.scattered, r.code != lesson, -_width(r)))


def _rank(result: ToolResult) -> tuple[bool, float]:
    return (result.scattered, -_width(result))


def _width(result: ToolResult) -> float:
    return max(float(np.log10(high / low)) for low, high in result.intervals)
