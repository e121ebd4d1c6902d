"""What every optimizer module declares, and what is built from the declarations.

An optimizer module defines ``OPTIMIZER = OptimizerDef(...)``: its name, its
torch class, its parameters (:class:`~lrgame.engine.params.ParamSpec`, ``lr``
first, in torch's order), the :class:`Optimizer` subclass holding its pure
update and the update rule in words. Parsing, the setup form, the export, the
JSON Schema and the README read those declarations and nothing else.

Shapes: parameters and gradients are ``[B, d]`` (``B`` runs advanced together,
``d`` coordinates), the learning rate is ``[B]`` (this step's rate for each
run) and so is the optional momentum override. The state is a NamedTuple and
``update`` returns new parameters and a new state (optax's shape); the numbers
are torch's single-tensor path in float64, operation for operation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from ...numfmt import num
from ..errors import SpecError
from ..params import ParamSpec, as_float, check_keys, describe, join
from ..problems import FieldPath

REGISTRY: dict[str, OptimizerDef] = {}
"""Every optimizer by canonical name, in menu order (filled by the package)."""

ALIAS_OF: dict[str, str] = {}
"""Alias name → canonical name (filled by the package)."""


@dataclass(frozen=True)
class AliasDef:
    """Another name for an optimizer with other defaults (``momentum`` is SGD at 0.9)."""

    defaults: Mapping[str, Any]
    title: str
    description: str
    check: Callable[[dict[str, Any], FieldPath], None] | None = None


@dataclass(frozen=True)
class OptimizerDef:
    """One optimizer's declaration (see the module docstring)."""

    name: str
    torch_class: str
    title: str
    description: str
    params: tuple[ParamSpec, ...]
    cls: type[Optimizer]
    rule: Callable[[OptimizerSpec], str]
    order: int
    momentum: Literal["momentum", "β1"] | None = None
    """What ``onecycle``/``cyclic`` may cycle: torch's "momentum" or "betas" group key."""
    aliases: Mapping[str, AliasDef] = field(default_factory=dict)
    check: Callable[[dict[str, Any], FieldPath], None] | None = None
    """Rules across parameters (torch's constructor checks), on the filled values."""
    summary: str = ""
    """One line for the README table."""
    adaptive: bool = False
    """Whether it adapts its stride per coordinate (the coach's "adaptive" tool)."""

    @property
    def defaults(self) -> dict[str, Any]:
        """torch's default for every keyword (``lr`` included), lists as tuples."""
        return {p.name: _frozen(p.default) for p in self.params}

    def param(self, name: str) -> ParamSpec:
        return next(p for p in self.params if p.name == name)


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def lookup(name: str) -> OptimizerDef:
    return REGISTRY[ALIAS_OF.get(name, name)]


def _fill(
    definition: OptimizerDef, alias: str | None, given: Mapping[str, Any], path: FieldPath
) -> dict[str, Any]:
    """Every keyword (lr included), validated, defaults filled in.

    ``given`` must hold only known keywords (the caller checked). Raises
    :class:`SpecError` naming the field and its value.
    """
    extra = definition.aliases[alias].defaults if alias is not None else {}
    out: dict[str, Any] = {}
    errors: list[SpecError] = []
    for spec in definition.params:
        raw = given.get(spec.name, extra.get(spec.name, spec.default))
        try:
            value = spec.read(raw, join(path, spec.name))
        except SpecError as error:
            errors.append(error)
            continue
        out[spec.name] = tuple(value) if isinstance(value, list) else value
    SpecError.raise_all(errors)
    if definition.check is not None:
        definition.check(out, path)
    if alias is not None:
        check = definition.aliases[alias].check
        if check is not None:
            check(out, path)
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
        if self.name not in REGISTRY:
            raise SpecError(
                ("name",),
                f"unknown optimizer {describe(self.name)}; expected one of: {', '.join(REGISTRY)}",
            )
        if self.alias is not None and ALIAS_OF.get(self.alias) != self.name:
            raise SpecError(("name",), f"{describe(self.alias)} is not an alias of {self.name!r}")
        definition = REGISTRY[self.name]
        check_keys(self.params, (), [p.name for p in definition.params if p.name != "lr"])
        values = _fill(definition, self.alias, {**self.params, "lr": self.lr}, ())
        object.__setattr__(self, "lr", values.pop("lr"))
        object.__setattr__(self, "params", MappingProxyType(values))

    def __hash__(self) -> int:
        return hash((self.name, self.lr, tuple(sorted(self.params.items())), self.alias))

    def __reduce__(self) -> tuple[Any, ...]:  # a mappingproxy does not pickle
        return (type(self), (self.name, self.lr, dict(self.params), self.alias))

    @property
    def definition(self) -> OptimizerDef:
        return REGISTRY[self.name]

    @property
    def display_name(self) -> str:
        """The name the player wrote: the alias if there is one."""
        return self.alias or self.name

    @property
    def has_momentum(self) -> bool:
        """Whether a schedule may cycle its momentum (SGD, RMSprop) or β1 (the Adams)."""
        return REGISTRY[self.name].momentum is not None

    def with_lr(self, lr: float) -> OptimizerSpec:
        """The same optimizer with another learning rate (>= 0, finite)."""
        return dataclasses.replace(self, lr=as_float(lr, ("lr",), low=0.0))

    def to_json(self, *, full: bool = False) -> dict[str, Any]:
        """The strategy-file form: name, lr and the keywords that differ from the defaults.

        With ``full``, every keyword, defaults included (what a run actually used).
        """
        definition = REGISTRY[self.name]
        defaults = definition.defaults
        if self.alias is not None:
            defaults.update(definition.aliases[self.alias].defaults)
        out: dict[str, Any] = {"name": self.display_name, "lr": self.lr}
        for key, value in self.params.items():
            if full or value != defaults[key]:
                out[key] = list(value) if isinstance(value, tuple) else value
        return out


