"""Compiling DAG roots to straight-line NumPy programs, and the evaluation backends.

A program is a list of ufunc calls over a register list, freeing registers after their
last use; ``Ops`` lets the same DAG be evaluated into other targets (source text, torch).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from .nodes import Node, reachable

# --------------------------------------------------------------------------- programs


def _zlog(a: Any, b: Any) -> Any:
    """log(a), but 0 where a == 0 and b >= 0: the log in torch's pow_backward_exponent."""
    return np.where((a == 0) & (b >= 0), 0.0, np.log(a))


def _zmul(a: Any, b: Any) -> Any:
    """a*b, but 0 where a == 0: torch's pow_backward_self for a variable exponent a."""
    return np.where(a == 0, 0.0, np.multiply(a, b))


_BINARY_UFUNCS: dict[str, Callable[..., Any]] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.true_divide,
    "pow": np.power,
    "zlog": _zlog,
    "zmul": _zmul,
}
_UNARY_UFUNCS: dict[str, Callable[..., Any]] = {
    "neg": np.negative,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "tanh": np.tanh,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "arctan": np.arctan,
    "sign": np.sign,
}


class Program:
    """A straight-line program: one ufunc call per DAG node, CSE for free.

    ``registers`` holds constants up front; variables are loaded as column
    views of the points; each instruction ``(fn, out, a, b, drop)`` writes
    ``fn(r[a])`` (``b < 0``) or ``fn(r[a], r[b])``, then lets go of the
    registers in ``drop``, which no later instruction reads: a long loss over
    a large grid holds a few arrays at a time, not one per operation.
    """

    __slots__ = ("registers", "columns", "code", "outputs", "fresh")

    def __init__(self, roots: list[Node], variables: tuple[str, ...]) -> None:
        registers: list[Any] = []
        columns: list[tuple[int, int]] = []
        code: list[tuple[Callable[..., Any], int, int, int]] = []
        where: dict[int, int] = {}
        for node in reachable(roots):
            r = len(registers)
            where[node.index] = r
            registers.append(node.value if node.is_const else None)
            if node.op == "var":
                columns.append((r, variables.index(node.name)))
            elif node.op == "pow" and node.args[1].is_const and node.args[1].value == 2:
                code.append((np.square, r, where[node.args[0].index], -1))
            elif len(node.args) == 2:
                a, b = node.args
                code.append((_BINARY_UFUNCS[node.op], r, where[a.index], where[b.index]))
            elif node.args:
                fn = _UNARY_UFUNCS[node.name if node.op == "func" else node.op]
                code.append((fn, r, where[node.args[0].index], -1))
        self.registers = registers
        self.columns = tuple(columns)
        self.outputs = tuple(where[r.index] for r in roots)
        last_read: dict[int, int] = {}
        for i, (_, _, first, second) in enumerate(code):
            last_read[first] = i
            if second >= 0:
                last_read[second] = i
        written = {out for _, out, _, _ in code} - set(self.outputs)
        drops: list[list[int]] = [[] for _ in code]
        for register, i in last_read.items():
            if register in written:
                drops[i].append(register)
        self.code = tuple(
            (fn, out, x, y, tuple(drop)) for (fn, out, x, y), drop in zip(code, drops, strict=True)
        )
        # An instruction over at least one variable yields a new batch-shaped
        # array; anything else (a constant, a column view) must be copied out.
        self.fresh = tuple(bool(r.vars) and r.op != "var" for r in roots)

    def run(self, points: np.ndarray) -> list[Any]:
        regs = self.registers.copy()
        for r, col in self.columns:
            regs[r] = points[..., col]
        for fn, out, a, b, drop in self.code:
            regs[out] = fn(regs[a]) if b < 0 else fn(regs[a], regs[b])
            for r in drop:
                regs[r] = None
        return [regs[r] for r in self.outputs]


# --------------------------------------------------------------------------- backends


class Ops(Protocol):
    """The arithmetic :meth:`Expression.evaluate_with` needs from a backend."""

    def const(self, value: float) -> Any: ...
    def add(self, a: Any, b: Any) -> Any: ...
    def sub(self, a: Any, b: Any) -> Any: ...
    def mul(self, a: Any, b: Any) -> Any: ...
    def div(self, a: Any, b: Any) -> Any: ...
    def pow(self, a: Any, b: Any) -> Any: ...
    def neg(self, a: Any) -> Any: ...
    def func(self, name: str, a: Any) -> Any:
        """``name`` is canonical: one of FUNCTIONS without the alias 'atan'."""
        ...


class NumpyOps:
    """:class:`Ops` over float64 NumPy arrays."""

    def const(self, value: float) -> Any:
        return np.float64(value)

    def add(self, a: Any, b: Any) -> Any:
        return np.add(a, b)

    def sub(self, a: Any, b: Any) -> Any:
        return np.subtract(a, b)

    def mul(self, a: Any, b: Any) -> Any:
        return np.multiply(a, b)

    def div(self, a: Any, b: Any) -> Any:
        return np.true_divide(a, b)

    def pow(self, a: Any, b: Any) -> Any:
        return np.power(a, b)

    def neg(self, a: Any) -> Any:
        return np.negative(a)

    def func(self, name: str, a: Any) -> Any:
        return _UNARY_UFUNCS[name](a)


NUMPY_OPS: Ops = NumpyOps()
