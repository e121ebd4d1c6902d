"""torch.optim.NAdam: Adam with Nesterov momentum and a momentum schedule."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..params import ParamSpec
from .base import (
    Optimizer,
    OptimizerDef,
    OptimizerSpec,
    beta1_of,
    betas_param,
    column,
    decoupled_param,
    eps_param,
    first_moment,
    first_moment_rule,
    lr_param,
    matrix,
    n6,
    square_average,
    square_average_rule,
    weight_decay_param,
    weight_decay_rule,
)


class NAdamState(NamedTuple):
    step: int
    exp_avg: np.ndarray  # [B, d]
    exp_avg_sq: np.ndarray  # [B, d]
    mu_product: float | np.ndarray  # Π μ_i so far: a float, or [B] once β1 was cycled


class NAdam(Optimizer):
    """torch.optim.NAdam (single-tensor path). β1, β2 betas, ψ momentum_decay, t the step::

        g ← ∇f(θ) + λ·θ                      (decoupled: θ ← θ·(1 − lr·λ) instead)
        μ_t ← β1·(1 − ½·0.96^(t·ψ));  μ_{t+1} likewise;  Π ← Π·μ_t
        m ← lerp(m, g, 1 − β1);  v ← β2·v + (1 − β2)·g²
        d ← √(v/(1 − β2ᵗ)) + ε
        θ ← θ − lr·(1 − μ_t)/(1 − Π) · g/d − lr·μ_{t+1}/(1 − Π·μ_{t+1}) · m/d

    A schedule that cycles β1 changes μ and so the running product Π, per run.
    """

    def __init__(self, spec: OptimizerSpec) -> None:
        super().__init__(spec)
        self.beta1, self.beta2 = spec.params["betas"]
        self.eps: float = spec.params["eps"]
        self.momentum_decay: float = spec.params["momentum_decay"]

    def init(self, params: np.ndarray) -> NAdamState:
        p = matrix(params, "params")
        return NAdamState(0, np.zeros_like(p), np.zeros_like(p), 1.0)

    def update(
        self,
        state: NAdamState,
        params: np.ndarray,
        grad: np.ndarray,
        lr: np.ndarray,
        momentum: np.ndarray | None,
    ) -> tuple[np.ndarray, NAdamState]:
        with np.errstate(all="ignore"):
            p = np.asarray(params, dtype=np.float64)
            g = np.asarray(grad, dtype=np.float64)
            lr_v = np.asarray(lr, dtype=np.float64)
            step = state.step + 1
            t = float(step)
            b2 = self.beta2
            bc2 = 1 - b2**t
            p, g = self.decay_weights(p, g, column(lr_v))
            decay = 1.0 - 0.5 * (0.96 ** (t * self.momentum_decay))
            decay_next = 1.0 - 0.5 * (0.96 ** ((t + 1) * self.momentum_decay))
            b1 = beta1_of(momentum, self.beta1)
            m = first_moment(state.exp_avg, g, b1)
            mu = b1 * decay
            mu_next = b1 * decay_next
            mu_product = state.mu_product * mu
            v = square_average(state.exp_avg_sq, g, b2)
            denom = np.sqrt(v / bc2)
            denom += self.eps
            mu_product_next = mu_product * mu_next
            first = g * column(-lr_v * (1.0 - mu) / (1.0 - mu_product))
            first /= denom
            first += p
            second = m * column((-lr_v * mu_next) / (1.0 - mu_product_next))
            second /= denom
            second += first
            return second, NAdamState(step, m, v, mu_product)


def _rule(spec: OptimizerSpec) -> str:
    p = spec.params
    lr = n6(spec.lr)
    b1, b2 = p["betas"]
    lines = weight_decay_rule(spec)
    psi = n6(p["momentum_decay"])
    lines.append(f"μₜ ← {n6(b1)}·(1 − 0.5·0.96^(t·{psi})),  Π ← Π·μₜ")
    lines.append(first_moment_rule(b1))
    lines.append(square_average_rule(b2))
    lines.append(f"d ← √(v/(1 − {n6(b2)}ᵗ)) + {n6(p['eps'])}")
    lines.append(f"θ ← θ − {lr}·((1 − μₜ)/(1 − Π)·g + μₜ₊₁/(1 − Π·μₜ₊₁)·m)/d")
    return "\n".join(lines)


OPTIMIZER = OptimizerDef(
    name="nadam",
    torch_class="NAdam",
    title="NAdam",
    description="NAdam: Adam with Nesterov momentum, its momentum warming up over the first "
    "steps (torch.optim.NAdam).",
    summary="Adam with Nesterov momentum; the momentum warms up over the first steps",
    order=60,
    adaptive=True,
    params=(
        lr_param(2e-3),
        betas_param(cls="NAdam"),
        eps_param(1e-8),
        weight_decay_param(),
        ParamSpec(
            "momentum_decay",
            default=4e-3,
            low=0.0,
            advanced=True,
            doc="Momentum decay ψ: the momentum at step t is β1·(1 − 0.5·0.96^(t·ψ)) "
            "(torch.optim.NAdam `momentum_decay`).",
            examples=(4e-3, 0.01),
        ),
        decoupled_param("NAdam"),
    ),
    cls=NAdam,
    rule=_rule,
    momentum="β1",
)
