"""The optimizer registry: one module per ``torch.optim`` optimizer.

Every module of this package but ``base`` defines ``OPTIMIZER``, an
:class:`~lrgame.engine.optim.base.OptimizerDef`; the package finds them (a new
optimizer is a new module) and orders them by ``order``.
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import ALIAS_OF, REGISTRY, OptimizerDef


def _discover() -> None:
    found: list[OptimizerDef] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        definition = getattr(module, "OPTIMIZER", None)
        if isinstance(definition, OptimizerDef):
            found.append(definition)
    for definition in sorted(found, key=lambda d: (d.order, d.name)):
        REGISTRY[definition.name] = definition
        for alias in definition.aliases:
            ALIAS_OF[alias] = definition.name


_discover()

__all__ = ["ALIAS_OF", "REGISTRY", "OptimizerDef"]
