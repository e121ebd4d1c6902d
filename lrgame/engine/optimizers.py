"""Optimizers as a small state plus an update rule, over a batch of runs.

Each optimizer follows the single-tensor code path of ``torch.optim`` (torch
2.13) step for step, in float64, with torch's parameter names, defaults and
argument checks. Shapes: parameters and gradients are ``[B, d]`` (``B`` runs
advanced together, ``d`` coordinates), the learning rate is ``[B]`` (this
step's rate for each run) and so is the optional momentum override.

The shape is optax's (``init`` gives a NamedTuple state, ``update`` gives new
parameters and a new state, nothing is changed in place); the numbers are
torch's. Operations follow torch's order (``lerp`` for Adam's first moment,
``addcmul``/``addcdiv`` grouping), so the only differences left are the last
bits torch gains from fused multiply-adds in its CPU kernels. Rows never mix:
a run in a batch is bit for bit the same run alone.

A schedule may override, per step and per run, SGD's and RMSprop's
``momentum`` or Adam's β1, the way ``OneCycleLR`` and ``CyclicLR`` write the
param group, even when the optimizer was built with momentum 0.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from ..numfmt import num
from .errors import SpecError
from .params import as_bool, as_float, as_list, check_keys, describe, join

__all__ = [
    "ALIASES",
    "DEFAULTS",
    "OPTIMIZER_NAMES",
    "SGD",
    "Adagrad",
    "AdagradState",
    "Adam",
    "AdamState",
    "AdamW",
    "Optimizer",
    "OptimizerSpec",
    "RMSprop",
    "RMSpropState",
    "SGDState",
    "parse_optimizer",
    "update_rule",
]

OPTIMIZER_NAMES: tuple[str, ...] = ("sgd", "adam", "adamw", "rmsprop", "adagrad")
"""Canonical optimizer names, as in ``torch.optim`` (lower case)."""

ALIASES: dict[str, str] = {"momentum": "sgd", "nesterov": "sgd"}
"""Other names a strategy may use, mapped to their canonical name."""

ALIAS_DEFAULTS: dict[str, dict[str, Any]] = {
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.9, "nesterov": True},
}
"""The defaults an alias changes, on top of its canonical optimizer's."""

DEFAULTS: dict[str, dict[str, Any]] = {
    # torch/optim/sgd.py: lr=1e-3 (no longer required since torch 2.x)
    "sgd": {"lr": 1e-3, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False},
    "adam": {
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": False,
    },
    "adamw": {
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 1e-2,
        "amsgrad": False,
    },
    "rmsprop": {
        "lr": 1e-2,
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum": 0.0,
        "centered": False,
    },
    "adagrad": {
        "lr": 1e-2,
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps": 1e-10,
    },
}
"""torch's defaults for every keyword each optimizer accepts, ``lr`` included."""

# Lower bounds torch checks ("Invalid ... value"); None: torch checks nothing
# (dampening). Every value must also be finite.
_LOW: dict[str, float | None] = {
    "lr": 0.0,
    "momentum": 0.0,
    "dampening": None,
    "weight_decay": 0.0,
    "eps": 0.0,
    "alpha": 0.0,
    "lr_decay": 0.0,
    "initial_accumulator_value": 0.0,
}
_BOOLS = frozenset({"nesterov", "amsgrad", "centered"})


# --------------------------------------------------------------------------
# the spec


def _check_name(value: Any, path: str) -> str:
    names = (*OPTIMIZER_NAMES, *ALIASES)
    if not isinstance(value, str) or value not in names:
        raise SpecError(
            path, f"unknown optimizer {describe(value)}; expected one of: {', '.join(names)}"
        )
    return value


def _fill(name: str, alias: str | None, given: Mapping[str, Any], path: str) -> dict[str, Any]:
    """Every keyword of ``name`` (lr included), validated, defaults filled in.

    ``given`` must hold only known keywords (the caller checked). Raises
    :class:`SpecError` naming the field and its value.
    """
    values: dict[str, Any] = dict(DEFAULTS[name])
    if alias is not None:
        values.update(ALIAS_DEFAULTS[alias])
    out: dict[str, Any] = {}
    for key, default in values.items():
        raw = given.get(key, default)
        where = join(path, key)
        if key in _BOOLS:
            out[key] = as_bool(raw, where)
        elif key == "betas":
            items = as_list(raw, where, min_len=2, max_len=2)
            out[key] = tuple(
                as_float(b, join(where, i), low=0.0, high=1.0, high_open=True)
                for i, b in enumerate(items)
            )
        else:
            out[key] = as_float(raw, where, low=_LOW[key])
    if name == "sgd" and out["nesterov"]:
        if out["momentum"] <= 0 or out["dampening"] != 0:
            raise SpecError(
                join(path, "nesterov"),
                "Nesterov momentum requires a momentum > 0 and zero dampening, got momentum "
                f"{out['momentum']!r} and dampening {out['dampening']!r}",
            )
    if alias == "nesterov" and not out["nesterov"]:
        raise SpecError(
            join(path, "nesterov"), "the 'nesterov' optimizer always has nesterov true, got false"
        )
    return out


