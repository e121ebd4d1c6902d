"""Every problem of a strategy at once, for the level reader, the setup screen and the CLI.

Within one field the parsers go on where they can (every item of a list, every
key of an optimizer or schedule, every part of a chained schedule) and raise one
``SpecError`` carrying all those problems. Across fields the schedule needs a
valid optimizer, so this thin layer records the problems, drops the offending
fields so their defaults stand in, and parses again: each bad field is reported
once, with its tuple path. It is the one place that does this; callers get a
list of :class:`Problem`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import SpecError
from .problems import FieldPath, Problem
from .strategy import Strategy, parse_strategy

_SECTIONS = ("optimizer", "schedule")


def read_strategy(
    obj: Any, *, level_steps: int, prefix: FieldPath = ()
) -> tuple[Strategy | None, list[Problem]]:
    """The strategy if it is valid, and every problem found (paths under ``prefix``)."""
    data = _copy(obj)
    problems: list[Problem] = []
    dropped: list[FieldPath] = []
    # Each round drops one field present in the data, so this ends.
    for _round in range(_field_count(data) + 1):
        try:
            strategy = parse_strategy(data, level_steps=level_steps)
        except SpecError as error:
            found = [p for p in error.problems if not any(p.path[: len(d)] == d for d in dropped)]
            if not found:
                break  # the fields' defaults fail too: their own problems already say why
            problems.extend(p.under(prefix) for p in found)
            fields = {_field_of(p.path) for p in found}
            if None in fields:
                break
            droppable = [f for f in fields if f is not None and _drop(data, f)]
            if not droppable:
                break
            dropped.extend(droppable)
            continue
        return (strategy if not problems else None), problems
    return None, problems


def _copy(obj: Any) -> Any:
    """A copy whose two sections can lose keys without touching the caller's data."""
    if not isinstance(obj, Mapping):
        return obj
    out = dict(obj)
    for section in _SECTIONS:
        if isinstance(out.get(section), Mapping):
            out[section] = dict(out[section])
    return out


def _field_count(data: Any) -> int:
    if not isinstance(data, Mapping):
        return 0
    return len(data) + sum(
        len(v) for k, v in data.items() if k in _SECTIONS and isinstance(v, Mapping)
    )


def _field_of(path: FieldPath) -> FieldPath | None:
    """The droppable field a problem is about: a top-level key or one key of a section, never
    a section's name (without it nothing else can be read)."""
    if len(path) == 1:
        return path
    if len(path) >= 2 and path[0] in _SECTIONS and isinstance(path[1], str) and path[1] != "name":
        return path[:2]
    return None


def _drop(data: Any, field: FieldPath) -> bool:
    container = data
    for part in field[:-1]:
        container = container.get(part) if isinstance(container, Mapping) else None
    if not isinstance(container, dict) or field[-1] not in container:
        return False
    del container[field[-1]]
    return True
