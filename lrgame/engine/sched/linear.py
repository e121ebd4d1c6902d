"""LinearLR: the rate times a factor moving linearly from start_factor to end_factor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..params import ParamSpec
from .base import MAX_INT, ScheduleDef, ScheduleSpec, base_text, g4


def linear_lr(
    lr0: np.ndarray, k: np.ndarray, start_factor: float, end_factor: float, total_iters: int
) -> np.ndarray:
    """LinearLR:
    ``lr = lr0 * (start + (end - start) * min(total_iters, k) / total_iters)``.
    """
    done = np.minimum(k, total_iters).astype(np.float64)
    return lr0 * (start_factor + (end_factor - start_factor) * done / total_iters)


def _lr(p: Mapping[str, Any], lr0: np.ndarray, k: np.ndarray) -> np.ndarray:
    return linear_lr(lr0, k, p["start_factor"], p["end_factor"], p["total_iters"])


def _describe(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    p = spec.params
    s, e, t = p["start_factor"], p["end_factor"], p["total_iters"]
    return f"lr = {base_text(lr)} · ({g4(s)} + {g4(e - s)}·min({k}, {t})/{t})"


SCHEDULE = ScheduleDef(
    name="linear",
    torch_class="LinearLR",
    title="LinearLR",
    description="Multiplies the learning rate by a factor that changes linearly from "
    "start_factor to end_factor over total_iters steps (torch.optim.lr_scheduler.LinearLR).",
    summary="× a factor moving linearly from start_factor to end_factor",
    order=70,
    params=(
        # torch.optim.lr_scheduler.LinearLR: start in (0, 1], end in [0, 1].
        ParamSpec(
            "start_factor",
            default=1.0 / 3,
            low=0.0,
            low_open=True,
            high=1.0,
            doc="The number the learning rate is multiplied by in the first step; the factor "
            "changes linearly towards end_factor (torch.optim.lr_scheduler.LinearLR "
            "`start_factor`).",
            examples=(1.0 / 3, 0.1),
        ),
        ParamSpec(
            "end_factor",
            default=1.0,
            low=0.0,
            high=1.0,
            doc="The number the learning rate is multiplied by at the end of the linear change "
            "(torch.optim.lr_scheduler.LinearLR `end_factor`).",
            examples=(1.0, 0.5),
        ),
        ParamSpec(
            "total_iters",
            kind="int",
            default=5,
            low=1,
            high=MAX_INT,
            doc="The number of steps over which the factor goes from start_factor to "
            "end_factor (torch.optim.lr_scheduler.LinearLR `total_iters`).",
            examples=(5, 100),
        ),
    ),
    lr=_lr,
    describe=_describe,
    chainable=True,
)
