"""What every schedule module declares, and what is built from the declarations.

A schedule module defines ``SCHEDULE = ScheduleDef(...)``: its name, its torch
class, its parameters (:class:`~lrgame.engine.params.ParamSpec`, in the order
``to_json`` writes them), its closure of the step (``lr``: the learning rate
after k calls of ``sched.step()``, a pure function of k) and its ``describe``.
Parsing, the setup form, the export, the JSON Schema and the README read those
declarations and nothing else.

The training loop the engine mirrors is::

    loss = f(p); loss.backward(); opt.step(); sched.step(); opt.zero_grad()

so optimizer step t (1-based) uses the rate the scheduler set after
``k = t - 1`` calls of ``sched.step()``. Each ``lr`` takes ``lr0`` as a column
``[B, 1]`` and ``k`` as a row ``[N]`` (int64) and returns ``[B, N]``, in
closed forms equal to torch's recursion to rounding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from ...numfmt import num
from ..errors import SpecError
from ..params import ParamSpec, check_keys, join
from ..params import describe as describe_value
from ..problems import FieldPath

_Array = np.ndarray

# Integer parameters are capped so that step arithmetic stays inside int64.
MAX_INT = 10**9

REGISTRY: dict[str, ScheduleDef] = {}
"""Every schedule by name, in menu order (filled by the package)."""


@dataclass(frozen=True)
class Context:
    """What a schedule's defaults and checks may depend on: the run and its optimizer."""

    steps: int
    optimizer_name: str
    optimizer_lr: float
    has_momentum: bool


Parser = Callable[[Mapping[str, Any], FieldPath, Context], dict[str, Any]]
Table = Callable[[Mapping[str, Any], _Array, _Array], _Array]
Describer = Callable[["ScheduleSpec", float | None, str], str]
Exporter = Callable[["ScheduleSpec", int], tuple[str, set[str]]]


@dataclass(frozen=True)
class ScheduleDef:
    """One schedule family's declaration (see the module docstring).

    ``lr(params, lr0, k)`` is the closure of the step (None: not a function
    of k, ``plateau``); ``momentum(k, params)`` the momentum or β1 it writes,
    if any. ``describe(spec, lr, k)`` is the formula with ``lr`` for the
    headline rate (None: say ``lr0``) and ``k`` for the step. ``check(values, path, ctx)`` holds
    the rules across parameters; ``parse`` replaces the generic reading for a
    family whose parameters are schedules themselves; ``read_order`` reads
    parameters whose defaults depend on others after them. ``export`` gives
    the torch expression and the classes it imports when the plain
    ``TorchClass(optimizer, **params)`` is not it.
    """

    name: str
    torch_class: str
    title: str
    description: str
    params: tuple[ParamSpec, ...]
    order: int
    describe: Describer
    lr: Table | None = None
    momentum: Callable[[_Array, Mapping[str, Any]], _Array | None] | None = None
    check: Callable[[dict[str, Any], FieldPath, Context], None] | None = None
    parse: Parser | None = None
    read_order: tuple[str, ...] = ()
    export: Exporter | None = None
    headline: bool = False
    """Carries its own peak rate ``max_lr`` (torch ignores the optimizer's lr)."""
    part: bool = True
    """May be a part of a ``sequence`` or of a ``chained`` schedule."""
    chainable: bool = False
    """Multiplies the rate by a factor of k alone, so ``chained`` composes it."""
    item_names: Callable[[], tuple[str, ...]] | None = None
    """For a family whose parameter is a list of schedules: which ones may be in it."""
    form_label: str = ""
    """The torch class(es) the setup screen names, when not ``torch_class``."""
    summary: str = ""
    """One line for the README table."""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def param(self, name: str) -> ParamSpec:
        return next(p for p in self.params if p.name == name)


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, ScheduleSpec):
        return value.to_json()
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class ScheduleSpec:
    """A validated schedule: its name and every parameter, defaults filled in.

    ``params`` is read-only; lists are stored as tuples and the parts of a
    ``sequence`` as ``ScheduleSpec``. ``to_json`` gives the strategy-file form,
    which ``parse_schedule`` reads back to an equal spec.
    """

    name: str
    params: Mapping[str, Any]

    def __post_init__(self) -> None:
        frozen = {key: _freeze(value) for key, value in self.params.items()}
        object.__setattr__(self, "params", MappingProxyType(frozen))

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.params.items()))))

    @property
    def definition(self) -> ScheduleDef:
        return REGISTRY[self.name]

    def to_json(self) -> dict[str, Any]:
        """The strategy-file form: ``{"name": ..., every parameter ...}``."""
        out: dict[str, Any] = {"name": self.name}
        for key in REGISTRY[self.name].keys:
            out[key] = _thaw(self.params[key])
        return out


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def part_names() -> tuple[str, ...]:
    """The schedules that may be parts of a ``sequence``."""
    return tuple(n for n, d in REGISTRY.items() if d.part)


def chainable_names() -> tuple[str, ...]:
    """The schedules that may be parts of a ``chained`` schedule."""
    return tuple(n for n, d in REGISTRY.items() if d.chainable)


