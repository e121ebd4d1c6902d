"""CosineAnnealingLR: half a cosine from lr down to eta_min over T_max steps."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..params import ParamSpec
from .base import (
    MAX_INT,
    ScheduleDef,
    ScheduleSpec,
    base_text,
    eta_min_param,
    g4,
    steps_default,
)


def cosine_curve(lr0: np.ndarray, eta_min: float, t_cur: np.ndarray, t_i: Any) -> np.ndarray:
    return eta_min + (lr0 - eta_min) * (1 + np.cos(math.pi * t_cur / t_i)) / 2


def cosine_lr(lr0: np.ndarray, k: np.ndarray, T_max: int, eta_min: float) -> np.ndarray:
    """CosineAnnealingLR: ``lr = eta_min + (lr0 - eta_min) * (1 + cos(pi * k / T_max)) / 2``.

    Torch's recursive update equals this closed form for every k, so past
    ``T_max`` the rate climbs back up (period ``2 * T_max``).
    """
    return cosine_curve(lr0, eta_min, k.astype(np.float64), float(T_max))


def _lr(p: Mapping[str, Any], lr0: np.ndarray, k: np.ndarray) -> np.ndarray:
    return cosine_lr(lr0, k, p["T_max"], p["eta_min"])


def cosine_text(base: str, eta_min: float, angle: str, tail: str = "") -> str:
    if eta_min == 0:
        return f"lr = {base} · (1 + cos({angle}))/2{tail}"
    em = g4(eta_min)
    return f"lr = {em} + ({base} − {em}) · (1 + cos({angle}))/2{tail}"


def _describe(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    p = spec.params
    return cosine_text(base_text(lr), p["eta_min"], f"π·{k}/{p['T_max']}")


SCHEDULE = ScheduleDef(
    name="cosine",
    torch_class="CosineAnnealingLR",
    title="CosineAnnealingLR",
    description="Anneals the learning rate along a cosine curve from lr down to eta_min "
    "(torch.optim.lr_scheduler.CosineAnnealingLR).",
    summary="half a cosine from lr down to eta_min over T_max steps",
    order=50,
    params=(
        ParamSpec(
            "T_max",
            kind="int",
            default=steps_default(1),
            low=1,
            high=MAX_INT,
            doc="Maximum number of iterations: the half-period of the cosine, after which the "
            "rate reaches eta_min (torch.optim.lr_scheduler.CosineAnnealingLR `T_max`). "
            "Default: the number of steps.",
            default_doc="the number of steps",
            examples=(100, 1000),
        ),
        eta_min_param(),
    ),
    lr=_lr,
    describe=_describe,
)
