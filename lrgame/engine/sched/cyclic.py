"""CyclicLR: the rate cycles between base_lr and max_lr; momentum the other way."""

from __future__ import annotations

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
    cyclic_base,
    g4,
    gamma_param,
    max_lr_param,
    momentum_params,
)

_Array = np.ndarray


def _position(k: _Array, p: Mapping[str, Any]) -> tuple[_Array, _Array]:
    """CyclicLR's ``(cycle, scale_factor)`` at k, as torch computes them.

    ``total = up + down``, ``ratio = up / total``, ``cycle = floor(1 + k/total)``,
    ``x = 1 + k/total - cycle``; ``scale = x/ratio`` if ``x <= ratio`` else
    ``(x - 1)/(ratio - 1)``.
    """
    up = float(p["step_size_up"])
    down = float(p["step_size_down"]) if p["step_size_down"] is not None else up
    total = up + down
    ratio = up / total
    kf = k.astype(np.float64)
    cycle = np.floor(1 + kf / total)
    x = 1.0 + kf / total - cycle
    rising = x <= ratio
    scale = np.empty_like(x)
    scale[rising] = x[rising] / ratio
    scale[~rising] = (x[~rising] - 1) / (ratio - 1)
    return cycle, scale


def _scale(k: _Array, cycle: _Array, p: Mapping[str, Any]) -> _Array:
    """CyclicLR's amplitude factor: 1 (triangular), ``1/2**(cycle-1)``
    (triangular2), ``gamma**k`` (exp_range, evaluated on iterations).
    """
    if p["mode"] == "triangular":
        return np.ones_like(cycle)
    if p["mode"] == "triangular2":
        return 1 / (2.0 ** (cycle - 1))
    return np.power(p["gamma"], k.astype(np.float64))


def cyclic_lr(lr0: _Array, k: _Array, p: Mapping[str, Any]) -> _Array:
    """CyclicLR with ``max_lr = lr0`` and ``base_lr = spec base_lr * (lr0 / spec max_lr)``:
    ``lr = base_lr + (max_lr - base_lr) * scale * f``. Starts at base_lr.
    """
    base = cyclic_base(p["base_lr"], lr0, p["max_lr"])
    cycle, scale = _position(k, p)
    base_height = (lr0 - base) * scale
    return base + base_height * _scale(k, cycle, p)


def cyclic_momentum(k: _Array, p: Mapping[str, Any]) -> _Array | None:
    """CyclicLR's momentum (beta1 for Adam):
    ``max_momentum - (max_momentum - base_momentum) * scale * f``; None without
    ``cycle_momentum``.
    """
    if not p["cycle_momentum"]:
        return None
    cycle, scale = _position(k, p)
    base_height = (p["max_momentum"] - p["base_momentum"]) * scale
    return p["max_momentum"] - base_height * _scale(k, cycle, p)


def _check(values: dict[str, Any], path: FieldPath, ctx: Context) -> None:
    if values["base_lr"] > values["max_lr"]:
        raise SpecError(
            join(path, "base_lr"),
            f"base_lr {values['base_lr']!r} is above max_lr {values['max_lr']!r}",
        )
    check_cycle_momentum(values, path, ctx)


def _lr(p: Mapping[str, Any], lr0: _Array, k: _Array) -> _Array:
    return cyclic_lr(lr0, k, p)


def _describe(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    p = spec.params
    top = p["max_lr"] if lr is None else lr
    bottom = cyclic_base(p["base_lr"], top, p["max_lr"])
    down = p["step_size_down"] if p["step_size_down"] is not None else p["step_size_up"]
    extra = f", γ={g4(p['gamma'])}" if p["mode"] == "exp_range" else ""
    return (
        f"cyclic {p['mode']}{extra}: {g4(bottom)} ↗ {g4(top)} in {p['step_size_up']} "
        f"steps, ↘ in {down}"
    )


SCHEDULE = ScheduleDef(
    name="cyclic",
    torch_class="CyclicLR",
    title="CyclicLR",
    description="Cycles the learning rate between base_lr and max_lr "
    "(torch.optim.lr_scheduler.CyclicLR).",
    summary="cycles between base_lr and max_lr; momentum the other way",
    order=90,
    params=(
        ParamSpec(
            "base_lr",
            default=lambda ctx, values: values["max_lr"] / 10,
            low=0.0,
            doc="Initial learning rate, the lower boundary in the cycle "
            "(torch.optim.lr_scheduler.CyclicLR `base_lr`). Default: max_lr / 10.",
            default_doc="max_lr / 10",
            examples=(0.001, 0.01),
        ),
        max_lr_param(
            "CyclicLR",
            "Upper learning rate boundary in the cycle; the amplitude is max_lr - base_lr",
        ),
        ParamSpec(
            "step_size_up",
            kind="int",
            default=2000,
            low=1,
            high=MAX_INT,
            doc="Number of steps in the increasing half of a cycle (torch `step_size_up`).",
            examples=(2000, 20),
        ),
        ParamSpec(
            "step_size_down",
            kind="int",
            default=None,
            low=0,
            high=MAX_INT,
            nullable=True,
            doc="Number of steps in the decreasing half of a cycle; null means the same as "
            "step_size_up (torch `step_size_down`).",
            examples=(None, 20),
        ),
        ParamSpec(
            "mode",
            kind="choice",
            default="triangular",
            choices=("triangular", "triangular2", "exp_range"),
            doc="One of triangular (a basic triangular cycle), triangular2 (the amplitude "
            "halves each cycle) or exp_range (the amplitude is scaled by gamma ** step) "
            "(torch `mode`).",
            examples=("triangular",),
        ),
        gamma_param(
            1.0,
            "Constant in the 'exp_range' scaling function: gamma ** (cycle iterations) "
            "(torch `gamma`).",
            advanced=True,
        ),
        *momentum_params(
            0.8,
            0.9,
            "If true, momentum is cycled inversely to the learning rate between "
            "base_momentum and max_momentum (torch `cycle_momentum`).",
            "Lower momentum boundary in the cycle (torch `base_momentum`).",
            "Upper momentum boundary in the cycle (torch `max_momentum`).",
        ),
    ),
    read_order=("max_lr",),
    lr=_lr,
    momentum=cyclic_momentum,
    check=_check,
    describe=_describe,
    headline=True,
    part=False,
)
