"""Batched runs: many strategies descend one landscape at once.

The loop is torch's ``loss = f(p); loss.backward(); opt.step(); sched.step()``
with one row per run. A row stops at the first point whose loss or any
coordinate is non-finite, or that lies more than ``ESCAPE_WIDTHS`` domain
widths outside the domain; that point is its last. Points are never clipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .landscape import Landscape
from .optimizers import Optimizer
from .schedules import (
    ScheduleSpec,
    is_pure,
    lr_values,
    momentum_values,
    plateau_start,
    plateau_step,
)
from .strategy import Strategy

ESCAPE_WIDTHS = 10.0


@dataclass(frozen=True)
class Noise:
    """Seeded Gaussian gradient noise, as a mini-batch gradient would carry.

    The noise added at step t depends only on (seed, t): it is row t of one
    seeded stream, so every run of a batch, and every rerun, sees the same.
    """

    std: float = 0.0
    seed: int = 0

    def sample(self, steps: int, dim: int) -> np.ndarray | None:
        if self.std == 0.0 or steps == 0:
            return None
        rng = np.random.default_rng(self.seed)
        with np.errstate(over="ignore"):  # a std of 1e308 overflows to inf: a diverged run
            return self.std * rng.standard_normal((steps, dim))


@dataclass(frozen=True)
class Run:
    """One run: ``steps`` optimizer steps, so ``steps + 1`` points."""

    trajectory: np.ndarray  # [steps + 1, d]
    loss: np.ndarray  # [steps + 1]
    grad: np.ndarray  # [steps + 1, d], the exact gradient at each point (before noise)
    lr: np.ndarray  # [steps], the lr used by each step
    momentum: np.ndarray | None  # [steps], momentum or beta1 set by the schedule
    diverged: bool

    @property
    def steps(self) -> int:
        return len(self.lr)


@dataclass(frozen=True)
class BatchRun:
    """Runs side by side; rows past their end hold NaN."""

    trajectory: np.ndarray  # [B, N + 1, d]
    loss: np.ndarray  # [B, N + 1]
    grad: np.ndarray  # [B, N + 1, d]
    lr: np.ndarray  # [B, N]
    momentum: np.ndarray  # [B, N], NaN where the schedule sets none
    steps: np.ndarray  # [B], optimizer steps taken
    diverged: np.ndarray  # [B]

    def __len__(self) -> int:
        return len(self.steps)

    def row(self, i: int) -> Run:
        n = int(self.steps[i])
        momentum = self.momentum[i, :n]
        return Run(
            trajectory=self.trajectory[i, : n + 1],
            loss=self.loss[i, : n + 1],
            grad=self.grad[i, : n + 1],
            lr=self.lr[i, :n],
            momentum=None if np.all(np.isnan(momentum)) else momentum,
            diverged=bool(self.diverged[i]),
        )


@dataclass
class _Group:
    """Rows that share an optimizer and a schedule; only the headline lr differs."""

    rows: slice
    optimizer: Optimizer
    schedule: ScheduleSpec | None
    lr0: np.ndarray  # [b]
    lrs: np.ndarray | None  # [b, N] when the rates are known in advance
    momenta: np.ndarray | None  # [N]


def simulate(
    landscape: Landscape,
    start: Sequence[float],
    strategy: Strategy,
    noise: Noise | None = None,
) -> Run:
    """One strategy from one start point."""
    return run_batch(landscape, start, [strategy], noise).row(0)


def run_batch(
    landscape: Landscape,
    start: Sequence[float],
    strategies: Sequence[Strategy],
    noise: Noise | None = None,
) -> BatchRun:
    """Several strategies at once (ghost races): one group per strategy."""
    specs = [(s, np.array([s.lr]), None) for s in strategies]
    return _run(landscape, start, specs, [s.steps for s in strategies], noise)


def run_sweep(
    landscape: Landscape,
    start: Sequence[float],
    strategy: Strategy,
    lrs: np.ndarray,
    noise: Noise | None = None,
) -> BatchRun:
    """One strategy at many headline learning rates, as one batch.

    Row i equals ``simulate(landscape, start, strategy.with_lr(lrs[i]))``.
    """
    lr0 = np.asarray(lrs, dtype=np.float64).reshape(-1)
    return _run(landscape, start, [(strategy, lr0, None)], [strategy.steps] * len(lr0), noise)


def run_sweeps(
    landscape: Landscape,
    start: Sequence[float],
    sweeps: Sequence[tuple[Strategy, np.ndarray]],
    noise: Noise | None = None,
) -> BatchRun:
    """Several strategies, each at many headline rates, as one batch (rows in order).

    The rows of sweep j equal ``run_sweep(landscape, start, strategy_j, lrs_j)``.
    """
    specs = [(s, np.asarray(lrs, dtype=np.float64).reshape(-1), None) for s, lrs in sweeps]
    row_steps = [s.steps for s, lr0, _ in specs for _ in range(len(lr0))]
    return _run(landscape, start, specs, row_steps, noise)


def run_with_rates(
    landscape: Landscape,
    start: Sequence[float],
    strategy: Strategy,
    rates: np.ndarray,
    noise: Noise | None = None,
) -> BatchRun:
    """The strategy's optimizer driven by given per-step rates ([b, N]); its schedule is ignored."""
    rates = np.atleast_2d(np.asarray(rates, dtype=np.float64))
    steps = rates.shape[1]
    return _run(landscape, start, [(strategy, rates[:, 0], rates)], [steps] * len(rates), noise)


