"""MultiplicativeLR: each step multiplies the rate by a function of the step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .base import ScheduleDef, ScheduleSpec, base_text
from .lambda_lr import factors, lambda_param, lambda_source


def multiplicative_lr(lr0: np.ndarray, k: np.ndarray, text: str) -> np.ndarray:
    """MultiplicativeLR: ``lr_k = lr_(k-1) * f(k)`` for k ≥ 1, ``lr_0 = lr0``.

    The running product is taken left to right, as torch multiplies the group's
    rate step after step, so it is the same number, not just a close one.
    """
    if k.size == 0:
        return np.empty((lr0.shape[0], 0))
    last = int(k.max())
    table = np.empty((lr0.shape[0], last + 1))
    table[:, :1] = lr0
    if last:
        table[:, 1:] = factors(text, np.arange(1, last + 1))
    with np.errstate(all="ignore"):
        np.cumprod(table, axis=1, out=table)
    return table[:, k]


def _lr(p: Mapping[str, Any], lr0: np.ndarray, k: np.ndarray) -> np.ndarray:
    return multiplicative_lr(lr0, k, p["lr_lambda"])


def _describe(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    return f"lr = {base_text(lr)} · f(1)·f(2)···f({k}), f(epoch) = {spec.params['lr_lambda']}"


def _export(spec: ScheduleSpec, steps: int) -> tuple[str, set[str]]:
    return (
        f"MultiplicativeLR(optimizer, lr_lambda={lambda_source(spec.params['lr_lambda'])})",
        {"MultiplicativeLR"},
    )


SCHEDULE = ScheduleDef(
    name="multiplicative",
    torch_class="MultiplicativeLR",
    title="MultiplicativeLR",
    description="Multiplies the learning rate by a function of the step at every step "
    "(torch.optim.lr_scheduler.MultiplicativeLR).",
    summary="each step multiplies the rate by f(k), f written over epoch",
    order=78,
    params=(lambda_param("The factor the rate is multiplied by at each step after the first."),),
    lr=_lr,
    describe=_describe,
    export=_export,
    chainable=True,
    # torch's SequentialLR restarts a part from its closed form, which this one has not.
    part=False,
)
