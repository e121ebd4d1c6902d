"""The loss-expression parser, its exact derivatives and its refusals."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrgame.engine.errors import ExpressionError
from lrgame.engine.expr import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NODES,
    NUMPY_OPS,
    Expression,
)

XY = ("x", "y")
X = ("x",)


def at(text: str, *point: float, variables: tuple[str, ...] = XY) -> float:
    return float(Expression.parse(text, variables).value(np.array(point, dtype=float)))


def refusal(text: Any, variables: tuple[str, ...] = XY) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        Expression.parse(text, variables)
    return info.value


# --------------------------------------------------------------------------- grammar


@pytest.mark.parametrize(
    ("text", "point", "expected"),
    [
        ("-x**2", (3.0, 0.0), -9.0),
        ("(-x)**2", (3.0, 0.0), 9.0),
        ("-2**2", (0.0, 0.0), -4.0),
        ("2**-x", (1.0, 0.0), 0.5),
        ("2**-x**2", (2.0, 0.0), 2.0**-4),
        ("x**2**3", (2.0, 0.0), 256.0),
        ("(x**2)**3", (2.0, 0.0), 64.0),
        ("2^3^2", (0.0, 0.0), 512.0),
        ("x ^ 2", (3.0, 0.0), 9.0),
        ("1 - 2 - 3", (0.0, 0.0), -4.0),
        ("8/4/2", (0.0, 0.0), 1.0),
        ("x - y - 1", (5.0, 2.0), 2.0),
        ("x/y/2", (8.0, 2.0), 2.0),
        ("2*3 + 4*5", (0.0, 0.0), 26.0),
        ("2 + 3*x**2", (2.0, 0.0), 14.0),
        ("+x", (4.0, 0.0), 4.0),
        ("--x", (4.0, 0.0), 4.0),
        ("-+-x", (4.0, 0.0), 4.0),
        ("x*-y", (2.0, 3.0), -6.0),
        ("x/-y**2", (2.0, 2.0), -0.5),
        ("1e-3", (0.0, 0.0), 1e-3),
        ("1E+2*x", (2.0, 0.0), 200.0),
        (".5", (0.0, 0.0), 0.5),
        ("2.", (0.0, 0.0), 2.0),
        ("6.02e23", (0.0, 0.0), 6.02e23),
        ("007", (0.0, 0.0), 7.0),
        ("pi", (0.0, 0.0), math.pi),
        ("e", (0.0, 0.0), math.e),
        ("e**x", (2.0, 0.0), math.e**2),
        ("atan(x)", (1.0, 0.0), math.pi / 4),
        ("arctan(x)", (1.0, 0.0), math.pi / 4),
        ("sin(x)**2 + cos(x)**2", (0.7, 0.0), 1.0),
        ("sqrt(abs(x))", (-16.0, 0.0), 4.0),
        ("exp(log(x))", (3.0, 0.0), 3.0),
        ("tan(pi/4)", (0.0, 0.0), 1.0),
        ("tanh(x) - sinh(x)/cosh(x)", (0.3, 0.0), 0.0),
        (" x\t*\n2 ", (3.0, 0.0), 6.0),
        ("\n(\tx\r\n+ y )\t", (1.0, 2.0), 3.0),
    ],
)
def test_precedence_and_values(text: str, point: tuple[float, float], expected: float) -> None:
    assert at(text, *point) == pytest.approx(expected, rel=1e-14, abs=1e-15)


def test_functions_list_and_alias() -> None:
    assert set(FUNCTIONS) == {
        "sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sinh", "cosh", "arctan", "atan",
    }  # fmt: skip
    assert Expression.parse("atan(x)").formula() == "arctan(x)"


def test_one_dimensional_and_used_variables() -> None:
    expr = Expression.parse("x**4 - 3*x**3 + 2", X)
    assert expr.variables == X
    assert expr.used_variables == frozenset({"x"})
    assert Expression.parse("3 + pi").used_variables == frozenset()
    assert Expression.parse("y*e").used_variables == frozenset({"y"})
    assert Expression.parse("x*y").used_variables == frozenset({"x", "y"})
    assert Expression.parse("x**2").text == "x**2"


@pytest.mark.parametrize(
    ("text", "formula"),
    [
        ("(1-x)**2+100*(y-x**2)**2", "(1 - x)**2 + 100*(y - x**2)**2"),
        ("x^2", "x**2"),
        ("x**2**3", "x**8"),
        ("x**(2**0.5)", "x**2**0.5"),
        ("-x**2", "-x**2"),
        ("(-x)**2", "(-x)**2"),
        ("(-2)**x", "(-2)**x"),
        ("x**-2", "x**-2"),
        ("(x**y)**2", "(x**y)**2"),
        ("x-(y-1)", "x - (y - 1)"),
        ("(x-y)-1", "x - y - 1"),
        ("x+(y+1)", "x + (y + 1)"),
        ("x/(y*2)", "x/(y*2)"),
        ("(x/y)*2", "x/y*2"),
        ("-(x*y)", "-(x*y)"),
        ("2*pi*x", "2*pi*x"),
        ("cos(2 * pi * x)", "cos(2*pi*x)"),
        ("x*(2*pi)", "x*(2*pi)"),
        ("2*3*x", "6*x"),
        ("1/3*x", "1/3*x"),
        ("(0.1 + 0.2)*x", "(0.1 + 0.2)*x"),
        ("1e-3*x", "0.001*x"),
        ("1e20*x", "1e+20*x"),
        ("x - -1", "x - -1"),
        ("atan(x) + ((y))", "arctan(x) + y"),
        ("sqrt(2)*x", "sqrt(2)*x"),
    ],
)
def test_formula_is_canonical(text: str, formula: str) -> None:
    assert Expression.parse(text).formula() == formula


LANDSCAPES: dict[str, tuple[str, tuple[str, ...], tuple[float, float]]] = {
    "rosenbrock": ("(1 - x)**2 + 100*(y - x**2)**2", XY, (-2.0, 2.0)),
    "himmelblau": ("(x**2 + y - 11)**2 + (x + y**2 - 7)**2", XY, (-5.0, 5.0)),
    "beale": (
        "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2",
        XY,
        (-3.0, 3.0),
    ),
    "camel": ("(4 - 2.1*x**2 + x**4/3)*x**2 + x*y + (-4 + 4*y**2)*y**2", XY, (-2.0, 2.0)),
    "rastrigin": ("20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)", XY, (-5.0, 5.0)),
    "quartic": ("x**4 - 3*x**3 + 2", X, (-2.0, 3.0)),
    "wavy": ("0.1*x**2 + sin(3*x) + 0.5*cos(x*y) + 0.2*y**2 + abs(y - 1)*0.05", XY, (-6.0, 6.0)),
    "bowl1d": ("sqrt(1 + x**2) + 0.1*exp(-x) + atan(x)**2", X, (-5.0, 5.0)),
    "every_function": (
        "sin(x)*cos(y) + tan(0.3*x) + exp(0.1*y) + log(1 + x**2) + sqrt(2 + y**2)"
        " + abs(x - 0.5*y + 0.123) + tanh(x*y) + sinh(0.5*x) + cosh(0.3*y)"
        " + arctan(x - y) + atan(y)**2 + (2 + sin(x))**(y/3) + 2**x + x^3/(3 + y**2)"
        " - e**(-x**2) + 1/(1 + exp(-y))",
        XY,
        (-1.2, 1.2),
    ),
    "sharing": ("exp(sin(x*y))*exp(sin(x*y)) + (x*y)**3/(1 + (x*y)**2)", XY, (-1.5, 1.5)),
}


def sample(name: str, count: int = 40, seed: int = 7) -> np.ndarray:
    _, variables, (lo, hi) = LANDSCAPES[name]
    rng = np.random.default_rng(seed)
    pts = rng.uniform(lo, hi, size=(count, len(variables)))
    if name == "every_function":
        pts = pts[np.abs(pts[:, 0] - 0.5 * pts[:, 1] + 0.123) > 1e-3]
    if name == "wavy":
        pts = pts[np.abs(pts[:, 1] - 1) > 1e-3]
    return pts


@pytest.mark.parametrize("name", sorted(LANDSCAPES))
def test_formula_round_trips_exactly(name: str) -> None:
    text, variables, _ = LANDSCAPES[name]
    expr = Expression.parse(text, variables)
    again = Expression.parse(expr.formula(), variables)
    assert again.formula() == expr.formula()
    pts = sample(name)
    np.testing.assert_array_equal(again.value(pts), expr.value(pts))


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("__import__('os').system('ls')", 0, "unknown name '__import__'"),
        ("x.__class__", 1, "attribute"),
        ("x.real", 1, "attribute"),
        ("(x).real", 3, "attribute"),
        ("lambda: 1", 0, "unknown name 'lambda'"),
        ("9**9**9", 1, "overflows"),
        ("exp(1000)", 0, "overflows"),
        ("cosh(1000) + x", 0, "overflows"),
        ("x + 1e308*10", 9, "overflows"),
        ("1/0", 1, "division by zero"),
        ("x*(1/(2 - 2))", 4, "division by zero"),
        ("log(-1)", 0, "undefined"),
        ("log(0)", 0, "undefined"),
        ("sqrt(-1)", 0, "undefined"),
        ("0**-1", 1, "undefined"),
        ("(-8)**(1/3)", 4, "undefined"),
        ("1e999", 0, "too large"),
        ("[1]", 0, "'['"),
        ("{x}", 0, "'{'"),
        ("'a'", 0, "quotes"),
        ('"a"', 0, "quotes"),
        ("x;y", 1, "';'"),
        ("x=1", 1, "'='"),
        ("x == 1", 2, "'='"),
        ("sin(x, y)", 5, "','"),
        ("x @ y", 2, "unexpected character '@'"),
        ("x # comment", 2, "unexpected character '#'"),
        ("x % 2", 2, "unexpected character '%'"),
        ("x\x00", 1, "unexpected character"),
        ("x\u00a0+ 1", 1, "unexpected character"),
        ("2x", 1, "implicit multiplication is not allowed: write 2*x"),
        ("x y", 2, "missing operator before 'y'"),
        ("2(x + 1)", 1, "implicit multiplication"),
        ("(x)(y)", 3, "implicit multiplication"),
        ("sin(x)cos(y)", 6, "implicit multiplication"),
        ("pi x", 3, "implicit multiplication"),
        ("1.2.3", 3, "missing operator"),
        ("z", 0, "unknown name 'z'; this level's variables are: x, y"),
        ("Sin(x)", 0, "did you mean 'sin'?"),
        ("sin", 0, "'sin' is a function"),
        ("sin x", 0, "'sin' is a function"),
        ("sin + 1", 0, "'sin' is a function"),
        ("", 0, "the expression is empty"),
        ("  \t\n", 4, "the expression is empty"),
        ("x +", 3, "expected a number, a name or '(' after '+', but the expression ends here"),
        ("x * * y", 4, "expected a number, a name or '(' after '*', but found '*'"),
        ("x***2", 3, "expected a number, a name or '('"),
        ("x//2", 2, "expected a number, a name or '('"),
        ("x**", 3, "expected a number, a name or '('"),
        ("()", 1, "expected a number, a name or '(' after '(', but found ')'"),
        (")", 0, "expected a number, a name or '('"),
        ("*x", 0, "expected a number, a name or '('"),
        ("(x + 1", 0, "unclosed '(' opened here"),
        ("x + (y * (2 + x)", 4, "unclosed '(' opened here"),
        ("sin(x", 3, "unclosed '(' opened here"),
        ("x)", 1, "unmatched ')'"),
        ("(x))", 3, "unmatched ')'"),
    ],
)
def test_refusals_point_at_the_offending_token(text: str, position: int, fragment: str) -> None:
    err = refusal(text)
    assert err.position == position, err.message
    assert fragment in err.message
    assert str(err).startswith(f"column {position + 1}: ")


def test_variable_of_another_level_is_unknown() -> None:
    err = refusal("x + y", X)
    assert err.position == 4
    assert err.message == "unknown name 'y'; this level's variables are: x"


def test_non_text_is_refused() -> None:
    assert refusal(None).position == 0
    assert refusal(b"x").position == 0


def test_bad_variables_are_a_programming_error() -> None:
    with pytest.raises(ValueError):
        Expression.parse("x", ())
    with pytest.raises(ValueError):
        Expression.parse("x", ("x", "x"))
    with pytest.raises(ValueError):
        Expression.parse("x", ("sin",))


def test_long_text_is_refused_before_reading_it() -> None:
    # Read, each text would be refused earlier and for another reason (an unknown
    # name, a bad character, nesting); the length is checked first instead.
    for text in ("x" * 10**6, "\x00" * 10**6, "(" * 10**6):
        err = refusal(text)
        assert err.position == MAX_LENGTH
        assert f"longer than {MAX_LENGTH} characters" in err.message
    assert Expression.parse("x" + " " * (MAX_LENGTH - 1)).formula() == "x"
    assert refusal("x" + " " * MAX_LENGTH).position == MAX_LENGTH


def test_ten_thousand_nested_parentheses_are_refused_by_length_at_the_limit() -> None:
    err = refusal("(" * 10_000 + "x" + ")" * 10_000)
    assert err.position == MAX_LENGTH
    assert f"longer than {MAX_LENGTH} characters" in err.message


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("(" * 1999 + "x" + ")" * 1999, MAX_DEPTH),
        ("-" * 3999 + "x", MAX_DEPTH),
        ("+-" * 1999 + "x", MAX_DEPTH),
        ("sin(" * 499 + "x" + ")" * 499, 4 * MAX_DEPTH),
        ("x**" * 1000 + "x", 3 * MAX_DEPTH + 1),
        ("2**-" * 999 + "x", 4 * 32 + 1),
    ],
)
def test_deep_nesting_is_refused_at_the_token_that_exceeds(text: str, position: int) -> None:
    err = refusal(text)
    assert err.position == position
    assert "nested too deeply" in err.message


def test_nesting_up_to_the_limit_is_accepted() -> None:
    expr = Expression.parse("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH)
    assert expr.formula() == "x"
    expr = Expression.parse("sin(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH)
    assert expr.value(np.array([0.5, 0.0])) > 0


def test_too_many_nodes_is_refused() -> None:
    err = refusal("x+" * 600 + "x")
    assert "more than 1000" in err.message
    assert err.position < len("x+" * 600)
    # A long but flat expression under the limit works, derivatives included.
    expr = Expression.parse("x*" * 400 + "y")
    value, grad = expr.value_and_grad(np.array([1.0, 2.0]))
    assert value == 2.0 and grad.tolist() == [800.0, 1.0]
    assert expr.hessian(np.array([1.0, 2.0]))[0, 0] == 2 * 400 * 399
    assert MAX_NODES == 1000


@given(st.text(max_size=80))
@settings(max_examples=400, deadline=None)
def test_arbitrary_text_parses_or_raises_expression_error(text: str) -> None:
    check_any_text(text)


@given(st.text(alphabet="xy0123456789.eE+-*/^() \tsincoqrtaphlbg_,;[", max_size=40))
@settings(max_examples=800, deadline=None)
def test_expression_like_text_parses_or_raises_expression_error(text: str) -> None:
    check_any_text(text)


def check_any_text(text: str) -> None:
    try:
        expr = Expression.parse(text)
    except ExpressionError as err:
        assert 0 <= err.position <= len(text)
        assert err.message
        return
    again = Expression.parse(expr.formula())
    pts = np.array([[0.5, -1.5], [2.0, 3.0], [0.0, 0.0]])
    np.testing.assert_array_equal(again.value(pts), expr.value(pts))
    value, grad = expr.value_and_grad(pts)
    assert value.shape == (3,) and grad.shape == (3, 2)
    assert expr.hessian(pts).shape == (3, 2, 2)


# --------------------------------------------------------------------------- generated expressions


@dataclass(frozen=True)
class Ref:
    """A generated expression: its text and a reference evaluation of it."""

    text: str
    const: float | None  # the folded value of a constant subexpression
    bad: bool  # a constant subexpression that cannot be folded
    fn: Callable[[np.ndarray, np.ndarray], Any] = field(repr=False)


_NP_FUNCS = {
    "sin": (np.sin, math.sin),
    "cos": (np.cos, math.cos),
    "tan": (np.tan, math.tan),
    "exp": (np.exp, math.exp),
    "log": (np.log, math.log),
    "sqrt": (np.sqrt, math.sqrt),
    "abs": (np.abs, abs),
    "tanh": (np.tanh, math.tanh),
    "sinh": (np.sinh, math.sinh),
    "cosh": (np.cosh, math.cosh),
    "arctan": (np.arctan, math.atan),
    "atan": (np.arctan, math.atan),
}
_NP_BINARY = {
    "+": (np.add, lambda a, b: a + b),
    "-": (np.subtract, lambda a, b: a - b),
    "*": (np.multiply, lambda a, b: a * b),
    "/": (np.true_divide, lambda a, b: a / b),
    "**": (np.power, math.pow),
    "^": (np.power, math.pow),
}


def _constant(text: str, compute: Callable[[], float]) -> Ref:
    try:
        value = float(compute())
    except (ArithmeticError, ValueError):
        return Ref(text, None, True, lambda x, y: None)
    if not math.isfinite(value):
        return Ref(text, None, True, lambda x, y: None)
    return Ref(text, value, False, lambda x, y, v=value: v)


def _leaf_var(name: str) -> Ref:
    return Ref(name, None, False, (lambda x, y: x) if name == "x" else (lambda x, y: y))


def _unary(name: str, a: Ref) -> Ref:
    text = f"(-({a.text}))" if name == "-" else f"{name}({a.text})"
    if a.bad:
        return Ref(text, None, True, a.fn)
    if a.const is not None:
        c = a.const
        return _constant(text, (lambda: -c) if name == "-" else (lambda: _NP_FUNCS[name][1](c)))
    f = np.negative if name == "-" else _NP_FUNCS[name][0]
    return Ref(text, None, False, lambda x, y: f(a.fn(x, y)))


def _binary(op: str, a: Ref, b: Ref) -> Ref:
    text = f"({a.text}){op}({b.text})"
    if a.bad or b.bad:
        return Ref(text, None, True, a.fn)
    npf, pyf = _NP_BINARY[op]
    if a.const is not None and b.const is not None:
        ca, cb = a.const, b.const
        return _constant(text, lambda: pyf(ca, cb))
    return Ref(text, None, False, lambda x, y: npf(a.fn(x, y), b.fn(x, y)))


_leaves = st.one_of(
    st.sampled_from(["x", "y"]).map(_leaf_var),
    st.sampled_from([("pi", math.pi), ("e", math.e)]).map(
        lambda nv: Ref(nv[0], nv[1], False, lambda x, y, v=nv[1]: v)
    ),
    st.integers(0, 12).map(lambda i: Ref(str(i), float(i), False, lambda x, y, i=i: float(i))),
    st.floats(0.001, 50.0).map(lambda v: Ref(repr(v), v, False, lambda x, y, v=v: v)),
)  # fmt: skip

_exprs = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.builds(_binary, st.sampled_from(sorted(_NP_BINARY)), inner, inner),
        st.builds(_unary, st.sampled_from(["-", *sorted(_NP_FUNCS)]), inner),
    ),
    max_leaves=12,
)

GRID = np.array([[0.5, -1.5], [2.0, 3.0], [-0.75, 0.25], [1.0, 1.0], [3.5, -2.0]])


@given(_exprs)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_expressions_match_a_reference(ref: Ref) -> None:
    if ref.bad:
        err = refusal(ref.text)
        assert any(w in err.message for w in ("overflows", "undefined", "division by zero"))
        return
    expr = Expression.parse(ref.text)
    got = expr.value(GRID)
    with np.errstate(all="ignore"):
        want = np.broadcast_to(ref.fn(GRID[:, 0], GRID[:, 1]), got.shape)
    np.testing.assert_array_equal(got, want)
    # Canonical text reads back as the same computation.
    again = Expression.parse(expr.formula())
    np.testing.assert_array_equal(again.value(GRID), got)
    assert again.formula() == expr.formula()
    # A second backend walking the same tree agrees.
    other = np.broadcast_to(
        expr.evaluate_with(NUMPY_OPS, {"x": GRID[:, 0], "y": GRID[:, 1]}), got.shape
    )
    np.testing.assert_array_equal(other, got)
    # Derivatives evaluate without raising or warning, with the right shapes.
    value, grad = expr.value_and_grad(GRID)
    np.testing.assert_array_equal(value, got)
    assert grad.shape == (5, 2) and expr.hessian(GRID).shape == (5, 2, 2)
    assert len(expr.gradient_formulas()) == 2


# --------------------------------------------------------------------------- derivatives


class Jet:
    """Second-order forward-mode value: (v, gradient, Hessian), like torch autograd twice."""

    def __init__(self, v: Any, g: Any, h: Any) -> None:
        self.v, self.g, self.h = np.asarray(v), np.asarray(g), np.asarray(h)


def _outer(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[..., :, None] * b[..., None, :]


def _chain(a: Jet, f: Any, df: Any, ddf: Any) -> Jet:
    d1, d2 = np.asarray(df)[..., None], np.asarray(ddf)[..., None, None]
    return Jet(f, d1 * a.g, d1[..., None] * a.h + d2 * _outer(a.g, a.g))


class JetOps:
    """An independent :class:`Ops` backend: exact derivatives by forward-mode AD."""

    def __init__(self, d: int) -> None:
        self.d = d

    def const(self, value: float) -> Jet:
        return Jet(value, np.zeros(self.d), np.zeros((self.d, self.d)))

    def var(self, column: np.ndarray, k: int) -> Jet:
        g = np.zeros(column.shape + (self.d,))
        g[..., k] = 1.0
        return Jet(column, g, np.zeros(column.shape + (self.d, self.d)))

    def add(self, a: Jet, b: Jet) -> Jet:
        return Jet(a.v + b.v, a.g + b.g, a.h + b.h)

    def sub(self, a: Jet, b: Jet) -> Jet:
        return Jet(a.v - b.v, a.g - b.g, a.h - b.h)

    def neg(self, a: Jet) -> Jet:
        return Jet(-a.v, -a.g, -a.h)

    def mul(self, a: Jet, b: Jet) -> Jet:
        av, bv = a.v[..., None], b.v[..., None]
        return Jet(
            a.v * b.v,
            a.g * bv + av * b.g,
            a.h * bv[..., None] + av[..., None] * b.h + _outer(a.g, b.g) + _outer(b.g, a.g),
        )

    def div(self, a: Jet, b: Jet) -> Jet:
        u = b.v
        return self.mul(a, _chain(b, 1 / u, -1 / u**2, 2 / u**3))

    def pow(self, a: Jet, b: Jet) -> Jet:
        if not b.g.any() and not b.h.any():
            c, u = b.v, a.v
            return _chain(a, u**c, c * u ** (c - 1), c * (c - 1) * u ** (c - 2))
        return self.func("exp", self.mul(b, self.func("log", a)))

    def func(self, name: str, a: Jet) -> Jet:
        u = a.v
        if name == "sin":
            return _chain(a, np.sin(u), np.cos(u), -np.sin(u))
        if name == "cos":
            return _chain(a, np.cos(u), -np.sin(u), -np.cos(u))
        if name == "tan":
            t = np.tan(u)
            return _chain(a, t, 1 + t**2, 2 * t * (1 + t**2))
        if name == "exp":
            return _chain(a, np.exp(u), np.exp(u), np.exp(u))
        if name == "log":
            return _chain(a, np.log(u), 1 / u, -1 / u**2)
        if name == "sqrt":
            s = np.sqrt(u)
            return _chain(a, s, 0.5 / s, -0.25 / (s * u))
        if name == "abs":
            return _chain(a, np.abs(u), np.sign(u), 0 * u)
        if name == "tanh":
            t = np.tanh(u)
            return _chain(a, t, 1 - t**2, -2 * t * (1 - t**2))
        if name == "sinh":
            return _chain(a, np.sinh(u), np.cosh(u), np.sinh(u))
        if name == "cosh":
            return _chain(a, np.cosh(u), np.sinh(u), np.cosh(u))
        assert name == "arctan", name  # the canonical name, never the alias
        return _chain(a, np.arctan(u), 1 / (1 + u**2), -2 * u / (1 + u**2) ** 2)


def jet_reference(expr: Expression, pts: np.ndarray) -> Jet:
    ops = JetOps(len(expr.variables))
    values = {v: ops.var(pts[..., k], k) for k, v in enumerate(expr.variables)}
    out = expr.evaluate_with(ops, values)
    assert isinstance(out, Jet)
    return out


@pytest.mark.parametrize("name", sorted(LANDSCAPES))
def test_gradient_and_hessian_match_forward_mode_ad(name: str) -> None:
    text, variables, _ = LANDSCAPES[name]
    expr = Expression.parse(text, variables)
    pts = sample(name)
    ref = jet_reference(expr, pts)
    value, grad = expr.value_and_grad(pts)
    hess = expr.hessian(pts)
    np.testing.assert_allclose(value, ref.v, rtol=1e-13)
    np.testing.assert_allclose(grad, ref.g, rtol=1e-11, atol=1e-12 * np.abs(ref.g).max())
    np.testing.assert_allclose(hess, ref.h, rtol=1e-10, atol=1e-11 * np.abs(ref.h).max())
    np.testing.assert_array_equal(hess, np.swapaxes(hess, -1, -2))


@pytest.mark.parametrize("name", sorted(LANDSCAPES))
def test_gradient_and_hessian_match_finite_differences(name: str) -> None:
    text, variables, _ = LANDSCAPES[name]
    expr = Expression.parse(text, variables)
    pts = sample(name, count=25, seed=3)
    d = len(variables)
    value, grad = expr.value_and_grad(pts)
    hess = expr.hessian(pts)
    h = 1e-6
    for k in range(d):
        step = np.zeros(d)
        step[k] = h
        fd = (expr.value(pts + step) - expr.value(pts - step)) / (2 * h)
        scale = 1 + np.abs(value) + np.abs(grad[:, k])
        assert np.all(np.abs(fd - grad[:, k]) <= 1e-6 * scale), name
        # The Hessian's column k by differencing the exact gradient.
        hk = 1e-5
        step[k] = hk
        g_plus = expr.value_and_grad(pts + step)[1]
        g_minus = expr.value_and_grad(pts - step)[1]
        fd_h = (g_plus - g_minus) / (2 * hk)
        scale_h = 1 + np.abs(grad).max(axis=1, keepdims=True) + np.abs(hess[:, :, k])
        assert np.all(np.abs(fd_h - hess[:, :, k]) <= 1e-5 * scale_h), name


def test_hand_computed_values() -> None:
    rosen = Expression.parse(LANDSCAPES["rosenbrock"][0])
    value, grad = rosen.value_and_grad(np.array([0.0, 0.0]))
    assert value == 1.0 and grad.tolist() == [-2.0, 0.0]
    assert rosen.hessian(np.array([1.0, 1.0])).tolist() == [[802.0, -400.0], [-400.0, 200.0]]
    assert rosen.hessian(np.array([0.0, 0.0])).tolist() == [[2.0, 0.0], [0.0, 200.0]]

    himmel = Expression.parse(LANDSCAPES["himmelblau"][0])
    value, grad = himmel.value_and_grad(np.array([3.0, 2.0]))
    assert value == 0.0 and grad.tolist() == [0.0, 0.0]
    assert himmel.hessian(np.array([3.0, 2.0])).tolist() == [[74.0, 20.0], [20.0, 34.0]]

    beale = Expression.parse(LANDSCAPES["beale"][0])
    value, grad = beale.value_and_grad(np.array([3.0, 0.5]))
    assert value == 0.0 and np.abs(grad).max() == 0.0

    quartic = Expression.parse("x**4 - 3*x**3 + 2", X)
    value, grad = quartic.value_and_grad(np.array([2.0]))
    assert value == -6.0 and grad.tolist() == [-4.0]
    assert quartic.hessian(np.array([2.0])).tolist() == [[12.0]]

    power = Expression.parse("x**y")
    value, grad = power.value_and_grad(np.array([2.0, 3.0]))
    assert value == 8.0
    assert grad[0] == 12.0 and grad[1] == pytest.approx(8 * math.log(2), rel=1e-15)

    root = Expression.parse("sqrt(x)", X)
    assert root.value_and_grad(np.array([4.0]))[1].tolist() == [0.25]
    assert root.hessian(np.array([4.0])).tolist() == [[-1 / 32]]


def test_abs_derivative_is_zero_at_the_kink_like_torch() -> None:
    expr = Expression.parse("abs(x) + abs(y - 1)")
    _, grad = expr.value_and_grad(np.array([[0.0, 1.0], [-2.0, 3.0]]))
    assert grad.tolist() == [[0.0, 0.0], [-1.0, 1.0]]
    assert expr.hessian(np.array([0.5, 0.5])).tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_gradient_formulas_are_simplified() -> None:
    rosen = Expression.parse("(1 - x)**2 + 100*(y - x**2)**2")
    assert rosen.gradient_formulas() == ["-2*(1 - x) - 400*(y - x**2)*x", "200*(y - x**2)"]
    assert Expression.parse("x**2 + 3*y").gradient_formulas() == ["2*x", "3"]
    assert Expression.parse("y", XY).gradient_formulas() == ["0", "1"]
    assert Expression.parse("cos(2*pi*x)", X).gradient_formulas() == ["-2*pi*sin(2*pi*x)"]
    assert Expression.parse("exp(x)", X).gradient_formulas() == ["exp(x)"]
    assert Expression.parse("log(1 + x**2)", X).gradient_formulas() == ["2*x/(1 + x**2)"]
    assert Expression.parse("x**pi", X).gradient_formulas() == ["pi*x**(pi - 1)"]
    assert Expression.parse("abs(x)", X).gradient_formulas() == ["sign(x)"]


@pytest.mark.parametrize("name", sorted(set(LANDSCAPES) - {"wavy", "every_function"}))
def test_gradient_formulas_evaluate_to_the_gradient(name: str) -> None:
    text, variables, _ = LANDSCAPES[name]
    expr = Expression.parse(text, variables)
    pts = sample(name)
    _, grad = expr.value_and_grad(pts)
    for k, formula in enumerate(expr.gradient_formulas()):
        shown = Expression.parse(formula, variables).value(pts)
        np.testing.assert_allclose(shown, grad[:, k], rtol=1e-9, atol=1e-9 * np.abs(grad).max())


def test_evaluate_with_numpy_matches_value() -> None:
    for name, (text, variables, _) in LANDSCAPES.items():
        expr = Expression.parse(text, variables)
        pts = sample(name)
        values = {v: pts[:, k] for k, v in enumerate(variables)}
        np.testing.assert_allclose(
            expr.evaluate_with(NUMPY_OPS, values), expr.value(pts), rtol=1e-15, atol=0
        )


def test_evaluate_with_passes_canonical_names_and_shares_subexpressions() -> None:
    calls: list[str] = []

    class Recorder:
        def const(self, value: float) -> float:
            return value

        def add(self, a: float, b: float) -> float:
            return a + b

        def sub(self, a: float, b: float) -> float:
            return a - b

        def mul(self, a: float, b: float) -> float:
            return a * b

        def div(self, a: float, b: float) -> float:
            return a / b

        def pow(self, a: float, b: float) -> float:
            return a**b

        def neg(self, a: float) -> float:
            return -a

        def func(self, name: str, a: float) -> float:
            calls.append(name)
            return {"arctan": math.atan, "exp": math.exp}[name](a)

    expr = Expression.parse("atan(x) + exp(atan(x))", X)
    assert expr.evaluate_with(Recorder(), {"x": 1.0}) == pytest.approx(
        math.pi / 4 + math.exp(math.pi / 4)
    )
    assert calls == ["arctan", "exp"]


# --------------------------------------------------------------------------- shapes, repeated calls


@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 5), ()])
@pytest.mark.parametrize("variables", [X, XY])
def test_batch_shapes(shape: tuple[int, ...], variables: tuple[str, ...]) -> None:
    d = len(variables)
    text = "sin(x)*x**2" if d == 1 else "(1 - x)**2 + 100*(y - x**2)**2"
    expr = Expression.parse(text, variables)
    pts = np.random.default_rng(0).normal(size=shape + (d,))
    value, grad = expr.value_and_grad(pts)
    hess = expr.hessian(pts)
    assert isinstance(value, np.ndarray) and value.shape == shape
    assert isinstance(grad, np.ndarray) and grad.shape == shape + (d,)
    assert isinstance(hess, np.ndarray) and hess.shape == shape + (d, d)
    assert expr.value(pts).shape == shape
    flat = pts.reshape(-1, d)
    for i, point in enumerate(flat):
        v, g = expr.value_and_grad(point)
        assert v.shape == () and g.shape == (d,)
        assert v == value.reshape(-1)[i]
        np.testing.assert_array_equal(g, grad.reshape(-1, d)[i])
        np.testing.assert_array_equal(expr.hessian(point), hess.reshape(-1, d, d)[i])


def test_constants_and_bare_variables_broadcast_to_fresh_arrays() -> None:
    pts = np.zeros((5, 2))
    three = Expression.parse("3 + pi*0")
    assert three.value(pts).shape == (5,) and np.all(three.value(pts) == 3.0)
    value, grad = three.value_and_grad(pts)
    assert value.shape == (5,) and grad.shape == (5, 2) and not grad.any()
    assert three.hessian(pts).shape == (5, 2, 2)
    assert three.value(np.array([1.0, 2.0])).shape == ()
    bare = Expression.parse("x")
    out = bare.value(pts)
    out[:] = 9.0
    assert not pts.any()
    out, _ = bare.value_and_grad(pts)
    out[:] = 9.0
    assert not pts.any()


def test_wrong_point_shape_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        Expression.parse("x + y").value(np.zeros((4, 3)))
    with pytest.raises(ValueError):
        Expression.parse("x", X).value(np.float64(1.0))


def test_overflow_and_invalid_values_are_silent() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        expr = Expression.parse("exp(x)", X)
        value, grad = expr.value_and_grad(np.array([[1e4], [0.0]]))
        assert value[0] == math.inf and grad[0, 0] == math.inf and value[1] == 1.0
        assert expr.hessian(np.array([1e4]))[0, 0] == math.inf
        assert math.isinf(expr.value(np.array([1e4])))
        for text in ("log(x) + sqrt(x) + 1/x + x**-0.5 + x**y", "tan(pi/2 + 0*x)", "0*x/0*x"):
            expr = Expression.parse(text)
            pts = np.array([[0.0, 0.0], [-1.0, 0.5], [1e308, 1e308], [np.nan, np.inf]])
            value, grad = expr.value_and_grad(pts)
            expr.hessian(pts)
            expr.evaluate_with(NUMPY_OPS, {"x": pts[:, 0], "y": pts[:, 1]})
            assert not np.all(np.isfinite(value))


def test_square_compiles_without_power() -> None:
    expr = Expression.parse("(1 - x)**2 + 100*(y - x**2)**2")
    expr.value_and_grad(np.zeros(2))
    program = expr._grad
    assert program is not None
    fns = [instr[0] for instr in program.code]
    assert np.square in fns and np.power not in fns


def test_repeated_value_and_grad_match_the_closed_form_and_keep_earlier_results() -> None:
    # Speed is measured by benchmarks/bench_parsers.py, not here.
    expr = Expression.parse("(1 - x)**2 + 100*(y - x**2)**2")
    one, many = np.array([[0.3, 0.7]]), np.random.default_rng(1).normal(size=(1000, 2))
    for pts in (one, many):
        x, y = pts[:, 0], pts[:, 1]
        want_value = (1 - x) ** 2 + 100 * (y - x**2) ** 2
        want_grad = np.stack([-2 * (1 - x) - 400 * (y - x**2) * x, 200 * (y - x**2)], axis=-1)
        first_value, first_grad = expr.value_and_grad(pts)
        kept_value, kept_grad = first_value.copy(), first_grad.copy()
        for _ in range(3):
            value, grad = expr.value_and_grad(pts)
            np.testing.assert_allclose(value, want_value, rtol=1e-12)
            np.testing.assert_allclose(grad, want_grad, rtol=1e-12, atol=1e-12)
        # Later calls must not write into arrays handed out by earlier ones.
        np.testing.assert_array_equal(first_value, kept_value)
        np.testing.assert_array_equal(first_grad, kept_grad)


def test_power_gradient_at_base_zero_follows_torch() -> None:
    # torch's pow_backward_exponent is 0 where the base is 0 and the exponent >= 0
    # (a**b is flat in b there), and pow_backward_self is 0 where the exponent is 0.
    power = Expression.parse("x**y")
    for point, want in (
        ((0.0, 1.5), [0.0, 0.0]),
        ((0.0, 0.0), [0.0, 0.0]),
        ((0.0, 2.0), [0.0, 0.0]),
    ):
        value, grad = power.value_and_grad(np.array([point]))
        assert grad[0].tolist() == want, point
        # One-sided differences (x < 0 is undefined for a fractional exponent) agree.
        h = 1e-8
        x, y = point
        fd_x = (power.value(np.array([x + h, y])) - value[0]) / h
        fd_y = (power.value(np.array([x, y + h])) - power.value(np.array([x, y - h]))) / (2 * h)
        if y > 1:
            assert abs(fd_x - grad[0, 0]) < 1e-3, point
        if y > 0:
            assert abs(fd_y - grad[0, 1]) < 1e-12, point
    # A negative exponent keeps torch's infinities, and a constant base is untouched.
    _, grad = power.value_and_grad(np.array([0.0, -1.0]))
    assert grad.tolist() == [-math.inf, -math.inf]
    exp2 = Expression.parse("2**y + x")
    assert exp2.gradient_formulas() == ["1", "log(2)*2**y"]
    assert power.gradient_formulas() == ["y*x**(y - 1)", "x**y*log(x)"]
    # Elsewhere the gradient is unchanged: a**b * log(a) and b * a**(b-1).
    _, grad = power.value_and_grad(np.array([2.0, 1.5]))
    np.testing.assert_allclose(grad, [1.5 * 2**0.5, 2**1.5 * math.log(2)], rtol=1e-14)