def _run(
    landscape: Landscape,
    start: Sequence[float],
    specs: Sequence[tuple[Strategy, np.ndarray, np.ndarray | None]],
    row_steps: Sequence[int],
    noise: Noise | None,
) -> BatchRun:
    from .lab import ModelLandscape, run_model  # lab imports this module

    if isinstance(landscape, ModelLandscape):
        return run_model(landscape, start, specs, row_steps)
    n_steps = max(row_steps) if len(row_steps) else 0
    limits = np.stack(
        [
            landscape.domain[:, 0] - ESCAPE_WIDTHS * landscape.widths,
            landscape.domain[:, 1] + ESCAPE_WIDTHS * landscape.widths,
        ]
    )
    noise_rows = noise.sample(n_steps, landscape.dim) if noise is not None else None

    def feel(p: np.ndarray, live: np.ndarray, t: int) -> Felt:
        value, g_t = landscape.value_and_grad(p)
        stepped = g_t if noise_rows is None or t >= n_steps else g_t + noise_rows[t]
        return Felt(value, g_t, stepped, judged=True)

    def escaped(p: np.ndarray) -> np.ndarray:
        return np.any((p < limits[0]) | (p > limits[1]), axis=1)

    return descend(start, landscape.dim, groups_of(specs, n_steps), row_steps, feel, escaped)


def groups_of(
    specs: Sequence[tuple[Strategy, np.ndarray, np.ndarray | None]], n_steps: int
) -> list[_Group]:
    """One group per spec (strategy, headline rates, given per-step rates or None), rows in order."""
    k = np.arange(n_steps)
    groups: list[_Group] = []
    first = 0
    for strategy, lr0, rates in specs:
        rows = slice(first, first + len(lr0))
        first = rows.stop
        if rates is not None:
            groups.append(_Group(rows, Optimizer(strategy.optimizer), None, lr0, rates, None))
            continue
        schedule = strategy.schedule
        steps = strategy.steps
        lrs = _pad(lr_values(schedule, lr0, k[:steps]), n_steps) if is_pure(schedule) else None
        momenta = momentum_values(schedule, k[:steps])
        if momenta is not None:
            momenta = _pad(momenta[None, :], n_steps)[0]
        groups.append(_Group(rows, Optimizer(strategy.optimizer), schedule, lr0, lrs, momenta))
    return groups


@dataclass(frozen=True)
class Felt:
    """What the rows feel at one point: arrays over all rows, rows not live may hold anything."""

    value: np.ndarray  # [B] the loss there (NaN where not measured)
    grad: np.ndarray  # [B, d] the gradient recorded at the point
    stepped: np.ndarray  # [B, d] the gradient the step uses (with noise, or a mini-batch's)
    judged: bool
    """Whether ``value`` is measured at this point for every live row, so a non-finite one ends it."""


