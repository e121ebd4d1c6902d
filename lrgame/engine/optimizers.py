"""The optimizers, by the names the rest of lrgame has always imported.

Each optimizer lives in its own module of :mod:`lrgame.engine.optim`, which
declares its parameters, its torch class, its pure update and its rule in
words; the tables below are read from there.
"""

from __future__ import annotations

from typing import Any

from .optim import ALIAS_OF, REGISTRY
from .optim.adagrad import Adagrad, AdagradState
from .optim.adam import Adam, AdamState
from .optim.adamw import AdamW
from .optim.base import Optimizer, OptimizerDef, OptimizerSpec, parse_optimizer, update_rule
from .optim.rmsprop import RMSprop, RMSpropState
from .optim.sgd import SGD, SGDState

__all__ = [
    "ADAPTIVE_NAMES",
    "ALIASES",
    "DEFAULTS",
    "OPTIMIZER_NAMES",
    "REGISTRY",
    "SGD",
    "Adagrad",
    "AdagradState",
    "Adam",
    "AdamState",
    "AdamW",
    "Optimizer",
    "OptimizerDef",
    "OptimizerSpec",
    "RMSprop",
    "RMSpropState",
    "SGDState",
    "parse_optimizer",
    "update_rule",
]

OPTIMIZER_NAMES: tuple[str, ...] = tuple(REGISTRY)
"""Canonical optimizer names, as in ``torch.optim`` (lower case)."""

ADAPTIVE_NAMES: tuple[str, ...] = tuple(n for n, d in REGISTRY.items() if d.adaptive)
"""The optimizers that adapt their stride per coordinate (the Adams, RMSprop, Adagrad…)."""

ALIASES: dict[str, str] = dict(ALIAS_OF)
"""Other names a strategy may use, mapped to their canonical name."""

ALIAS_DEFAULTS: dict[str, dict[str, Any]] = {
    alias: dict(REGISTRY[name].aliases[alias].defaults) for alias, name in ALIAS_OF.items()
}
"""The defaults an alias changes, on top of its canonical optimizer's."""

DEFAULTS: dict[str, dict[str, Any]] = {name: d.defaults for name, d in REGISTRY.items()}
"""torch's defaults for every keyword each optimizer accepts, ``lr`` included."""
