"""The hash-consing node factory: folding constants while building, and exact derivatives.

Equal subexpressions are one node; derivatives are built symbolically on the same DAG
with light simplification. Every algorithm here is iterative (a long ``x+x+...`` chain is
deep though not nested).
"""

from __future__ import annotations

import math
from typing import Any

from .nodes import (
    MUL,
    UNARY,
    Label,
    Node,
    const_text,
    fmt_number,
    is_zero,
    reachable,
    render,
    scalar,
    wrap,
)

# --------------------------------------------------------------------------- graph


class Graph:
    """Hash-consing node factory for one expression and its derivatives."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self._table: dict[tuple[Any, ...], Node] = {}
        self.zero = self.const(0.0)
        self.one = self.const(1.0)
        self.two = self.const(2.0)

    def _intern(
        self,
        key: tuple[Any, ...],
        op: str,
        args: tuple[Node, ...] = (),
        value: float = 0.0,
        name: str = "",
        label: Label | None = None,
    ) -> Node:
        node = self._table.get(key)
        if node is None:
            node = Node(op, args, value, name, label, len(self.nodes))
            self.nodes.append(node)
            self._table[key] = node
        return node

    def const(
        self, value: float, label: Label | None = None, scale: tuple[float, Node] | None = None
    ) -> Node:
        # The sign is part of the key because 0.0 == -0.0 would merge them.
        key = ("const", value, math.copysign(1.0, value), label)
        node = self._intern(key, "const", value=value, label=label)
        if node.scale is None and scale is not None:
            node.scale = scale
        return node

    @staticmethod
    def _coefficient(node: Node) -> tuple[float, Node | None]:
        if node.label is None:
            return node.value, None
        return node.scale if node.scale is not None else (1.0, node)

    def _scaled(self, op: str, args: tuple[Node, ...]) -> tuple[float, Node] | None:
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

    def var(self, name: str) -> Node:
        return self._intern(("var", name), "var", name=name)

    def op(self, op: str, args: tuple[Node, ...], name: str = "") -> Node:
        """The node for ``op`` over ``args`` exactly as written (no simplification)."""
        key = (op, name, *(a.index for a in args))
        return self._intern(key, op, args, name=name)

    def fold(
        self, op: str, name: str, args: tuple[Node, ...], readable: bool = False
    ) -> tuple[Node | None, str, str]:
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
                        return other, const_text(other)[0], ""
                    return self.fold("neg", "", (other,), readable)
        if op == "neg" and args[0].negates is not None:
            return args[0].negates, const_text(args[0].negates)[0], ""
        parts = [const_text(a) for a in args]
        scale = self._scaled(op, args)
        label: Label | None = None
        if readable and scale is not None:
            n, sym = scale
            text = const_text(sym)
            if n == 1:
                label = text
            elif n == -1:
                label = "-" + wrap(text, UNARY), UNARY
            elif len(fmt_number(n)) <= 10:
                label = fmt_number(n) + "*" + wrap(text, MUL + 1), MUL
        if label is None:
            label = render(op, name, parts, readable=False)
        reason = ""
        try:
            value = scalar(op, name, [a.value for a in args])
        except ZeroDivisionError:
            value, reason = math.nan, "zero"
        except OverflowError:
            value, reason = math.inf, "overflow"
        except ValueError:
            value, reason = math.nan, "undefined"
        if not math.isfinite(value):
            reason = reason or ("overflow" if math.isinf(value) else "undefined")
            return None, label[0], reason
        if all(a.label is None for a in args) and len(fmt_number(value)) <= len(label[0]):
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

    def _try_fold(self, op: str, name: str, args: tuple[Node, ...]) -> Node | None:
        if all(a.is_const for a in args):
            return self.fold(op, name, args, readable=True)[0]
        return None

    def _split(self, node: Node) -> tuple[Node | None, Node | None]:
        """``node`` as (constant coefficient or None, remaining factor or None)."""
        if node.is_const:
            return node, None
        if node.op == "mul" and node.args[0].is_const:
            return node.args[0], node.args[1]
        if node.op == "neg":
            return self.const(-1.0), node.args[0]
        return None, node

    def _product(self, a: Node, b: Node) -> Node:
        """``a*b`` without a constant coefficient; ``a*(1/u)`` reads as ``a/u``."""
        if b.op == "div" and b.args[0].is_const and b.args[0].value == 1:
            return self.op("div", (a, b.args[1]))
        if a.op == "div" and a.args[0].is_const and a.args[0].value == 1:
            return self.op("div", (b, a.args[1]))
        return self.op("mul", (a, b))

    def neg(self, a: Node) -> Node:
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

    def add(self, a: Node, b: Node) -> Node:
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

    def sub(self, a: Node, b: Node) -> Node:
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
    def _negative_coefficient(node: Node) -> bool:
        if node.is_const:
            return node.value < 0
        return node.op == "mul" and node.args[0].is_const and node.args[0].value < 0

    def mul(self, a: Node, b: Node) -> Node:
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

    def div(self, a: Node, b: Node) -> Node:
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

    def pow(self, a: Node, b: Node) -> Node:
        if b.is_const and b.value == 0:
            return self.one
        if b.is_const and b.value == 1:
            return a
        folded = self._try_fold("pow", "", (a, b))
        if folded is not None:
            return folded
        return self.op("pow", (a, b))

    def zlog(self, a: Node, b: Node) -> Node:
        """``log(a)``, but 0 where ``a == 0`` and ``b >= 0`` (see :func:`_zlog`)."""
        if a.is_const and a.value != 0:
            return self.func("log", a)
        return self.op("zlog", (a, b))

    def zmul(self, a: Node, b: Node) -> Node:
        """``a*b``, but 0 wherever ``a`` is 0 (even where ``b`` is inf or NaN)."""
        if a.is_const:
            return self.zero if a.value == 0 else self.mul(a, b)
        if is_zero(b):
            return self.zero
        return self.op("zmul", (a, b))

    def func(self, name: str, a: Node) -> Node:
        folded = self._try_fold("func", name, (a,))
        return folded if folded is not None else self.op("func", (a,), name)

    def derivative(self, root: Node, var: str) -> Node:
        """d root / d var, built forward over the DAG in creation order."""
        d: dict[int, Node] = {}
        zero = self.zero
        for n in reachable([root]):
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
                if not is_zero(da):
                    # Same form as torch: b * a**(b-1), exact for constant b; torch's
                    # pow_backward_self gives 0 where a variable exponent is 0.
                    scale = self.mul if b.is_const else self.zmul
                    out = self.mul(scale(b, self.pow(a, self.sub(b, self.one))), da)
                if not is_zero(db):
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

    def _func_derivative(self, n: Node, a: Node) -> Node:
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
