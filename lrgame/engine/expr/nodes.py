"""The expression DAG's nodes, their scalar values and the printer (readable or canonical).

A node is built only by :class:`~lrgame.engine.expr.graph.Graph` and never mutated; the
printer turns nodes back into text (readable, or canonical for hashing) iteratively.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

# Binding strength of a rendered subexpression, used to place parentheses.
ADD, MUL, UNARY, POW, ATOM = 1, 2, 3, 4, 5

Label = tuple[str, int]  # (text, binding strength) of a folded constant


# --------------------------------------------------------------------------- nodes


class Node:
    """One node of the DAG; built only by :class:`~lrgame.engine.expr.graph.Graph`, never mutated."""

    __slots__ = ("op", "args", "value", "name", "label", "vars", "index", "scale", "negates")

    def __init__(
        self,
        op: str,
        args: tuple[Node, ...],
        value: float,
        name: str,
        label: Label | None,
        index: int,
    ) -> None:
        self.op = (
            op  # const, var, add, sub, mul, div, pow, neg, func; zlog, zmul (derivatives only)
        )
        self.args = args
        self.value = value  # constants only
        self.name = name  # variable or function name
        self.label = label  # how a folded constant reads, e.g. ("2*pi", MUL)
        self.index = index  # creation order, so children always sort first
        # A labelled constant that is a number times a symbolic one (2*pi is
        # (2.0, pi)), so derivative coefficients can read 20*pi, not 10*(2*pi).
        self.scale: tuple[float, Node] | None = None
        # The labelled constant this one is the negation of, so -(-c) is c again.
        self.negates: Node | None = None
        if op == "var":
            self.vars: frozenset[str] = frozenset((name,))
        elif len(args) == 1:
            self.vars = args[0].vars
        elif args:
            self.vars = args[0].vars | args[1].vars
        else:
            self.vars = frozenset()

    @property
    def is_const(self) -> bool:
        return self.op == "const"


def is_zero(node: Node) -> bool:
    return node.op == "const" and node.value == 0


def fmt_number(value: float) -> str:
    """Shortest text that reads back as exactly ``value``."""
    if value == int(value) and abs(value) < 1e16:
        if value == 0 and math.copysign(1.0, value) < 0:
            return "-0"
        return str(int(value))
    return repr(value)


def const_text(node: Node) -> Label:
    if node.label is not None:
        return node.label
    text = fmt_number(node.value)
    return text, (UNARY if text.startswith("-") else ATOM)


def wrap(part: Label, need: int) -> str:
    return part[0] if part[1] >= need else f"({part[0]})"


def render(op: str, name: str, parts: list[Label], readable: bool) -> Label:
    """Text of one operator applied to rendered operands, with minimal parentheses.

    The strict form (``readable=False``) reads back as exactly the same tree.
    The readable form, for derivative formulas, also drops parentheses that
    only change floating-point rounding: ``a + (b - c)``, ``a*(b/c)``, ``-(a*b)``.
    """
    if op == "func":
        return f"{name}({parts[0][0]})", ATOM
    if op == "neg":
        inner = parts[0]
        if readable and inner[1] == MUL:
            return "-" + inner[0], MUL
        return "-" + wrap(inner, UNARY), UNARY
    left, right = parts
    if op == "zlog":
        # torch's log(a) in the gradient of a**b, which is 0 where a == 0 <= b.
        return f"log({left[0]})", ATOM
    if op == "zmul":
        op = "mul"
    if op == "pow":
        return f"{wrap(left, ATOM)}**{wrap(right, UNARY)}", POW
    if op in ("add", "sub"):
        right_need = ADD if readable and op == "add" else ADD + 1
        sym = " + " if op == "add" else " - "
        return wrap(left, ADD) + sym + wrap(right, right_need), ADD
    right_need = MUL if readable and op == "mul" else MUL + 1
    sym = "*" if op == "mul" else "/"
    return wrap(left, MUL) + sym + wrap(right, right_need), MUL


def _sign(a: float) -> float:
    return float((a > 0) - (a < 0)) if a == a else a


_MATH: dict[str, Callable[[float], float]] = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "abs": abs,
    "tanh": math.tanh,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "arctan": math.atan,
    "sign": _sign,
}


def scalar(op: str, name: str, vals: list[float]) -> float:
    """Python-float arithmetic for folding; raises on overflow and domain errors."""
    if op == "neg":
        return -vals[0]
    if op == "func":
        return float(_MATH[name](vals[0]))
    a, b = vals
    if op == "add":
        return a + b
    if op == "sub":
        return a - b
    if op == "mul":
        return a * b
    if op == "div":
        return a / b
    if op == "zlog":
        return 0.0 if a == 0 and b >= 0 else math.log(a)
    if op == "zmul":
        return 0.0 if a == 0 else a * b
    # math.pow works on floats, so 9**9**9 can never build a huge integer, and
    # it raises instead of returning a complex number for (-8)**(1/3).
    return math.pow(a, b)


def reachable(roots: Iterable[Node]) -> list[Node]:
    """Every node under ``roots``, children before parents."""
    seen: dict[int, Node] = {}
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node.index not in seen:
            seen[node.index] = node
            stack.extend(node.args)
    return [seen[i] for i in sorted(seen)]


def format_roots(roots: list[Node], readable: bool) -> list[str]:
    texts: dict[int, Label] = {}
    for node in reachable(roots):
        if node.op == "const":
            texts[node.index] = const_text(node)
        elif node.op == "var":
            texts[node.index] = node.name, ATOM
        else:
            parts = [texts[a.index] for a in node.args]
            texts[node.index] = render(node.op, node.name, parts, readable)
    return [texts[r.index][0] for r in roots]
