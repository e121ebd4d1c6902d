"""SequentialLR: several schedules one after another, switching at milestones."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from ..errors import SpecError
from ..params import ParamSpec, as_int, as_list, join
from ..problems import FieldPath
from .base import (
    MAX_INT,
    Context,
    ScheduleDef,
    ScheduleSpec,
    describe_spec,
    parse_any,
    part_names,
    table,
)


def _parse(body: Mapping[str, Any], path: FieldPath, ctx: Context) -> dict[str, Any]:
    spath = join(path, "schedules")
    if "schedules" not in body:
        raise SpecError(spath, "missing the list of schedules")
    raw_parts = as_list(body["schedules"], spath, min_len=1)
    mpath = join(path, "milestones")
    raw_milestones = as_list(body.get("milestones", []), mpath)
    if len(raw_milestones) != len(raw_parts) - 1:
        raise SpecError(
            mpath,
            f"expected {len(raw_parts) - 1} milestones for {len(raw_parts)} schedules "
            f"(one fewer), got {len(raw_milestones)}",
        )
    milestones: list[int] = []
    for i, m in enumerate(raw_milestones):
        value = as_int(m, join(mpath, i), low=1, high=MAX_INT)
        if milestones and value <= milestones[-1]:
            raise SpecError(
                join(mpath, i),
                f"milestones must be strictly increasing: {value!r} comes after {milestones[-1]!r}",
            )
        milestones.append(value)
    bounds = [0, *milestones, ctx.steps]
    parts = []
    errors: list[SpecError] = []
    for i, part in enumerate(raw_parts):
        # A part's step-count defaults (T_max, step_size, ...) come from the
        # length of its own segment of the run.
        seg = replace(ctx, steps=max(1, bounds[i + 1] - bounds[i]))
        try:
            parts.append(
                parse_any(part, join(spath, i), seg, allowed=part_names(), within="sequence")
            )
        except SpecError as error:
            errors.append(error)
    SpecError.raise_all(errors)
    return {"schedules": parts, "milestones": milestones}


def sequence_lr(
    lr0: np.ndarray, k: np.ndarray, parts: tuple[ScheduleSpec, ...], milestones: tuple[int, ...]
) -> np.ndarray:
    """SequentialLR: with ``i = #{milestones m : m <= k}``, part i at its own step
    count ``k - milestones[i-1]``, starting again from lr0.

    At a milestone torch calls the part's ``_update_lr(0)`` (its closed form at
    step 0, computed from the base lr) and steps it normally afterwards, so each
    part restarts from scratch.
    """
    index = np.searchsorted(np.asarray(milestones, dtype=np.int64), k, side="right")
    out = np.empty((lr0.shape[0], k.shape[0]), dtype=np.float64)
    offsets = (0, *milestones)
    for i, part in enumerate(parts):
        mask = index == i
        if mask.any():
            out[:, mask] = table(part, lr0, k[mask] - offsets[i])
    return out


def _lr(p: Mapping[str, Any], lr0: np.ndarray, k: np.ndarray) -> np.ndarray:
    return sequence_lr(lr0, k, p["schedules"], p["milestones"])


def _describe(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    parts = spec.params["schedules"]
    text = describe_spec(parts[0], lr, k)
    for m, part in zip(spec.params["milestones"], parts[1:], strict=True):
        # Each later part restarts its count at its milestone: its formula says so.
        text += f"; from {k}={m}: " + describe_spec(part, lr, f"({k}−{m})")
    return text


def _export(spec: ScheduleSpec, steps: int) -> tuple[str, set[str]]:
    from .export import scheduler_code  # the parts' code comes from their own declarations

    classes = {"SequentialLR"}
    parts = []
    for sub in spec.params["schedules"]:
        code, used = scheduler_code(sub, steps)
        parts.append(code or "LambdaLR(optimizer, lambda step: 1.0)")
        classes |= used or {"LambdaLR"}
    inner = ",\n        ".join(parts)
    milestones = "[" + ", ".join(str(m) for m in spec.params["milestones"]) + "]"
    return (
        f"SequentialLR(\n    optimizer,\n    [\n        {inner},\n    ],\n"
        f"    milestones={milestones},\n)",
        classes,
    )


SCHEDULE = ScheduleDef(
    name="sequence",
    torch_class="SequentialLR",
    title="SequentialLR",
    description="Runs several schedules one after another, switching at the milestones "
    "(torch.optim.lr_scheduler.SequentialLR).",
    summary="several schedules one after another, switching at milestones",
    order=110,
    params=(
        ParamSpec(
            "schedules",
            kind="schedules",
            doc="List of schedules, each used in turn between the milestones "
            "(torch.optim.lr_scheduler.SequentialLR `schedulers`).",
            examples=(
                [{"name": "linear", "start_factor": 0.1, "total_iters": 10}, {"name": "cosine"}],
            ),
        ),
        ParamSpec(
            "milestones",
            kind="ints",
            default=[],
            low=1,
            high=MAX_INT,
            unique_items=True,
            doc="List of step indices at which the next schedule takes over; one fewer than "
            "the schedules, strictly increasing (torch.optim.lr_scheduler.SequentialLR "
            "`milestones`).",
            examples=([10], [50, 100]),
        ),
    ),
    parse=_parse,
    item_names=part_names,
    lr=_lr,
    describe=_describe,
    export=_export,
    part=False,
)
