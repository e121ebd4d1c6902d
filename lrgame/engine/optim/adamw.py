"""torch.optim.AdamW: Adam with decoupled weight decay."""

from __future__ import annotations

from dataclasses import replace

from .adam import Adam, adam_rule
from .base import (
    OptimizerDef,
    amsgrad_param,
    betas_param,
    eps_param,
    lr_param,
    weight_decay_param,
)


class AdamW(Adam):
    """torch.optim.AdamW: Adam with decoupled weight decay λ (default 1e-2)::

    θ ← θ·(1 − lr·λ)                     (first, if λ ≠ 0; g is not touched)
    m ← lerp(m, g, 1 − β1)
    v ← β2·v + (1 − β2)·g²
    v̂ ← max(v̂, v)                        (amsgrad)
    θ ← θ − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
    """

    decoupled = True


OPTIMIZER = OptimizerDef(
    name="adamw",
    torch_class="AdamW",
    title="AdamW",
    description="AdamW: Adam with decoupled weight decay (torch.optim.AdamW).",
    summary="Adam whose weight decay shrinks θ directly",
    order=30,
    adaptive=True,
    params=(
        lr_param(1e-3),
        betas_param(),
        eps_param(1e-8),
        replace(
            weight_decay_param(advanced=False, default=1e-2),
            doc="Weight decay coefficient, decoupled from the gradient: each step shrinks "
            "the position by lr * weight_decay * x (torch.optim.AdamW `weight_decay`).",
            examples=(0.01, 0),
        ),
        amsgrad_param(),
    ),
    cls=AdamW,
    rule=adam_rule,
    momentum="β1",
)
