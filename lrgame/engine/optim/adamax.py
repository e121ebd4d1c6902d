"""torch.optim.Adamax: Adam with the infinity norm in place of the squared average."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import (
    Optimizer,
    OptimizerDef,
    OptimizerSpec,
    beta1_of,
    betas_param,
    bias_correction,
    column,
    eps_param,
    first_moment,
    first_moment_rule,
    lr_param,
    matrix,
    n6,
    weight_decay_param,
    weight_decay_rule,
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
            p, g = self.decay_weights(p, g, column(lr_v))
            b1 = beta1_of(momentum, self.beta1)
            m = first_moment(state.exp_avg, g, b1)
            bc = bias_correction(b1, t)
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
    lines = weight_decay_rule(spec)
    lines.append(first_moment_rule(b1))
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
    adaptive=True,
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