@dataclass(frozen=True)
class OptimizerSpec:
    """A validated optimizer: canonical ``name``, ``lr`` and every other keyword.

    ``params`` holds every keyword but ``lr`` with torch's defaults filled in
    (``betas`` as a tuple), read-only. ``alias`` remembers a name such as
    ``"nesterov"`` for display and for :meth:`to_json`. Constructing one
    directly validates it too (missing keywords get their defaults).
    """

    name: str
    lr: float
    params: Mapping[str, Any]
    alias: str | None = None

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZER_NAMES:
            raise SpecError(
                "name",
                f"unknown optimizer {describe(self.name)}; expected one of: "
                f"{', '.join(OPTIMIZER_NAMES)}",
            )
        if self.alias is not None and ALIASES.get(self.alias) != self.name:
            raise SpecError("name", f"{describe(self.alias)} is not an alias of {self.name!r}")
        allowed = [k for k in DEFAULTS[self.name] if k != "lr"]
        check_keys(self.params, "", allowed)
        values = _fill(self.name, self.alias, {**self.params, "lr": self.lr}, "")
        object.__setattr__(self, "lr", values.pop("lr"))
        object.__setattr__(self, "params", MappingProxyType(values))

    def __hash__(self) -> int:
        return hash((self.name, self.lr, tuple(sorted(self.params.items())), self.alias))

    def __reduce__(self) -> tuple[Any, ...]:  # a mappingproxy does not pickle
        return (type(self), (self.name, self.lr, dict(self.params), self.alias))

    @property
    def display_name(self) -> str:
        """The name the player wrote: the alias if there is one."""
        return self.alias or self.name

    @property
    def has_momentum(self) -> bool:
        """Whether a schedule may cycle its momentum (SGD, RMSprop) or β1 (Adam, AdamW)."""
        return self.name != "adagrad"

    def with_lr(self, lr: float) -> OptimizerSpec:
        """The same optimizer with another learning rate (>= 0, finite)."""
        return dataclasses.replace(self, lr=as_float(lr, "lr", low=0.0))

    def to_json(self, *, full: bool = False) -> dict[str, Any]:
        """The strategy-file form: name, lr and the keywords that differ from the defaults.

        With ``full``, every keyword, defaults included (what a run actually used).
        """
        defaults = dict(DEFAULTS[self.name])
        if self.alias is not None:
            defaults.update(ALIAS_DEFAULTS[self.alias])
        out: dict[str, Any] = {"name": self.display_name, "lr": self.lr}
        for key, value in self.params.items():
            if full or value != defaults[key]:
                out[key] = list(value) if isinstance(value, tuple) else value
        return out


def parse_optimizer(obj: Any, path: str = "optimizer") -> OptimizerSpec:
    """Read ``{"name": ..., "lr": ..., <torch keywords>}`` or a bare name.

    Unknown names and keywords (torch's ``maximize``, ``foreach``,
    ``capturable``, ``differentiable``, ``fused`` and Adam's
    ``decoupled_weight_decay`` included) are refused, as are values torch
    refuses, non-finite numbers and booleans where a number is expected.
    """
    if isinstance(obj, str):
        obj = {"name": obj}
    if not isinstance(obj, Mapping):
        raise SpecError(path, f"expected an optimizer name or object, got {describe(obj)}")
    if "name" not in obj:
        raise SpecError(path, "missing key 'name'")
    given = _check_name(obj["name"], join(path, "name"))
    canonical = ALIASES.get(given, given)
    alias = given if given in ALIASES else None
    check_keys(obj, path, ["name", *DEFAULTS[canonical]])
    values = _fill(canonical, alias, obj, path)
    lr = values.pop("lr")
    return OptimizerSpec(name=canonical, lr=lr, params=values, alias=alias)


# --------------------------------------------------------------------------
# update rules in words


def _n(x: float) -> str:
    return num(x, 6)


