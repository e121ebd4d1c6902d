"""torch.optim.RAdam: Adam whose adaptive step is switched on only once its variance is tame."""

from __future__ import annotations

import numpy as np

from .adam import AdamState
from .base import (
    Optimizer,
    OptimizerDef,
    OptimizerSpec,
    beta1_of,
    betas_param,
    bias_correction,
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


class RAdam(Optimizer):
    """torch.optim.RAdam (single-tensor path). β1, β2 betas, t the step::

    g ← ∇f(θ) + λ·θ                      (decoupled: θ ← θ·(1 − lr·λ) instead)
    m ← lerp(m, g, 1 − β1);  v ← β2·v + (1 − β2)·g²
    m̂ ← m/(1 − β1ᵗ)
    ρ∞ ← 2/(1 − β2) − 1;  ρₜ ← ρ∞ − 2t·β2ᵗ/(1 − β2ᵗ)
    if ρₜ > 5:  r ← √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ))
                θ ← θ − m̂·lr·√(1 − β2ᵗ)/(√v + ε)·r
    else:       θ ← θ − m̂·lr                (plain momentum SGD while v is unreliable)
    """

    def __init__(self, spec: OptimizerSpec) -> None:
        super().__init__(spec)
        self.beta1, self.beta2 = spec.params["betas"]
        self.eps: float = spec.params["eps"]

    def init(self, params: np.ndarray) -> AdamState:
        p = matrix(params, "params")
        return AdamState(0, np.zeros_like(p), np.zeros_like(p), None)

    def update(
        self,
        state: AdamState,
        params: np.ndarray,
        grad: np.ndarray,
        lr: np.ndarray,
        momentum: np.ndarray | None,
    ) -> tuple[np.ndarray, AdamState]:
        with np.errstate(all="ignore"):
            p = np.asarray(params, dtype=np.float64)
            g = np.asarray(grad, dtype=np.float64)
            lr_c = column(lr)
            step = state.step + 1
            t = float(step)
            p, g = self.decay_weights(p, g, lr_c)
            b1 = beta1_of(momentum, self.beta1)
            m = first_moment(state.exp_avg, g, b1)
            bc1 = bias_correction(b1, t)
            b2 = self.beta2
            v = square_average(state.exp_avg_sq, g, b2)
            bc2 = 1 - b2**t
            corrected = m / column(bc1)
            rho_inf = 2 / (1 - b2) - 1
            rho_t = rho_inf - 2 * t * (b2**t) / bc2
            step_dir = corrected * lr_c
            if rho_t > 5.0:
                rect = (
                    (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                ) ** 0.5
                adaptive = np.sqrt(v)
                adaptive += self.eps
                adaptive = (bc2**0.5) / adaptive
                step_dir *= adaptive
                step_dir *= rect
            return p - step_dir, AdamState(step, m, v, None)


def _rule(spec: OptimizerSpec) -> str:
    p = spec.params
    lr = n6(spec.lr)
    b1, b2 = p["betas"]
    lines = weight_decay_rule(spec)
    lines.append(first_moment_rule(b1))
    lines.append(square_average_rule(b2))
    lines.append(f"m̂ ← m/(1 − {n6(b1)}ᵗ)")
    lines.append(f"ρₜ ← ρ∞ − 2t·{n6(b2)}ᵗ/(1 − {n6(b2)}ᵗ),  ρ∞ = {n6(2 / (1 - b2) - 1)}")
    lines.append(
        f"θ ← θ − {lr}·m̂·r·√(1 − {n6(b2)}ᵗ)/(√v + {n6(p['eps'])}) if ρₜ > 5, else θ ← θ − {lr}·m̂"
    )
    return "\n".join(lines)


OPTIMIZER = OptimizerDef(
    name="radam",
    torch_class="RAdam",
    title="RAdam",
    description="RAdam: Adam that takes plain momentum steps until the variance of its "
    "adaptive rate is tame, then rectifies it (torch.optim.RAdam).",
    summary="Adam with a rectified adaptive rate: a built-in warm-up",
    order=70,
    adaptive=True,
    params=(
        lr_param(1e-3),
        betas_param(cls="RAdam"),
        eps_param(1e-8),
        weight_decay_param(),
        decoupled_param("RAdam"),
    ),
    cls=RAdam,
    rule=_rule,
    momentum="β1",
)