def descend(
    start: Sequence[float],
    dim: int,
    groups: Sequence[_Group],
    row_steps: Sequence[int],
    feel: Callable[[np.ndarray, np.ndarray, int], Felt],
    escaped: Callable[[np.ndarray], np.ndarray],
    *,
    track: bool = True,
) -> BatchRun:
    """The step loop every landscape shares: ``feel`` the point, record it, stop the rows that
    blew up or ``escaped``, step every group with its optimizer and schedule.

    ``feel(p, live, t)`` is asked at every point t for the rows still live; with
    ``track`` False no trajectory or gradient is kept (their last axis is empty).
    """
    n_rows = len(row_steps)
    n_steps = max(row_steps) if n_rows else 0
    width = dim if track else 0
    trajectory = np.full((n_rows, n_steps + 1, width), np.nan)
    loss = np.full((n_rows, n_steps + 1), np.nan)
    grad = np.full((n_rows, n_steps + 1, width), np.nan)
    lr = np.full((n_rows, n_steps), np.nan)
    momentum = np.full((n_rows, n_steps), np.nan)
    stop = np.asarray(row_steps, dtype=np.int64).copy()
    diverged = np.zeros(n_rows, dtype=bool)
    active = np.ones(n_rows, dtype=bool)
    row_steps_arr = np.asarray(row_steps)

    with np.errstate(all="ignore"):
        p = np.broadcast_to(np.asarray(start, dtype=np.float64), (n_rows, dim)).copy()
        states = [g.optimizer.init(p[g.rows]) for g in groups]
        plateaus = [
            plateau_start(g.schedule, g.lr0) if g.lrs is None and g.schedule is not None else None
            for g in groups
        ]
        for t in range(n_steps + 1):
            live = np.flatnonzero(active)
            felt = feel(p, live, t)
            loss[live, t] = felt.value[live]
            if track:
                trajectory[live, t] = p[live]
                grad[live, t] = felt.grad[live]
            bad = ~np.all(np.isfinite(p), axis=1)
            if felt.judged:
                bad |= ~np.isfinite(felt.value)
            bad |= escaped(p)
            newly = active & bad
            if newly.any():
                diverged |= newly
                stop[newly] = t
                active &= ~newly
            active &= row_steps_arr > t
            if t == n_steps or not active.any():
                break
            new_p = np.empty_like(p)
            for i, group in enumerate(groups):
                plateau = plateaus[i]
                if group.lrs is not None:
                    lr_t = group.lrs[:, t]
                else:
                    assert plateau is not None
                    lr_t = plateau.lr
                mom_t = None
                if group.momenta is not None:
                    mom_t = np.full(len(lr_t), group.momenta[t])
                    momentum[group.rows, t] = mom_t
                lr[group.rows, t] = lr_t
                new_p[group.rows], states[i] = group.optimizer.update(
                    states[i], p[group.rows], felt.stepped[group.rows], lr_t, mom_t
                )
                if plateau is not None:
                    assert group.schedule is not None
                    plateaus[i] = plateau_step(group.schedule, plateau, felt.value[group.rows])
            # Rows that have ended keep their last point, so they never raise again.
            p = new_p if active.all() else np.where(active[:, None], new_p, p)

    # Past each row's last point there is nothing: NaN, whatever the loop wrote there.
    after_point = np.arange(n_steps + 1)[None, :] > stop[:, None]
    after_step = np.arange(n_steps)[None, :] >= stop[:, None]
    trajectory[after_point] = np.nan
    loss[after_point] = np.nan
    grad[after_point] = np.nan
    lr[after_step] = np.nan
    momentum[after_step] = np.nan
    return BatchRun(trajectory, loss, grad, lr, momentum, stop, diverged)


def _pad(values: np.ndarray, width: int) -> np.ndarray:
    """Pad [b, n] to [b, width] with NaN (rows of shorter runs)."""
    if values.shape[1] == width:
        return values
    out = np.full((values.shape[0], width), np.nan)
    out[:, : values.shape[1]] = values
    return out
