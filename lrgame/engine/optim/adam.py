"""torch.optim.Adam (AdamW subclasses it)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import (
    Optimizer,
    OptimizerDef,
    OptimizerSpec,
    amsgrad_param,
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
    square_average,
    square_average_rule,
    weight_decay_param,
    weight_decay_rule,
)


class AdamState(NamedTuple):
    step: int
    exp_avg: np.ndarray  # [B, d]
    exp_avg_sq: np.ndarray  # [B, d]
    max_exp_avg_sq: np.ndarray | None  # [B, d] with amsgrad


class Adam(Optimizer):
    """torch.optim.Adam (single-tensor path). β1, β2 betas, λ weight decay, t the step::

        g ← ∇f(θ) + λ·θ                      (if λ ≠ 0; AdamW decays θ instead)
        m ← lerp(m, g, 1 − β1)  = β1·m + (1 − β1)·g
        v ← β2·v + (1 − β2)·g²
        v̂ ← max(v̂, v)                        (amsgrad; then v̂ replaces v below)
        θ ← θ − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)

    ε sits after the bias-corrected square root. The bias correction uses the
    β1 of this step (a schedule may cycle it) raised to the step count.
    """

    def __init__(self, spec: OptimizerSpec) -> None:
        super().__init__(spec)
        self.beta1, self.beta2 = spec.params["betas"]
        self.eps: float = spec.params["eps"]
        self.amsgrad: bool = spec.params["amsgrad"]

    def init(self, params: np.ndarray) -> AdamState:
        p = matrix(params, "params")
        vmax = np.zeros_like(p) if self.amsgrad else None
        return AdamState(0, np.zeros_like(p), np.zeros_like(p), vmax)

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
            lr_v = np.asarray(lr, dtype=np.float64)
            step = state.step + 1
            t = float(step)
            p, g = self.decay_weights(p, g, column(lr_v))
            b1 = beta1_of(momentum, self.beta1)
            m = first_moment(state.exp_avg, g, b1)
            bc1 = bias_correction(b1, t)
            b2 = self.beta2
            v = square_average(state.exp_avg_sq, g, b2)
            bc2_sqrt = (1 - b2**t) ** 0.5
            vmax = None
            if state.max_exp_avg_sq is not None:
                vmax = np.maximum(state.max_exp_avg_sq, v)
                denom = np.sqrt(vmax)
            else:
                denom = np.sqrt(v)
            denom /= bc2_sqrt
            denom += self.eps
            step_size = lr_v / bc1
            num = m * column(-step_size)
            num /= denom
            num += p
            return num, AdamState(step, m, v, vmax)


def adam_rule(spec: OptimizerSpec) -> str:
    """Adam's and AdamW's update rule in words."""
    p = spec.params
    lr = n6(spec.lr)
    lines = weight_decay_rule(spec)
    b1, b2 = p["betas"]
    lines.append(first_moment_rule(b1))
    lines.append(square_average_rule(b2))
    v = "v"
    if p["amsgrad"]:
        lines.append("v̂ ← max(v̂, v)")
        v = "v̂"
    lines.append(f"θ ← θ − {lr}·(m/(1 − {n6(b1)}ᵗ)) / (√({v}/(1 − {n6(b2)}ᵗ)) + {n6(p['eps'])})")
    return "\n".join(lines)


OPTIMIZER = OptimizerDef(
    name="adam",
    torch_class="Adam",
    title="Adam",
    description="Adam: per-coordinate steps scaled by running averages of the gradient and its "
    "square (torch.optim.Adam).",
    summary="running averages of the gradient and its square, bias-corrected",
    order=20,
    adaptive=True,
    params=(
        lr_param(1e-3),
        betas_param(),
        eps_param(1e-8),
        weight_decay_param(),
        amsgrad_param(),
    ),
    cls=Adam,
    rule=adam_rule,
    momentum="β1",
)
