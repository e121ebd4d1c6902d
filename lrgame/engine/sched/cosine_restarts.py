"""CosineAnnealingWarmRestarts: cosine annealing that starts again every T_i steps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..params import ParamSpec
from .base import MAX_INT, ScheduleDef, ScheduleSpec, base_text, eta_min_param, steps_default
from .cosine import cosine_curve, cosine_text

_MAX_T_MULT = 1000


def restart_position(k: np.ndarray, T_0: int, T_mult: int) -> tuple[np.ndarray, np.ndarray]:
    """CosineAnnealingWarmRestarts' ``(T_cur, T_i)`` after k steps, in integers.

    ``T_i`` starts at ``T_0``; each time ``T_cur`` reaches ``T_i``, ``T_cur -= T_i``
    and ``T_i *= T_mult``. Loops once per restart, not once per step.
    """
    k = k.astype(np.int64)
    if T_mult == 1:
        return k % T_0, np.full(k.shape, T_0, dtype=np.int64)
    t_cur = k.copy()
    t_i = np.full(k.shape, T_0, dtype=np.int64)
    over = t_cur >= t_i
    while over.any():
        t_cur[over] -= t_i[over]
        t_i[over] *= T_mult
        over = t_cur >= t_i
    return t_cur, t_i


def cosine_restarts_lr(
    lr0: np.ndarray, k: np.ndarray, T_0: int, T_mult: int, eta_min: float
) -> np.ndarray:
    """CosineAnnealingWarmRestarts:
    ``lr = eta_min + (lr0 - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``
    with ``(T_cur, T_i)`` from ``restart_position``.
    """
    t_cur, t_i = restart_position(k, T_0, T_mult)
    return cosine_curve(lr0, eta_min, t_cur.astype(np.float64), t_i.astype(np.float64))


def _lr(p: Mapping[str, Any], lr0: np.ndarray, k: np.ndarray) -> np.ndarray:
    return cosine_restarts_lr(lr0, k, p["T_0"], p["T_mult"], p["eta_min"])


def _describe(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    p = spec.params
    grow = "" if p["T_mult"] == 1 else f"·{p['T_mult']}^restarts"
    return cosine_text(base_text(lr), p["eta_min"], "π·T_cur/T_i", f", T_i = {p['T_0']}{grow}")


SCHEDULE = ScheduleDef(
    name="cosine_restarts",
    torch_class="CosineAnnealingWarmRestarts",
    title="CosineAnnealingWarmRestarts",
    description="Cosine annealing that restarts at lr every T_0 steps (the period growing by "
    "T_mult) (torch.optim.lr_scheduler.CosineAnnealingWarmRestarts).",
    summary="cosine annealing that restarts every T_0 steps, the period growing by T_mult",
    order=60,
    params=(
        ParamSpec(
            "T_0",
            kind="int",
            default=steps_default(4),
            low=1,
            high=MAX_INT,
            doc="Number of iterations until the first restart "
            "(torch.optim.lr_scheduler.CosineAnnealingWarmRestarts `T_0`). "
            "Default: a quarter of the steps.",
            default_doc="a quarter of the steps",
            examples=(10, 50),
        ),
        ParamSpec(
            "T_mult",
            kind="int",
            default=1,
            low=1,
            high=_MAX_T_MULT,
            doc="A factor by which the period grows after each restart "
            "(torch.optim.lr_scheduler.CosineAnnealingWarmRestarts `T_mult`).",
            examples=(1, 2),
        ),
        eta_min_param(),
    ),
    lr=_lr,
    describe=_describe,
)
