"""The schedule registry: one module per ``torch.optim.lr_scheduler`` family.

Every module of this package but ``base`` and ``export`` defines ``SCHEDULE``,
a :class:`~lrgame.engine.sched.base.ScheduleDef`; the package finds them (a
new schedule is a new module) and orders them by ``order``.
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import REGISTRY, ScheduleDef


def _discover() -> None:
    found: list[ScheduleDef] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name in ("base", "export") or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        definition = getattr(module, "SCHEDULE", None)
        if isinstance(definition, ScheduleDef):
            found.append(definition)
    for definition in sorted(found, key=lambda d: (d.order, d.name)):
        REGISTRY[definition.name] = definition


_discover()

__all__ = ["REGISTRY", "ScheduleDef"]
