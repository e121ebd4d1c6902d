"""No scheduler: the rate stays at the optimizer's lr."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .base import ScheduleDef, ScheduleSpec, base_text


def constant_lr(lr0: np.ndarray, k: np.ndarray) -> np.ndarray:
    """No scheduler: ``lr = lr0``."""
    return lr0 * np.ones(k.shape, dtype=np.float64)


def _lr(p: Mapping[str, Any], lr0: np.ndarray, k: np.ndarray) -> np.ndarray:
    return constant_lr(lr0, k)


def _describe(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    return f"lr = {base_text(lr)}"


SCHEDULE = ScheduleDef(
    name="constant",
    torch_class="",
    title="Constant",
    description="No schedule: the learning rate stays at the optimizer's lr.",
    summary="no scheduler: the rate stays at the optimizer's lr",
    order=10,
    params=(),
    lr=_lr,
    describe=_describe,
)
