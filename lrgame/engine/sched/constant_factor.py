"""ConstantLR: the rate times a constant factor for the first total_iters steps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..params import ParamSpec
from .base import MAX_INT, ScheduleDef, ScheduleSpec, base_text, g4


def constant_factor_lr(
    lr0: np.ndarray, k: np.ndarray, factor: float, total_iters: int
) -> np.ndarray:
    """ConstantLR: ``lr = lr0 * (factor + (k >= total_iters) * (1 - factor))``."""
    after = (k >= total_iters).astype(np.float64)
    return lr0 * (factor + after * (1 - factor))


def _lr(p: Mapping[str, Any], lr0: np.ndarray, k: np.ndarray) -> np.ndarray:
    return constant_factor_lr(lr0, k, p["factor"], p["total_iters"])


def _describe(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    p = spec.params
    base = base_text(lr)
    return f"lr = {base} · {g4(p['factor'])} while {k} < {p['total_iters']}, then {base}"


SCHEDULE = ScheduleDef(
    name="constant_factor",
    torch_class="ConstantLR",
    title="ConstantLR",
    description="Multiplies the learning rate by a constant factor until the number of steps "
    "reaches total_iters (torch.optim.lr_scheduler.ConstantLR).",
    summary="× factor for the first total_iters steps, then the full rate",
    order=74,
    params=(
        # torch refuses a factor outside [0, 1]; 0 would divide by zero at total_iters.
        ParamSpec(
            "factor",
            default=1.0 / 3,
            low=0.0,
            low_open=True,
            high=1.0,
            doc="The number the learning rate is multiplied by until total_iters "
            "(torch.optim.lr_scheduler.ConstantLR `factor`).",
            examples=(1.0 / 3, 0.1),
        ),
        # total_iters 0 would keep the factor for ever in torch's recursion but not in
        # its closed form; at least 1 keeps the two the same.
        ParamSpec(
            "total_iters",
            kind="int",
            default=5,
            low=1,
            high=MAX_INT,
            doc="The number of steps the factor lasts "
            "(torch.optim.lr_scheduler.ConstantLR `total_iters`).",
            examples=(5, 20),
        ),
    ),
    lr=_lr,
    describe=_describe,
    chainable=True,
)
