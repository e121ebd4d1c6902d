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

The package's modules: ``language`` (functions, constants, limits), ``parser``
(tokenizer and parser), ``nodes`` (the DAG's nodes and the printer), ``graph``
(hash-consing, folding, differentiation), ``program`` (compiling to NumPy, the
``Ops`` backends) and ``expression`` (:class:`Expression`, what the rest of
lrgame uses; import it from here).
"""

from __future__ import annotations

from .expression import Expression
from .language import FUNCTIONS, MAX_DEPTH, MAX_LENGTH, MAX_NODES
from .program import NUMPY_OPS, NumpyOps, Ops

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "NUMPY_OPS",
    "Expression",
    "NumpyOps",
    "Ops",
]