def parse_optimizer(obj: Any, path: FieldPath = ("optimizer",)) -> OptimizerSpec:
    """Read ``{"name": ..., "lr": ..., <torch keywords>}`` or a bare name.

    Unknown names and keywords (torch's ``maximize``, ``foreach``,
    ``capturable``, ``differentiable`` and ``fused`` included) are refused, as
    are values torch refuses, non-finite numbers and booleans where a number
    is expected.
    """
    if isinstance(obj, str):
        obj = {"name": obj}
    if not isinstance(obj, Mapping):
        raise SpecError(path, f"expected an optimizer name or object, got {describe(obj)}")
    if "name" not in obj:
        raise SpecError(path, "missing key 'name'")
    given = obj["name"]
    known = (*REGISTRY, *ALIAS_OF)
    if not isinstance(given, str) or given not in known:
        raise SpecError(
            join(path, "name"),
            f"unknown optimizer {describe(given)}; expected one of: {', '.join(known)}",
        )
    canonical = ALIAS_OF.get(given, given)
    alias = given if given in ALIAS_OF else None
    definition = REGISTRY[canonical]
    check_keys(obj, path, ["name", *(p.name for p in definition.params)])
    values = _fill(definition, alias, obj, path)
    lr = values.pop("lr")
    return OptimizerSpec(name=canonical, lr=lr, params=values, alias=alias)


def update_rule(spec: OptimizerSpec) -> str:
    """The update rule in readable maths, with the spec's values filled in.

    g is the gradient, θ the parameters, t the step (1, 2, ...); one line per
    assignment, in the order torch runs them.
    """
    return REGISTRY[spec.name].rule(spec)


def n6(x: float) -> str:
    """A number in an update rule."""
    return num(x, 6)


# --------------------------------------------------------------------------
# the update


class Optimizer:
    """One ``torch.optim`` optimizer for a batch of B independent runs.

    ``Optimizer(spec)`` gives the subclass for ``spec.name``. ``init(params)``
    makes the state; ``update(state, params, grad, lr, momentum)`` is one
    ``opt.step()`` for every row: ``lr`` is this step's learning rate per row,
    ``momentum`` the schedule's momentum (β1 for the Adams) per row or None for
    the spec's own. NaN and inf are outcomes: no warnings, no errors.
    """

    spec: OptimizerSpec
    decoupled: bool = False
    """Whether weight decay shrinks θ directly instead of joining the gradient."""

    def __new__(cls, spec: OptimizerSpec) -> Optimizer:
        if cls is Optimizer:
            cls = REGISTRY[spec.name].cls
        return super().__new__(cls)

    def __init__(self, spec: OptimizerSpec) -> None:
        self.spec = spec
        self.weight_decay: float = spec.params["weight_decay"]
        self.decoupled = bool(spec.params.get("decoupled_weight_decay", self.decoupled))

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

    def decay_weights(
        self, p: np.ndarray, g: np.ndarray, lr_c: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """torch's weight decay λ, first in every step: ``g + λ·θ``, or ``θ·(1 − lr·λ)`` decoupled."""
        wd = self.weight_decay
        if wd == 0:
            return p, g
        if self.decoupled:
            return p * (1 - lr_c * wd), g
        return p, g + wd * p


# --------------------------------------------------------------------------
# helpers the updates share


def beta1_of(momentum: np.ndarray | None, beta1: float) -> float | np.ndarray:
    """This step's β1: the spec's, or per row [B] when a schedule cycles it."""
    if momentum is None:
        return beta1
    return np.asarray(momentum, dtype=np.float64).reshape(-1)


def first_moment(exp_avg: np.ndarray, g: np.ndarray, b1: float | np.ndarray) -> np.ndarray:
    """The Adams' running mean of the gradient: ``lerp(m, g, 1 − β1)`` as torch computes it."""
    if isinstance(b1, float):
        return lerp(exp_avg, g, 1 - b1)
    return lerp(exp_avg, g, (1 - b1).reshape(-1, 1))


def first_moment_rule(b1: float) -> str:
    """:func:`first_moment` as a line of an update rule."""
    return f"m ← {n6(b1)}·m + {n6(1 - b1)}·g"


def bias_correction(b1: float | np.ndarray, t: float) -> float | np.ndarray:
    """``1 − β1ᵗ`` with β1 of this step (libm's pow per row when cycled)."""
    if isinstance(b1, float):
        return 1 - b1**t
    return one_minus_pow(b1, t)


def square_average(avg: np.ndarray, g: np.ndarray, decay: float) -> np.ndarray:
    """``decay·v + (1 − decay)·g²`` in torch's order of operations (a new array)."""
    v = avg * decay
    sq = g * (1 - decay)
    sq *= g
    v += sq
    return v


def square_average_rule(decay: float) -> str:
    """:func:`square_average` as a line of an update rule."""
    return f"v ← {n6(decay)}·v + {n6(1 - decay)}·g²"


def weight_decay_rule(spec: OptimizerSpec) -> list[str]:
    """The weight-decay line of an update rule in words, if λ ≠ 0."""
    wd = spec.params["weight_decay"]
    if wd == 0:
        return []
    definition = REGISTRY[spec.name]
    decoupled = spec.params.get("decoupled_weight_decay", definition.cls.decoupled)
    if decoupled:
        return [f"θ ← (1 − {n6(spec.lr)}·{n6(wd)})·θ"]
    return [f"g ← g + {n6(wd)}·θ"]


def matrix(x: np.ndarray, what: str) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"{what} must be [B, d], got shape {a.shape}")
    return a


