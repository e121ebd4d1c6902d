"""The coach: after every run, a diagnosis computed from the engine, in plain words.

``diagnose`` measures (the step of a blow-up, the stability limit on the
quadratic model at the minimum nearest the start, where a run settled, how fast
its loss was still falling, which rates would have won); ``explain`` turns the
measurements into sentences through the translation catalog. Nothing here
imports the UI.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .engine.outcome import Verdict
from .engine.simulate import Run, run_sweep
from .engine.strategy import Strategy
from .i18n import _
from .levels.model import Level

# Rates tried when the coach looks for what would have worked: a decade each
# side of the player's rate, in one batch.
PROBE_POINTS = 41
PROBE_DECADES = 3.0


@dataclass(frozen=True)
class Diagnosis:
    kind: str
    """The outcome: reached_goal, stuck_local, out_of_steps or diverged."""
    step: int | None = None
    """Diverged: the step whose point blew up. Reached: the step from which it stayed at the goal."""
    lr: float | None = None
    """Diverged: the largest rate used before the blow-up."""
    curvature: float | None = None
    """Lambda max, the largest Hessian eigenvalue at the minimum nearest the start."""
    stability_limit: float | None = None
    """SGD only: the largest stable rate on the quadratic model there, for the run's momentum settings."""
    optimizer: str = ""
    final_loss: float | None = None
    global_loss: float | None = None
    settled_at: tuple[float, ...] | None = None
    distance: float | None = None
    """Out of steps: how far the end point still was from the nearest global minimum."""
    tolerance: float | None = None
    fall_per_step: float | None = None
    """Out of steps: the fraction of the loss gap removed per step over the last tenth of the run."""
    winning_lrs: tuple[float, float] | None = None
    """The range of rates (same strategy otherwise) that reached the goal, if any did."""
    par: int | None = None
    demo_steps: int | None = None
    """The best steps_to_goal among the level's winning demos."""
    suggestions: list[str] = field(default_factory=list)
    """Codes of what would help: smaller_lr, larger_lr, momentum, decay, warmup, adaptive."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: v for k, v in data.items() if v is not None and v != []}


def stability_limit(strategy: Strategy, curvature: float) -> float | None:
    """The largest stable SGD rate on a quadratic of curvature lambda (plus weight decay).

    Plain SGD: 2/lambda. Heavy ball with momentum mu and dampening tau:
    2(1 + mu)/((1 - tau) lambda). Nesterov: 2(1 + mu)/((1 + 2 mu) lambda).
    None for the adaptive optimizers, whose stride is not lr times the gradient.
    """
    opt = strategy.optimizer
    if opt.name != "sgd" or not curvature > 0:
        return None
    lam = curvature + float(opt.params.get("weight_decay", 0.0))
    mu = float(opt.params.get("momentum", 0.0))
    tau = float(opt.params.get("dampening", 0.0))
    if mu == 0:
        return 2.0 / lam
    if opt.params.get("nesterov"):
        return 2.0 * (1 + mu) / ((1 + 2 * mu) * lam)
    if tau >= 1:
        return math.inf
    return 2.0 * (1 + mu) / ((1 - tau) * lam)


def diagnose(
    level: Level, strategy: Strategy, run: Run, verdict: Verdict, *, probe: bool = True
) -> Diagnosis:
    """Measure why the run ended as it did. ``probe`` runs a small sweep of rates (one batch)."""
    landscape = level.landscape
    minima = landscape.minima
    start = np.asarray(level.start)
    nearest = min(
        minima, key=lambda m: float(np.linalg.norm(np.asarray(m.point) - start)), default=None
    )
    curvature = nearest.curvature if nearest is not None else None
    common: dict[str, Any] = {
        "kind": verdict.outcome,
        "optimizer": strategy.optimizer.alias or strategy.optimizer.name,
        "final_loss": verdict.final_loss,
        "global_loss": _finite(level.goal.loss),
        "curvature": curvature,
        "par": level.par,
        "tolerance": level.tolerance,
    }
    winning = _winning_lrs(level, strategy) if probe else None
    suggestions: list[str] = []
    allowed = level.allowed

    if verdict.outcome == "diverged":
        used = run.lr[np.isfinite(run.lr)]
        limit = stability_limit(strategy, curvature) if curvature is not None else None
        suggestions.append("smaller_lr")
        if "warmup_cosine" in allowed.schedules or "linear" in allowed.schedules:
            suggestions.append("warmup")
        return Diagnosis(
            **common,
            step=run.steps,
            lr=float(used.max()) if len(used) else None,
            stability_limit=limit,
            winning_lrs=winning,
            suggestions=suggestions,
        )

    if verdict.outcome == "stuck_local":
        end = run.trajectory[-1]
        settled = min(
            level.local_minima,
            key=lambda p: float(np.linalg.norm(np.asarray(p) - end)),
            default=None,
        )
        suggestions.append("larger_lr")
        if (
            allowed.momentum
            and strategy.optimizer.name == "sgd"
            and not strategy.optimizer.params.get("momentum")
        ):
            suggestions.append("momentum")
        if len(allowed.schedules) > 1 and strategy.schedule.name == "constant":
            suggestions.append("decay")
        return Diagnosis(**common, settled_at=settled, winning_lrs=winning, suggestions=suggestions)

    if verdict.outcome == "out_of_steps":
        end = run.trajectory[-1]
        distance = float(np.min(np.linalg.norm(level.goal.minima - end, axis=-1)))
        gap = run.loss - level.goal.loss
        tail = max(2, len(gap) // 10)
        fall = None
        with np.errstate(all="ignore"):
            first, last = gap[-tail], gap[-1]
            if first > 0 and last >= 0 and math.isfinite(first) and math.isfinite(last):
                fall = float(1.0 - (last / first) ** (1.0 / (tail - 1)))
        if fall is not None and fall > 0.001:
            suggestions.append("larger_lr")
        else:
            suggestions.append("decay" if len(allowed.schedules) > 1 else "smaller_lr")
        return Diagnosis(
            **common,
            distance=distance,
            fall_per_step=fall,
            winning_lrs=winning,
            suggestions=suggestions,
        )

    demo_steps = _best_demo_steps(level)
    return Diagnosis(
        **common, step=verdict.steps_to_goal, demo_steps=demo_steps, winning_lrs=winning
    )


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _winning_lrs(level: Level, strategy: Strategy) -> tuple[float, float] | None:
    """The rates around the player's (same strategy otherwise) that reach the goal."""
    centre = max(strategy.lr, 1e-12)
    lrs = np.geomspace(centre / 10**PROBE_DECADES, centre * 10**PROBE_DECADES, PROBE_POINTS)
    batch = run_sweep(level.landscape, level.start, strategy, lrs, level.noise)
    verdicts = level.judge(batch)
    wins = [lr for lr, v in zip(lrs, verdicts, strict=True) if v.outcome == "reached_goal"]
    if not wins:
        return None
    return float(min(wins)), float(max(wins))


