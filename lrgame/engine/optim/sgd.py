"""torch.optim.SGD, with the ``momentum`` and ``nesterov`` aliases."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..errors import SpecError
from ..params import ParamSpec, join
from ..problems import FieldPath
from .base import (
    AliasDef,
    Optimizer,
    OptimizerDef,
    OptimizerSpec,
    column,
    lr_param,
    matrix,
    n6,
    weight_decay_param,
    weight_decay_rule,
)


class SGDState(NamedTuple):
    step: int
    momentum_buffer: np.ndarray  # [B, d]; meaningful where has_buffer
    has_buffer: np.ndarray  # [B] bool: torch's state["momentum_buffer"] exists


class SGD(Optimizer):
    """torch.optim.SGD (single-tensor path). μ momentum, τ dampening, λ weight decay::

        g ← ∇f(θ) + λ·θ                     (if λ ≠ 0)
        if μ ≠ 0:
            b ← g                           (first step with μ ≠ 0: no buffer yet)
            b ← μ·b + (1 − τ)·g             (afterwards)
            g ← g + μ·b   if nesterov  else  g ← b
        θ ← θ − lr·g

    The buffer b is not pre-multiplied by lr, so changing lr takes effect at
    once. A step whose momentum is 0 (a schedule may write 0) leaves b as it
    is; the next step with μ ≠ 0 carries on from it, as torch does.
    Nesterov needs μ > 0 and τ = 0 at construction.
    """

    def __init__(self, spec: OptimizerSpec) -> None:
        super().__init__(spec)
        self.momentum: float = spec.params["momentum"]
        self.dampening: float = spec.params["dampening"]
        self.nesterov: bool = spec.params["nesterov"]

    def init(self, params: np.ndarray) -> SGDState:
        p = matrix(params, "params")
        return SGDState(0, np.zeros_like(p), np.zeros(p.shape[0], dtype=bool))

    def update(
        self,
        state: SGDState,
        params: np.ndarray,
        grad: np.ndarray,
        lr: np.ndarray,
        momentum: np.ndarray | None,
    ) -> tuple[np.ndarray, SGDState]:
        with np.errstate(all="ignore"):
            p = np.asarray(params, dtype=np.float64)
            g = np.asarray(grad, dtype=np.float64)
            lr_c = column(lr)
            p, g = self.decay_weights(p, g, lr_c)
            buf, has = state.momentum_buffer, state.has_buffer
            keep = 1.0 - self.dampening
            if momentum is None:
                mu = self.momentum
                if mu == 0:
                    return p - lr_c * g, SGDState(state.step + 1, buf, has)
                if has.all():
                    new = buf * mu
                    new += g if keep == 1.0 else keep * g
                elif not has.any():
                    new = g.copy()
                else:
                    new = np.where(has[:, None], buf * mu + keep * g, g)
                new_has = has if has.all() else np.ones_like(has)
                step = g + mu * new if self.nesterov else new
                return p - lr_c * step, SGDState(state.step + 1, new, new_has)
            mu_c = column(momentum)
            active = mu_c != 0  # [B, 1]
            if active.all():
                if has.all():
                    new = buf * mu_c
                    new += g if keep == 1.0 else keep * g
                    new_has = has
                else:
                    new = np.where(has[:, None], buf * mu_c + keep * g, g)
                    new_has = np.ones_like(has)
                direction = g + mu_c * new if self.nesterov else new
            else:
                new = np.where(has[:, None], buf * mu_c + keep * g, g)
                new = np.where(active, new, buf)
                direction = np.where(active, g + mu_c * new if self.nesterov else new, g)
                new_has = has | active[:, 0]
            return p - lr_c * direction, SGDState(state.step + 1, new, new_has)


def _rule(spec: OptimizerSpec) -> str:
    p = spec.params
    lr = n6(spec.lr)
    lines = weight_decay_rule(spec)
    mu = p["momentum"]
    if mu != 0:
        damp = 1 - p["dampening"]
        term = "g" if damp == 1 else f"{n6(damp)}·g"
        lines.append(f"v ← {n6(mu)}·v + {term}   (v ← g at t = 1)")
        if p["nesterov"]:
            lines.append(f"θ ← θ − {lr}·(g + {n6(mu)}·v)")
        else:
            lines.append(f"θ ← θ − {lr}·v")
    else:
        lines.append(f"θ ← θ − {lr}·g")
    return "\n".join(lines)


def _check(values: dict[str, Any], path: FieldPath) -> None:
    if values["nesterov"] and (values["momentum"] <= 0 or values["dampening"] != 0):
        raise SpecError(
            join(path, "nesterov"),
            "Nesterov momentum requires a momentum > 0 and zero dampening, got momentum "
            f"{values['momentum']!r} and dampening {values['dampening']!r}",
        )


def _check_nesterov_alias(values: dict[str, Any], path: FieldPath) -> None:
    if not values["nesterov"]:
        raise SpecError(
            join(path, "nesterov"), "the 'nesterov' optimizer always has nesterov true, got false"
        )


OPTIMIZER = OptimizerDef(
    name="sgd",
    torch_class="SGD",
    title="SGD",
    description="stochastic gradient descent: x -= lr * gradient (torch.optim.SGD).",
    summary="plain steps against the gradient; momentum and Nesterov optional",
    order=10,
    params=(
        lr_param(1e-3),
        ParamSpec(
            "momentum",
            default=0.0,
            low=0.0,
            doc="Momentum factor: the fraction of the previous update carried into the next "
            "one, like a heavy ball rolling downhill (torch.optim.SGD `momentum`).",
            examples=(0, 0.9, 0.99),
        ),
        ParamSpec(
            "dampening",
            default=0.0,
            advanced=True,
            doc="Dampening for momentum: the new gradient enters the velocity scaled by "
            "(1 - dampening) (torch.optim.SGD `dampening`; torch checks no bound).",
            examples=(0, 0.1),
        ),
        weight_decay_param(),
        ParamSpec(
            "nesterov",
            kind="bool",
            default=False,
            doc="Enables Nesterov momentum: the gradient is taken where the momentum is about "
            "to carry the walker (torch.optim.SGD `nesterov`; needs momentum > 0 and "
            "dampening 0).",
            examples=(False, True),
        ),
    ),
    cls=SGD,
    rule=_rule,
    momentum="momentum",
    check=_check,
    aliases={
        "momentum": AliasDef(
            {"momentum": 0.9},
            "SGD with momentum",
            "SGD with momentum 0.9 by default (torch.optim.SGD with momentum).",
        ),
        "nesterov": AliasDef(
            {"momentum": 0.9, "nesterov": True},
            "SGD with Nesterov momentum",
            "SGD with Nesterov momentum 0.9 by default (torch.optim.SGD with nesterov=True).",
            _check_nesterov_alias,
        ),
    },
)
