"""torch.optim.Adamax: Adam with the infinity norm in place of the squared average."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import (
    Optimizer,
    OptimizerDef,
    OptimizerSpec,
    betas_param,
    column,
    eps_param,
    lerp,
    lr_param,
    matrix,
    n6,
    one_minus_pow,
    weight_decay_param,
)


class AdamaxState(NamedTuple):
    step: int
    exp_avg: np.ndarray  # [B, d]
    exp_inf: np.ndarray  # [B, d]


class Adamax(Optimizer):
    """torch.optim.Adamax (single-tensor path). β1, β2 betas, t the step::

    g ← ∇f(θ) + λ·θ                      (if λ ≠ 0)
    m ← lerp(m, g, 1 − β1)
    u ← max(β2·u, |g| + ε)
    θ ← θ − (lr/(1 − β1ᵗ))·m/u
    """

    def __init__(self, spec: OptimizerSpec) -> None:
        super().__init__(spec)
        self.beta1, self.beta2 = spec.params["betas"]
        self.eps: float = spec.params["eps"]

    def init(self, params: np.ndarray) -> AdamaxState:
        p = matrix(params, "params")
        return AdamaxState(0, np.zeros_like(p), np.zeros_like(p))

    def update(
        self,
        state: AdamaxState,
        params: np.ndarray,
        grad: np.ndarray,
        lr: np.ndarray,
        momentum: np.ndarray | None,
    ) -> tuple[np.ndarray, AdamaxState]:
        with np.errstate(all="ignore"):
            p = np.asarray(params, dtype=np.float64)
            g = np.asarray(grad, dtype=np.float64)
            lr_v = np.asarray(lr, dtype=np.float64)
            step = state.step + 1
            t = float(step)
            if self.weight_decay != 0:
                g = g + self.weight_decay * p
            if momentum is None:
                b1 = self.beta1
                m = lerp(state.exp_avg, g, 1 - b1)
                bc: float | np.ndarray = 1 - b1**t
            else:
                b1_v = np.asarray(momentum, dtype=np.float64).reshape(-1)
                m = lerp(state.exp_avg, g, (1 - b1_v).reshape(-1, 1))
                bc = one_minus_pow(b1_v, t)
            bound = np.abs(g)
            bound += self.eps
            u = np.maximum(state.exp_inf * self.beta2, bound)
            new_p = m * column(-(lr_v / bc))
            new_p /= u
            new_p += p
            return new_p, AdamaxState(step, m, u)


def _rule(spec: OptimizerSpec) -> str:
    p = spec.params
    lr = n6(spec.lr)
    b1, b2 = p["betas"]
    lines: list[str] = []
    if p["weight_decay"] != 0:
        lines.append(f"g ← g + {n6(p['weight_decay'])}·θ")
    lines.append(f"m ← {n6(b1)}·m + {n6(1 - b1)}·g")
    lines.append(f"u ← max({n6(b2)}·u, |g| + {n6(p['eps'])})")
    lines.append(f"θ ← θ − {lr}/(1 − {n6(b1)}ᵗ)·m/u")
    return "\n".join(lines)


OPTIMIZER = OptimizerDef(
    name="adamax",
    torch_class="Adamax",
    title="Adamax",
    description="Adamax: Adam with the largest recent gradient size in place of the root "
    "mean square (torch.optim.Adamax).",
    summary="Adam scaled by the largest recent gradient size (infinity norm)",
    order=80,
    params=(
        lr_param(2e-3),
        betas_param(cls="Adamax"),
        eps_param(1e-8),
        weight_decay_param(),
    ),
    cls=Adamax,
    rule=_rule,
    momentum="β1",
)
