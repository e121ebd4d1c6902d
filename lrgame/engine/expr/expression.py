"""The public face of the loss language: :class:`Expression` (parse, value, gradient, Hessian)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..errors import ExpressionError
from .graph import Graph
from .language import CONSTANTS, FUNCTIONS, MAX_LENGTH
from .nodes import Node, format_roots, reachable
from .parser import NAME_RE, Parser
from .program import Ops, Program

# --------------------------------------------------------------------------- expression


class Expression:
    """A parsed loss over ``variables``; build one with :meth:`Expression.parse`.

    ``value``, ``value_and_grad`` and ``hessian`` take points of shape
    ``[..., d]`` (``d = len(variables)``) and work in float64; overflow and
    invalid operations give inf/nan silently rather than raising or warning.
    """

    __slots__ = ("text", "variables", "_graph", "_root", "_value", "_grads", "_grad", "_hess")

    def __init__(self, text: str, variables: tuple[str, ...], graph: Graph, root: Node) -> None:
        self.text = text
        self.variables = variables
        self._graph = graph
        self._root = root
        self._value: Program | None = None
        self._grads: list[Node] | None = None
        self._grad: Program | None = None
        self._hess: tuple[Program, list[tuple[int, int]]] | None = None

    @classmethod
    def parse(cls, text: str, variables: tuple[str, ...] = ("x", "y")) -> Expression:
        """Parse ``text``; raise :class:`ExpressionError` if it is not acceptable."""
        variables = tuple(variables)
        if not variables or len(set(variables)) != len(variables):
            raise ValueError(f"variables must be distinct names, got {variables!r}")
        for v in variables:
            if not isinstance(v, str) or not NAME_RE.match(v) or v in FUNCTIONS or v in CONSTANTS:
                raise ValueError(f"invalid variable name {v!r}")
        if not isinstance(text, str):
            raise ExpressionError("the expression must be text", 0)
        if len(text) > MAX_LENGTH:
            raise ExpressionError(
                f"the expression is longer than {MAX_LENGTH} characters", MAX_LENGTH
            )
        graph = Graph()
        root = Parser(text, variables, graph).parse()
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

    def _gradient_nodes(self) -> list[Node]:
        if self._grads is None:
            self._grads = [self._graph.derivative(self._root, v) for v in self.variables]
        return self._grads

    def value(self, points: np.ndarray) -> np.ndarray:
        """The loss at each point: ``[..., d] -> [...]``."""
        pts = self._points(points)
        prog = self._value
        if prog is None:
            prog = self._value = Program([self._root], self.variables)
        with np.errstate(all="ignore"):
            (result,) = prog.run(pts)
        return self._out(result, prog.fresh[0], pts.shape[:-1])

    def _grad_program(self) -> Program:
        prog = self._grad
        if prog is None:
            prog = self._grad = Program([self._root, *self._gradient_nodes()], self.variables)
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
            self._hess = (Program(nodes, self.variables), pairs)
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
        return format_roots([self._root], readable=False)[0]

    def gradient_formulas(self) -> list[str]:
        """Simplified text of each partial derivative, in the order of ``variables``.

        These are for reading: they may use ``sign(u)`` (the derivative of
        ``abs``), which the loss grammar does not accept.
        """
        return format_roots(self._gradient_nodes(), readable=True)

    def evaluate_with(self, ops: Ops, values: Mapping[str, Any]) -> Any:
        """Evaluate the loss with another backend (e.g. torch tensors for a reference).

        ``values`` maps each used variable to a backend value. Shared
        subexpressions are evaluated once.
        """
        memo: dict[int, Any] = {}
        with np.errstate(all="ignore"):
            for n in reachable([self._root]):
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
