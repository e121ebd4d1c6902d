"""torch.optim.Adadelta: steps sized by the ratio of past step and gradient sizes."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..params import ParamSpec
from .base import (
    Optimizer,
    OptimizerDef,
    OptimizerSpec,
    column,
    eps_param,
    lr_param,
    matrix,
    n6,
    square_average,
    square_average_rule,
    weight_decay_param,
    weight_decay_rule,
)


class AdadeltaState(NamedTuple):
    step: int
    square_avg: np.ndarray  # [B, d]
    acc_delta: np.ndarray  # [B, d]


class Adadelta(Optimizer):
    """torch.optim.Adadelta (single-tensor path). ρ smoothing, λ weight decay::

        g ← ∇f(θ) + λ·θ                      (if λ ≠ 0)
        v ← ρ·v + (1 − ρ)·g²
        Δ ← √(a + ε)/√(v + ε)·g
        a ← ρ·a + (1 − ρ)·Δ²
        θ ← θ − lr·Δ

    No momentum or β1 for a schedule to cycle (torch's OneCycleLR refuses).
    """

    def __init__(self, spec: OptimizerSpec) -> None:
        super().__init__(spec)
        self.rho: float = spec.params["rho"]
        self.eps: float = spec.params["eps"]

    def init(self, params: np.ndarray) -> AdadeltaState:
        p = matrix(params, "params")
        return AdadeltaState(0, np.zeros_like(p), np.zeros_like(p))

    def update(
        self,
        state: AdadeltaState,
        params: np.ndarray,
        grad: np.ndarray,
        lr: np.ndarray,
        momentum: np.ndarray | None,
    ) -> tuple[np.ndarray, AdadeltaState]:
        if momentum is not None:
            raise ValueError("adadelta has no momentum for a schedule to override")
        with np.errstate(all="ignore"):
            p = np.asarray(params, dtype=np.float64)
            g = np.asarray(grad, dtype=np.float64)
            lr_c = column(lr)
            p, g = self.decay_weights(p, g, lr_c)
            rho = self.rho
            v = square_average(state.square_avg, g, rho)
            std = v + self.eps
            np.sqrt(std, out=std)
            delta = state.acc_delta + self.eps
            np.sqrt(delta, out=delta)
            delta /= std
            delta *= g
            acc = square_average(state.acc_delta, delta, rho)
            new_p = -lr_c * delta
            new_p += p
            return new_p, AdadeltaState(state.step + 1, v, acc)


def _rule(spec: OptimizerSpec) -> str:
    p = spec.params
    lr = n6(spec.lr)
    rho = p["rho"]
    eps = n6(p["eps"])
    lines = weight_decay_rule(spec)
    lines.append(square_average_rule(rho))
    lines.append(f"Δ ← √(a + {eps})/√(v + {eps})·g")
    lines.append(f"a ← {n6(rho)}·a + {n6(1 - rho)}·Δ²")
    lines.append(f"θ ← θ − {lr}·Δ")
    return "\n".join(lines)


OPTIMIZER = OptimizerDef(
    name="adadelta",
    torch_class="Adadelta",
    title="Adadelta",
    description="Adadelta: each step sized by the ratio of the running sizes of past steps and "
    "past gradients, so lr is only a multiplier (torch.optim.Adadelta).",
    summary="steps sized by running sizes of past steps over past gradients; lr 1 by default",
    order=90,
    adaptive=True,
    params=(
        lr_param(1.0),
        ParamSpec(
            "rho",
            default=0.9,
            low=0.0,
            high=1.0,
            doc="Coefficient of the running averages of the squared gradient and the squared "
            "step (torch.optim.Adadelta `rho`).",
            examples=(0.9, 0.95),
        ),
        eps_param(1e-6),
        weight_decay_param(),
    ),
    cls=Adadelta,
    rule=_rule,
)
