"""The coach: after every run, a diagnosis measured on the run and on a sweep, in plain words.

Every sentence the coach says is a measurement (see ``tests/test_coach.py``):

- *what happened* comes from the trajectory (:mod:`lrgame.analysis.walk`): never
  moved, crawling, bouncing, zigzag, noise, hovering, stuck, diverged (with the
  curvature where the walk blew up, not at some far minimum), wandering;
- *which rates win* comes from the same 200-rate sweep the sweep screen shows
  (:mod:`lrgame.analysis.sweep`): checked intervals, never holding the rate that
  just lost; winners in more than three runs are called luck, not a range;
- *what to try* is only what is true: longer or shorter strides only when the
  sweep has winners on that side; when no rate wins, the level's own tools that
  do win (:mod:`lrgame.analysis.tools`), lesson first, never a tool it does not offer;
- on a level that teaches the LR finder, no winning range is quoted until the
  player has run the finder there.

``diagnose`` measures; ``explain`` turns the measurements into sentences through
the translation catalog. Nothing here imports the UI.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from lrgame.engine.outcome import Outcome

from .analysis.sweep import (
    SWEEP_POINTS,
    SweepResult,
    compute_sweep,
    ranges_text,
    regions,
    sweep_rates,
)
from .analysis.tools import PROBE_POINTS, ToolResult, candidates, winning_tools
from .analysis.walk import NEAR, WalkFacts, measure
from .engine.limits import affordable_runs
from .engine.optim import REGISTRY as OPTIMIZERS
from .engine.outcome import Verdict
from .engine.simulate import Run, run_batch
from .engine.stability import stability_limit
from .engine.strategy import Strategy
from .i18n import _
from .levels.model import Level
from .numfmt import approx, num, percent, rate
from .numfmt import loss as fmt_loss

__all__ = ["Diagnosis", "diagnose", "explain", "stability_limit"]

COACH_WORK = 50_000_000
"""The coach's extra runs may cost at most this many run-steps × gradient operations."""
FLAT_SHARE = 0.01
"""Stuck: the slope is flat where |∇L| is under this share of the steepest slope met on the walk."""
LR_SIZED_STRIDES = ("adam", "adamw", "rmsprop")
"""Optimizers whose strides stay about lr long near a minimum (the hovering sentence)."""


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


def _title(name: str) -> str:
    """An optimizer as torch spells it (``RMSprop``), from the registry; aliases as given."""
    definition = OPTIMIZERS.get(name)
    return definition.title if definition is not None else name


def _point(point: tuple[float, ...] | None) -> str:
    if point is None:
        return "?"
    return "(" + ", ".join(num(v) for v in point) + ")"


def _tool_name(tool: dict[str, Any]) -> str:
    code, name = tool["code"], tool["name"]
    if code == "momentum":
        return _("SGD with momentum 0.9")
    if code == "adaptive":
        return _title(name)
    if code == "warmup":
        return _("a warmup schedule ({name})", name=name)
    return _("the {name} schedule", name=name)