def update_rule(spec: OptimizerSpec) -> str:
    """The update rule in readable maths, with the spec's values filled in.

    g is the gradient, θ the parameters, t the step (1, 2, ...); one line per
    assignment, in the order torch runs them.
    """
    p = spec.params
    lr = _n(spec.lr)
    lines: list[str] = []
    wd = p.get("weight_decay", 0.0)
    if wd != 0 and spec.name != "adamw":
        lines.append(f"g ← g + {_n(wd)}·θ")
    if spec.name == "sgd":
        mu = p["momentum"]
        if mu != 0:
            damp = 1 - p["dampening"]
            term = "g" if damp == 1 else f"{_n(damp)}·g"
            lines.append(f"v ← {_n(mu)}·v + {term}   (v ← g at t = 1)")
            if p["nesterov"]:
                lines.append(f"θ ← θ − {lr}·(g + {_n(mu)}·v)")
            else:
                lines.append(f"θ ← θ − {lr}·v")
        else:
            lines.append(f"θ ← θ − {lr}·g")
    elif spec.name in ("adam", "adamw"):
        b1, b2 = p["betas"]
        if spec.name == "adamw" and wd != 0:
            lines.append(f"θ ← (1 − {lr}·{_n(wd)})·θ")
        lines.append(f"m ← {_n(b1)}·m + {_n(1 - b1)}·g")
        lines.append(f"v ← {_n(b2)}·v + {_n(1 - b2)}·g²")
        v = "v"
        if p["amsgrad"]:
            lines.append("v̂ ← max(v̂, v)")
            v = "v̂"
        lines.append(
            f"θ ← θ − {lr}·(m/(1 − {_n(b1)}ᵗ)) / (√({v}/(1 − {_n(b2)}ᵗ)) + {_n(p['eps'])})"
        )
    elif spec.name == "rmsprop":
        a = p["alpha"]
        lines.append(f"v ← {_n(a)}·v + {_n(1 - a)}·g²")
        if p["centered"]:
            lines.append(f"ḡ ← {_n(a)}·ḡ + {_n(1 - a)}·g")
            lines.append(f"d ← √(v − ḡ²) + {_n(p['eps'])}")
        else:
            lines.append(f"d ← √v + {_n(p['eps'])}")
        if p["momentum"] > 0:
            lines.append(f"b ← {_n(p['momentum'])}·b + g/d")
            lines.append(f"θ ← θ − {lr}·b")
        else:
            lines.append(f"θ ← θ − {lr}·g/d")
    else:  # adagrad
        start = p["initial_accumulator_value"]
        lines.append("s ← s + g²" + (f"   (s starts at {_n(start)})" if start else ""))
        eps = _n(p["eps"])
        if p["lr_decay"]:
            lines.append(f"η ← {lr}/(1 + (t − 1)·{_n(p['lr_decay'])})")
            lines.append(f"θ ← θ − η·g/(√s + {eps})")
        else:
            lines.append(f"θ ← θ − {lr}·g/(√s + {eps})")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# states


class SGDState(NamedTuple):
    step: int
    momentum_buffer: np.ndarray  # [B, d]; meaningful where has_buffer
    has_buffer: np.ndarray  # [B] bool: torch's state["momentum_buffer"] exists


class AdamState(NamedTuple):
    step: int
    exp_avg: np.ndarray  # [B, d]
    exp_avg_sq: np.ndarray  # [B, d]
    max_exp_avg_sq: np.ndarray | None  # [B, d] with amsgrad


class RMSpropState(NamedTuple):
    step: int
    square_avg: np.ndarray  # [B, d]
    momentum_buffer: np.ndarray  # [B, d], zeros until momentum > 0
    grad_avg: np.ndarray | None  # [B, d] when centered


class AdagradState(NamedTuple):
    step: int
    sum: np.ndarray  # [B, d]


# --------------------------------------------------------------------------
# helpers


def _matrix(x: np.ndarray, what: str) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"{what} must be [B, d], got shape {a.shape}")
    return a


def _column(x: np.ndarray | float) -> np.ndarray:
    """A per-row value as a [B, 1] column (a scalar stays a 0-d array)."""
    a = np.asarray(x, dtype=np.float64)
    return a.reshape(-1, 1) if a.ndim else a


def _lerp(start: np.ndarray, end: np.ndarray, weight: float | np.ndarray) -> np.ndarray:
    """torch.lerp: ``start + w·(end − start)`` if |w| < 0.5, else ``end − (end − start)·(1 − w)``.

    (torch's CPU kernel fuses the multiply-add; NumPy rounds twice.)
    """
    diff = end - start
    if isinstance(weight, float):
        if abs(weight) < 0.5:
            diff *= weight
            diff += start
        else:
            diff *= 1 - weight
            np.subtract(end, diff, out=diff)
        return diff
    small = np.abs(weight) < 0.5
    if small.all():
        diff *= weight
        diff += start
        return diff
    big = end - diff * (1 - weight)
    if not small.any():
        return big
    return np.where(small, start + weight * diff, big)


