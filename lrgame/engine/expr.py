"""Loss expressions written by level authors: parsed by hand, differentiated exactly.

The text of a loss is untrusted, so it is never handed to ``eval``, ``compile``
or the ``ast`` module. A small tokenizer and a recursive-descent parser accept
exactly this grammar (whitespace -- spaces, tabs, newlines -- may appear
between tokens)::

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | power
    power      := primary (("**" | "^") unary)?
    primary    := number | constant | variable | function "(" expression ")"
                | "(" expression ")"
    number     := digits ["." digits] [exponent] | "." digits [exponent]
                  (1, 2.5, 2., .5, 1e-3, 6.02E+23)
    constant   := "pi" | "e"
    variable   := "x" | "y"            (the level's variables, e.g. only "x" in 1-D)
    function   := sin cos tan exp log sqrt abs tanh sinh cosh arctan atan

As in Python, ``**`` is right-associative and binds tighter than a unary minus
on its left but accepts one on its right: ``-x**2`` is ``-(x**2)``,
``x**2**3`` is ``x**(2**3)`` and ``2**-x`` is allowed. ``^`` means ``**``.
There is no implicit multiplication (``2x`` is an error: write ``2*x``).

Limits keep hostile text cheap to refuse: at most ``MAX_LENGTH`` characters
(checked before anything else is read), at most ``MAX_DEPTH`` levels of
nesting (each parenthesis, function call, sign and power exponent is a level,
so the parser's recursion stays far from Python's limit) and at most
``MAX_NODES`` numbers, names and operators. Constant subexpressions are folded
while parsing, and one that is not a finite float (``1/0``, ``exp(1000)``,
``9**9**9``, ``log(-1)``) is refused. Every refusal is an
:class:`~lrgame.engine.errors.ExpressionError` carrying the offset of the
offending token; no other exception escapes :meth:`Expression.parse`.

Internally an expression is an immutable, hash-consed DAG (equal
subexpressions are one node). Derivatives are built symbolically on the same
DAG with light simplification, then the loss, gradient and Hessian are each
compiled to a straight-line program of NumPy ufunc calls over a register list.
Every algorithm over the DAG is iterative, because a long ``x+x+...+x`` chain
is a deep tree even though it is not nested.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import numpy as np

from .errors import ExpressionError

MAX_LENGTH: int = 4000
MAX_DEPTH: int = 64
MAX_NODES: int = 1000

# 'atan' is accepted as an alias and stored as its canonical name 'arctan'.
FUNCTIONS: tuple[str, ...] = (
    "sin",
    "cos",
    "tan",
    "exp",
    "log",
    "sqrt",
    "abs",
    "tanh",
    "sinh",
    "cosh",
    "arctan",
    "atan",
)
_ALIASES: dict[str, str] = {"atan": "arctan"}
_CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

# Binding strength of a rendered subexpression, used to place parentheses.
_ADD, _MUL, _UNARY, _POW, _ATOM = 1, 2, 3, 4, 5

_Label = tuple[str, int]  # (text, binding strength) of a folded constant


# --------------------------------------------------------------------------- nodes


class _Node:
    """One node of the DAG; built only by :class:`_Graph`, never mutated."""

    __slots__ = ("op", "args", "value", "name", "label", "vars", "index", "scale", "negates")

    def __init__(
        self,
        op: str,
        args: tuple[_Node, ...],
        value: float,
        name: str,
        label: _Label | None,
        index: int,
    ) -> None:
        self.op = (
            op  # const, var, add, sub, mul, div, pow, neg, func; zlog, zmul (derivatives only)
        )
        self.args = args
        self.value = value  # constants only
        self.name = name  # variable or function name
        self.label = label  # how a folded constant reads, e.g. ("2*pi", _MUL)
        self.index = index  # creation order, so children always sort first
        # A labelled constant that is a number times a symbolic one (2*pi is
        # (2.0, pi)), so derivative coefficients can read 20*pi, not 10*(2*pi).
        self.scale: tuple[float, _Node] | None = None
        # The labelled constant this one is the negation of, so -(-c) is c again.
        self.negates: _Node | None = None
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


def _is_zero(node: _Node) -> bool:
    return node.op == "const" and node.value == 0


def _fmt_number(value: float) -> str:
    """Shortest text that reads back as exactly ``value``."""
    if value == int(value) and abs(value) < 1e16:
        if value == 0 and math.copysign(1.0, value) < 0:
            return "-0"
        return str(int(value))
    return repr(value)


def _const_text(node: _Node) -> _Label:
    if node.label is not None:
        return node.label
    text = _fmt_number(node.value)
    return text, (_UNARY if text.startswith("-") else _ATOM)


def _wrap(part: _Label, need: int) -> str:
    return part[0] if part[1] >= need else f"({part[0]})"


def _render(op: str, name: str, parts: list[_Label], readable: bool) -> _Label:
    """Text of one operator applied to rendered operands, with minimal parentheses.

    The strict form (``readable=False``) reads back as exactly the same tree.
    The readable form, for derivative formulas, also drops parentheses that
    only change floating-point rounding: ``a + (b - c)``, ``a*(b/c)``, ``-(a*b)``.
    """
    if op == "func":
        return f"{name}({parts[0][0]})", _ATOM
    if op == "neg":
        inner = parts[0]
        if readable and inner[1] == _MUL:
            return "-" + inner[0], _MUL
        return "-" + _wrap(inner, _UNARY), _UNARY
    left, right = parts
    if op == "zlog":
        # torch's log(a) in the gradient of a**b, which is 0 where a == 0 <= b.
        return f"log({left[0]})", _ATOM
    if op == "zmul":
        op = "mul"
    if op == "pow":
        return f"{_wrap(left, _ATOM)}**{_wrap(right, _UNARY)}", _POW
    if op in ("add", "sub"):
        right_need = _ADD if readable and op == "add" else _ADD + 1
        sym = " + " if op == "add" else " - "
        return _wrap(left, _ADD) + sym + _wrap(right, right_need), _ADD
    right_need = _MUL if readable and op == "mul" else _MUL + 1
    sym = "*" if op == "mul" else "/"
    return _wrap(left, _MUL) + sym + _wrap(right, right_need), _MUL


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


def _scalar(op: str, name: str, vals: list[float]) -> float:
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


def _reachable(roots: Iterable[_Node]) -> list[_Node]:
    """Every node under ``roots``, children before parents."""
    seen: dict[int, _Node] = {}
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node.index not in seen:
            seen[node.index] = node
            stack.extend(node.args)
    return [seen[i] for i in sorted(seen)]


def _format(roots: list[_Node], readable: bool) -> list[str]:
    texts: dict[int, _Label] = {}
    for node in _reachable(roots):
        if node.op == "const":
            texts[node.index] = _const_text(node)
        elif node.op == "var":
            texts[node.index] = node.name, _ATOM
        else:
            parts = [texts[a.index] for a in node.args]
            texts[node.index] = _render(node.op, node.name, parts, readable)
    return [texts[r.index][0] for r in roots]


# --------------------------------------------------------------------------- graph


class _Graph:
    """Hash-consing node factory for one expression and its derivatives."""

    def __init__(self) -> None:
        self.nodes: list[_Node] = []
        self._table: dict[tuple[Any, ...], _Node] = {}
        self.zero = self.const(0.0)
        self.one = self.const(1.0)
        self.two = self.const(2.0)

    def _intern(
        self,
        key: tuple[Any, ...],
        op: str,
        args: tuple[_Node, ...] = (),
        value: float = 0.0,
        name: str = "",
        label: _Label | None = None,
    ) -> _Node:
        node = self._table.get(key)
        if node is None:
            node = _Node(op, args, value, name, label, len(self.nodes))
            self.nodes.append(node)
            self._table[key] = node
        return node

    def const(
        self, value: float, label: _Label | None = None, scale: tuple[float, _Node] | None = None
    ) -> _Node:
        # The sign is part of the key because 0.0 == -0.0 would merge them.
        key = ("const", value, math.copysign(1.0, value), label)
        node = self._intern(key, "const", value=value, label=label)
        if node.scale is None and scale is not None:
            node.scale = scale
        return node

    @staticmethod
    def _coefficient(node: _Node) -> tuple[float, _Node | None]:
        if node.label is None:
            return node.value, None
        return node.scale if node.scale is not None else (1.0, node)

    def _scaled(self, op: str, args: tuple[_Node, ...]) -> tuple[float, _Node] | None:
        """``op(args)`` as a number times one symbolic constant, if it is one."""
        if op == "neg":
            n, sym = self._coefficient(args[0])
            n = -n
        elif op == "mul":
            (n1, s1), (n2, s2) = self._coefficient(args[0]), self._coefficient(args[1])
            if s1 is not None and s2 is not None:
                return None
            n, sym = n1 * n2, (s1 if s2 is None else s2)
        else:
            return None
        if sym is None or not math.isfinite(n):
            return None
        return n, sym

    def var(self, name: str) -> _Node:
        return self._intern(("var", name), "var", name=name)

    def op(self, op: str, args: tuple[_Node, ...], name: str = "") -> _Node:
        """The node for ``op`` over ``args`` exactly as written (no simplification)."""
        key = (op, name, *(a.index for a in args))
        return self._intern(key, op, args, name=name)

    def fold(
        self, op: str, name: str, args: tuple[_Node, ...], readable: bool = False
    ) -> tuple[_Node | None, str, str]:
        """Fold ``op`` over constant ``args``: (node or None, its text, why it failed).

        A folded constant keeps a label (``2*pi``, ``1/3``) unless its plain
        number is no longer than the text it came from (``2*3`` reads as
        ``6``). The label is the exact text folded; with ``readable`` (for
        derivative formulas) a multiple of a symbolic constant is relabelled
        as one number times it (``-20*pi``), which can differ by a rounding.
        """
        if op == "mul":
            for one, other in ((args[0], args[1]), (args[1], args[0])):
                if one.label is None and abs(one.value) == 1:
                    # 1*c and -1*c are exact; they read as c and -c.
                    if one.value == 1:
                        return other, _const_text(other)[0], ""
                    return self.fold("neg", "", (other,), readable)
        if op == "neg" and args[0].negates is not None:
            return args[0].negates, _const_text(args[0].negates)[0], ""
        parts = [_const_text(a) for a in args]
        scale = self._scaled(op, args)
        label: _Label | None = None
        if readable and scale is not None:
            n, sym = scale
            text = _const_text(sym)
            if n == 1:
                label = text
            elif n == -1:
                label = "-" + _wrap(text, _UNARY), _UNARY
            elif len(_fmt_number(n)) <= 10:
                label = _fmt_number(n) + "*" + _wrap(text, _MUL + 1), _MUL
        if label is None:
            label = _render(op, name, parts, readable=False)
        reason = ""
        try:
            value = _scalar(op, name, [a.value for a in args])
        except ZeroDivisionError:
            value, reason = math.nan, "zero"
        except OverflowError:
            value, reason = math.inf, "overflow"
        except ValueError:
            value, reason = math.nan, "undefined"
        if not math.isfinite(value):
            reason = reason or ("overflow" if math.isinf(value) else "undefined")
            return None, label[0], reason
        if all(a.label is None for a in args) and len(_fmt_number(value)) <= len(label[0]):
            return self.const(value), label[0], ""
        node = self.const(value, label, scale)
        if op == "neg" and node.negates is None:
            node.negates = args[0]
        return node, label[0], ""

    # Simplifying constructors for derivatives. They fold constants when the
    # result is finite (otherwise they keep the operation, so the program
    # produces the same inf/nan the arithmetic would), drop 0 and 1, and
    # gather constant coefficients to the front so formulas read naturally.
    # Each rewrite is exact or changes the result by at most a rounding.

    def _try_fold(self, op: str, name: str, args: tuple[_Node, ...]) -> _Node | None:
        if all(a.is_const for a in args):
            return self.fold(op, name, args, readable=True)[0]
        return None

    def _split(self, node: _Node) -> tuple[_Node | None, _Node | None]:
        """``node`` as (constant coefficient or None, remaining factor or None)."""
        if node.is_const:
            return node, None
        if node.op == "mul" and node.args[0].is_const:
            return node.args[0], node.args[1]
        if node.op == "neg":
            return self.const(-1.0), node.args[0]
        return None, node

    def _product(self, a: _Node, b: _Node) -> _Node:
        """``a*b`` without a constant coefficient; ``a*(1/u)`` reads as ``a/u``."""
        if b.op == "div" and b.args[0].is_const and b.args[0].value == 1:
            return self.op("div", (a, b.args[1]))
        if a.op == "div" and a.args[0].is_const and a.args[0].value == 1:
            return self.op("div", (b, a.args[1]))
        return self.op("mul", (a, b))

    def neg(self, a: _Node) -> _Node:
        folded = self._try_fold("neg", "", (a,))
        if folded is not None:
            return folded
        if a.op == "neg":
            return a.args[0]
        if a.op == "mul" and a.args[0].is_const:
            return self.mul(self.neg(a.args[0]), a.args[1])
        if a.op == "sub":
            return self.op("sub", (a.args[1], a.args[0]))
        return self.op("neg", (a,))

    def add(self, a: _Node, b: _Node) -> _Node:
        if a.is_const and a.value == 0:
            return b
        if b.is_const and b.value == 0:
            return a
        folded = self._try_fold("add", "", (a, b))
        if folded is not None:
            return folded
        if b.op == "neg":
            return self.sub(a, b.args[0])
        if self._negative_coefficient(b):
            return self.sub(a, self.neg(b))
        if a.op == "neg":
            return self.sub(b, a.args[0])
        return self.op("add", (a, b))

    def sub(self, a: _Node, b: _Node) -> _Node:
        if b.is_const and b.value == 0:
            return a
        if a.is_const and a.value == 0:
            return self.neg(b)
        folded = self._try_fold("sub", "", (a, b))
        if folded is not None:
            return folded
        if b.op == "neg":
            return self.add(a, b.args[0])
        if self._negative_coefficient(b):
            return self.add(a, self.neg(b))
        return self.op("sub", (a, b))

    @staticmethod
    def _negative_coefficient(node: _Node) -> bool:
        if node.is_const:
            return node.value < 0
        return node.op == "mul" and node.args[0].is_const and node.args[0].value < 0

    def mul(self, a: _Node, b: _Node) -> _Node:
        if (a.is_const and a.value == 0) or (b.is_const and b.value == 0):
            return self.zero
        for one, other in ((a, b), (b, a)):
            if one.is_const and one.value == 1:
                return other
            if one.is_const and one.value == -1:
                return self.neg(other)
        folded = self._try_fold("mul", "", (a, b))
        if folded is not None:
            return folded
        ca, ra = self._split(a)
        cb, rb = self._split(b)
        if ca is None and cb is None:
            return self.op("mul", (a, b))
        if ca is None or cb is None:
            coef = ca if cb is None else cb
        else:
            coef = self.fold("mul", "", (ca, cb), readable=True)[0]
            if coef is None:
                return self.op("mul", (a, b))
        assert coef is not None
        if ra is None or rb is None:
            rest = ra if rb is None else rb
        else:
            rest = self._product(ra, rb)
        assert rest is not None
        if coef.value == 1:
            return rest
        if coef.value == -1:
            return self.neg(rest)
        return self.op("mul", (coef, rest))

    def div(self, a: _Node, b: _Node) -> _Node:
        if a.is_const and a.value == 0:
            return self.zero
        if b.is_const and b.value == 1:
            return a
        if b.is_const and b.value == -1:
            return self.neg(a)
        folded = self._try_fold("div", "", (a, b))
        if folded is not None:
            return folded
        ca, ra = self._split(a)
        cb, rb = self._split(b)
        if ra is None:
            # c1/(c2*r) -> (c1/c2)/r
            if cb is not None and rb is not None and ca is not None:
                coef = self.fold("div", "", (ca, cb), readable=True)[0]
                if coef is not None:
                    return self.op("div", (coef, rb))
            return self.op("div", (a, b))
        if ca is None and (cb is None or rb is None):
            return self.op("div", (a, b))
        coef = self.fold("div", "", (ca or self.one, cb or self.one), readable=True)[0]
        if coef is None:
            return self.op("div", (a, b))
        quotient = ra if rb is None else self.op("div", (ra, rb))
        return self.mul(coef, quotient)

    def pow(self, a: _Node, b: _Node) -> _Node:
        if b.is_const and b.value == 0:
            return self.one
        if b.is_const and b.value == 1:
            return a
        folded = self._try_fold("pow", "", (a, b))
        if folded is not None:
            return folded
        return self.op("pow", (a, b))

    def zlog(self, a: _Node, b: _Node) -> _Node:
        """``log(a)``, but 0 where ``a == 0`` and ``b >= 0`` (see :func:`_zlog`)."""
        if a.is_const and a.value != 0:
            return self.func("log", a)
        return self.op("zlog", (a, b))

    def zmul(self, a: _Node, b: _Node) -> _Node:
        """``a*b``, but 0 wherever ``a`` is 0 (even where ``b`` is inf or NaN)."""
        if a.is_const:
            return self.zero if a.value == 0 else self.mul(a, b)
        if _is_zero(b):
            return self.zero
        return self.op("zmul", (a, b))

    def func(self, name: str, a: _Node) -> _Node:
        folded = self._try_fold("func", name, (a,))
        return folded if folded is not None else self.op("func", (a,), name)

    def derivative(self, root: _Node, var: str) -> _Node:
        """d root / d var, built forward over the DAG in creation order."""
        d: dict[int, _Node] = {}
        zero = self.zero
        for n in _reachable([root]):
            if var not in n.vars:
                continue
            if n.op == "var":
                d[n.index] = self.one
                continue
            a = n.args[0]
            da = d.get(a.index, zero)
            b, db = (n.args[1], d.get(n.args[1].index, zero)) if len(n.args) == 2 else (a, zero)
            op = n.op
            if op == "add":
                out = self.add(da, db)
            elif op == "sub":
                out = self.sub(da, db)
            elif op == "neg":
                out = self.neg(da)
            elif op == "mul":
                out = self.add(self.mul(da, b), self.mul(a, db))
            elif op == "div":
                # Same form as torch: grad_a = g/b, grad_b = -g*((a/b)/b); no b**2,
                # so second derivatives do not overflow before the values do.
                out = self.sub(self.div(da, b), self.mul(db, self.div(n, b)))
            elif op == "pow":
                out = zero
                if not _is_zero(da):
                    # Same form as torch: b * a**(b-1), exact for constant b; torch's
                    # pow_backward_self gives 0 where a variable exponent is 0.
                    scale = self.mul if b.is_const else self.zmul
                    out = self.mul(scale(b, self.pow(a, self.sub(b, self.one))), da)
                if not _is_zero(db):
                    # torch's pow_backward_exponent: a**b * log(a), but 0 where a == 0
                    # and b >= 0 (0 * log 0 would be NaN, and 0**b is flat in b there).
                    out = self.add(out, self.mul(self.mul(n, self.zlog(a, b)), db))
            elif op == "zlog":
                out = self.div(da, a)  # as log's: only ever needed for the Hessian
            elif op == "zmul":
                out = self.add(self.mul(da, b), self.zmul(a, db))
            elif n.name == "log":
                out = self.div(da, a)  # torch: grad / self
            elif n.name == "sqrt":
                out = self.div(da, self.mul(self.two, n))  # torch: grad / (2 * result)
            elif n.name == "arctan":
                out = self.div(da, self.add(self.one, self.pow(a, self.two)))
            else:
                out = self.mul(self._func_derivative(n, a), da)
            d[n.index] = out
        return d.get(root.index, zero)

    def _func_derivative(self, n: _Node, a: _Node) -> _Node:
        name = n.name
        if name == "sin":
            return self.func("cos", a)
        if name == "cos":
            return self.neg(self.func("sin", a))
        if name == "tan":
            return self.add(self.one, self.pow(n, self.two))
        if name == "exp":
            return n
        if name == "abs":
            # sign(0) = 0, as torch's abs backward.
            return self.func("sign", a)
        if name == "sign":
            return self.zero
        if name == "tanh":
            return self.sub(self.one, self.pow(n, self.two))
        if name == "sinh":
            return self.func("cosh", a)
        if name == "cosh":
            return self.func("sinh", a)
        raise AssertionError(f"no derivative for {name}")


# --------------------------------------------------------------------------- parsing

_WS_RE = re.compile(r"[ \t\n\r\f\v]*")
_TOKEN_RE = re.compile(
    r"(?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^()])",
    re.ASCII,
)
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z", re.ASCII)
_END, _NUM, _NAME, _OP = "end", "num", "name", "op"


def _quote(text: str, limit: int = 40) -> str:
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return "'" + text + "'"


def _bad_character(ch: str) -> str:
    if ch == ".":
        return (
            "'.' is not allowed here: there is no attribute access "
            "(a decimal needs a digit, as in 0.5)"
        )
    if ch in "[]{}":
        return f"{ch!r} is not allowed: use parentheses ( ) for grouping"
    if ch in "'\"`":
        return "quotes are not allowed: an expression has no strings"
    if ch == ",":
        return "',' is not allowed: each function takes a single argument"
    if ch == ";":
        return "';' is not allowed: write a single expression"
    if ch == "=":
        return "'=' is not allowed: write only the loss, e.g. x**2 + y**2"
    if ch == ":":
        return "':' is not allowed"
    return f"unexpected character {ch!r}"


class _Parser:
    """Recursive descent over tokens read on demand, so errors come in text order."""

    def __init__(self, text: str, variables: tuple[str, ...], graph: _Graph) -> None:
        self.text = text
        self.variables = variables
        self.graph = graph
        self.pos = 0  # where the next token starts being read
        self.depth = 0
        self.count = 0
        self.kind = _END
        self.tok = ""
        self.tpos = 0
        self.prev = ""  # text of the previous token, for messages
        self._advance()

    def _advance(self) -> None:
        text = self.text
        self.prev = self.tok
        ws = _WS_RE.match(text, self.pos)
        pos = ws.end() if ws is not None else self.pos
        self.tpos = pos
        if pos >= len(text):
            self.kind, self.tok, self.pos = _END, "", pos
            return
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            raise ExpressionError(_bad_character(text[pos]), pos)
        kind = m.lastgroup
        assert kind is not None
        self.kind, self.tok, self.pos = kind, m.group(), m.end()

    def _enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(
                f"the expression is nested too deeply (more than {MAX_DEPTH} levels of "
                "parentheses, functions, signs and powers)",
                pos,
            )

    def _count(self, pos: int) -> None:
        self.count += 1
        if self.count > MAX_NODES:
            raise ExpressionError(
                f"the expression is too large (more than {MAX_NODES} numbers, names and operators)",
                pos,
            )

    def _found(self) -> str:
        if self.kind == _END:
            return "but the expression ends here"
        return f"but found {_quote(self.tok)}"

    def _expected_operand(self) -> ExpressionError:
        after = f"after {_quote(self.prev)}, " if self.prev else ""
        message = f"expected a number, a name or '(' {after}{self._found()}"
        return ExpressionError(message, self.tpos)

    def _no_juxtaposition(self, before: str) -> None:
        """Refuse ``2x``, ``x y``, ``2(x)``: a primary straight after a primary."""
        if self.kind in (_NUM, _NAME) or self.tok == "(":
            if len(before) <= 12 and self.kind != _OP and len(self.tok) <= 12:
                hint = f"write {before}*{self.tok}"
            else:
                hint = "use '*' to multiply"
            raise ExpressionError(
                f"missing operator before {_quote(self.tok)} "
                f"(implicit multiplication is not allowed: {hint})",
                self.tpos,
            )

    def parse(self) -> _Node:
        if self.kind == _END:
            raise ExpressionError("the expression is empty", self.tpos)
        node = self.expression()
        if self.kind != _END:
            if self.tok == ")":
                raise ExpressionError("unmatched ')': there is no '(' for it to close", self.tpos)
            raise ExpressionError(f"unexpected {_quote(self.tok)}", self.tpos)
        return node

    def _binary(self, op: str, a: _Node, b: _Node, pos: int) -> _Node:
        self._count(pos)
        if a.is_const and b.is_const:
            return self._fold(op, "", (a, b), pos)
        return self.graph.op(op, (a, b))

    def _fold(self, op: str, name: str, args: tuple[_Node, ...], pos: int) -> _Node:
        node, text, reason = self.graph.fold(op, name, args)
        if node is None:
            shown = _quote(text, 60)
            if reason == "zero":
                msg = f"division by zero in {shown}"
            elif reason == "overflow":
                msg = f"{shown} overflows: it is too large for a float"
            else:
                msg = f"{shown} is undefined (not a finite real number)"
            raise ExpressionError(msg, pos)
        return node

    def expression(self) -> _Node:
        left = self.term()
        while self.kind == _OP and self.tok in ("+", "-"):
            op, pos = ("add" if self.tok == "+" else "sub"), self.tpos
            self._advance()
            left = self._binary(op, left, self.term(), pos)
        return left

    def term(self) -> _Node:
        left = self.unary()
        while self.kind == _OP and self.tok in ("*", "/"):
            op, pos = ("mul" if self.tok == "*" else "div"), self.tpos
            self._advance()
            left = self._binary(op, left, self.unary(), pos)
        return left

    def unary(self) -> _Node:
        if self.kind == _OP and self.tok in ("-", "+"):
            minus, pos = self.tok == "-", self.tpos
            self._enter(pos)
            self._advance()
            operand = self.unary()
            self.depth -= 1
            if not minus:
                return operand
            self._count(pos)
            if operand.is_const:
                return self._fold("neg", "", (operand,), pos)
            return self.graph.op("neg", (operand,))
        return self.power()

    def power(self) -> _Node:
        base = self.primary()
        if self.kind == _OP and self.tok in ("**", "^"):
            pos = self.tpos
            self._enter(pos)
            self._advance()
            exponent = self.unary()
            self.depth -= 1
            return self._binary("pow", base, exponent, pos)
        return base

    def primary(self) -> _Node:
        kind, tok, pos = self.kind, self.tok, self.tpos
        if kind == _NUM:
            value = float(tok)
            if not math.isfinite(value):
                raise ExpressionError(f"the number {_quote(tok)} is too large for a float", pos)
            self._count(pos)
            self._advance()
            self._no_juxtaposition(tok)
            return self.graph.const(value)
        if kind == _NAME:
            return self._name(tok, pos)
        if tok == "(":
            self._enter(pos)
            self._advance()
            inner = self.expression()
            self._close(pos)
            self.depth -= 1
            self._no_juxtaposition(")")
            return inner
        raise self._expected_operand()

    def _close(self, open_pos: int) -> None:
        if self.tok == ")" and self.kind == _OP:
            self._advance()
            return
        if self.kind == _END:
            raise ExpressionError("unclosed '(' opened here", open_pos)
        raise ExpressionError(f"expected ')' {self._found()}", self.tpos)

    def _name(self, tok: str, pos: int) -> _Node:
        if tok in FUNCTIONS:
            name = _ALIASES.get(tok, tok)
            self._count(pos)
            self._advance()
            if not (self.kind == _OP and self.tok == "("):
                raise ExpressionError(
                    f"{_quote(tok)} is a function: write {tok}(...) "
                    "with its argument in parentheses",
                    pos,
                )
            open_pos = self.tpos
            self._enter(pos)
            self._advance()
            arg = self.expression()
            self._close(open_pos)
            self.depth -= 1
            node = (
                self._fold("func", name, (arg,), pos)
                if arg.is_const
                else self.graph.op("func", (arg,), name)
            )
            self._no_juxtaposition(")")
            return node
        if tok in self.variables:
            node = self.graph.var(tok)
        elif tok in _CONSTANTS:
            node = self.graph.const(_CONSTANTS[tok], (tok, _ATOM))
        else:
            names = ", ".join(self.variables)
            msg = f"unknown name {_quote(tok)}; this level's variables are: {names}"
            lower = tok.lower()
            known = (*FUNCTIONS, *_CONSTANTS, *self.variables)
            if lower != tok and lower in known:
                msg += f" (did you mean {_quote(lower)}?)"
            raise ExpressionError(msg, pos)
        self._count(pos)
        self._advance()
        self._no_juxtaposition(tok)
        return node


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


class _Program:
    """A straight-line program: one ufunc call per DAG node, CSE for free.

    ``registers`` holds constants up front; variables are loaded as column
    views of the points; each instruction ``(fn, out, a, b, drop)`` writes
    ``fn(r[a])`` (``b < 0``) or ``fn(r[a], r[b])``, then lets go of the
    registers in ``drop``, which no later instruction reads: a long loss over
    a large grid holds a few arrays at a time, not one per operation.
    """

    __slots__ = ("registers", "columns", "code", "outputs", "fresh")

    def __init__(self, roots: list[_Node], variables: tuple[str, ...]) -> None:
        registers: list[Any] = []
        columns: list[tuple[int, int]] = []
        code: list[tuple[Callable[..., Any], int, int, int]] = []
        where: dict[int, int] = {}
        for node in _reachable(roots):
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


# --------------------------------------------------------------------------- expression


class Expression:
    """A parsed loss over ``variables``; build one with :meth:`Expression.parse`.

    ``value``, ``value_and_grad`` and ``hessian`` take points of shape
    ``[..., d]`` (``d = len(variables)``) and work in float64; overflow and
    invalid operations give inf/nan silently rather than raising or warning.
    """

    __slots__ = ("text", "variables", "_graph", "_root", "_value", "_grads", "_grad", "_hess")

    def __init__(self, text: str, variables: tuple[str, ...], graph: _Graph, root: _Node) -> None:
        self.text = text
        self.variables = variables
        self._graph = graph
        self._root = root
        self._value: _Program | None = None
        self._grads: list[_Node] | None = None
        self._grad: _Program | None = None
        self._hess: tuple[_Program, list[tuple[int, int]]] | None = None

    @classmethod
    def parse(cls, text: str, variables: tuple[str, ...] = ("x", "y")) -> Expression:
        """Parse ``text``; raise :class:`ExpressionError` if it is not acceptable."""
        variables = tuple(variables)
        if not variables or len(set(variables)) != len(variables):
            raise ValueError(f"variables must be distinct names, got {variables!r}")
        for v in variables:
            if not isinstance(v, str) or not _NAME_RE.match(v) or v in FUNCTIONS or v in _CONSTANTS:
                raise ValueError(f"invalid variable name {v!r}")
        if not isinstance(text, str):
            raise ExpressionError("the expression must be text", 0)
        if len(text) > MAX_LENGTH:
            raise ExpressionError(
                f"the expression is longer than {MAX_LENGTH} characters", MAX_LENGTH
            )
        graph = _Graph()
        root = _Parser(text, variables, graph).parse()
        return cls(text, variables, graph, root)

    def __repr__(self) -> str:
        return f"Expression({self.text!r}, variables={self.variables!r})"

    @property
    def used_variables(self) -> frozenset[str]:
        return self._root.vars

    def _points(self, points: np.ndarray) -> np.ndarray:
        pts = np.asarray(points, dtype=np.float64)
        if pts.ndim == 0 or pts.shape[-1] != len(self.variables):
            raise ValueError(
                f"points must have shape [..., {len(self.variables)}] for variables "
                f"{self.variables}, got {pts.shape}"
            )
        return pts

    @staticmethod
    def _out(result: Any, fresh: bool, batch: tuple[int, ...]) -> np.ndarray:
        if fresh and batch:
            return result  # type: ignore[no-any-return]
        out = np.empty(batch)
        out[...] = result
        return out

    def _gradient_nodes(self) -> list[_Node]:
        if self._grads is None:
            self._grads = [self._graph.derivative(self._root, v) for v in self.variables]
        return self._grads

    def value(self, points: np.ndarray) -> np.ndarray:
        """The loss at each point: ``[..., d] -> [...]``."""
        pts = self._points(points)
        prog = self._value
        if prog is None:
            prog = self._value = _Program([self._root], self.variables)
        with np.errstate(all="ignore"):
            (result,) = prog.run(pts)
        return self._out(result, prog.fresh[0], pts.shape[:-1])

    def _grad_program(self) -> _Program:
        prog = self._grad
        if prog is None:
            prog = self._grad = _Program([self._root, *self._gradient_nodes()], self.variables)
        return prog

    @property
    def gradient_operations(self) -> int:
        """NumPy calls per evaluation of the loss and gradient: what one step of a run costs."""
        return max(1, len(self._grad_program().code))

    def value_and_grad(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The loss ``[...]`` and its exact gradient ``[..., d]`` at each point."""
        pts = self._points(points)
        prog = self._grad_program()
        batch = pts.shape[:-1]
        with np.errstate(all="ignore"):
            results = prog.run(pts)
        grad = np.empty(pts.shape)
        for i in range(1, len(results)):
            grad[..., i - 1] = results[i]
        return self._out(results[0], prog.fresh[0], batch), grad

    def hessian(self, points: np.ndarray) -> np.ndarray:
        """The exact Hessian ``[..., d, d]`` at each point."""
        pts = self._points(points)
        if self._hess is None:
            graph = self._graph
            grads = self._gradient_nodes()
            pairs = [(i, j) for i in range(len(grads)) for j in range(i, len(grads))]
            nodes = [graph.derivative(grads[i], self.variables[j]) for i, j in pairs]
            self._hess = (_Program(nodes, self.variables), pairs)
        prog, pairs = self._hess
        d = len(self.variables)
        with np.errstate(all="ignore"):
            results = prog.run(pts)
        out = np.empty(pts.shape[:-1] + (d, d))
        for (i, j), r in zip(pairs, results, strict=True):
            out[..., i, j] = r
            if i != j:
                out[..., j, i] = r
        return out

    def formula(self) -> str:
        """The loss as canonical text with minimal parentheses; parses back to the same values."""
        return _format([self._root], readable=False)[0]

    def gradient_formulas(self) -> list[str]:
        """Simplified text of each partial derivative, in the order of ``variables``.

        These are for reading: they may use ``sign(u)`` (the derivative of
        ``abs``), which the loss grammar does not accept.
        """
        return _format(self._gradient_nodes(), readable=True)

    def evaluate_with(self, ops: Ops, values: Mapping[str, Any]) -> Any:
        """Evaluate the loss with another backend (e.g. torch tensors for a reference).

        ``values`` maps each used variable to a backend value. Shared
        subexpressions are evaluated once.
        """
        memo: dict[int, Any] = {}
        with np.errstate(all="ignore"):
            for n in _reachable([self._root]):
                op = n.op
                if op == "const":
                    out = ops.const(n.value)
                elif op == "var":
                    out = values[n.name]
                elif op == "neg":
                    out = ops.neg(memo[n.args[0].index])
                elif op == "func":
                    out = ops.func(n.name, memo[n.args[0].index])
                else:
                    a, b = memo[n.args[0].index], memo[n.args[1].index]
                    fn: Callable[[Any, Any], Any] = getattr(ops, op)
                    out = fn(a, b)
                memo[n.index] = out
        return memo[self._root.index]
