"""ChainedScheduler: several schedules stepped together, their factors multiplied."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import SpecError
from ..params import ParamSpec, as_list, join
from ..problems import FieldPath
from .base import (
    Context,
    ScheduleDef,
    ScheduleSpec,
    base_text,
    chainable_names,
    describe_spec,
    parse_any,
    table,
)


def _parse(body: Mapping[str, Any], path: FieldPath, ctx: Context) -> dict[str, Any]:
    spath = join(path, "schedules")
    if "schedules" not in body:
        raise SpecError(spath, "missing the list of schedules")
    raw = as_list(body["schedules"], spath, min_len=1)
    allowed = chainable_names()
    parts: list[ScheduleSpec] = []
    errors: list[SpecError] = []
    for i, part in enumerate(raw):
        try:
            parts.append(
                parse_any(part, join(spath, i), ctx, allowed=allowed, within="chained schedule")
            )
        except SpecError as error:
            errors.append(error)
    SpecError.raise_all(errors)
    return {"schedules": parts}


def chained_lr(lr0: np.ndarray, k: np.ndarray, parts: tuple[ScheduleSpec, ...]) -> np.ndarray:
    """ChainedScheduler: ``lr = lr0 · Π_i f_i(k)``, each part's own factor at k.

    Only parts whose torch step multiplies the group's rate by a factor of k
    (``chainable``) may be chained, so stepping them all in turn multiplies
    their factors, whatever the order.
    """
    one = np.ones((1, 1))
    factor = np.ones((1, k.shape[0]))
    for part in parts:
        factor = factor * table(part, one, k)
    return lr0 * factor


def _lr(p: Mapping[str, Any], lr0: np.ndarray, k: np.ndarray) -> np.ndarray:
    return chained_lr(lr0, k, p["schedules"])


def _factor(part: ScheduleSpec, k: str) -> str:
    """A part's formula as the factor it contributes: ``0.9^k`` rather than ``lr = lr0 · 0.9^k``."""
    text = describe_spec(part, None, k)
    head = "lr = lr0 · "
    return f"({text[len(head) :]})" if text.startswith(head) else f"[{text}]"


def _describe(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    factors = " · ".join(_factor(part, k) for part in spec.params["schedules"])
    return f"lr = {base_text(lr)} · {factors}"


def _export(spec: ScheduleSpec, steps: int) -> tuple[str, set[str]]:
    from .export import scheduler_code

    classes = {"ChainedScheduler"}
    parts = []
    for part in spec.params["schedules"]:
        code, used = scheduler_code(part, steps)
        parts.append(code or "")
        classes |= used
    inner = ",\n        ".join(parts)
    return (
        f"ChainedScheduler(\n    [\n        {inner},\n    ],\n    optimizer=optimizer,\n)",
        classes,
    )


SCHEDULE = ScheduleDef(
    name="chained",
    torch_class="ChainedScheduler",
    title="ChainedScheduler",
    description="Steps several schedules together, so their factors multiply "
    "(torch.optim.lr_scheduler.ChainedScheduler).",
    summary="several schedules stepped together, their factors multiplied",
    order=115,
    params=(
        ParamSpec(
            "schedules",
            kind="schedules",
            doc="List of schedules stepped together at every step "
            "(torch.optim.lr_scheduler.ChainedScheduler `schedulers`).",
            examples=([{"name": "linear", "start_factor": 0.1, "total_iters": 10}, "exponential"],),
        ),
    ),
    parse=_parse,
    item_names=chainable_names,
    lr=_lr,
    describe=_describe,
    export=_export,
    part=False,
)
