"""MultiStepLR: the rate times gamma at each milestone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import SpecError
from ..params import ParamSpec, join
from ..problems import FieldPath
from .base import MAX_INT, Context, ScheduleDef, ScheduleSpec, base_text, g4, gamma_param


def multistep_lr(
    lr0: np.ndarray, k: np.ndarray, milestones: tuple[int, ...], gamma: float
) -> np.ndarray:
    """MultiStepLR: ``lr = lr0 * gamma ** #{milestones m : m <= k}``.

    A milestone listed twice counts twice (torch keeps them in a Counter).
    """
    count = np.searchsorted(np.asarray(milestones, dtype=np.int64), k, side="right")
    return lr0 * np.power(gamma, count.astype(np.float64))


def _lr(p: Mapping[str, Any], lr0: np.ndarray, k: np.ndarray) -> np.ndarray:
    return multistep_lr(lr0, k, p["milestones"], p["gamma"])


def _check(values: dict[str, Any], path: FieldPath, ctx: Context) -> None:
    milestones = values["milestones"]
    for i in range(1, len(milestones)):
        if milestones[i] < milestones[i - 1]:
            raise SpecError(
                join(join(path, "milestones"), i),
                f"milestones must be non-decreasing: {milestones[i]!r} "
                f"comes after {milestones[i - 1]!r}",
            )


def _describe(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    p = spec.params
    marks = ", ".join(str(m) for m in p["milestones"]) or "none"
    return f"lr = {base_text(lr)} · {g4(p['gamma'])}^(milestones ≤ {k}), milestones {marks}"


SCHEDULE = ScheduleDef(
    name="multistep",
    torch_class="MultiStepLR",
    title="MultiStepLR",
    description="Decays the learning rate by gamma once the number of steps reaches one of the "
    "milestones (torch.optim.lr_scheduler.MultiStepLR).",
    summary="× gamma at each milestone",
    order=30,
    params=(
        ParamSpec(
            "milestones",
            kind="ints",
            default=lambda ctx, values: [ctx.steps // 2, (3 * ctx.steps) // 4],
            low=0,
            high=MAX_INT,
            doc="List of step indices at which the learning rate is multiplied by gamma. "
            "Must be non-decreasing; a milestone listed twice applies gamma twice, as in torch "
            "(torch.optim.lr_scheduler.MultiStepLR `milestones`). Default: half and three "
            "quarters of the steps.",
            default_doc="half and three quarters of the steps",
            examples=([30, 80], [100, 200, 300]),
        ),
        gamma_param(0.1),
    ),
    lr=_lr,
    check=_check,
    describe=_describe,
    chainable=True,
)
