"""Python source for exports: literals, expressions, and a schedule as the torch expression
that builds it on ``optimizer``. ``lrgame.export`` writes whole programs from these pieces."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..expr import Expression
from .base import REGISTRY, ScheduleSpec


def value_text(value: Any, *, tuples: bool = True) -> str:
    """A value as a Python literal: tuples stay tuples unless ``tuples`` is false (then lists,
    as torch's schedulers document their sequence arguments)."""
    if isinstance(value, tuple) and tuples:
        inner = ", ".join(value_text(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(value_text(v, tuples=tuples) for v in value) + "]"
    return repr(value)


def kwargs_text(params: Mapping[str, Any], *, tuples: bool = True) -> str:
    """Keyword arguments as Python source: ``lr=0.1, betas=(0.9, 0.999)``."""
    return ", ".join(f"{k}={value_text(v, tuples=tuples)}" for k, v in params.items())


def scheduler_code(spec: ScheduleSpec, steps: int) -> tuple[str | None, set[str]]:
    """``(expression, torch classes it uses)``; ``(None, set())`` for no scheduler."""
    definition = REGISTRY[spec.name]
    if definition.export is not None:
        return definition.export(spec, steps)
    if not definition.torch_class:
        return None, set()
    kwargs = kwargs_text(spec.params, tuples=False)
    return f"{definition.torch_class}(optimizer, {kwargs})", {definition.torch_class}


# Precedence of generated code fragments, to place parentheses only where needed.
_ADD, _MUL, _NEG, _POW, _ATOM = 1, 2, 3, 4, 5
ATOM = _ATOM
"""The precedence of a fragment that never needs parentheses (a call, a name)."""
_FUNCTION_NAMES = {"arctan": "atan"}
"""The expression language's functions that ``math`` and torch spell otherwise."""


class PythonOps:
    """Python source for an expression over plain numbers (``math`` functions).

    Operators get parentheses only where precedence needs them; a subclass
    sets ``module`` to target another library (``lrgame.export`` uses torch).
    """

    module = "math"

    def const(self, value: float) -> tuple[str, int]:
        return (repr(float(value)), _ATOM if value >= 0 else _NEG)

    @staticmethod
    def _wrap(part: tuple[str, int], prec: int) -> str:
        return part[0] if part[1] > prec else f"({part[0]})"

    def add(self, a: tuple[str, int], b: tuple[str, int]) -> tuple[str, int]:
        return (f"{self._wrap(a, _ADD - 1)} + {self._wrap(b, _ADD)}", _ADD)

    def sub(self, a: tuple[str, int], b: tuple[str, int]) -> tuple[str, int]:
        return (f"{self._wrap(a, _ADD - 1)} - {self._wrap(b, _ADD)}", _ADD)

    def mul(self, a: tuple[str, int], b: tuple[str, int]) -> tuple[str, int]:
        return (f"{self._wrap(a, _MUL - 1)} * {self._wrap(b, _MUL)}", _MUL)

    def div(self, a: tuple[str, int], b: tuple[str, int]) -> tuple[str, int]:
        return (f"{self._wrap(a, _MUL - 1)} / {self._wrap(b, _MUL)}", _MUL)

    def pow(self, a: tuple[str, int], b: tuple[str, int]) -> tuple[str, int]:
        return (f"{self._wrap(a, _POW)} ** {self._wrap(b, _POW - 1)}", _POW)

    def neg(self, a: tuple[str, int]) -> tuple[str, int]:
        return (f"-{self._wrap(a, _NEG - 1)}", _NEG)

    def func(self, name: str, a: tuple[str, int]) -> tuple[str, int]:
        if name == "abs" and self.module == "math":
            return (f"abs({a[0]})", _ATOM)
        return (f"{self.module}.{_FUNCTION_NAMES.get(name, name)}({a[0]})", _ATOM)


def python_expression(expression: Expression) -> str:
    """The expression as Python source over its variables (``math.`` for functions)."""
    values = {name: (name, _ATOM) for name in expression.variables}
    text, _ = expression.evaluate_with(PythonOps(), values)  # type: ignore[arg-type]
    return str(text)
