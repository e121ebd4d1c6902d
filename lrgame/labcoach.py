"""The coach on a model level: what the training run did, measured on its losses and a sweep.

The landscape coach (``lrgame.coach``) reads Hessians along the walk, which a
network of thousands of weights cannot afford; here every claim comes from the
run's full training loss, the data, and the same checked sweep of 200 rates
(``lrgame.analysis.sweep``). For a linear model with MSE the curvature is known
exactly from the data, the top eigenvalue of 2·AᵀA/n with A = [X 1], so a
divergence names the stability limit 2/λmax (with momentum, torch's heavy-ball
or Nesterov limit) and the rate that passed it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from lrgame.analysis.sweep import compute_sweep, ranges_text
from lrgame.engine.outcome import Outcome, Verdict, settle_window
from lrgame.engine.simulate import Run
from lrgame.engine.stability import stability_limit
from lrgame.engine.strategy import Strategy
from lrgame.i18n import _
from lrgame.levels.lab import ModelLevel
from lrgame.numfmt import loss as loss_text
from lrgame.numfmt import rate, rate_bound

JITTER = 1 / 3
FALLING = 0.02
"""The loss still falls when the tail's last value is this share below its first."""


@dataclass
class ModelDiagnosis:
    kind: str
    cause: str
    """reached, diverged, crawling (still falling), noise (mini-batch hovering), plateau."""
    suggestions: list[str] = field(default_factory=list)
    final_loss: float | None = None
    goal_loss: float = 0.0
    tail_fall: float | None = None
    """How much the loss fell over the settling window, as a share of its first value there."""
    curvature: float | None = None
    """λmax of the training loss (linear models with MSE: exact from the data)."""
    stability_limit: float | None = None
    blowup_step: int | None = None
    blowup_lr: float | None = None
    winning_lrs: list[list[float]] = field(default_factory=list)
    scattered: bool = False
    batch_size: int | None = None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        return {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in out.items()
        }


def diagnose_model(
    level: ModelLevel, strategy: Strategy, run: Run, verdict: Verdict, *, sweep: bool = True
) -> ModelDiagnosis:
    n = run.steps
    d = ModelDiagnosis(
        kind=verdict.outcome,
        cause="reached",
        final_loss=verdict.final_loss,
        goal_loss=level.goal_loss,
        batch_size=level.landscape.batch_size,
    )
    limit = level.landscape.curvature_limit()
    if limit is not None:
        d.curvature = 2.0 / limit
        mu = None
        if run.momentum is not None and len(run.momentum):
            mu = float(run.momentum[0])
        d.stability_limit = stability_limit(strategy.optimizer, d.curvature, mu)
    window = min(settle_window(n), n)
    if n >= 1 and window >= 1:
        first, last = float(run.loss[n - window]), float(run.loss[n])
        if math.isfinite(first) and math.isfinite(last) and first > 0:
            d.tail_fall = (first - last) / first
    if verdict.outcome == Outcome.DIVERGED:
        d.cause = "diverged"
        d.blowup_step = n
        d.blowup_lr = float(run.lr[n - 1]) if n >= 1 else None
    elif verdict.outcome != Outcome.REACHED_GOAL:
        if d.tail_fall is not None and d.tail_fall > FALLING:
            d.cause = "crawling"
        elif d.batch_size is not None and _jitters(run.loss[n - window : n + 1]):
            d.cause = "noise"
        else:
            d.cause = "plateau"
    if sweep and verdict.outcome != Outcome.REACHED_GOAL:
        result = compute_sweep(level, strategy)
        d.winning_lrs = [[lo, hi] for lo, hi in result.intervals]
        d.scattered = len(result.intervals) > 3
        lr = strategy.lr
        if any(lo > lr for lo, _hi in result.intervals):
            d.suggestions.append("larger_lr")
        if any(hi < lr for _lo, hi in result.intervals):
            d.suggestions.append("smaller_lr")
    if d.cause == "noise" and level.allowed.schedules != ("constant",):
        d.suggestions.append("decay")
    if d.cause == "diverged" and not d.winning_lrs and "adam" in level.allowed.optimizers:
        d.suggestions.append("adaptive")
    return d


def _jitters(tail: np.ndarray) -> bool:
    """Mini-batch noise: the full loss rises on at least a third of the last steps."""
    steps = np.diff(tail)
    return len(steps) >= 2 and float(np.mean(steps > 0)) >= JITTER


