"""StepLR: the rate times gamma every step_size steps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..params import ParamSpec
from .base import MAX_INT, ScheduleDef, ScheduleSpec, base_text, g4, gamma_param, steps_default


def step_lr(lr0: np.ndarray, k: np.ndarray, step_size: int, gamma: float) -> np.ndarray:
    """StepLR: ``lr = lr0 * gamma ** floor(k / step_size)``."""
    return lr0 * np.power(gamma, (k // step_size).astype(np.float64))


def _lr(p: Mapping[str, Any], lr0: np.ndarray, k: np.ndarray) -> np.ndarray:
    return step_lr(lr0, k, p["step_size"], p["gamma"])


def _describe(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    p = spec.params
    return f"lr = {base_text(lr)} · {g4(p['gamma'])}^floor({k}/{p['step_size']})"


SCHEDULE = ScheduleDef(
    name="step",
    torch_class="StepLR",
    title="StepLR",
    description="Decays the learning rate by gamma every step_size steps "
    "(torch.optim.lr_scheduler.StepLR).",
    summary="× gamma every step_size steps",
    order=20,
    params=(
        ParamSpec(
            "step_size",
            kind="int",
            default=steps_default(3),
            low=1,
            high=MAX_INT,
            doc="Period of learning rate decay: the rate is multiplied by gamma every "
            "step_size steps (torch.optim.lr_scheduler.StepLR `step_size`). "
            "Default: a third of the steps.",
            default_doc="a third of the steps",
            examples=(10, 100),
        ),
        gamma_param(0.1),
    ),
    lr=_lr,
    describe=_describe,
    chainable=True,
)
