"""OneCycleLR: warm up to max_lr, then anneal far below the start; momentum the other way."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import SpecError
from ..params import ParamSpec, join
from ..problems import FieldPath
from .base import (
    MAX_INT,
    Context,
    ScheduleDef,
    ScheduleSpec,
    check_cycle_momentum,
    g4,
    max_lr_param,
    momentum_params,
    steps_default,
)

_Array = np.ndarray


def onecycle_ends(total: int, pct_start: float, three_phase: bool) -> list[float]:
    # Exactly torch's phase end steps (floats).
    if three_phase:
        return [
            float(pct_start * total) - 1,
            float(2 * pct_start * total) - 2,
            float(total - 1),
        ]
    return [float(pct_start * total) - 1, float(total - 1)]


def onecycle_phase(ends: list[float], k: _Array) -> _Array:
    """Torch's phase of step k: the first whose end_step >= k, else the last."""
    phase = np.full(k.shape, len(ends) - 1, dtype=np.int64)
    for i in reversed(range(len(ends) - 1)):
        phase = np.where(k <= ends[i], i, phase)
    return phase


def _position(p: Mapping[str, Any], k: _Array) -> tuple[_Array, _Array]:
    """OneCycleLR's ``(phase, pct)`` at k: ``pct = (k - start) / (end - start)``."""
    ends = onecycle_ends(p["total_steps"], p["pct_start"], p["three_phase"])
    kf = k.astype(np.float64)
    phase = onecycle_phase(ends, kf)
    starts = np.asarray([0.0, *ends[:-1]])[phase]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = (kf - starts) / (np.asarray(ends)[phase] - starts)
    return phase, pct


def _anneal(strategy: str, start: Any, end: Any, pct: _Array) -> Any:
    if strategy == "cos":
        cos_out = np.cos(math.pi * pct) + 1
        return end + (start - end) / 2.0 * cos_out
    return (end - start) * pct + start


def _curve(p: Mapping[str, Any], k: _Array, ends: list[tuple[Any, Any]], out: _Array) -> _Array:
    """Fill ``out`` ([..., N]) with the curve through the per-phase ``(start, end)`` pairs."""
    phase, pct = _position(p, k)
    for i, (start, end) in enumerate(ends):
        mask = phase == i
        if mask.any():
            out[..., mask] = _anneal(p["anneal_strategy"], start, end, pct[mask])
    return out


def onecycle_lr(lr0: _Array, k: _Array, p: Mapping[str, Any]) -> _Array:
    """OneCycleLR with ``max_lr = lr0``.

    ``initial = lr0 / div_factor``, ``min = initial / final_div_factor``. Phase
    ends (in steps): ``pct_start*total - 1`` (initial -> max_lr) and ``total - 1``
    (max_lr -> min); with ``three_phase``: ``pct_start*total - 1`` (initial ->
    max_lr), ``2*pct_start*total - 2`` (max_lr -> initial), ``total - 1``
    (initial -> min). Step k falls in the first phase whose end is >= k (else the
    last); ``pct = (k - phase_start) / (phase_end - phase_start)``; ``cos``:
    ``end + (start - end)/2 * (1 + cos(pi*pct))``, ``linear``:
    ``(end - start)*pct + start``.
    """
    initial = lr0 / p["div_factor"]
    bottom = initial / p["final_div_factor"]
    if p["three_phase"]:
        ends = [(initial, lr0), (lr0, initial), (initial, bottom)]
    else:
        ends = [(initial, lr0), (lr0, bottom)]
    return _curve(p, k, ends, np.empty((lr0.shape[0], k.shape[0])))


def onecycle_momentum(k: _Array, p: Mapping[str, Any]) -> _Array | None:
    """OneCycleLR's momentum (beta1 for Adam), annealed like the lr but the other
    way: max_momentum -> base_momentum -> max_momentum (three-phase: then it
    stays at max_momentum). None without ``cycle_momentum``.
    """
    if not p["cycle_momentum"]:
        return None
    low, high = p["base_momentum"], p["max_momentum"]
    ends = [(high, low), (low, high)]
    if p["three_phase"]:
        ends.append((high, high))
    return _curve(p, k, ends, np.empty(k.shape[0]))


