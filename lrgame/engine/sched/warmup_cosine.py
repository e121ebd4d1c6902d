"""A linear warm-up then cosine annealing: the SequentialLR most training runs use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import SpecError
from ..params import ParamSpec, join
from ..problems import FieldPath
from .base import (
    MAX_INT,
    Context,
    ScheduleDef,
    ScheduleSpec,
    base_text,
    eta_min_param,
    g4,
    steps_default,
    table,
)


def as_sequence(p: Mapping[str, Any]) -> ScheduleSpec:
    """warmup_cosine as the SequentialLR it means."""
    warmup = p["warmup_steps"]
    parts = [
        ScheduleSpec(
            "linear",
            {"start_factor": p["start_factor"], "end_factor": 1.0, "total_iters": warmup},
        ),
        ScheduleSpec("cosine", {"T_max": p["total_steps"] - warmup, "eta_min": p["eta_min"]}),
    ]
    return ScheduleSpec("sequence", {"schedules": parts, "milestones": [warmup]})


def _check(values: dict[str, Any], path: FieldPath, ctx: Context) -> None:
    warmup, total = values["warmup_steps"], values["total_steps"]
    if warmup >= total:
        raise SpecError(
            join(path, "warmup_steps"),
            f"warmup_steps {warmup!r} must be less than the {total} steps of the run",
        )


def _lr(p: Mapping[str, Any], lr0: np.ndarray, k: np.ndarray) -> np.ndarray:
    return table(as_sequence(p), lr0, k)


def _describe(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    p = spec.params
    w, total = p["warmup_steps"], p["total_steps"]
    return (
        f"warm up from {g4(p['start_factor'])}·{base_text(lr)} over {w} steps, then cosine "
        f"to {g4(p['eta_min'])} over {total - w}"
    )


def _export(spec: ScheduleSpec, steps: int) -> tuple[str, set[str]]:
    p = spec.params
    k = p["warmup_steps"]
    total = p["total_steps"]
    return (
        "SequentialLR(\n    optimizer,\n    [\n"
        f"        LinearLR(optimizer, start_factor={p['start_factor']!r}, end_factor=1.0, "
        f"total_iters={k}),\n"
        f"        CosineAnnealingLR(optimizer, T_max={total - k}, eta_min={p['eta_min']!r}),\n"
        f"    ],\n    milestones=[{k}],\n)",
        {"SequentialLR", "LinearLR", "CosineAnnealingLR"},
    )


SCHEDULE = ScheduleDef(
    name="warmup_cosine",
    torch_class="SequentialLR",
    form_label="LinearLR → CosineAnnealingLR",
    title="Linear warm-up, then cosine",
    description="A linear warm-up (LinearLR) followed by cosine annealing to eta_min "
    "(CosineAnnealingLR) over the remaining steps, chained as by SequentialLR.",
    summary="a linear warm-up, then cosine annealing (LinearLR → CosineAnnealingLR)",
    order=120,
    params=(
        ParamSpec(
            "warmup_steps",
            kind="int",
            default=lambda ctx, values: max(1, values["total_steps"] // 10),
            low=1,
            doc="Number of warm-up steps during which the rate rises linearly from "
            "lr * start_factor to lr. Default: a tenth of the steps.",
            default_doc="a tenth of total_steps",
            examples=(10, 100),
        ),
        ParamSpec(
            "start_factor",
            default=0.01,
            low=0.0,
            low_open=True,
            high=1.0,
            doc="The number the learning rate is multiplied by in the first warm-up step (as "
            "LinearLR `start_factor`).",
            examples=(0.01, 0.1),
        ),
        eta_min_param(),
        ParamSpec(
            "total_steps",
            kind="int",
            default=steps_default(1),
            low=2,
            high=MAX_INT,
            advanced=True,
            doc="The steps the warm-up and the cosine share. Default: the number of steps.",
            default_doc="the number of steps",
            examples=(100, 1000),
        ),
    ),
    read_order=("total_steps",),
    check=_check,
    lr=_lr,
    describe=_describe,
    export=_export,
    part=False,
)
