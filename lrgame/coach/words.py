"""What the coach says: a :class:`~lrgame.coach.diagnosis.Diagnosis` in sentences, through the catalog."""

from __future__ import annotations

from typing import Any

from lrgame.engine.outcome import Outcome

from ..analysis.sweep import ranges_text
from ..analysis.walk import NEAR
from ..engine.optim import REGISTRY as OPTIMIZERS
from ..i18n import _
from ..numfmt import approx, num, percent, rate, rate_bound
from ..numfmt import loss as fmt_loss
from .diagnosis import Diagnosis

FLAT_SHARE = 0.01
"""Stuck: the slope is flat where |∇L| is under this share of the steepest slope met on the walk."""
LR_SIZED_STRIDES = ("adam", "adamw", "rmsprop")
"""Optimizers whose strides stay about lr long near a minimum (the hovering sentence)."""


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
                    # Rounded down: every rate below the number quoted is stable.
                    limit=rate_bound(d.stability_limit, "high", 3),
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
                low=rate_bound(d.sweep_range[0], "low", 3),
                high=rate_bound(d.sweep_range[1], "high", 3),
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
