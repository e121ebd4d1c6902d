"""The tokenizer and recursive-descent parser of the loss language (grammar in the package docstring).

It refuses hostile text cheaply: the length is checked before anything is read, and
depth and node counts are bounded while parsing.
"""

from __future__ import annotations

import math
import re

from ..errors import ExpressionError
from .graph import Graph
from .language import ALIASES, CONSTANTS, FUNCTIONS, MAX_DEPTH, MAX_NODES
from .nodes import ATOM, Node

# --------------------------------------------------------------------------- parsing

_WS_RE = re.compile(r"[ \t\n\r\f\v]*")
_TOKEN_RE = re.compile(
    r"(?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^()])",
    re.ASCII,
)
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z", re.ASCII)
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


class Parser:
    """Recursive descent over tokens read on demand, so errors come in text order."""

    def __init__(self, text: str, variables: tuple[str, ...], graph: Graph) -> None:
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

    def parse(self) -> Node:
        if self.kind == _END:
            raise ExpressionError("the expression is empty", self.tpos)
        node = self.expression()
        if self.kind != _END:
            if self.tok == ")":
                raise ExpressionError("unmatched ')': there is no '(' for it to close", self.tpos)
            raise ExpressionError(f"unexpected {_quote(self.tok)}", self.tpos)
        return node

    def _binary(self, op: str, a: Node, b: Node, pos: int) -> Node:
        self._count(pos)
        if a.is_const and b.is_const:
            return self._fold(op, "", (a, b), pos)
        return self.graph.op(op, (a, b))

    def _fold(self, op: str, name: str, args: tuple[Node, ...], pos: int) -> Node:
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

    def expression(self) -> Node:
        left = self.term()
        while self.kind == _OP and self.tok in ("+", "-"):
            op, pos = ("add" if self.tok == "+" else "sub"), self.tpos
            self._advance()
            left = self._binary(op, left, self.term(), pos)
        return left

    def term(self) -> Node:
        left = self.unary()
        while self.kind == _OP and self.tok in ("*", "/"):
            op, pos = ("mul" if self.tok == "*" else "div"), self.tpos
            self._advance()
            left = self._binary(op, left, self.unary(), pos)
        return left

    def unary(self) -> Node:
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

    def power(self) -> Node:
        base = self.primary()
        if self.kind == _OP and self.tok in ("**", "^"):
            pos = self.tpos
            self._enter(pos)
            self._advance()
            exponent = self.unary()
            self.depth -= 1
            return self._binary("pow", base, exponent, pos)
        return base

    def primary(self) -> Node:
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

    def _name(self, tok: str, pos: int) -> Node:
        if tok in FUNCTIONS:
            name = ALIASES.get(tok, tok)
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
        elif tok in CONSTANTS:
            node = self.graph.const(CONSTANTS[tok], (tok, ATOM))
        else:
            names = ", ".join(self.variables)
            msg = f"unknown name {_quote(tok)}; this level's variables are: {names}"
            lower = tok.lower()
            known = (*FUNCTIONS, *CONSTANTS, *self.variables)
            if lower != tok and lower in known:
                msg += f" (did you mean {_quote(lower)}?)"
            raise ExpressionError(msg, pos)
        self._count(pos)
        self._advance()
        self._no_juxtaposition(tok)
        return node
