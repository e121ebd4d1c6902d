"""Learning-rate schedules: PyTorch's ``torch.optim.lr_scheduler`` as pure functions of k.

The training loop the engine mirrors is::

    loss = f(p); loss.backward(); opt.step(); sched.step(); opt.zero_grad()

so optimizer step t (1-based) uses the learning rate (and momentum) that the
scheduler set after ``k = t - 1`` calls of ``sched.step()``. Every function here
takes that 0-based k. PyTorch updates most rates recursively
(``lr <- lr * gamma``); we use the closed forms, which equal torch's recursion to
rounding (checked against the real torch in ``tests/engine/test_schedules.py``).

``lr0`` is the run's headline learning rate: the optimizer's lr, except for
``onecycle`` and ``cyclic`` where it is ``max_lr`` (torch ignores the optimizer's
lr for those two). All values are float64; ``lr_values`` is vectorised over a
batch of headline rates ``[B]`` and a vector of steps ``[N]``.

``plateau`` (ReduceLROnPlateau) reads the loss, so it is not a function of k: its
state is explicit (``PlateauState``) and advanced by ``plateau_step``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from ..numfmt import num
from .errors import SpecError
from .params import as_bool, as_choice, as_float, as_int, as_list, check_keys, join
from .params import describe as describe_value

__all__ = [
    "SCHEDULE_NAMES",
    "SEQUENCE_PARTS",
    "PlateauState",
    "ScheduleSpec",
    "describe",
    "headline_lr",
    "is_pure",
    "lr_values",
    "momentum_values",
    "parse_schedule",
    "plateau_start",
    "plateau_step",
    "with_headline_lr",
]

SCHEDULE_NAMES: tuple[str, ...] = (
    "constant",
    "step",
    "multistep",
    "exponential",
    "cosine",
    "cosine_restarts",
    "linear",
    "onecycle",
    "cyclic",
    "plateau",
    "sequence",
    "warmup_cosine",
)

#: The schedules that may be parts of a ``sequence``.
SEQUENCE_PARTS: tuple[str, ...] = (
    "constant",
    "step",
    "multistep",
    "exponential",
    "cosine",
    "cosine_restarts",
    "linear",
)

#: The keys of each schedule's parameters, in the order ``to_json`` writes them.
PARAM_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "constant": (),
        "step": ("step_size", "gamma"),
        "multistep": ("milestones", "gamma"),
        "exponential": ("gamma",),
        "cosine": ("T_max", "eta_min"),
        "cosine_restarts": ("T_0", "T_mult", "eta_min"),
        "linear": ("start_factor", "end_factor", "total_iters"),
        "onecycle": (
            "max_lr",
            "total_steps",
            "pct_start",
            "anneal_strategy",
            "cycle_momentum",
            "base_momentum",
            "max_momentum",
            "div_factor",
            "final_div_factor",
            "three_phase",
        ),
        "cyclic": (
            "base_lr",
            "max_lr",
            "step_size_up",
            "step_size_down",
            "mode",
            "gamma",
            "cycle_momentum",
            "base_momentum",
            "max_momentum",
        ),
        "plateau": (
            "mode",
            "factor",
            "patience",
            "threshold",
            "threshold_mode",
            "cooldown",
            "min_lr",
            "eps",
        ),
        "sequence": ("schedules", "milestones"),
        "warmup_cosine": ("warmup_steps", "start_factor", "eta_min", "total_steps"),
    }
)

# Integer parameters are capped so that step arithmetic stays inside int64.
_MAX_INT = 10**9
_MAX_T_MULT = 1000


# --------------------------------------------------------------------------
# The specification
# --------------------------------------------------------------------------


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, ScheduleSpec):
        return value.to_json()
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class ScheduleSpec:
    """A validated schedule: its name and every parameter, defaults filled in.

    ``params`` is read-only; lists are stored as tuples and the parts of a
    ``sequence`` as ``ScheduleSpec``. ``to_json`` gives the strategy-file form,
    which ``parse_schedule`` reads back to an equal spec.
    """

    name: str
    params: Mapping[str, Any]

    def __post_init__(self) -> None:
        frozen = {key: _freeze(value) for key, value in self.params.items()}
        object.__setattr__(self, "params", MappingProxyType(frozen))

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.params.items()))))

    def to_json(self) -> dict[str, Any]:
        """The strategy-file form: ``{"name": ..., every parameter ...}``."""
        out: dict[str, Any] = {"name": self.name}
        for key in PARAM_KEYS[self.name]:
            out[key] = _thaw(self.params[key])
        return out


@dataclass(frozen=True)
class _Context:
    steps: int
    optimizer_name: str
    optimizer_lr: float
    has_momentum: bool


def parse_schedule(
    obj: Any,
    path: str = "schedule",
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
    ctx = _Context(int(steps), optimizer_name, float(optimizer_lr), bool(has_momentum))
    return _parse(obj, path, ctx, allowed=SCHEDULE_NAMES)


def _parse(obj: Any, path: str, ctx: _Context, *, allowed: tuple[str, ...]) -> ScheduleSpec:
    if obj is None:
        obj = "constant"
    body: Mapping[str, Any]
    if isinstance(obj, str):
        name, body, name_path = obj, {}, path
    elif isinstance(obj, Mapping):
        if "name" not in obj:
            raise SpecError(
                join(path, "name"),
                f"missing the schedule's name; expected one of: {', '.join(SCHEDULE_NAMES)}",
            )
        name, body, name_path = obj["name"], obj, join(path, "name")
    else:
        raise SpecError(path, f"expected a schedule name or an object, got {describe_value(obj)}")
    if not isinstance(name, str) or name not in SCHEDULE_NAMES:
        raise SpecError(
            name_path,
            f"unknown schedule {describe_value(name)}; "
            f"expected one of: {', '.join(SCHEDULE_NAMES)}",
        )
    if name not in allowed:
        raise SpecError(
            name_path,
            f"schedule {name!r} cannot be part of a sequence; allowed there: {', '.join(allowed)}",
        )
    check_keys(body, path, ("name", *PARAM_KEYS[name]))
    params = _PARSERS[name](body, path, ctx)
    return ScheduleSpec(name, params)


def _get(body: Mapping[str, Any], key: str, default: Any) -> Any:
    return body[key] if key in body else default


def _positive_gamma(body: Mapping[str, Any], path: str, default: float) -> float:
    return as_float(_get(body, "gamma", default), join(path, "gamma"), low=0.0, low_open=True)


def _parse_constant(body: Mapping[str, Any], path: str, ctx: _Context) -> dict[str, Any]:
    return {}


def _parse_step(body: Mapping[str, Any], path: str, ctx: _Context) -> dict[str, Any]:
    step_size = as_int(
        _get(body, "step_size", max(1, ctx.steps // 3)),
        join(path, "step_size"),
        low=1,
        high=_MAX_INT,
    )
    return {"step_size": step_size, "gamma": _positive_gamma(body, path, 0.1)}


def _parse_multistep(body: Mapping[str, Any], path: str, ctx: _Context) -> dict[str, Any]:
    mpath = join(path, "milestones")
    raw = as_list(_get(body, "milestones", [ctx.steps // 2, (3 * ctx.steps) // 4]), mpath)
    milestones = [as_int(m, join(mpath, i), low=0, high=_MAX_INT) for i, m in enumerate(raw)]
    for i in range(1, len(milestones)):
        if milestones[i] < milestones[i - 1]:
            raise SpecError(
                join(mpath, i),
                f"milestones must be non-decreasing: {milestones[i]!r} "
                f"comes after {milestones[i - 1]!r}",
            )
    return {"milestones": milestones, "gamma": _positive_gamma(body, path, 0.1)}


def _parse_exponential(body: Mapping[str, Any], path: str, ctx: _Context) -> dict[str, Any]:
    return {"gamma": _positive_gamma(body, path, 0.99)}


def _eta_min(body: Mapping[str, Any], path: str) -> float:
    return as_float(_get(body, "eta_min", 0.0), join(path, "eta_min"), low=0.0)


def _parse_cosine(body: Mapping[str, Any], path: str, ctx: _Context) -> dict[str, Any]:
    t_max = as_int(_get(body, "T_max", ctx.steps), join(path, "T_max"), low=1, high=_MAX_INT)
    return {"T_max": t_max, "eta_min": _eta_min(body, path)}


def _parse_cosine_restarts(body: Mapping[str, Any], path: str, ctx: _Context) -> dict[str, Any]:
    t_0 = as_int(_get(body, "T_0", max(1, ctx.steps // 4)), join(path, "T_0"), low=1, high=_MAX_INT)
    t_mult = as_int(_get(body, "T_mult", 1), join(path, "T_mult"), low=1, high=_MAX_T_MULT)
    return {"T_0": t_0, "T_mult": t_mult, "eta_min": _eta_min(body, path)}


def _parse_linear(body: Mapping[str, Any], path: str, ctx: _Context) -> dict[str, Any]:
    # torch.optim.lr_scheduler.LinearLR: start in (0, 1], end in [0, 1].
    start = as_float(
        _get(body, "start_factor", 1.0 / 3),
        join(path, "start_factor"),
        low=0.0,
        low_open=True,
        high=1.0,
    )
    end = as_float(_get(body, "end_factor", 1.0), join(path, "end_factor"), low=0.0, high=1.0)
    total = as_int(_get(body, "total_iters", 5), join(path, "total_iters"), low=1, high=_MAX_INT)
    return {"start_factor": start, "end_factor": end, "total_iters": total}


def _momentum_params(
    body: Mapping[str, Any], path: str, ctx: _Context, base_default: float, max_default: float
) -> dict[str, Any]:
    cycle = as_bool(_get(body, "cycle_momentum", True), join(path, "cycle_momentum"))
    base = as_float(
        _get(body, "base_momentum", base_default),
        join(path, "base_momentum"),
        low=0.0,
        high=1.0,
        high_open=True,
    )
    top = as_float(
        _get(body, "max_momentum", max_default),
        join(path, "max_momentum"),
        low=0.0,
        high=1.0,
        high_open=True,
    )
    if cycle and not ctx.has_momentum:
        raise SpecError(
            join(path, "cycle_momentum"),
            f"optimizer {ctx.optimizer_name!r} has no momentum or beta1 to cycle "
            "(torch refuses it); set cycle_momentum to false",
        )
    return {"cycle_momentum": cycle, "base_momentum": base, "max_momentum": top}


def _parse_onecycle(body: Mapping[str, Any], path: str, ctx: _Context) -> dict[str, Any]:
    max_lr = as_float(
        _get(body, "max_lr", ctx.optimizer_lr), join(path, "max_lr"), low=0.0, low_open=True
    )
    tpath = join(path, "total_steps")
    total = as_int(_get(body, "total_steps", ctx.steps), tpath, low=1, high=_MAX_INT)
    if ctx.steps > total:
        raise SpecError(
            tpath,
            f"total_steps {total!r} is less than the run's {ctx.steps} steps "
            "(torch's OneCycleLR raises when stepped past total_steps)",
        )
    pct = as_float(_get(body, "pct_start", 0.3), join(path, "pct_start"), low=0.0, high=1.0)
    anneal = as_choice(
        _get(body, "anneal_strategy", "cos"), join(path, "anneal_strategy"), ("cos", "linear")
    )
    momentum = _momentum_params(body, path, ctx, 0.85, 0.95)
    div = as_float(_get(body, "div_factor", 25.0), join(path, "div_factor"), low=0.0, low_open=True)
    final_div = as_float(
        _get(body, "final_div_factor", 1e4),
        join(path, "final_div_factor"),
        low=0.0,
        low_open=True,
    )
    three = as_bool(_get(body, "three_phase", False), join(path, "three_phase"))
    # torch divides by each phase's length: refuse a run that reaches an empty
    # phase (torch would raise ZeroDivisionError). A run computes k = 0..steps:
    # the last sched.step() follows the last optimizer step.
    ends = _onecycle_ends(total, pct, three)
    phase = _onecycle_phase(ends, np.arange(ctx.steps + 1, dtype=np.float64))
    starts = [0.0, *ends[:-1]]
    for i in np.unique(phase):
        if ends[i] - starts[i] == 0.0:
            raise SpecError(
                join(path, "pct_start"),
                f"pct_start {pct!r} with total_steps {total} leaves phase {int(i) + 1} of "
                "the one-cycle schedule empty (torch divides by zero); "
                "change pct_start or total_steps",
            )
    return {
        "max_lr": max_lr,
        "total_steps": total,
        "pct_start": pct,
        "anneal_strategy": anneal,
        **momentum,
        "div_factor": div,
        "final_div_factor": final_div,
        "three_phase": three,
    }


def _parse_cyclic(body: Mapping[str, Any], path: str, ctx: _Context) -> dict[str, Any]:
    max_lr = as_float(
        _get(body, "max_lr", ctx.optimizer_lr), join(path, "max_lr"), low=0.0, low_open=True
    )
    bpath = join(path, "base_lr")
    base_lr = as_float(_get(body, "base_lr", max_lr / 10), bpath, low=0.0)
    if base_lr > max_lr:
        raise SpecError(bpath, f"base_lr {base_lr!r} is above max_lr {max_lr!r}")
    up = as_int(_get(body, "step_size_up", 2000), join(path, "step_size_up"), low=1, high=_MAX_INT)
    down_raw = _get(body, "step_size_down", None)
    down = (
        None
        if down_raw is None
        else as_int(down_raw, join(path, "step_size_down"), low=0, high=_MAX_INT)
    )
    mode = as_choice(
        _get(body, "mode", "triangular"),
        join(path, "mode"),
        ("triangular", "triangular2", "exp_range"),
    )
    gamma = _positive_gamma(body, path, 1.0)
    momentum = _momentum_params(body, path, ctx, 0.8, 0.9)
    return {
        "base_lr": base_lr,
        "max_lr": max_lr,
        "step_size_up": up,
        "step_size_down": down,
        "mode": mode,
        "gamma": gamma,
        **momentum,
    }


def _parse_plateau(body: Mapping[str, Any], path: str, ctx: _Context) -> dict[str, Any]:
    return {
        "mode": as_choice(_get(body, "mode", "min"), join(path, "mode"), ("min", "max")),
        # torch requires factor < 1.
        "factor": as_float(
            _get(body, "factor", 0.1), join(path, "factor"), low=0.0, high=1.0, high_open=True
        ),
        "patience": as_int(_get(body, "patience", 10), join(path, "patience"), low=0),
        "threshold": as_float(_get(body, "threshold", 1e-4), join(path, "threshold"), low=0.0),
        "threshold_mode": as_choice(
            _get(body, "threshold_mode", "rel"), join(path, "threshold_mode"), ("rel", "abs")
        ),
        "cooldown": as_int(_get(body, "cooldown", 0), join(path, "cooldown"), low=0),
        "min_lr": as_float(_get(body, "min_lr", 0.0), join(path, "min_lr"), low=0.0),
        "eps": as_float(_get(body, "eps", 1e-8), join(path, "eps"), low=0.0),
    }


def _parse_sequence(body: Mapping[str, Any], path: str, ctx: _Context) -> dict[str, Any]:
    spath = join(path, "schedules")
    if "schedules" not in body:
        raise SpecError(spath, "missing the list of schedules")
    raw_parts = as_list(body["schedules"], spath, min_len=1)
    mpath = join(path, "milestones")
    raw_milestones = as_list(_get(body, "milestones", []), mpath)
    if len(raw_milestones) != len(raw_parts) - 1:
        raise SpecError(
            mpath,
            f"expected {len(raw_parts) - 1} milestones for {len(raw_parts)} schedules "
            f"(one fewer), got {len(raw_milestones)}",
        )
    milestones: list[int] = []
    for i, m in enumerate(raw_milestones):
        value = as_int(m, join(mpath, i), low=1, high=_MAX_INT)
        if milestones and value <= milestones[-1]:
            raise SpecError(
                join(mpath, i),
                f"milestones must be strictly increasing: {value!r} comes after {milestones[-1]!r}",
            )
        milestones.append(value)
    bounds = [0, *milestones, ctx.steps]
    parts = []
    for i, part in enumerate(raw_parts):
        # A part's step-count defaults (T_max, step_size, ...) come from the
        # length of its own segment of the run.
        seg = replace(ctx, steps=max(1, bounds[i + 1] - bounds[i]))
        parts.append(_parse(part, join(spath, i), seg, allowed=SEQUENCE_PARTS))
    return {"schedules": parts, "milestones": milestones}


def _parse_warmup_cosine(body: Mapping[str, Any], path: str, ctx: _Context) -> dict[str, Any]:
    tpath = join(path, "total_steps")
    total = as_int(_get(body, "total_steps", ctx.steps), tpath, low=2, high=_MAX_INT)
    wpath = join(path, "warmup_steps")
    warmup = as_int(_get(body, "warmup_steps", max(1, total // 10)), wpath, low=1)
    if warmup >= total:
        raise SpecError(
            wpath, f"warmup_steps {warmup!r} must be less than the {total} steps of the run"
        )
    start = as_float(
        _get(body, "start_factor", 0.01),
        join(path, "start_factor"),
        low=0.0,
        low_open=True,
        high=1.0,
    )
    return {
        "warmup_steps": warmup,
        "start_factor": start,
        "eta_min": _eta_min(body, path),
        "total_steps": total,
    }


_PARSERS: Mapping[str, Callable[[Mapping[str, Any], str, _Context], dict[str, Any]]] = (
    MappingProxyType(
        {
            "constant": _parse_constant,
            "step": _parse_step,
            "multistep": _parse_multistep,
            "exponential": _parse_exponential,
            "cosine": _parse_cosine,
            "cosine_restarts": _parse_cosine_restarts,
            "linear": _parse_linear,
            "onecycle": _parse_onecycle,
            "cyclic": _parse_cyclic,
            "plateau": _parse_plateau,
            "sequence": _parse_sequence,
            "warmup_cosine": _parse_warmup_cosine,
        }
    )
)


# --------------------------------------------------------------------------
# Headline learning rate
# --------------------------------------------------------------------------


def headline_lr(spec: ScheduleSpec, optimizer_lr: float) -> float:
    """The run's headline lr: ``max_lr`` for onecycle and cyclic, else the optimizer's."""
    if spec.name in ("onecycle", "cyclic"):
        return float(spec.params["max_lr"])
    return float(optimizer_lr)


def with_headline_lr(spec: ScheduleSpec, lr: float) -> ScheduleSpec:
    """``spec`` with its headline lr set to ``lr`` (onecycle and cyclic; others unchanged).

    For cyclic, ``base_lr`` keeps its ratio to ``max_lr``:
    ``base_lr * (lr / max_lr)``, the same expression ``lr_values`` uses per row.
    """
    if spec.name == "onecycle":
        return ScheduleSpec(spec.name, {**spec.params, "max_lr": float(lr)})
    if spec.name == "cyclic":
        base = _cyclic_base(spec.params["base_lr"], float(lr), spec.params["max_lr"])
        return ScheduleSpec(spec.name, {**spec.params, "base_lr": float(base), "max_lr": float(lr)})
    return spec


def _cyclic_base(base_lr: Any, lr: Any, max_lr: Any) -> Any:
    return base_lr * (lr / max_lr)


def is_pure(spec: ScheduleSpec) -> bool:
    """Whether the schedule is a function of k alone (all but ``plateau``)."""
    return spec.name != "plateau"


# --------------------------------------------------------------------------
# The schedules as pure functions of k
#
# Each takes ``lr0`` as a column [B, 1] and ``k`` as a row [N] (int64) and
# returns [B, N]. The arithmetic follows the order of torch's own expressions.
# --------------------------------------------------------------------------

_Array = np.ndarray


def constant_lr(lr0: _Array, k: _Array) -> _Array:
    """No scheduler: ``lr = lr0``."""
    return lr0 * np.ones(k.shape, dtype=np.float64)


def step_lr(lr0: _Array, k: _Array, step_size: int, gamma: float) -> _Array:
    """StepLR: ``lr = lr0 * gamma ** floor(k / step_size)``."""
    return lr0 * np.power(gamma, (k // step_size).astype(np.float64))


def multistep_lr(lr0: _Array, k: _Array, milestones: tuple[int, ...], gamma: float) -> _Array:
    """MultiStepLR: ``lr = lr0 * gamma ** #{milestones m : m <= k}``.

    A milestone listed twice counts twice (torch keeps them in a Counter).
    """
    count = np.searchsorted(np.asarray(milestones, dtype=np.int64), k, side="right")
    return lr0 * np.power(gamma, count.astype(np.float64))


def exponential_lr(lr0: _Array, k: _Array, gamma: float) -> _Array:
    """ExponentialLR: ``lr = lr0 * gamma ** k``."""
    return lr0 * np.power(gamma, k.astype(np.float64))


def _cosine(lr0: _Array, eta_min: float, t_cur: _Array, t_i: Any) -> _Array:
    return eta_min + (lr0 - eta_min) * (1 + np.cos(math.pi * t_cur / t_i)) / 2


def cosine_lr(lr0: _Array, k: _Array, T_max: int, eta_min: float) -> _Array:
    """CosineAnnealingLR: ``lr = eta_min + (lr0 - eta_min) * (1 + cos(pi * k / T_max)) / 2``.

    Torch's recursive update equals this closed form for every k, so past
    ``T_max`` the rate climbs back up (period ``2 * T_max``).
    """
    return _cosine(lr0, eta_min, k.astype(np.float64), float(T_max))


def restart_position(k: _Array, T_0: int, T_mult: int) -> tuple[_Array, _Array]:
    """CosineAnnealingWarmRestarts' ``(T_cur, T_i)`` after k steps, in integers.

    ``T_i`` starts at ``T_0``; each time ``T_cur`` reaches ``T_i``, ``T_cur -= T_i``
    and ``T_i *= T_mult``. Loops once per restart, not once per step.
    """
    k = k.astype(np.int64)
    if T_mult == 1:
        return k % T_0, np.full(k.shape, T_0, dtype=np.int64)
    t_cur = k.copy()
    t_i = np.full(k.shape, T_0, dtype=np.int64)
    over = t_cur >= t_i
    while over.any():
        t_cur[over] -= t_i[over]
        t_i[over] *= T_mult
        over = t_cur >= t_i
    return t_cur, t_i


def cosine_restarts_lr(
    lr0: _Array,
    k: _Array,
    T_0: int,
    T_mult: int,
    eta_min: float,
) -> _Array:
    """CosineAnnealingWarmRestarts:
    ``lr = eta_min + (lr0 - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``
    with ``(T_cur, T_i)`` from ``restart_position``.
    """
    t_cur, t_i = restart_position(k, T_0, T_mult)
    return _cosine(lr0, eta_min, t_cur.astype(np.float64), t_i.astype(np.float64))


def linear_lr(
    lr0: _Array, k: _Array, start_factor: float, end_factor: float, total_iters: int
) -> _Array:
    """LinearLR:
    ``lr = lr0 * (start + (end - start) * min(total_iters, k) / total_iters)``.
    """
    done = np.minimum(k, total_iters).astype(np.float64)
    return lr0 * (start_factor + (end_factor - start_factor) * done / total_iters)


def _onecycle_ends(total: int, pct_start: float, three_phase: bool) -> list[float]:
    # Exactly torch's phase end steps (floats).
    if three_phase:
        return [
            float(pct_start * total) - 1,
            float(2 * pct_start * total) - 2,
            float(total - 1),
        ]
    return [float(pct_start * total) - 1, float(total - 1)]


def _onecycle_phase(ends: list[float], k: _Array) -> _Array:
    """Torch's phase of step k: the first whose end_step >= k, else the last."""
    phase = np.full(k.shape, len(ends) - 1, dtype=np.int64)
    for i in reversed(range(len(ends) - 1)):
        phase = np.where(k <= ends[i], i, phase)
    return phase


def _onecycle_position(p: Mapping[str, Any], k: _Array) -> tuple[_Array, _Array]:
    """OneCycleLR's ``(phase, pct)`` at k: ``pct = (k - start) / (end - start)``."""
    ends = _onecycle_ends(p["total_steps"], p["pct_start"], p["three_phase"])
    kf = k.astype(np.float64)
    phase = _onecycle_phase(ends, kf)
    starts = np.asarray([0.0, *ends[:-1]])[phase]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = (kf - starts) / (np.asarray(ends)[phase] - starts)
    return phase, pct


def _anneal(strategy: str, start: Any, end: Any, pct: _Array) -> Any:
    if strategy == "cos":
        cos_out = np.cos(math.pi * pct) + 1
        return end + (start - end) / 2.0 * cos_out
    return (end - start) * pct + start


def _onecycle_curve(
    p: Mapping[str, Any], k: _Array, ends: list[tuple[Any, Any]], out: _Array
) -> _Array:
    """Fill ``out`` ([..., N]) with the curve through the per-phase ``(start, end)`` pairs."""
    phase, pct = _onecycle_position(p, k)
    for i, (start, end) in enumerate(ends):
        mask = phase == i
        if mask.any():
            out[..., mask] = _anneal(p["anneal_strategy"], start, end, pct[mask])
    return out


def onecycle_lr(lr0: _Array, k: _Array, p: Mapping[str, Any]) -> _Array:
    """OneCycleLR with ``max_lr = lr0``.

    ``initial = lr0 / div_factor``, ``min = initial / final_div_factor``. Phase
    ends (in steps): ``pct_start*total - 1`` (initial -> max_lr) and ``total - 1``
    (max_lr -> min); with ``three_phase``: ``pct_start*total - 1`` (initial ->
    max_lr), ``2*pct_start*total - 2`` (max_lr -> initial), ``total - 1``
    (initial -> min). Step k falls in the first phase whose end is >= k (else the
    last); ``pct = (k - phase_start) / (phase_end - phase_start)``; ``cos``:
    ``end + (start - end)/2 * (1 + cos(pi*pct))``, ``linear``:
    ``(end - start)*pct + start``.
    """
    initial = lr0 / p["div_factor"]
    bottom = initial / p["final_div_factor"]
    if p["three_phase"]:
        ends = [(initial, lr0), (lr0, initial), (initial, bottom)]
    else:
        ends = [(initial, lr0), (lr0, bottom)]
    return _onecycle_curve(p, k, ends, np.empty((lr0.shape[0], k.shape[0])))


def onecycle_momentum(k: _Array, p: Mapping[str, Any]) -> _Array:
    """OneCycleLR's momentum (beta1 for Adam), annealed like the lr but the other
    way: max_momentum -> base_momentum -> max_momentum (three-phase: then it
    stays at max_momentum).
    """
    low, high = p["base_momentum"], p["max_momentum"]
    ends = [(high, low), (low, high)]
    if p["three_phase"]:
        ends.append((high, high))
    return _onecycle_curve(p, k, ends, np.empty(k.shape[0]))


def _cyclic_position(k: _Array, p: Mapping[str, Any]) -> tuple[_Array, _Array]:
    """CyclicLR's ``(cycle, scale_factor)`` at k, as torch computes them.

    ``total = up + down``, ``ratio = up / total``, ``cycle = floor(1 + k/total)``,
    ``x = 1 + k/total - cycle``; ``scale = x/ratio`` if ``x <= ratio`` else
    ``(x - 1)/(ratio - 1)``.
    """
    up = float(p["step_size_up"])
    down = float(p["step_size_down"]) if p["step_size_down"] is not None else up
    total = up + down
    ratio = up / total
    kf = k.astype(np.float64)
    cycle = np.floor(1 + kf / total)
    x = 1.0 + kf / total - cycle
    rising = x <= ratio
    scale = np.empty_like(x)
    scale[rising] = x[rising] / ratio
    scale[~rising] = (x[~rising] - 1) / (ratio - 1)
    return cycle, scale


def _cyclic_scale(k: _Array, cycle: _Array, p: Mapping[str, Any]) -> _Array:
    """CyclicLR's amplitude factor: 1 (triangular), ``1/2**(cycle-1)``
    (triangular2), ``gamma**k`` (exp_range, evaluated on iterations).
    """
    if p["mode"] == "triangular":
        return np.ones_like(cycle)
    if p["mode"] == "triangular2":
        return 1 / (2.0 ** (cycle - 1))
    return np.power(p["gamma"], k.astype(np.float64))


def cyclic_lr(lr0: _Array, k: _Array, p: Mapping[str, Any]) -> _Array:
    """CyclicLR with ``max_lr = lr0`` and ``base_lr = spec base_lr * (lr0 / spec max_lr)``:
    ``lr = base_lr + (max_lr - base_lr) * scale * f`` (see ``_cyclic_position`` and
    ``_cyclic_scale``). Starts at base_lr.
    """
    base = _cyclic_base(p["base_lr"], lr0, p["max_lr"])
    cycle, scale = _cyclic_position(k, p)
    base_height = (lr0 - base) * scale
    return base + base_height * _cyclic_scale(k, cycle, p)


def cyclic_momentum(k: _Array, p: Mapping[str, Any]) -> _Array:
    """CyclicLR's momentum (beta1 for Adam):
    ``max_momentum - (max_momentum - base_momentum) * scale * f``.
    """
    cycle, scale = _cyclic_position(k, p)
    base_height = (p["max_momentum"] - p["base_momentum"]) * scale
    return p["max_momentum"] - base_height * _cyclic_scale(k, cycle, p)


def _as_sequence(spec: ScheduleSpec) -> ScheduleSpec:
    """warmup_cosine as the SequentialLR it means."""
    p = spec.params
    warmup = p["warmup_steps"]
    parts = [
        ScheduleSpec(
            "linear",
            {"start_factor": p["start_factor"], "end_factor": 1.0, "total_iters": warmup},
        ),
        ScheduleSpec("cosine", {"T_max": p["total_steps"] - warmup, "eta_min": p["eta_min"]}),
    ]
    return ScheduleSpec("sequence", {"schedules": parts, "milestones": [warmup]})


def sequence_lr(
    lr0: _Array, k: _Array, parts: tuple[ScheduleSpec, ...], milestones: tuple[int, ...]
) -> _Array:
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
            out[:, mask] = _table(part, lr0, k[mask] - offsets[i])
    return out


def _table(spec: ScheduleSpec, lr0: _Array, k: _Array) -> _Array:
    p = spec.params
    name = spec.name
    if name == "constant":
        return constant_lr(lr0, k)
    if name == "step":
        return step_lr(lr0, k, p["step_size"], p["gamma"])
    if name == "multistep":
        return multistep_lr(lr0, k, p["milestones"], p["gamma"])
    if name == "exponential":
        return exponential_lr(lr0, k, p["gamma"])
    if name == "cosine":
        return cosine_lr(lr0, k, p["T_max"], p["eta_min"])
    if name == "cosine_restarts":
        return cosine_restarts_lr(lr0, k, p["T_0"], p["T_mult"], p["eta_min"])
    if name == "linear":
        return linear_lr(lr0, k, p["start_factor"], p["end_factor"], p["total_iters"])
    if name == "onecycle":
        return onecycle_lr(lr0, k, p)
    if name == "cyclic":
        return cyclic_lr(lr0, k, p)
    if name == "sequence":
        return sequence_lr(lr0, k, p["schedules"], p["milestones"])
    if name == "warmup_cosine":
        return _table(_as_sequence(spec), lr0, k)
    if name == "plateau":
        raise ValueError("plateau reads the loss: use plateau_start and plateau_step")
    raise ValueError(f"unknown schedule {name!r}")


def _steps(k: Any) -> _Array:
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
        out = _table(spec, lr[:, None], steps)
    return np.ascontiguousarray(np.broadcast_to(out, (lr.shape[0], steps.shape[0])))


def momentum_values(spec: ScheduleSpec, k: np.ndarray) -> np.ndarray | None:
    """The momentum (SGD, RMSprop) or beta1 (Adam, AdamW) the schedule sets after
    k steps, shape ``[N]``; ``None`` if it sets none (only onecycle and cyclic with
    ``cycle_momentum`` do, and then even for an SGD whose momentum was 0).
    """
    if spec.name not in ("onecycle", "cyclic") or not spec.params["cycle_momentum"]:
        return None
    steps = _steps(k)
    with np.errstate(over="ignore", under="ignore"):
        if spec.name == "onecycle":
            return onecycle_momentum(steps, spec.params)
        return cyclic_momentum(steps, spec.params)


# --------------------------------------------------------------------------
# ReduceLROnPlateau: explicit state
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PlateauState:
    """ReduceLROnPlateau's state for B runs: the current lr, the best loss so
    far, the count of bad steps and the cooldown counter (each ``[B]``)."""

    lr: np.ndarray
    best: np.ndarray
    num_bad: np.ndarray
    cooldown: np.ndarray


def plateau_start(spec: ScheduleSpec, lr0: np.ndarray) -> PlateauState:
    """The state before the first step: lr0, best = +inf (min) or -inf (max)."""
    lr = np.array(lr0, dtype=np.float64, ndmin=1)
    worse = np.inf if spec.params["mode"] == "min" else -np.inf
    return PlateauState(
        lr=lr,
        best=np.full(lr.shape, worse, dtype=np.float64),
        num_bad=np.zeros(lr.shape, dtype=np.int64),
        cooldown=np.zeros(lr.shape, dtype=np.int64),
    )


def plateau_step(spec: ScheduleSpec, state: PlateauState, loss: np.ndarray) -> PlateauState:
    """One ``ReduceLROnPlateau.step(loss)`` for every row.

    Better (min, rel): ``loss < best * (1 - threshold)``; (min, abs):
    ``loss < best - threshold``; (max, rel): ``loss > best * (threshold + 1)``;
    (max, abs): ``loss > best + threshold`` - literally, also for a negative best,
    and false for a NaN loss. A better loss becomes ``best`` and resets the bad
    count, else the count grows; during cooldown the counter ticks down and bad
    steps are forgotten. When the count exceeds ``patience``:
    ``new = max(lr * factor, min_lr)``, taken only if ``lr - new > eps``; then the
    cooldown starts and the count resets.
    """
    p = spec.params
    current = np.asarray(loss, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        if p["mode"] == "min":
            if p["threshold_mode"] == "rel":
                better = current < state.best * (1.0 - p["threshold"])
            else:
                better = current < state.best - p["threshold"]
        elif p["threshold_mode"] == "rel":
            better = current > state.best * (p["threshold"] + 1.0)
        else:
            better = current > state.best + p["threshold"]
    best = np.where(better, current, state.best)
    num_bad = np.where(better, 0, state.num_bad + 1)
    in_cooldown = state.cooldown > 0
    cooldown = np.where(in_cooldown, state.cooldown - 1, state.cooldown)
    num_bad = np.where(in_cooldown, 0, num_bad)
    reduce = num_bad > p["patience"]
    new_lr = np.maximum(state.lr * p["factor"], p["min_lr"])
    lr = np.where(reduce & (state.lr - new_lr > p["eps"]), new_lr, state.lr)
    cooldown = np.where(reduce, p["cooldown"], cooldown)
    num_bad = np.where(reduce, 0, num_bad)
    return PlateauState(
        lr=lr.astype(np.float64),
        best=best.astype(np.float64),
        num_bad=num_bad.astype(np.int64),
        cooldown=cooldown.astype(np.int64),
    )


# --------------------------------------------------------------------------
# One-line description for the UI
# --------------------------------------------------------------------------


def _g(x: float) -> str:
    return num(x, 4)


def describe(spec: ScheduleSpec, lr: float | None = None, *, k: str = "k") -> str:
    """A short readable formula, e.g. ``lr = lr0 · 0.1^floor(k/30)``.

    With ``lr`` given, the headline lr appears as a number instead of ``lr0``;
    ``k`` is the name of the step the formula counts (a sequence's later parts
    count from their milestone, as torch's SequentialLR steps them).
    """
    p = spec.params
    name = spec.name
    base = "lr0" if lr is None else _g(lr)
    if name == "constant":
        return f"lr = {base}"
    if name == "step":
        return f"lr = {base} · {_g(p['gamma'])}^floor({k}/{p['step_size']})"
    if name == "multistep":
        marks = ", ".join(str(m) for m in p["milestones"]) or "none"
        return f"lr = {base} · {_g(p['gamma'])}^(milestones ≤ {k}), milestones {marks}"
    if name == "exponential":
        return f"lr = {base} · {_g(p['gamma'])}^{k}"
    if name in ("cosine", "cosine_restarts"):
        if name == "cosine":
            angle, tail = f"π·{k}/{p['T_max']}", ""
        else:
            angle = "π·T_cur/T_i"
            grow = "" if p["T_mult"] == 1 else f"·{p['T_mult']}^restarts"
            tail = f", T_i = {p['T_0']}{grow}"
        if p["eta_min"] == 0:
            return f"lr = {base} · (1 + cos({angle}))/2{tail}"
        em = _g(p["eta_min"])
        return f"lr = {em} + ({base} − {em}) · (1 + cos({angle}))/2{tail}"
    if name == "linear":
        s, e, t = p["start_factor"], p["end_factor"], p["total_iters"]
        return f"lr = {base} · ({_g(s)} + {_g(e - s)}·min({k}, {t})/{t})"
    if name == "onecycle":
        peak = p["max_lr"] if lr is None else lr
        low = peak / p["div_factor"]
        shape = "3-phase " if p["three_phase"] else ""
        return (
            f"one cycle ({shape}{p['anneal_strategy']}): {_g(low)} → {_g(peak)} at "
            f"{p['pct_start']:.0%} of {p['total_steps']} steps → {_g(low / p['final_div_factor'])}"
        )
    if name == "cyclic":
        top = p["max_lr"] if lr is None else lr
        bottom = _cyclic_base(p["base_lr"], top, p["max_lr"])
        down = p["step_size_down"] if p["step_size_down"] is not None else p["step_size_up"]
        extra = f", γ={_g(p['gamma'])}" if p["mode"] == "exp_range" else ""
        return (
            f"cyclic {p['mode']}{extra}: {_g(bottom)} ↗ {_g(top)} in {p['step_size_up']} "
            f"steps, ↘ in {down}"
        )
    if name == "plateau":
        better = "drop" if p["mode"] == "min" else "rise"
        size = f"{p['threshold']:.2%}" if p["threshold_mode"] == "rel" else _g(p["threshold"])
        return (
            f"lr × {_g(p['factor'])} after {p['patience']} steps without a {size} "
            f"{better} in loss (min {_g(p['min_lr'])})"
        )
    if name == "warmup_cosine":
        w, total = p["warmup_steps"], p["total_steps"]
        return (
            f"warm up from {_g(p['start_factor'])}·{base} over {w} steps, then cosine "
            f"to {_g(p['eta_min'])} over {total - w}"
        )
    if name == "sequence":
        parts = p["schedules"]
        text = describe(parts[0], lr, k=k)
        for m, part in zip(p["milestones"], parts[1:], strict=True):
            # Each later part restarts its count at its milestone: its formula says so.
            text += f"; from {k}={m}: " + describe(part, lr, k=f"({k}−{m})")
        return text
    return name