def column(x: np.ndarray | float) -> np.ndarray:
    """A per-row value as a [B, 1] column (a scalar stays a 0-d array)."""
    a = np.asarray(x, dtype=np.float64)
    return a.reshape(-1, 1) if a.ndim else a


def lerp(start: np.ndarray, end: np.ndarray, weight: float | np.ndarray) -> np.ndarray:
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


def one_minus_pow(base: np.ndarray, exponent: float) -> float | np.ndarray:
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
# parameters several optimizers share (torch's wording)

LR_DOC = (
    "Learning rate: how far each step moves against the gradient (torch.optim `lr`). "
    "The heart of the game: too small crawls, too large diverges."
)


def lr_param(default: float) -> ParamSpec:
    return ParamSpec(
        "lr",
        default=default,
        low=0.0,
        doc=LR_DOC,
        examples=(default, 0.1, 0.5),
        field=False,
    )


def weight_decay_param(*, advanced: bool = True, default: float = 0.0) -> ParamSpec:
    return ParamSpec(
        "weight_decay",
        default=default,
        low=0.0,
        advanced=advanced,
        doc="Weight decay (L2 penalty): each step also pulls the position towards 0 by "
        "lr * weight_decay * x (torch `weight_decay`).",
        examples=(0, 0.01),
    )


def eps_param(default: float) -> ParamSpec:
    return ParamSpec(
        "eps",
        default=default,
        low=0.0,
        advanced=True,
        doc="Term added to the denominator to improve numerical stability (torch `eps`).",
        examples=(default,),
    )


def betas_param(default: tuple[float, float] = (0.9, 0.999), cls: str = "Adam") -> ParamSpec:
    return ParamSpec(
        "betas",
        kind="floats",
        default=default,
        low=0.0,
        high=1.0,
        high_open=True,
        length=2,
        doc="Coefficients used for computing running averages of the gradient and its "
        f"square (torch.optim.{cls} `betas`): [beta1 for the mean, beta2 for the squared "
        "gradient].",
        examples=(list(default), [0.95, 0.99]),
        item_docs=(
            "beta1: decay rate of the running average of the gradient (the momentum-like term).",
            "beta2: decay rate of the running average of the squared gradient.",
        ),
    )


def amsgrad_param() -> ParamSpec:
    return ParamSpec(
        "amsgrad",
        kind="bool",
        default=False,
        advanced=True,
        doc="Whether to use the AMSGrad variant of this algorithm from the paper 'On the "
        "Convergence of Adam and Beyond': keep the maximum of past squared-gradient "
        "averages (torch `amsgrad`).",
        examples=(False, True),
    )


def decoupled_param(cls: str) -> ParamSpec:
    return ParamSpec(
        "decoupled_weight_decay",
        kind="bool",
        default=False,
        advanced=True,
        doc="If true, weight decay shrinks the position directly, θ ← θ·(1 − lr·weight_decay), "
        f"as AdamW does, instead of being added to the gradient (torch.optim.{cls} "
        "`decoupled_weight_decay`).",
        examples=(False, True),
    )
