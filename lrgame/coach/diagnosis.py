"""What the coach measures: a :class:`Diagnosis` of one run, from the run and a sweep."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from lrgame.engine.outcome import Outcome

from ..analysis.sweep import (
    SWEEP_POINTS,
    SweepResult,
    compute_sweep,
    regions,
    sweep_rates,
)
from ..analysis.tools import PROBE_POINTS, ToolResult, candidates, winning_tools
from ..analysis.walk import WalkFacts, measure
from ..engine.limits import affordable_runs
from ..engine.outcome import Verdict
from ..engine.simulate import Run, run_batch
from ..engine.strategy import Strategy
from ..levels.model import Level

COACH_WORK = 50_000_000
"""The coach's extra runs may cost at most this many run-steps × gradient operations."""


@dataclass(frozen=True)
class Diagnosis:
    kind: Outcome
    """The outcome: reached_goal, stuck_local, out_of_steps or diverged."""
    cause: str
    """What the walk did (see :mod:`lrgame.analysis.walk`): reached, never_moved, crawling, …"""
    optimizer: str
    lr: float
    """The headline rate of the run."""
    steps: int
    window: int
    """The settle window: the last points that must all lie inside the goal."""
    inside: int
    """How many of them did."""
    tolerance: float
    final_loss: float | None = None
    global_loss: float | None = None
    distance: float | None = None
    """From the end point to the nearest global minimum."""
    stride: float | None = None
    """The mean stride over the last tenth of the run."""
    fall_per_step: float | None = None
    sign_changes: float | None = None
    end_gradient: float | None = None
    step: int | None = None
    """Reached: the step from which the walk stayed at the goal. Diverged: where it passed its edge."""
    where: tuple[float, ...] | None = None
    """Diverged: the point at ``step``. Stuck: the local minimum it settled in."""
    curvature: float | None = None
    """Diverged: the largest Hessian eigenvalue over the points visited up to ``step``."""
    stability_limit: float | None = None
    """Diverged SGD: the largest stable rate for ``curvature`` (always below ``blowup_lr``)."""
    blowup_lr: float | None = None
    """Diverged: the rate used at ``step``."""
    longest_stride: float | None = None
    peak_gradient: float | None = None
    """The largest |∇L| met along the walk."""
    winning_lrs: list[list[float]] | None = None
    """Checked winning intervals ``[low, high]`` of the sweep (None: hidden or none)."""
    scattered: bool = False
    """Winners lie in more than three separate intervals: winning is a matter of luck."""
    winning_runs: int = 0
    """How many separate runs of winning rates the sweep found."""
    sweep_range: tuple[float, float] | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)
    """Tools the level offers that win when this strategy does not: code, name, winning_lrs."""
    finder_hidden: bool = False
    """A finder level whose finder the player has not run: no range is quoted."""
    par: int | None = None
    demo_steps: int | None = None
    """The best steps_to_goal among the level's winning demos."""
    suggestions: list[str] = field(default_factory=list)
    """Codes of what would help: smaller_lr, larger_lr, momentum, decay, warmup, adaptive."""
    sweep: SweepResult | None = field(default=None, compare=False, repr=False)
    """The sweep behind the numbers, for the sweep screen to show the same ones."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("sweep", None)
        out = {k: v for k, v in data.items() if v is not None and v != []}
        for key in ("where", "sweep_range"):
            if key in out:
                out[key] = list(out[key])
        return _json_safe(out)


def _json_safe(value: Any) -> Any:
    """Non-finite numbers become None (JSON's null), at any depth."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def diagnose(
    level: Level,
    strategy: Strategy,
    run: Run,
    verdict: Verdict,
    *,
    used_finder: bool = False,
    sweep: SweepResult | None = None,
    factors: np.ndarray | None = None,
) -> Diagnosis:
    """Measure why the run ended as it did.

    ``sweep`` is the 200-rate sweep of this strategy if already computed;
    ``factors`` the run's stability factors (the descent screen has them).
    """
    facts: WalkFacts = measure(level, strategy.optimizer, run, verdict, factors)
    common: dict[str, Any] = {
        "kind": verdict.outcome,
        "cause": facts.cause,
        "optimizer": strategy.optimizer.display_name,
        "lr": float(strategy.lr),
        "steps": facts.steps,
        "window": facts.window,
        "inside": facts.inside,
        "tolerance": level.tolerance,
        "final_loss": verdict.final_loss,
        "global_loss": _finite(level.goal.loss),
        "distance": facts.distance,
        "stride": facts.stride,
        "fall_per_step": facts.fall_per_step,
        "sign_changes": facts.sign_changes,
        "end_gradient": facts.end_gradient,
        "longest_stride": facts.longest_stride,
        "peak_gradient": facts.peak_gradient,
        "par": level.par,
    }
    if verdict.outcome == Outcome.REACHED_GOAL:
        return Diagnosis(**common, step=verdict.steps_to_goal, demo_steps=_best_demo_steps(level))

    points, probe_points = coach_points(level, strategy)
    if sweep is None:
        sweep = compute_sweep(level, strategy, sweep_rates(strategy.lr, points))
    hidden = level.lesson == "lr_finder" and not used_finder
    # Lone winning rates are luck, not a range to quote.
    intervals = regions(sweep.intervals)
    suggestions: list[str] = []
    if intervals and not sweep.scattered:
        above = [low for low, _ in intervals if low > strategy.lr]
        below = [high for _, high in intervals if high < strategy.lr]
        sides = []
        # Distances in decades, so the nearer side is named first; a rate of 0 is infinitely far.
        used = max(float(strategy.lr), 1e-300)
        if above:
            sides.append(("larger_lr", math.log(min(above) / used)))
        if below:
            sides.append(("smaller_lr", math.log(used / max(below))))
        suggestions.extend(code for code, _ in sorted(sides, key=lambda s: s[1]))
    tools: list[ToolResult] = []
    if not intervals or sweep.scattered:
        tools = winning_tools(level, strategy, probe_points) if probe_points else []
        robust = [t for t in tools if not t.scattered]
        suggestions.extend(dict.fromkeys(t.code for t in (robust or tools)))

    if verdict.outcome == Outcome.DIVERGED:
        common.update(
            step=facts.blowup_step,
            where=facts.blowup_point,
            curvature=facts.blowup_curvature,
            stability_limit=facts.blowup_limit,
            blowup_lr=facts.blowup_lr,
        )
    elif verdict.outcome == Outcome.STUCK_LOCAL:
        end = run.trajectory[-1]
        common["where"] = min(
            level.local_minima,
            key=lambda p: float(np.linalg.norm(np.asarray(p) - end)),
            default=None,
        )
    return Diagnosis(
        **common,
        winning_lrs=(
            None
            if hidden or not intervals or sweep.scattered
            else [[lo, hi] for lo, hi in intervals]
        ),
        scattered=sweep.scattered,
        winning_runs=len(sweep.intervals),
        sweep_range=(float(sweep.lrs[0]), float(sweep.lrs[-1])),
        tools=[
            {
                "code": t.code,
                "name": t.label,
                "scattered": t.scattered,
                **(
                    {}
                    if hidden or t.scattered
                    else {"winning_lrs": [[lo, hi] for lo, hi in regions(t.intervals)]}
                ),
            }
            for t in tools
        ],
        finder_hidden=hidden,
        suggestions=suggestions,
        sweep=sweep,
    )


def coach_points(level: Level, strategy: Strategy) -> tuple[int, int]:
    """Rates for the sweep and for each tool's probe, within :data:`COACH_WORK`.

    Every shipped level affords the full 200 and 80; a costly level written by
    someone else gets fewer rates (never under 40 for the sweep) or no probes,
    so a single ``simulate`` stays bounded in time.
    """
    runs = affordable_runs(strategy.steps, level.expression.gradient_operations, budget=COACH_WORK)
    points = SWEEP_POINTS if runs >= 2 * SWEEP_POINTS else max(40, runs // 2)
    probes = max(0, runs - points) // max(1, len(candidates(level, strategy)))
    probe_points = min(PROBE_POINTS, probes)
    return points, probe_points if probe_points >= 20 else 0


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _best_demo_steps(level: Level) -> int | None:
    winners = [d.strategy for d in level.demos if d.outcome == Outcome.REACHED_GOAL]
    if not winners:
        return None
    batch = run_batch(level.landscape, level.start, winners, level.noise)
    steps = [
        v.steps_to_goal
        for v in level.judge(batch)
        if v.steps_to_goal is not None and v.outcome == Outcome.REACHED_GOAL
    ]
    return min(steps) if steps else None