def _best_demo_steps(level: Level) -> int | None:
    from .engine.simulate import run_batch

    winners = [d.strategy for d in level.demos if d.outcome == "reached_goal"]
    if not winners:
        return None
    batch = run_batch(level.landscape, level.start, winners, level.noise)
    verdicts = level.judge(batch)
    steps = [
        v.steps_to_goal
        for v in verdicts
        if v.steps_to_goal is not None and v.outcome == "reached_goal"
    ]
    return min(steps) if steps else None


def fmt(value: float | None) -> str:
    if value is None:
        return "?"
    if abs(value) < 1e-12:
        return "0"
    return f"{value:.3g}"


def explain(d: Diagnosis) -> str:
    """The diagnosis in plain words for a beginner, with the numbers."""
    parts: list[str] = []
    if d.kind == "diverged":
        parts.append(
            _(
                "Your strides grew longer each step until you flew off the mountain, at step {step}.",
                step=d.step,
            )
        )
        if d.stability_limit is not None and d.curvature is not None:
            parts.append(
                _(
                    "At the valley nearest your start the ground curves with λ = {curvature} "
                    "(the steepest curvature there). With your settings a stride is stable only while "
                    "lr < {limit}; you used {lr}.",
                    curvature=fmt(d.curvature),
                    limit=fmt(d.stability_limit),
                    lr=fmt(d.lr),
                )
            )
        elif d.curvature is not None:
            parts.append(
                _(
                    "{optimizer} scales each stride by the size of recent gradients, so there is no single "
                    "formula for its limit, but a rate of {lr} was still too large for ground that curves "
                    "with λ = {curvature}.",
                    optimizer=d.optimizer,
                    lr=fmt(d.lr),
                    curvature=fmt(d.curvature),
                )
            )
    elif d.kind == "stuck_local":
        parts.append(
            _(
                "You settled in a small dip: loss {loss}, while the lowest valley goes down to {best}.",
                loss=fmt(d.final_loss),
                best=fmt(d.global_loss),
            )
        )
        parts.append(_("Strides this short cannot climb out of a dip once they are in it."))
    elif d.kind == "out_of_steps":
        parts.append(
            _(
                "You ran out of steps {distance} away from the goal (it counts within {tolerance}).",
                distance=fmt(d.distance),
                tolerance=fmt(d.tolerance),
            )
        )
        if d.fall_per_step is not None and d.fall_per_step > 0.001:
            parts.append(
                _(
                    "The loss was still falling, by {pct}% of what was left each step: you were on your way, "
                    "just too slowly.",
                    pct=f"{100 * d.fall_per_step:.2g}",
                )
            )
        else:
            parts.append(
                _(
                    "The loss had stopped falling: you were going back and forth instead of arriving."
                )
            )
    else:
        parts.append(_("You reached the goal and stayed there from step {step}.", step=d.step))
        if d.par is not None and d.step is not None:
            if d.step <= d.par:
                parts.append(_("That is within par ({par}).", par=d.par))
            else:
                parts.append(_("Par is {par}: a good walker arrives sooner.", par=d.par))
        if d.demo_steps is not None:
            parts.append(
                _("The level's own best walk arrives at step {steps}.", steps=d.demo_steps)
            )
    if d.kind != "reached_goal":
        if d.winning_lrs is not None:
            low, high = d.winning_lrs
            parts.append(
                _(
                    "With everything else the same, rates from {low} to {high} reach the goal.",
                    low=fmt(low),
                    high=fmt(high),
                )
            )
        tips = {
            "smaller_lr": _("Try shorter strides."),
            "larger_lr": _("Try longer strides."),
            "momentum": _("Momentum could carry you over the bump."),
            "decay": _(
                "A schedule that starts high and then decays could travel far and still settle."
            ),
            "warmup": _(
                "Starting with small strides and growing them (warmup) could get you safely off steep ground."
            ),
        }
        parts.extend(tips[s] for s in d.suggestions if s in tips and d.winning_lrs is None)
    return " ".join(parts)
