"""torch.optim.Adam (AdamW subclasses it)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import (
    Optimizer,
    OptimizerDef,
    OptimizerSpec,
    amsgrad_param,
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

    decoupled = False

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
            lr_c = lr_v.reshape(-1, 1) if lr_v.ndim else lr_v
            step = state.step + 1
            t = float(step)
            wd = self.weight_decay
            if wd != 0:
                if self.decoupled:
                    p = p * (1 - lr_c * wd)
                else:
                    g = g + wd * p
            if momentum is None:
                b1 = self.beta1
                m = lerp(state.exp_avg, g, 1 - b1)
                bc1: float | np.ndarray = 1 - b1**t
            else:
                b1_v = np.asarray(momentum, dtype=np.float64).reshape(-1)
                m = lerp(state.exp_avg, g, (1 - b1_v).reshape(-1, 1))
                bc1 = one_minus_pow(b1_v, t)
            b2 = self.beta2
            v = state.exp_avg_sq * b2
            sq = g * (1 - b2)
            sq *= g
            v += sq
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
    lines: list[str] = []
    wd = p["weight_decay"]
    b1, b2 = p["betas"]
    if wd != 0:
        if spec.name == "adamw":
            lines.append(f"θ ← (1 − {lr}·{n6(wd)})·θ")
        else:
            lines.append(f"g ← g + {n6(wd)}·θ")
    lines.append(f"m ← {n6(b1)}·m + {n6(1 - b1)}·g")
    lines.append(f"v ← {n6(b2)}·v + {n6(1 - b2)}·g²")
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