def parse_any(
    obj: Any,
    path: FieldPath,
    ctx: Context,
    *,
    allowed: tuple[str, ...] | None = None,
    within: str = "",
) -> ScheduleSpec:
    """Read one schedule (a name, an object or None for constant)."""
    all_names = names()
    if obj is None:
        obj = "constant"
    body: Mapping[str, Any]
    if isinstance(obj, str):
        name, body, name_path = obj, {}, path
    elif isinstance(obj, Mapping):
        if "name" not in obj:
            raise SpecError(
                join(path, "name"),
                f"missing the schedule's name; expected one of: {', '.join(all_names)}",
            )
        name, body, name_path = obj["name"], obj, join(path, "name")
    else:
        raise SpecError(path, f"expected a schedule name or an object, got {describe_value(obj)}")
    if not isinstance(name, str) or name not in REGISTRY:
        raise SpecError(
            name_path,
            f"unknown schedule {describe_value(name)}; expected one of: {', '.join(all_names)}",
        )
    if allowed is not None and name not in allowed:
        raise SpecError(
            name_path,
            f"schedule {name!r} cannot be part of a {within}; allowed there: {', '.join(allowed)}",
        )
    definition = REGISTRY[name]
    check_keys(body, path, ("name", *definition.keys))
    if definition.parse is not None:
        params = definition.parse(body, path, ctx)
    else:
        params = read_params(definition, body, path, ctx)
    return ScheduleSpec(name, params)


def read_params(
    definition: ScheduleDef, body: Mapping[str, Any], path: FieldPath, ctx: Context
) -> dict[str, Any]:
    """Every parameter read by its declaration, defaults filled in, then the family's check."""
    values: dict[str, Any] = {}
    order = [
        *definition.read_order,
        *(k for k in definition.keys if k not in definition.read_order),
    ]
    errors: list[SpecError] = []
    for key in order:
        spec = definition.param(key)
        if key not in body and spec.required:
            errors.append(SpecError(join(path, key), f"missing: {definition.name} needs its {key}"))
            continue
        try:
            # A derived default reads the values before it: after a bad one, it cannot be had.
            if key not in body and spec.derived and errors:
                continue
            raw = body[key] if key in body else spec.default_for(ctx, values)
            values[key] = spec.read(raw, join(path, key))
        except SpecError as error:
            errors.append(error)
    SpecError.raise_all(errors)
    if definition.check is not None:
        definition.check(values, path, ctx)
    return {key: values[key] for key in definition.keys}


def table(spec: ScheduleSpec, lr0: _Array, k: _Array) -> _Array:
    """The closed form of ``spec`` at the steps ``k`` ([N]) for the rates ``lr0`` ([B, 1])."""
    definition = REGISTRY[spec.name]
    if definition.lr is None:
        raise ValueError(f"{spec.name} reads the loss: use plateau_start and plateau_step")
    return definition.lr(spec.params, lr0, k)


def g4(x: float) -> str:
    """A number in a schedule's formula."""
    return num(x, 4)


def base_text(lr: float | None) -> str:
    """The headline rate in a formula: ``lr0``, or its value when known."""
    return "lr0" if lr is None else g4(lr)


def describe_spec(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    return REGISTRY[spec.name].describe(spec, lr, k)


# --------------------------------------------------------------------------
# parameters several schedules share (torch's wording)


def steps_default(fraction: int) -> Callable[[Context, Mapping[str, Any]], int]:
    """A default of the run's steps divided by ``fraction`` (at least 1)."""

    def default(ctx: Context, values: Mapping[str, Any]) -> int:
        return max(1, ctx.steps // fraction) if fraction != 1 else ctx.steps

    return default


def gamma_param(
    default: float, doc: str = "", examples: tuple[Any, ...] = (), *, advanced: bool = False
) -> ParamSpec:
    return ParamSpec(
        "gamma",
        default=default,
        advanced=advanced,
        low=0.0,
        low_open=True,
        doc=doc or "Multiplicative factor of learning rate decay (torch `gamma`).",
        examples=examples or (default,),
    )


def eta_min_param() -> ParamSpec:
    return ParamSpec(
        "eta_min",
        default=0.0,
        low=0.0,
        doc="Minimum learning rate the annealing ends at (torch `eta_min`).",
        examples=(0, 1e-05),
    )


def max_lr_param(cls: str, doc: str) -> ParamSpec:
    return ParamSpec(
        "max_lr",
        default=lambda ctx, values: ctx.optimizer_lr,
        low=0.0,
        low_open=True,
        doc=f"{doc} (torch.optim.lr_scheduler.{cls} `max_lr`). Default: the optimizer's lr.",
        default_doc="the optimizer's lr",
        examples=(0.1, 1.0),
        field=False,
    )


def momentum_params(
    base: float, top: float, cycle_doc: str, base_doc: str, max_doc: str
) -> tuple[ParamSpec, ...]:
    return (
        ParamSpec(
            "cycle_momentum",
            kind="bool",
            default=True,
            advanced=True,
            doc=cycle_doc,
            examples=(True, False),
        ),
        ParamSpec(
            "base_momentum",
            default=base,
            low=0.0,
            high=1.0,
            high_open=True,
            advanced=True,
            doc=base_doc,
            examples=(base,),
        ),
        ParamSpec(
            "max_momentum",
            default=top,
            low=0.0,
            high=1.0,
            high_open=True,
            advanced=True,
            doc=max_doc,
            examples=(top,),
        ),
    )


def check_cycle_momentum(values: Mapping[str, Any], path: FieldPath, ctx: Context) -> None:
    if values["cycle_momentum"] and not ctx.has_momentum:
        raise SpecError(
            join(path, "cycle_momentum"),
            f"optimizer {ctx.optimizer_name!r} has no momentum or beta1 to cycle "
            "(torch refuses it); set cycle_momentum to false",
        )


def cyclic_base(base_lr: Any, lr: Any, max_lr: Any) -> Any:
    """CyclicLR's base_lr when the headline rate moves from ``max_lr`` to ``lr``."""
    return base_lr * (lr / max_lr)
