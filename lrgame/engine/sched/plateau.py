"""ReduceLROnPlateau: reads the loss, so its state is explicit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..params import ParamSpec
from .base import ScheduleDef, ScheduleSpec, g4


@dataclass(frozen=True)
class PlateauState:
    """ReduceLROnPlateau's state for B runs: the current lr, the best loss so
    far, the count of bad steps and the cooldown counter (each ``[B]``)."""

    lr: np.ndarray
    best: np.ndarray
    num_bad: np.ndarray
    cooldown: np.ndarray


def plateau_start(spec: ScheduleSpec, lr0: np.ndarray) -> PlateauState:
    """The state before the first step: lr0, best = +inf (min) or -inf (max)."""
    lr = np.array(lr0, dtype=np.float64, ndmin=1)
    worse = np.inf if spec.params["mode"] == "min" else -np.inf
    return PlateauState(
        lr=lr,
        best=np.full(lr.shape, worse, dtype=np.float64),
        num_bad=np.zeros(lr.shape, dtype=np.int64),
        cooldown=np.zeros(lr.shape, dtype=np.int64),
    )


def plateau_step(spec: ScheduleSpec, state: PlateauState, loss: np.ndarray) -> PlateauState:
    """One ``ReduceLROnPlateau.step(loss)`` for every row.

    Better (min, rel): ``loss < best * (1 - threshold)``; (min, abs):
    ``loss < best - threshold``; (max, rel): ``loss > best * (threshold + 1)``;
    (max, abs): ``loss > best + threshold`` - literally, also for a negative best,
    and false for a NaN loss. A better loss becomes ``best`` and resets the bad
    count, else the count grows; during cooldown the counter ticks down and bad
    steps are forgotten. When the count exceeds ``patience``:
    ``new = max(lr * factor, min_lr)``, taken only if ``lr - new > eps``; then the
    cooldown starts and the count resets.
    """
    p = spec.params
    current = np.asarray(loss, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        if p["mode"] == "min":
            if p["threshold_mode"] == "rel":
                better = current < state.best * (1.0 - p["threshold"])
            else:
                better = current < state.best - p["threshold"]
        elif p["threshold_mode"] == "rel":
            better = current > state.best * (p["threshold"] + 1.0)
        else:
            better = current > state.best + p["threshold"]
    best = np.where(better, current, state.best)
    num_bad = np.where(better, 0, state.num_bad + 1)
    in_cooldown = state.cooldown > 0
    cooldown = np.where(in_cooldown, state.cooldown - 1, state.cooldown)
    num_bad = np.where(in_cooldown, 0, num_bad)
    reduce = num_bad > p["patience"]
    new_lr = np.maximum(state.lr * p["factor"], p["min_lr"])
    lr = np.where(reduce & (state.lr - new_lr > p["eps"]), new_lr, state.lr)
    cooldown = np.where(reduce, p["cooldown"], cooldown)
    num_bad = np.where(reduce, 0, num_bad)
    return PlateauState(
        lr=lr.astype(np.float64),
        best=best.astype(np.float64),
        num_bad=num_bad.astype(np.int64),
        cooldown=cooldown.astype(np.int64),
    )


def _describe(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    p = spec.params
    better = "drop" if p["mode"] == "min" else "rise"
    size = f"{p['threshold']:.2%}" if p["threshold_mode"] == "rel" else g4(p["threshold"])
    return (
        f"lr × {g4(p['factor'])} after {p['patience']} steps without a {size} "
        f"{better} in loss (min {g4(p['min_lr'])})"
    )


SCHEDULE = ScheduleDef(
    name="plateau",
    torch_class="ReduceLROnPlateau",
    title="ReduceLROnPlateau",
    description="Reduces the learning rate when the loss has stopped improving "
    "(torch.optim.lr_scheduler.ReduceLROnPlateau).",
    summary="× factor when the loss stops improving (reads the loss)",
    order=100,
    params=(
        ParamSpec(
            "mode",
            kind="choice",
            default="min",
            choices=("min", "max"),
            advanced=True,
            doc="In min mode the rate is reduced when the loss has stopped decreasing; in max "
            "mode when the monitored quantity has stopped increasing (torch `mode`).",
            examples=("min",),
        ),
        # torch requires factor < 1.
        ParamSpec(
            "factor",
            default=0.1,
            low=0.0,
            high=1.0,
            high_open=True,
            doc="Factor by which the learning rate will be reduced: new_lr = lr * factor "
            "(torch `factor`).",
            examples=(0.1, 0.5),
        ),
        ParamSpec(
            "patience",
            kind="int",
            default=10,
            low=0,
            doc="The number of steps with no improvement after which the learning rate will "
            "be reduced (torch `patience`).",
            examples=(10, 3),
        ),
        ParamSpec(
            "threshold",
            default=1e-4,
            low=0.0,
            doc="Threshold for measuring the new optimum, to only focus on significant "
            "changes (torch `threshold`).",
            examples=(1e-4,),
        ),
        ParamSpec(
            "threshold_mode",
            kind="choice",
            default="rel",
            choices=("rel", "abs"),
            advanced=True,
            doc="One of rel, abs. In rel mode the loss must beat best * (1 - threshold) (in "
            "min mode); in abs mode it must beat best - threshold (torch `threshold_mode`).",
            examples=("rel",),
        ),
        ParamSpec(
            "cooldown",
            kind="int",
            default=0,
            low=0,
            advanced=True,
            doc="Number of steps to wait before resuming normal operation after the rate has "
            "been reduced (torch `cooldown`).",
            examples=(0, 5),
        ),
        ParamSpec(
            "min_lr",
            default=0.0,
            low=0.0,
            advanced=True,
            doc="A lower bound on the learning rate (torch `min_lr`).",
            examples=(0, 1e-06),
        ),
        ParamSpec(
            "eps",
            default=1e-8,
            low=0.0,
            advanced=True,
            doc="Minimal decay applied to the rate: if the difference between the new and old "
            "rate is smaller than eps, the update is ignored (torch `eps`).",
            examples=(1e-8,),
        ),
    ),
    lr=None,
    describe=_describe,
    part=False,
)
