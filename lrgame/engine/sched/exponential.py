"""ExponentialLR: the rate times gamma every step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .base import ScheduleDef, ScheduleSpec, base_text, g4, gamma_param


def exponential_lr(lr0: np.ndarray, k: np.ndarray, gamma: float) -> np.ndarray:
    """ExponentialLR: ``lr = lr0 * gamma ** k``."""
    return lr0 * np.power(gamma, k.astype(np.float64))


def _lr(p: Mapping[str, Any], lr0: np.ndarray, k: np.ndarray) -> np.ndarray:
    return exponential_lr(lr0, k, p["gamma"])


def _describe(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    return f"lr = {base_text(lr)} · {g4(spec.params['gamma'])}^{k}"


SCHEDULE = ScheduleDef(
    name="exponential",
    torch_class="ExponentialLR",
    title="ExponentialLR",
    description="Decays the learning rate by gamma every step "
    "(torch.optim.lr_scheduler.ExponentialLR).",
    summary="× gamma every step",
    order=40,
    params=(gamma_param(0.99),),
    lr=_lr,
    describe=_describe,
    chainable=True,
)
