"""Learning-rate schedules: PyTorch's ``torch.optim.lr_scheduler`` as pure functions of k.

Each family lives in its own module of :mod:`lrgame.engine.sched`, which
declares its parameters, its torch class, its closure of the step and its
``describe``; this module is the front door the rest of lrgame imports.

Optimizer step t (1-based) uses the learning rate (and momentum) that the
scheduler set after ``k = t - 1`` calls of ``sched.step()``. ``lr0`` is the
run's headline learning rate: the optimizer's lr, except for ``onecycle`` and
``cyclic`` where it is ``max_lr`` (torch ignores the optimizer's lr for those
two). All values are float64; ``lr_values`` is vectorised over a batch of
headline rates ``[B]`` and a vector of steps ``[N]``.

``plateau`` (ReduceLROnPlateau) reads the loss, so it is not a function of k: its
state is explicit (``PlateauState``) and advanced by ``plateau_step``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from .problems import FieldPath
from .sched import REGISTRY
from .sched.base import (
    Context,
    ScheduleDef,
    ScheduleSpec,
    cyclic_base,
    describe_spec,
    parse_any,
    part_names,
    table,
)
from .sched.cosine_restarts import restart_position
from .sched.plateau import PlateauState, plateau_start, plateau_step

__all__ = [
    "REGISTRY",
    "SCHEDULE_NAMES",
    "SEQUENCE_PARTS",
    "PlateauState",
    "ScheduleDef",
    "ScheduleSpec",
    "describe",
    "headline_lr",
    "is_pure",
    "lr_values",
    "momentum_values",
    "parse_schedule",
    "plateau_start",
    "plateau_step",
    "restart_position",
    "with_headline_lr",
]

SCHEDULE_NAMES: tuple[str, ...] = tuple(REGISTRY)

#: The schedules that may be parts of a ``sequence``.
SEQUENCE_PARTS: tuple[str, ...] = part_names()

#: The keys of each schedule's parameters, in the order ``to_json`` writes them.
PARAM_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {name: d.keys for name, d in REGISTRY.items()}
)

#: Schedules that ignore the optimizer's lr and carry their own peak rate.
HEADLINE_SCHEDULES: tuple[str, ...] = tuple(n for n, d in REGISTRY.items() if d.headline)


def parse_schedule(
    obj: Any,
    path: FieldPath = ("schedule",),
    *,
    steps: int,
    optimizer_name: str,
    optimizer_lr: float,
    has_momentum: bool,
) -> ScheduleSpec:
    """Read a schedule from a strategy file.

    ``obj`` is ``None`` (no schedule: ``constant``), a name (all defaults) or an
    object ``{"name": ..., parameter: value, ...}``. ``steps`` is the run's step
    count (several defaults derive from it), ``optimizer_lr`` the optimizer's lr
    (the default ``max_lr`` of ``onecycle`` and ``cyclic``), and ``has_momentum``
    says whether the optimizer has a momentum or beta1 that ``onecycle`` and
    ``cyclic`` can cycle (torch: ``"momentum"`` or ``"betas"`` in its defaults -
    true for SGD even with momentum 0, false for Adagrad).

    Raises ``SpecError`` naming the field path and the offending value.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    ctx = Context(int(steps), optimizer_name, float(optimizer_lr), bool(has_momentum))
    return parse_any(obj, path, ctx)


def headline_lr(spec: ScheduleSpec, optimizer_lr: float) -> float:
    """The run's headline lr: ``max_lr`` for onecycle and cyclic, else the optimizer's."""
    if REGISTRY[spec.name].headline:
        return float(spec.params["max_lr"])
    return float(optimizer_lr)


def with_headline_lr(spec: ScheduleSpec, lr: float) -> ScheduleSpec:
    """``spec`` with its headline lr set to ``lr`` (onecycle and cyclic; others unchanged).

    For cyclic, ``base_lr`` keeps its ratio to ``max_lr``:
    ``base_lr * (lr / max_lr)``, the same expression ``lr_values`` uses per row.
    """
    if not REGISTRY[spec.name].headline:
        return spec
    params = {**spec.params, "max_lr": float(lr)}
    if "base_lr" in params:
        params["base_lr"] = float(
            cyclic_base(spec.params["base_lr"], float(lr), spec.params["max_lr"])
        )
    return ScheduleSpec(spec.name, params)


def is_pure(spec: ScheduleSpec) -> bool:
    """Whether the schedule is a function of k alone (all but ``plateau``)."""
    return REGISTRY[spec.name].lr is not None


def _steps(k: Any) -> np.ndarray:
    k = np.asarray(k)
    if k.ndim != 1:
        raise ValueError(f"k must be a 1-D array of step counts, got shape {k.shape}")
    if k.size and not np.issubdtype(k.dtype, np.integer):
        raise ValueError(f"k must hold integers, got dtype {k.dtype}")
    k = k.astype(np.int64)
    if k.size and k.min() < 0:
        raise ValueError("k must be >= 0")
    return k


def lr_values(spec: ScheduleSpec, lr0: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The learning rate after k calls of ``sched.step()``: shape ``[B, N]``.

    ``lr0`` ``[B]`` is each row's headline lr (``max_lr`` for onecycle/cyclic);
    ``k`` ``[N]`` holds 0-based step counts. Elementwise only, so a batch row
    equals the single run with that lr bit for bit. Raises ``ValueError`` for
    ``plateau``, which is not a function of k.
    """
    lr = np.asarray(lr0, dtype=np.float64)
    if lr.ndim != 1:
        raise ValueError(f"lr0 must be a 1-D array, got shape {lr.shape}")
    steps = _steps(k)
    with np.errstate(over="ignore", under="ignore"):
        out = table(spec, lr[:, None], steps)
    return np.ascontiguousarray(np.broadcast_to(out, (lr.shape[0], steps.shape[0])))


def momentum_values(spec: ScheduleSpec, k: np.ndarray) -> np.ndarray | None:
    """The momentum (SGD, RMSprop) or beta1 (the Adams) the schedule sets after
    k steps, shape ``[N]``; ``None`` if it sets none (only onecycle and cyclic with
    ``cycle_momentum`` do, and then even for an SGD whose momentum was 0).
    """
    momentum = REGISTRY[spec.name].momentum
    if momentum is None:
        return None
    steps = _steps(k)
    with np.errstate(over="ignore", under="ignore"):
        return momentum(steps, spec.params)


def describe(spec: ScheduleSpec, lr: float | None = None, *, k: str = "k") -> str:
    """A short readable formula, e.g. ``lr = lr0 · 0.1^floor(k/30)``.

    With ``lr`` given, the headline lr appears as a number instead of ``lr0``;
    ``k`` is the name of the step the formula counts (a sequence's later parts
    count from their milestone, as torch's SequentialLR steps them).
    """
    return describe_spec(spec, lr, k)
