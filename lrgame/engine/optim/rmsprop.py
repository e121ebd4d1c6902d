"""torch.optim.RMSprop."""

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
    lerp,
    lr_param,
    matrix,
    n6,
    square_average,
    square_average_rule,
    weight_decay_param,
    weight_decay_rule,
)


class RMSpropState(NamedTuple):
    step: int
    square_avg: np.ndarray  # [B, d]
    momentum_buffer: np.ndarray  # [B, d], zeros until momentum > 0
    grad_avg: np.ndarray | None  # [B, d] when centered


class RMSprop(Optimizer):
    """torch.optim.RMSprop (single-tensor path). α smoothing, μ momentum, λ weight decay::

        g ← ∇f(θ) + λ·θ                      (if λ ≠ 0)
        v ← α·v + (1 − α)·g²
        centered:  ḡ ← lerp(ḡ, g, 1 − α);  d ← √(v − ḡ²) + ε
        else:      d ← √v + ε
        if μ > 0:  b ← μ·b + g/d;  θ ← θ − lr·b
        else:      θ ← θ − lr·g/d

    No bias correction. torch creates b (zeros) on the first step if μ > 0
    then; a step with μ = 0 leaves b as it is. If μ is 0 on the first step and
    a schedule raises it later, torch fails (KeyError 'momentum_buffer'); here
    b starts from zeros at that point, as it would have at step 1.
    """

    def __init__(self, spec: OptimizerSpec) -> None:
        super().__init__(spec)
        self.alpha: float = spec.params["alpha"]
        self.eps: float = spec.params["eps"]
        self.momentum: float = spec.params["momentum"]
        self.centered: bool = spec.params["centered"]

    def init(self, params: np.ndarray) -> RMSpropState:
        p = matrix(params, "params")
        grad_avg = np.zeros_like(p) if self.centered else None
        return RMSpropState(0, np.zeros_like(p), np.zeros_like(p), grad_avg)

    def update(
        self,
        state: RMSpropState,
        params: np.ndarray,
        grad: np.ndarray,
        lr: np.ndarray,
        momentum: np.ndarray | None,
    ) -> tuple[np.ndarray, RMSpropState]:
        with np.errstate(all="ignore"):
            p = np.asarray(params, dtype=np.float64)
            g = np.asarray(grad, dtype=np.float64)
            lr_c = column(lr)
            p, g = self.decay_weights(p, g, lr_c)
            a = self.alpha
            v = square_average(state.square_avg, g, a)
            grad_avg = None
            if state.grad_avg is not None:
                grad_avg = lerp(state.grad_avg, g, 1 - a)
                avg = v - grad_avg * grad_avg
                np.sqrt(avg, out=avg)
            else:
                avg = np.sqrt(v)
            avg += self.eps
            buf = state.momentum_buffer
            if momentum is None:
                mu = self.momentum
                if mu > 0:
                    buf = buf * mu
                    buf += g / avg
                    return p - lr_c * buf, RMSpropState(state.step + 1, v, buf, grad_avg)
                new_p = (-lr_c) * g
                new_p /= avg
                new_p += p
                return new_p, RMSpropState(state.step + 1, v, buf, grad_avg)
            mu_c = column(momentum)
            active = mu_c > 0
            if active.all():
                buf = buf * mu_c
                buf += g / avg
                return p - lr_c * buf, RMSpropState(state.step + 1, v, buf, grad_avg)
            plain = (-lr_c) * g
            plain /= avg
            plain += p
            if not active.any():
                return plain, RMSpropState(state.step + 1, v, buf, grad_avg)
            moved = buf * mu_c
            moved += g / avg
            new_buf = np.where(active, moved, buf)
            new_p = np.where(active, p - lr_c * moved, plain)
            return new_p, RMSpropState(state.step + 1, v, new_buf, grad_avg)


def _rule(spec: OptimizerSpec) -> str:
    p = spec.params
    lr = n6(spec.lr)
    lines = weight_decay_rule(spec)
    a = p["alpha"]
    lines.append(square_average_rule(a))
    if p["centered"]:
        lines.append(f"ḡ ← {n6(a)}·ḡ + {n6(1 - a)}·g")
        lines.append(f"d ← √(v − ḡ²) + {n6(p['eps'])}")
    else:
        lines.append(f"d ← √v + {n6(p['eps'])}")
    if p["momentum"] > 0:
        lines.append(f"b ← {n6(p['momentum'])}·b + g/d")
        lines.append(f"θ ← θ − {lr}·b")
    else:
        lines.append(f"θ ← θ − {lr}·g/d")
    return "\n".join(lines)


OPTIMIZER = OptimizerDef(
    name="rmsprop",
    torch_class="RMSprop",
    title="RMSprop",
    description="RMSprop: steps divided by a running root-mean-square of the gradient "
    "(torch.optim.RMSprop).",
    summary="steps divided by a running root-mean-square of the gradient",
    order=40,
    adaptive=True,
    params=(
        lr_param(1e-2),
        ParamSpec(
            "alpha",
            default=0.99,
            low=0.0,
            doc="Smoothing constant of the running average of the squared gradient "
            "(torch.optim.RMSprop `alpha`).",
            examples=(0.99, 0.9),
        ),
        eps_param(1e-8),
        weight_decay_param(),
        ParamSpec(
            "momentum",
            default=0.0,
            low=0.0,
            doc="Momentum factor applied to the scaled step (torch.optim.RMSprop `momentum`).",
            examples=(0, 0.9),
        ),
        ParamSpec(
            "centered",
            kind="bool",
            default=False,
            advanced=True,
            doc="If true, compute the centered RMSProp: the gradient is normalized by an "
            "estimation of its variance (torch.optim.RMSprop `centered`).",
            examples=(False, True),
        ),
    ),
    cls=RMSprop,
    rule=_rule,
    momentum="momentum",
)
