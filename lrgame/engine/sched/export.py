"""A schedule as the torch expression that builds it on ``optimizer``."""

from __future__ import annotations

from typing import Any

from .base import REGISTRY, ScheduleSpec


def value_text(value: Any) -> str:
    """A parameter as Python source (lists for torch's list arguments)."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    return repr(value)


def scheduler_code(spec: ScheduleSpec, steps: int) -> tuple[str | None, set[str]]:
    """``(expression, torch classes it uses)``; ``(None, set())`` for no scheduler."""
    definition = REGISTRY[spec.name]
    if definition.export is not None:
        return definition.export(spec, steps)
    if not definition.torch_class:
        return None, set()
    kwargs = ", ".join(f"{k}={value_text(v)}" for k, v in spec.params.items())
    return f"{definition.torch_class}(optimizer, {kwargs})", {definition.torch_class}
