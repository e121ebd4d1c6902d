"""PolynomialLR: the rate falls as a power of the steps left, reaching 0 at total_iters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..params import ParamSpec
from .base import MAX_INT, ScheduleDef, ScheduleSpec, base_text, g4


def polynomial_lr(lr0: np.ndarray, k: np.ndarray, total_iters: int, power: float) -> np.ndarray:
    """PolynomialLR: ``lr = lr0 * (1 - min(total_iters, k) / total_iters) ** power``."""
    done = np.minimum(k, total_iters).astype(np.float64)
    return lr0 * np.power(1.0 - done / total_iters, power)


def _lr(p: Mapping[str, Any], lr0: np.ndarray, k: np.ndarray) -> np.ndarray:
    return polynomial_lr(lr0, k, p["total_iters"], p["power"])


def _describe(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    p = spec.params
    t = p["total_iters"]
    return f"lr = {base_text(lr)} · (1 − min({k}, {t})/{t})^{g4(p['power'])}"


SCHEDULE = ScheduleDef(
    name="polynomial",
    torch_class="PolynomialLR",
    title="PolynomialLR",
    description="Decays the learning rate as a polynomial of the steps left, down to 0 at "
    "total_iters (torch.optim.lr_scheduler.PolynomialLR).",
    summary="falls as a power of the steps left, to 0 at total_iters",
    order=72,
    params=(
        ParamSpec(
            "total_iters",
            kind="int",
            default=5,
            low=1,
            high=MAX_INT,
            doc="The number of steps over which the rate decays to 0 "
            "(torch.optim.lr_scheduler.PolynomialLR `total_iters`).",
            examples=(5, 100),
        ),
        # A negative power would divide by zero at total_iters, as it does in torch.
        ParamSpec(
            "power",
            default=1.0,
            low=0.0,
            doc="The power of the polynomial: 1 falls in a straight line, 2 drops fast then "
            "levels off (torch.optim.lr_scheduler.PolynomialLR `power`).",
            examples=(1.0, 2.0),
        ),
    ),
    lr=_lr,
    describe=_describe,
    chainable=True,
)
