"""What the loss language accepts: its functions, its constants and the limits on a text."""

from __future__ import annotations

import math

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
ALIASES: dict[str, str] = {"atan": "arctan"}
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}