def _what_happened(d: Diagnosis) -> list[str]:
    parts: list[str] = []
    if d.cause == "diverged":
        parts.append(
            _(
                "Your strides grew longer each step until you flew off the mountain, at step {step}.",
                step=d.steps,
            )
        )
        where = (
            _("At the start")
            if d.step == 0
            else _("At step {step}, at {point}", step=d.step, point=_point(d.where))
        )
        if d.step is not None and d.stability_limit is not None:
            parts.append(
                _(
                    "{where}, the ground curves with λ = {curvature}: with your settings a stride "
                    "there is stable only while lr < {limit}, and you used {lr}.",
                    where=where,
                    curvature=num(d.curvature),
                    limit=rate(d.stability_limit),
                    lr=rate(d.blowup_lr),
                )
            )
        elif d.step is not None:
            parts.append(
                _(
                    "{where}, where the ground curves with λ = {curvature}, {optimizer}'s effective "
                    "stride lr/(√v̂+ε) passed its edge of stability.",
                    where=where,
                    curvature=num(d.curvature),
                    optimizer=_title(d.optimizer),
                )
            )
        elif d.longest_stride is not None:
            parts.append(
                _(
                    "No ground you stood on curved enough to throw you: the strides themselves, up "
                    "to {stride} long, carried you off the map.",
                    stride=num(d.longest_stride),
                )
            )
        return parts
    if d.cause == "stuck":
        parts.append(
            _(
                "You settled in a small dip at {point}: loss {loss}, while the lowest valley goes "
                "down to {best}.",
                point=_point(d.where),
                loss=fmt_loss(d.final_loss),
                best=fmt_loss(d.global_loss),
            )
        )
        flat = (
            d.end_gradient is not None
            and d.peak_gradient is not None
            and d.end_gradient <= FLAT_SHARE * d.peak_gradient
        )
        if flat:
            parts.append(
                _(
                    "At the bottom of a dip the slope is flat (|∇L| {grad}), so strides of lr·∇L "
                    "shrink to nothing and cannot climb out.",
                    grad=approx(d.end_gradient),
                )
            )
        else:
            parts.append(
                _(
                    "Your last strides, about {stride} long, kept you inside the dip without "
                    "carrying you over its rim.",
                    stride=num(d.stride),
                )
            )
        return parts
    if d.cause == "never_moved":
        if d.lr == 0:
            parts.append(
                _(
                    "You never moved: with η = 0 the update w ← w − η·∇L leaves the weights where "
                    "they are."
                )
            )
        else:
            parts.append(
                _(
                    "You hardly moved: no stride was longer than {stride}, and the goal was {distance} away.",
                    stride=num(d.longest_stride),
                    distance=num(d.distance),
                )
            )
        return parts
    if d.cause == "crawling":
        parts.append(
            _(
                "You were crawling: the loss was still falling, by {pct} of what was left each "
                "step, but your last strides averaged {stride} while the goal was still {distance} away.",
                pct=percent(d.fall_per_step or 0.0),
                stride=num(d.stride),
                distance=num(d.distance),
            )
        )
        return parts
    if d.cause in ("bouncing", "zigzag"):
        if d.cause == "zigzag":
            parts.append(
                _(
                    "You zigzagged: bouncing from wall to wall across the steep direction while "
                    "crawling along the valley floor, {distance} from the goal at the end.",
                    distance=num(d.distance),
                )
            )
        else:
            parts.append(
                _(
                    "You were bouncing: over the last steps your stride along the steepest direction "
                    "flipped back and forth {pct} of the time, and you ended {distance} from the goal.",
                    pct=percent(d.sign_changes or 0.0, 2),
                    distance=num(d.distance),
                )
            )
    elif d.cause == "noise":
        parts.append(
            _(
                "You reached the valley, but the gusts (the gradient noise) kept knocking you about "
                "and you never settled."
            )
        )
    elif d.cause == "hovering":
        parts.append(
            _(
                "You got close, {distance} from the goal, but did not settle: your last strides "
                "averaged {stride}.",
                distance=num(d.distance),
                stride=num(d.stride),
            )
        )
        if d.optimizer in LR_SIZED_STRIDES:
            parts.append(
                _(
                    "{optimizer} divides each step by the size of recent gradients, so its strides "
                    "stay about lr = {lr} long however small the slope gets.",
                    optimizer=_title(d.optimizer),
                    lr=rate(d.lr),
                )
            )
    else:
        parts.append(
            _("You ran out of steps {distance} away from the goal.", distance=num(d.distance))
        )
    near = d.distance is not None and d.distance <= NEAR * d.tolerance
    if d.inside > 0 or near:
        parts.append(
            _(
                "The goal counts when the last {window} points all stay within {tolerance} of it; "
                "{inside} of yours did.",
                window=d.window,
                tolerance=num(d.tolerance),
                inside=d.inside,
            )
        )
    return parts


def _advice(d: Diagnosis) -> list[str]:
    parts: list[str] = []
    if d.finder_hidden:
        parts.append(
            _(
                "Where the good rates lie is this level's secret: the LR finder (f on the setup "
                "screen) measures it before you commit."
            )
        )
    elif d.scattered:
        parts.append(
            _(
                "With everything else the same, the winning rates are scattered over {count} separate "
                "ranges: a win there is a matter of luck.",
                count=d.winning_runs,
            )
        )
    elif d.winning_lrs:
        ranges = ranges_text([(lo, hi) for lo, hi in d.winning_lrs])
        parts.append(
            _("With everything else the same, rates {ranges} reach the goal.", ranges=ranges)
        )
    elif d.sweep_range is not None:
        parts.append(
            _(
                "With this optimizer and schedule no rate from {low} to {high} reaches the goal.",
                low=rate(d.sweep_range[0]),
                high=rate(d.sweep_range[1]),
            )
        )
    tips = {
        "smaller_lr": _("Try shorter strides."),
        "larger_lr": _("Try longer strides."),
    }
    parts.extend(tips[s] for s in d.suggestions if s in tips)
    for tool in d.tools[:2]:
        name = _tool_name(tool)
        if tool["scattered"]:
            parts.append(
                _(
                    "{tool} wins too, but only at scattered rates: there, a win is luck.",
                    tool=name[0].upper() + name[1:],
                )
            )
        elif "winning_lrs" in tool:
            parts.append(
                _(
                    "{tool} does: with it, rates {ranges} reach the goal.",
                    tool=name[0].upper() + name[1:],
                    ranges=ranges_text([(lo, hi) for lo, hi in tool["winning_lrs"]]),
                )
            )
        else:
            parts.append(_("{tool} can win here.", tool=name[0].upper() + name[1:]))
    if not d.winning_lrs and not d.scattered and not d.tools and not d.finder_hidden:
        parts.append(
            _(
                "None of this level's tools wins with its default settings either: read the "
                "briefing again for what this level teaches."
            )
        )
    return parts


def explain(d: Diagnosis) -> str:
    """The diagnosis in plain words for a beginner, with the numbers."""
    if d.kind == Outcome.REACHED_GOAL:
        parts = [_("You reached the goal and stayed there from step {step}.", step=d.step)]
        if d.par is not None and d.step is not None:
            if d.step <= d.par:
                parts.append(_("That is within par ({par}).", par=d.par))
            else:
                parts.append(_("Par is {par}: a good walker arrives sooner.", par=d.par))
        if d.demo_steps is not None:
            parts.append(
                _("The level's own best walk arrives at step {steps}.", steps=d.demo_steps)
            )
        return " ".join(parts)
    return " ".join(_what_happened(d) + _advice(d))