def _one_minus_pow(base: np.ndarray, exponent: float) -> float | np.ndarray:
    """``1 − base ** exponent`` per row, with the pow torch uses (Python's, libm's).

    NumPy's vectorised pow may differ from libm's in the last bit (it is
    within 1 ulp here; 4 are allowed for). Where no value within 4 ulps of
    NumPy's changes ``1 − x``, that is the answer; the other rows (early steps,
    mostly) take Python's pow. So every row is libm-exact, whatever the batch.
    """
    first = float(base[0])
    if (base == first).all():
        return 1 - first**exponent
    if exponent == 1.0:
        return 1 - base  # pow(x, 1) is x exactly
    power = np.power(base, exponent)
    margin = np.spacing(power)
    margin *= 4
    result = 1 - power
    unsure = (1 - (power + margin)) != (1 - (power - margin))
    if unsure.any():
        rows = np.flatnonzero(unsure)
        result[rows] = [1 - b**exponent for b in base[rows].tolist()]
    return result


# --------------------------------------------------------------------------
# optimizers


class Optimizer:
    """One ``torch.optim`` optimizer for a batch of B independent runs.

    ``Optimizer(spec)`` gives the subclass for ``spec.name``. ``init(params)``
    makes the state; ``update(state, params, grad, lr, momentum)`` is one
    ``opt.step()`` for every row: ``lr`` is this step's learning rate per row,
    ``momentum`` the schedule's momentum (β1 for Adam) per row or None for the
    spec's own. NaN and inf are outcomes: no warnings, no errors.
    """

    spec: OptimizerSpec

    def __new__(cls, spec: OptimizerSpec) -> Optimizer:
        if cls is Optimizer:
            cls = _CLASSES[spec.name]
        return super().__new__(cls)

    def __init__(self, spec: OptimizerSpec) -> None:
        self.spec = spec
        self.weight_decay: float = spec.params["weight_decay"]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r})"

    def init(self, params: np.ndarray) -> Any:
        raise NotImplementedError

    def update(
        self,
        state: Any,
        params: np.ndarray,
        grad: np.ndarray,
        lr: np.ndarray,
        momentum: np.ndarray | None,
    ) -> tuple[np.ndarray, Any]:
        raise NotImplementedError


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
        p = _matrix(params, "params")
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
            lr_c = _column(lr)
            if self.weight_decay != 0:
                g = g + self.weight_decay * p
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
            mu_c = _column(momentum)
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
        p = _matrix(params, "params")
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
                m = _lerp(state.exp_avg, g, 1 - b1)
                bc1: float | np.ndarray = 1 - b1**t
            else:
                b1_v = np.asarray(momentum, dtype=np.float64).reshape(-1)
                m = _lerp(state.exp_avg, g, (1 - b1_v).reshape(-1, 1))
                bc1 = _one_minus_pow(b1_v, t)
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
            num = m * _column(-step_size)
            num /= denom
            num += p
            return num, AdamState(step, m, v, vmax)


class AdamW(Adam):
    """torch.optim.AdamW: Adam with decoupled weight decay λ (default 1e-2)::

    θ ← θ·(1 − lr·λ)                     (first, if λ ≠ 0; g is not touched)
    m ← lerp(m, g, 1 − β1)
    v ← β2·v + (1 − β2)·g²
    v̂ ← max(v̂, v)                        (amsgrad)
    θ ← θ − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
    """

    decoupled = True


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
        p = _matrix(params, "params")
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
            lr_c = _column(lr)
            if self.weight_decay != 0:
                g = g + self.weight_decay * p
            a = self.alpha
            v = state.square_avg * a
            sq = g * (1 - a)
            sq *= g
            v += sq
            grad_avg = None
            if state.grad_avg is not None:
                grad_avg = _lerp(state.grad_avg, g, 1 - a)
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
            mu_c = _column(momentum)
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
        p = _matrix(params, "params")
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
            if self.weight_decay != 0:
                g = g + self.weight_decay * p
            clr = np.asarray(lr, dtype=np.float64) / (1 + (float(step) - 1) * self.lr_decay)
            s = g * g
            s += state.sum
            std = np.sqrt(s)
            std += self.eps
            new_p = _column(-clr) * g
            new_p /= std
            new_p += p
            return new_p, AdagradState(step, s)


_CLASSES: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
}
