"""torch.optim.Adagrad."""

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
    weight_decay_param,
    weight_decay_rule,
)


class AdagradState(NamedTuple):
    step: int
    sum: np.ndarray  # [B, d]


class Adagrad(Optimizer):
    """torch.optim.Adagrad (single-tensor path). λ weight decay, t the step::

        g ← ∇f(θ) + λ·θ                      (if λ ≠ 0)
        η ← lr / (1 + (t − 1)·lr_decay)
        s ← s + g²                           (s starts at initial_accumulator_value)
        θ ← θ − η·g / (√s + ε)

    No momentum: a schedule cannot cycle one (torch's OneCycleLR refuses).
    """

    def __init__(self, spec: OptimizerSpec) -> None:
        super().__init__(spec)
        self.lr_decay: float = spec.params["lr_decay"]
        self.eps: float = spec.params["eps"]
        self.initial: float = spec.params["initial_accumulator_value"]

    def init(self, params: np.ndarray) -> AdagradState:
        p = matrix(params, "params")
        return AdagradState(0, np.full_like(p, self.initial))

    def update(
        self,
        state: AdagradState,
        params: np.ndarray,
        grad: np.ndarray,
        lr: np.ndarray,
        momentum: np.ndarray | None,
    ) -> tuple[np.ndarray, AdagradState]:
        if momentum is not None:
            raise ValueError("adagrad has no momentum for a schedule to override")
        with np.errstate(all="ignore"):
            p = np.asarray(params, dtype=np.float64)
            g = np.asarray(grad, dtype=np.float64)
            step = state.step + 1
            p, g = self.decay_weights(p, g, column(lr))
            clr = np.asarray(lr, dtype=np.float64) / (1 + (float(step) - 1) * self.lr_decay)
            s = g * g
            s += state.sum
            std = np.sqrt(s)
            std += self.eps
            new_p = column(-clr) * g
            new_p /= std
            new_p += p
            return new_p, AdagradState(step, s)


def _rule(spec: OptimizerSpec) -> str:
    p = spec.params
    lr = n6(spec.lr)
    lines = weight_decay_rule(spec)
    start = p["initial_accumulator_value"]
    lines.append("s ← s + g²" + (f"   (s starts at {n6(start)})" if start else ""))
    eps = n6(p["eps"])
    if p["lr_decay"]:
        lines.append(f"η ← {lr}/(1 + (t − 1)·{n6(p['lr_decay'])})")
        lines.append(f"θ ← θ − η·g/(√s + {eps})")
    else:
        lines.append(f"θ ← θ − {lr}·g/(√s + {eps})")
    return "\n".join(lines)


OPTIMIZER = OptimizerDef(
    name="adagrad",
    torch_class="Adagrad",
    title="Adagrad",
    description="Adagrad: steps divided by the root of the sum of all past squared gradients "
    "(torch.optim.Adagrad).",
    summary="steps divided by the root of the sum of all past squared gradients",
    order=50,
    adaptive=True,
    params=(
        lr_param(1e-2),
        ParamSpec(
            "lr_decay",
            default=0.0,
            low=0.0,
            doc="Learning rate decay: the rate at step t is lr / (1 + (t - 1) * lr_decay) "
            "(torch.optim.Adagrad `lr_decay`).",
            examples=(0, 0.01),
        ),
        weight_decay_param(),
        ParamSpec(
            "initial_accumulator_value",
            default=0.0,
            low=0.0,
            advanced=True,
            doc="Initial value of the sum of squares of gradients "
            "(torch.optim.Adagrad `initial_accumulator_value`).",
            examples=(0, 0.1),
        ),
        eps_param(1e-10),
    ),
    cls=Adagrad,
    rule=_rule,
)