def explain_model(d: ModelDiagnosis) -> str:
    parts: list[str] = []
    if d.cause == "reached":
        parts.append(
            _(
                "The training loss settled at {loss}, at or below the goal of {goal}.",
                loss=loss_text(d.final_loss or 0.0),
                goal=loss_text(d.goal_loss),
            )
        )
    elif d.cause == "diverged":
        parts.append(
            _(
                "Training blew up at step {step}: a weight or the loss ran off to infinity.",
                step=d.blowup_step,
            )
        )
        if d.curvature is not None and d.stability_limit is not None and d.blowup_lr is not None:
            parts.append(
                _(
                    "For this linear model the curvature comes from the data alone: λmax = {lam}, "
                    "so rates above {limit} are unstable, and yours was {lr}.",
                    lam=loss_text(d.curvature),
                    # Rounded up: every rate above the number quoted is unstable.
                    limit=rate_bound(d.stability_limit, "low", 3),
                    lr=rate(d.blowup_lr),
                )
            )
    elif d.cause == "crawling":
        parts.append(
            _(
                "The loss was still falling when the steps ran out (it ended at {loss}, "
                "goal {goal}).",
                loss=loss_text(d.final_loss or math.nan),
                goal=loss_text(d.goal_loss),
            )
        )
    elif d.cause == "noise":
        parts.append(
            _(
                "The loss hovered at {loss} without settling under {goal}: each mini-batch "
                "of {size} samples pulls a little differently, and a constant rate keeps "
                "the weights jittering.",
                loss=loss_text(d.final_loss or math.nan),
                goal=loss_text(d.goal_loss),
                size=d.batch_size,
            )
        )
    else:
        parts.append(
            _(
                "The loss stopped falling at {loss}, above the goal of {goal}.",
                loss=loss_text(d.final_loss or math.nan),
                goal=loss_text(d.goal_loss),
            )
        )
    if d.cause != "reached":
        if d.winning_lrs and not d.scattered:
            intervals = [(lo, hi) for lo, hi in d.winning_lrs]
            parts.append(
                _(
                    "With everything else the same, rates {ranges} reach the goal.",
                    ranges=ranges_text(intervals),
                )
            )
        elif not d.winning_lrs:
            parts.append(_("No rate reaches the goal with this optimizer and schedule."))
        if "decay" in d.suggestions:
            parts.append(_("A schedule that lowers the rate lets the weights settle."))
        if "adaptive" in d.suggestions:
            parts.append(
                _("An adaptive optimizer (Adam) scales each weight's step by its own gradients.")
            )
    return " ".join(parts)


def dataset_json(level: ModelLevel) -> dict[str, Any]:
    data = level.landscape.data
    out: dict[str, Any] = {"x": data.x.tolist(), "y": data.y.tolist()}
    if len(data.y_holdout):
        out["holdout_x"] = data.x_holdout.tolist()
        out["holdout_y"] = data.y_holdout.tolist()
    return out


def parameters_json(level: ModelLevel) -> list[dict[str, Any]]:
    return [{"name": name, "shape": list(shape)} for name, shape in level.mlp.shapes]


def batches_json(level: ModelLevel, steps: int) -> list[list[int]] | None:
    batches = level.landscape.batches(steps)
    if batches is None:
        return None
    return [[int(i) for i in row if i >= 0] for row in np.asarray(batches)]


def model_facts(level: ModelLevel) -> list[str]:
    """What an author checks on a model level: the model, the data, the exact limit if any."""
    mlp = level.mlp
    data = level.landscape.data
    with np.errstate(all="ignore"):
        start_loss = float(level.landscape.loss(np.asarray([level.start]))[0])
    layers = "-".join(str(n) for n in mlp.layers)
    lines = [
        _(
            "Model {layers} {activation}, {loss} · {count} weights · start loss {start}",
            layers=layers,
            activation=mlp.activation if len(mlp.layers) > 2 else "",
            loss=mlp.loss,
            count=level.dim,
            start=loss_text(start_loss),
        ),
        _(
            "{n} training samples, {held} held out · {batches}",
            n=data.n,
            held=len(data.y_holdout),
            batches=(
                _("batches of {size}", size=level.landscape.batch_size)
                if level.landscape.batch_size
                else _("full batch")
            ),
        ),
    ]
    limit = level.landscape.curvature_limit()
    if limit is not None:
        lines.append(
            _(
                "Curvature λmax = {lam} from the data · SGD stable for lr < 2/λmax = {limit}",
                lam=loss_text(2.0 / limit),
                # Rounded down: every rate below the number quoted is stable.
                limit=rate_bound(limit, "high", 3),
            )
        )
    lines.append(_("Goal: training loss at or below {goal}", goal=loss_text(level.goal_loss)))
    return lines
