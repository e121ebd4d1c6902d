"""Reading hyperparameters from untrusted JSON-like mappings.

Every check names the field path and the offending value, the way
``torch.optim`` says "Invalid learning rate: -1".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from ..numfmt import num
from .errors import ExpressionError, SpecError
from .expr import Expression
from .problems import FieldPath


def join(path: FieldPath, key: str | int) -> FieldPath:
    """The field path of ``key`` inside ``path``."""
    return (*path, key)


def check_keys(obj: Any, path: FieldPath, allowed: Sequence[str]) -> Mapping[str, Any]:
    """``obj`` as a mapping whose keys are all in ``allowed``."""
    if not isinstance(obj, Mapping):
        raise SpecError(path, f"expected an object, got {describe(obj)}")
    for key in obj:
        if key not in allowed:
            choices = ", ".join(sorted(allowed))
            raise SpecError(
                join(path, str(key)), f"unknown key {key!r}; expected one of: {choices}"
            )
    return obj


def describe(value: Any) -> str:
    """A short, safe rendering of a value for an error message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return repr(text)
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__


def as_float(
    value: Any,
    path: FieldPath,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A finite float within [low, high] (or open at either end)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(path, f"expected a number, got {describe(value)}")
    number = float(value) if not isinstance(value, int) or abs(value) < 2**1000 else math.inf
    if not math.isfinite(number):
        raise SpecError(path, f"expected a finite number, got {describe(value)}")
    if low is not None and (number < low or (low_open and number == low)):
        bound = f"> {num(low, 6)}" if low_open else f">= {num(low, 6)}"
        raise SpecError(path, f"invalid value {number!r}: must be {bound}")
    if high is not None and (number > high or (high_open and number == high)):
        bound = f"< {num(high, 6)}" if high_open else f"<= {num(high, 6)}"
        raise SpecError(path, f"invalid value {number!r}: must be {bound}")
    return number


def as_int(value: Any, path: FieldPath, *, low: int | None = None, high: int | None = None) -> int:
    """An integer within [low, high]; 3.0 is accepted as 3, 3.5 is not."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(path, f"expected an integer, got {describe(value)}")
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise SpecError(path, f"expected an integer, got {describe(value)}")
        value = int(value)
    if low is not None and value < low:
        raise SpecError(path, f"invalid value {value!r}: must be >= {low}")
    if high is not None and value > high:
        raise SpecError(path, f"invalid value {value!r}: must be <= {high}")
    return int(value)


def as_bool(value: Any, path: FieldPath) -> bool:
    if not isinstance(value, bool):
        raise SpecError(path, f"expected true or false, got {describe(value)}")
    return value


def as_choice(value: Any, path: FieldPath, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise SpecError(path, f"expected one of {options}, got {describe(value)}")
    return value


def as_list(
    value: Any, path: FieldPath, *, min_len: int = 0, max_len: int | None = None
) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        raise SpecError(path, f"expected a list, got {describe(value)}")
    if len(value) < min_len or (max_len is not None and len(value) > max_len):
        if max_len == min_len:
            want = f"exactly {min_len}"
        elif max_len is None:
            want = f"at least {min_len}"
        else:
            want = f"{min_len} to {max_len}"
        raise SpecError(path, f"expected a list of {want} items, got {len(value)}")
    return list(value)


def as_expression(value: Any, path: FieldPath, variables: Sequence[str]) -> str:
    """Text in the level expression language over ``variables`` (never Python)."""
    if not isinstance(value, str):
        raise SpecError(path, f"expected an expression as text, got {describe(value)}")
    try:
        Expression.parse(value, tuple(variables))
    except ExpressionError as error:
        raise SpecError(path, f"{error} in {describe(value)}") from None
    return value


# --------------------------------------------------------------------------
# declared parameters

#: ``float``, ``int``, ``bool``, ``choice``; ``floats``/``ints`` are lists of
#: them (``betas``, ``milestones``); ``expr`` a level-language expression;
#: ``schedules`` a list of schedules (``choices`` then names the variables of an ``expr``).
ParamKind = Literal["float", "int", "bool", "choice", "floats", "ints", "expr", "schedules"]


@dataclass(frozen=True)
class ParamSpec:
    """One hyperparameter, declared once: what reads it, what the form, the
    schema, the export and the README say about it.

    ``default`` is a value or, when it depends on the run (a schedule's step
    counts), a callable ``(context, values so far) -> value``; ``default_doc``
    then says it in words. Bounds are torch's; ``advanced`` puts the field
    under "More settings". ``field`` false: the setup form has another
    control for it (``lr``, ``max_lr``).
    """

    name: str
    kind: ParamKind = "float"
    default: Any = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()
    advanced: bool = False
    nullable: bool = False
    length: int | None = None
    doc: str = ""
    default_doc: str = ""
    examples: tuple[Any, ...] = ()
    field: bool = True
    item_docs: tuple[str, ...] = ()
    unique_items: bool = False
    """A list whose items must differ (the schema says so; the reader checks the order)."""

    @property
    def required(self) -> bool:
        """Whether a strategy must give it: no default at all."""
        return self.default is None and not self.nullable

    @property
    def derived(self) -> bool:
        """Whether the default depends on the run."""
        return callable(self.default)

    def default_for(self, context: Any, values: Mapping[str, Any]) -> Any:
        return self.default(context, values) if callable(self.default) else self.default

    def read(self, value: Any, path: FieldPath) -> Any:
        """The value checked against this declaration (lists of numbers become lists)."""
        if value is None and self.nullable:
            return None
        kind = self.kind
        if kind == "float":
            return as_float(
                value,
                path,
                low=self.low,
                high=self.high,
                low_open=self.low_open,
                high_open=self.high_open,
            )
        if kind == "int":
            return as_int(
                value,
                path,
                low=None if self.low is None else int(self.low),
                high=None if self.high is None else int(self.high),
            )
        if kind == "bool":
            return as_bool(value, path)
        if kind == "choice":
            return as_choice(value, path, self.choices)
        if kind == "expr":
            return as_expression(value, path, self.choices)
        if kind in ("floats", "ints"):
            n = self.length
            items = as_list(value, path, min_len=n or 0, max_len=n)
            item = replace(self, kind="float" if kind == "floats" else "int", nullable=False)
            out: list[Any] = []
            errors: list[SpecError] = []
            for i, v in enumerate(items):
                try:
                    out.append(item.read(v, join(path, i)))
                except SpecError as error:
                    errors.append(error)
            SpecError.raise_all(errors)
            return out
        raise ValueError(f"{self.name}: a {kind} parameter is read by its module")