def _check(values: dict[str, Any], path: FieldPath, ctx: Context) -> None:
    total = values["total_steps"]
    if ctx.steps > total:
        raise SpecError(
            join(path, "total_steps"),
            f"total_steps {total!r} is less than the run's {ctx.steps} steps "
            "(torch's OneCycleLR raises when stepped past total_steps)",
        )
    check_cycle_momentum(values, path, ctx)
    # torch divides by each phase's length: refuse a run that reaches an empty
    # phase (torch would raise ZeroDivisionError). A run computes k = 0..steps:
    # the last sched.step() follows the last optimizer step.
    pct = values["pct_start"]
    ends = onecycle_ends(total, pct, values["three_phase"])
    phase = onecycle_phase(ends, np.arange(ctx.steps + 1, dtype=np.float64))
    starts = [0.0, *ends[:-1]]
    for i in np.unique(phase):
        if ends[i] - starts[i] == 0.0:
            raise SpecError(
                join(path, "pct_start"),
                f"pct_start {pct!r} with total_steps {total} leaves phase {int(i) + 1} of "
                "the one-cycle schedule empty (torch divides by zero); "
                "change pct_start or total_steps",
            )


def _lr(p: Mapping[str, Any], lr0: _Array, k: _Array) -> _Array:
    return onecycle_lr(lr0, k, p)


def _describe(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    p = spec.params
    peak = p["max_lr"] if lr is None else lr
    low = peak / p["div_factor"]
    shape = "3-phase " if p["three_phase"] else ""
    return (
        f"one cycle ({shape}{p['anneal_strategy']}): {g4(low)} → {g4(peak)} at "
        f"{p['pct_start']:.0%} of {p['total_steps']} steps → {g4(low / p['final_div_factor'])}"
    )


SCHEDULE = ScheduleDef(
    name="onecycle",
    torch_class="OneCycleLR",
    title="OneCycleLR",
    description="The 1cycle policy: warm up from max_lr / div_factor to max_lr, then anneal "
    "far below the start (torch.optim.lr_scheduler.OneCycleLR).",
    summary="warm up to max_lr, then anneal far below the start; momentum the other way",
    order=80,
    params=(
        max_lr_param("OneCycleLR", "Upper learning rate boundary in the cycle"),
        ParamSpec(
            "total_steps",
            kind="int",
            default=steps_default(1),
            low=1,
            high=MAX_INT,
            advanced=True,
            doc="The total number of steps in the cycle "
            "(torch.optim.lr_scheduler.OneCycleLR `total_steps`). Default: the number of steps.",
            default_doc="the number of steps",
            examples=(100, 1000),
        ),
        ParamSpec(
            "pct_start",
            default=0.3,
            low=0.0,
            high=1.0,
            doc="The fraction of the cycle (in steps) spent increasing the learning rate "
            "(torch `pct_start`).",
            examples=(0.3, 0.25),
        ),
        ParamSpec(
            "anneal_strategy",
            kind="choice",
            default="cos",
            choices=("cos", "linear"),
            doc="The annealing strategy: 'cos' for cosine annealing, 'linear' for linear "
            "annealing (torch `anneal_strategy`).",
            examples=("cos",),
        ),
        *momentum_params(
            0.85,
            0.95,
            "If true, momentum (or Adam's beta1) is cycled inversely to the learning rate "
            "between max_momentum and base_momentum (torch `cycle_momentum`).",
            "Lower momentum boundary in the cycle, reached when the rate peaks "
            "(torch `base_momentum`).",
            "Upper momentum boundary in the cycle, used at the start and end "
            "(torch `max_momentum`).",
        ),
        ParamSpec(
            "div_factor",
            default=25.0,
            low=0.0,
            low_open=True,
            doc="Determines the initial learning rate via initial_lr = max_lr / div_factor "
            "(torch `div_factor`).",
            examples=(25, 10),
        ),
        ParamSpec(
            "final_div_factor",
            default=1e4,
            low=0.0,
            low_open=True,
            doc="Determines the minimum learning rate via min_lr = initial_lr / "
            "final_div_factor (torch `final_div_factor`).",
            examples=(1e4, 100),
        ),
        ParamSpec(
            "three_phase",
            kind="bool",
            default=False,
            advanced=True,
            doc="If true, use a third phase that annihilates the learning rate according to "
            "final_div_factor instead of modifying the second phase (torch `three_phase`).",
            examples=(False, True),
        ),
    ),
    lr=_lr,
    momentum=onecycle_momentum,
    check=_check,
    describe=_describe,
    headline=True,
    part=False,
)
