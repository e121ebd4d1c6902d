"""Model levels: a small network trained on data with the game's optimizers and schedules.

The loop is torch's, with one row per run and the mini-batch of step t shared
by every row::

    for t, idx in enumerate(batches):
        loss = loss_fn(model(x[idx]), y[idx]); loss.backward(); opt.step(); sched.step()

A run records, at each of its points, the flattened parameters (the
trajectory), the **full training-set** loss and the gradient the next step
felt (the mini-batch's; at the last point the full one). A row stops at the
first point whose loss or any weight is non-finite, or whose largest weight
exceeds ``MAX_WEIGHT``; that point is its last.

``ModelLandscape`` stands where a level's ``Landscape`` stands, so sweeps, the
finder, races and ``simulate`` run model levels through the same calls
(``simulate._run`` hands batches of a model to ``run_model``).
"""

from __future__ import annotations

import ctypes
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from .data import Dataset, batch_indices
from .landscape import Landscape
from .mlp import MLP
from .outcome import Outcome, Verdict, _progress, _score, settle_window

if TYPE_CHECKING:
    from .simulate import BatchRun
    from .strategy import Strategy

MAX_WEIGHT = 1e6
NEWTON_STEPS = 100
TRACK_LIMIT = 20_000_000
"""Above this many numbers (rows × points × parameters) a batch keeps no trajectory:
a sweep of a network needs only its losses, and the whole path would not fit in memory."""


class ModelLandscape(Landscape):
    """The training loss of ``mlp`` on ``data`` as a function of the flat parameters."""

    def __init__(
        self,
        mlp: MLP,
        data: Dataset,
        batch_size: int | None = None,
        batch_seed: int = 0,
        domain: np.ndarray | None = None,
    ) -> None:
        self.mlp = mlp
        self.data = data
        self.batch_size = None if batch_size is None or batch_size >= data.n else batch_size
        self.batch_seed = batch_seed
        self.dim = mlp.size
        # A model diverges by MAX_WEIGHT, not by an escape box; a domain given here is
        # only the window a map of a two-parameter model shows (see ``map_window``).
        self.domain = (
            np.tile([-MAX_WEIGHT, MAX_WEIGHT], (self.dim, 1)).astype(np.float64)
            if domain is None
            else np.asarray(domain, dtype=np.float64).reshape(self.dim, 2)
        )
        self.expression = None  # type: ignore[assignment]

    def loss(self, points: np.ndarray) -> np.ndarray:
        p = np.asarray(points, dtype=np.float64)
        flat = p.reshape(-1, self.dim)
        with np.errstate(all="ignore"):
            value = self.mlp.loss_value(flat, self.data.x, self.data.y)
        return value.reshape(p.shape[:-1])

    def holdout_loss(self, points: np.ndarray) -> np.ndarray | None:
        """The held-out loss at each point, or None without a held-out share."""
        if not len(self.data.y_holdout):
            return None
        p = np.asarray(points, dtype=np.float64)
        flat = p.reshape(-1, self.dim)
        with np.errstate(all="ignore"):
            value = self.mlp.loss_value(flat, self.data.x_holdout, self.data.y_holdout)
        return value.reshape(p.shape[:-1])

    def value_and_grad(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = np.asarray(points, dtype=np.float64)
        with np.errstate(all="ignore"):
            return self.mlp.value_and_grad(p.reshape(-1, self.dim), self.data.x, self.data.y)

    def hessian(self, points: np.ndarray) -> np.ndarray:
        """Central differences of the exact gradient (small models only)."""
        p = np.asarray(points, dtype=np.float64).reshape(-1, self.dim)
        h = 1e-5 * np.maximum(1.0, np.abs(p))
        out = np.empty((len(p), self.dim, self.dim))
        for j in range(self.dim):
            up, down = p.copy(), p.copy()
            up[:, j] += h[:, j]
            down[:, j] -= h[:, j]
            out[:, :, j] = (self.value_and_grad(up)[1] - self.value_and_grad(down)[1]) / (
                2 * h[:, j : j + 1]
            )
        out = (out + np.swapaxes(out, 1, 2)) / 2
        return out.reshape(*np.shape(points)[:-1], self.dim, self.dim)

    def batches(self, steps: int) -> np.ndarray | None:
        """The sample indices of each step [steps, batch_size] (−1 pads), or None (full batch)."""
        return batch_indices(self.data.n, self.batch_size, steps, self.batch_seed)

    def linear_minimum(self) -> np.ndarray | None:
        """The global minimum of a one-layer model with one output: least squares for MSE,
        Newton's method for BCE (logistic regression is convex, so its one stationary point
        is the minimum). None for other models, or when there is none at finite weights
        (classes a line separates drive the weights to infinity)."""
        if len(self.mlp.layers) != 2 or self.mlp.layers[1] != 1:
            return None
        a = np.hstack([self.data.x, np.ones((self.data.n, 1))])
        y = self.data.y
        with np.errstate(all="ignore"):
            if self.mlp.loss == "mse":
                try:
                    found = np.linalg.lstsq(a, y, rcond=None)[0]
                except np.linalg.LinAlgError:
                    return None
                return found if np.all(np.isfinite(found)) else None
            if self.mlp.loss != "bce":
                return None
            theta = np.zeros(a.shape[1])
            for _ in range(NEWTON_STEPS):
                s = 1.0 / (1.0 + np.exp(-(a @ theta)))
                gradient = a.T @ (s - y) / self.data.n
                hessian = (a * (s * (1 - s))[:, None]).T @ a / self.data.n
                try:
                    step = np.linalg.solve(hessian, gradient)
                except np.linalg.LinAlgError:
                    return None
                theta = theta - step
                if not np.all(np.isfinite(theta)) or np.max(np.abs(theta)) > MAX_WEIGHT:
                    return None
                if np.max(np.abs(step)) <= 1e-12 * (1 + np.max(np.abs(theta))):
                    return theta
        return None

    def curvature_limit(self) -> float | None:
        """2/λmax for a linear model with MSE, where λmax is exact: the Hessian is
        2·AᵀA/n for A = [X 1], the same at every point. None for other models."""
        if len(self.mlp.layers) != 2 or self.mlp.layers[1] != 1 or self.mlp.loss != "mse":
            return None
        a = np.hstack([self.data.x, np.ones((self.data.n, 1))])
        with np.errstate(all="ignore"):
            hessian = 2.0 * (a.T @ a) / self.data.n
            if not np.all(np.isfinite(hessian)):
                return None  # data so large that the curvature overflows: no finite limit
            lam = float(np.linalg.eigvalsh(hessian)[-1])
            limit = 2.0 / lam if lam > 0 else math.inf
        return limit if math.isfinite(limit) and limit > 0 else None


def run_model(
    landscape: ModelLandscape,
    start: Sequence[float],
    specs: Sequence[tuple[Strategy, np.ndarray, np.ndarray | None]],
    row_steps: Sequence[int],
) -> BatchRun:
    """``simulate._run`` for a model: the same groups and step loop, fed by mini-batches."""
    from .simulate import Felt, descend, groups_of

    _reuse_freed_memory()
    mlp, data = landscape.mlp, landscape.data
    dim = landscape.dim
    n_rows = len(row_steps)
    n_steps = max(row_steps) if n_rows else 0
    groups = groups_of(specs, n_steps)
    batches = landscape.batches(n_steps)
    measured = _measured_points(row_steps, any(g.lrs is None for g in groups))

    def feel(p: np.ndarray, live: np.ndarray, t: int) -> Felt:
        # Only live rows are computed: a sweep's diverged rows stop costing anything.
        everyone = len(live) == n_rows
        p_live = p if everyone else p[live]
        last = t == n_steps
        if batches is None or last:
            value, g_live = mlp.value_and_grad(p_live, data.x, data.y)
        else:
            idx = batches[t]
            idx = idx[idx >= 0]
            value = np.full(len(live), np.nan)
            if measured[t]:
                value = mlp.loss_value(p_live, data.x, data.y)
            _, g_live = mlp.value_and_grad(p_live, data.x[idx], data.y[idx])
        judged = bool(measured[t]) or batches is None or last
        if everyone:
            return Felt(value, g_live, g_live, judged)
        full_value = np.full(n_rows, np.nan)
        full_value[live] = value
        felt = np.zeros((n_rows, dim))
        felt[live] = g_live
        return Felt(full_value, felt, felt, judged)

    def escaped(p: np.ndarray) -> np.ndarray:
        return np.max(np.abs(p), axis=1) > MAX_WEIGHT

    track = n_rows * (n_steps + 1) * dim <= TRACK_LIMIT
    return descend(start, dim, groups, row_steps, feel, escaped, track=track)


MMAP_THRESHOLD = 32 * 2**20
TRIM_THRESHOLD = 64 * 2**20


@cache
def _reuse_freed_memory() -> None:
    """Let glibc keep freed blocks of up to 32 MB for reuse (and up to 64 MB free on its heap).

    By default it hands every freed block over 128 kB back to the system, and the
    next allocation of that size faults its pages in afresh, zero-filled. A network's
    sweep frees and allocates arrays of megabytes (activations, Adam's moments) many
    times a step: on the warmup level a third of the sweep's CPU time went to those
    page faults (``lrgame sweep levels/lab/04-warmup.json``: 1.4 s of system time,
    0.06 s with this; the memory peak unchanged; see benchmarks/bench_lab.py).
    Elsewhere (another libc) this does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's <malloc.h>
    mallopt(m_mmap_threshold, MMAP_THRESHOLD)
    mallopt(m_trim_threshold, TRIM_THRESHOLD)


SPARSE_ROWS = 8
"""A batch of more rows than this (a sweep) measures the full training loss only where
the verdict reads it; see ``_measured_points``."""
SPARSE_EVERY = 10


def _measured_points(row_steps: Sequence[int], needs_loss: bool) -> np.ndarray:
    """Which points get the full training loss [N + 1].

    A mini-batch step needs only its batch's gradient; the full loss costs a
    forward pass over all the data. Single runs and races (the player watches the
    curve) and plateau schedules (they read it) measure it at every point. A
    sweep measures it at the start, every ``SPARSE_EVERY`` points and over each
    row's settling window and end, all the verdict needs; other points hold NaN.
    With weights finite and within ``MAX_WEIGHT`` the loss is finite, so
    divergence is still caught at the same point.
    """
    n_steps = max(row_steps) if len(row_steps) else 0
    if len(row_steps) <= SPARSE_ROWS or needs_loss:
        return np.ones(n_steps + 1, dtype=bool)
    out = np.zeros(n_steps + 1, dtype=bool)
    out[::SPARSE_EVERY] = True
    for n in set(row_steps):
        out[n + 1 - min(settle_window(n), n + 1) : n + 1] = True
    return out


@dataclass(frozen=True)
class LossGoal:
    """A model level's goal: the full training loss settles at or below ``loss``."""

    loss: float


def judge_model(batch: BatchRun, goal: float, par: int) -> list[Verdict]:
    """Verdicts by the loss settling rule: the last ``settle_window`` points at or below the goal."""
    verdicts = []
    for i in range(len(batch)):
        n = int(batch.steps[i])
        values = batch.loss[i, : n + 1]
        final = float(values[n])
        window = min(settle_window(n), n + 1)
        steps_to_goal: int | None = None
        if batch.diverged[i]:
            outcome = Outcome.DIVERGED
        else:
            above = ~(values <= goal)
            if not above[n]:
                where = np.flatnonzero(above)
                steps_to_goal = int(where[-1]) + 1 if len(where) else 0
            won = not above[n + 1 - window :].any()
            outcome = Outcome.REACHED_GOAL if won else Outcome.OUT_OF_STEPS
        progress = _progress(float(values[0]), final, goal)
        score, stars = _score(outcome, steps_to_goal, progress, par)
        verdicts.append(
            Verdict(
                outcome=outcome,
                steps=n,
                steps_to_goal=steps_to_goal,
                final_loss=final if math.isfinite(final) else None,
                progress=progress,
                score=score,
                stars=stars,
            )
        )
    return verdicts


MAP_BLOWUP = 10.0
"""The map's window holds the walk up to where its loss first exceeds this many times the start's."""
MAP_MIN_SHARE = 0.2
"""Neither side of the window is shorter than this share of the longer one."""
MAP_MARGIN = 0.15


def map_window(
    trajectory: np.ndarray, loss: np.ndarray, minimum: np.ndarray | None = None
) -> np.ndarray:
    """The box [[lo, hi], [lo, hi]] the exact map of a two-parameter model covers.

    It holds the walk's points up to the first whose loss exceeds ``MAP_BLOWUP``
    times the start's (a diverging walk leaves the map by an arrow instead of
    stretching it until the valley is one pixel wide), and the ``minimum`` when
    given, with a margin. A walk that hardly moves along one axis still gets a
    window a fifth as long as along the other, so the valley's shape around it shows.
    """
    points = np.asarray(trajectory, dtype=np.float64)
    values = np.asarray(loss, dtype=np.float64)
    end = len(points)
    if len(values):
        with np.errstate(all="ignore"):
            over = ~(values <= MAP_BLOWUP * max(float(values[0]), 0.0))
        if over.any():
            end = int(np.argmax(over))
    kept = points[: max(end, 1)]
    kept = kept[np.all(np.isfinite(kept), axis=1)]
    if minimum is not None:
        kept = np.vstack([kept, np.asarray(minimum, dtype=np.float64).reshape(1, -1)])
    if not len(kept):
        kept = np.zeros((1, points.shape[1]))
    lo, hi = kept.min(axis=0), kept.max(axis=0)
    centre = (lo + hi) / 2
    span = hi - lo
    floor = max(MAP_MIN_SHARE * float(span.max()), 1e-3 * max(1.0, float(np.abs(centre).max())))
    span = np.maximum(span, floor) * (1 + 2 * MAP_MARGIN)
    return np.stack([centre - span / 2, centre + span / 2], axis=1)


@dataclass(frozen=True)
class Slice:
    """A 2-D slice of the loss through weight space, spanned by the walk's two principal directions.

    As in Li et al., "Visualizing the Loss Landscape of Neural Nets" (2018): the
    directions are the top two principal components of the trajectory (centred
    on its last point), the plane passes through that point, and the walk is
    projected onto it. For a model of two parameters the plane is the whole space.
    """

    a: np.ndarray  # [r] coordinates along the first direction
    b: np.ndarray  # [r] along the second
    loss: np.ndarray  # [r, r] full training loss, loss[i, j] at (a[j], b[i])
    walk: np.ndarray  # [N + 1, 2] the walk's coordinates in the plane
    explained: float
    """The share of the walk's variance the two directions explain, in [0, 1]."""


def pca_slice(
    landscape: ModelLandscape, trajectory: np.ndarray, resolution: int = 41
) -> Slice | None:
    """The slice, or None when the walk has no finite extent to span one (it blew up at once)."""
    with np.errstate(all="ignore"):
        try:
            found = _pca_slice(landscape, trajectory, resolution)
        except np.linalg.LinAlgError:
            return None
    if found is None or not np.all(np.isfinite(found.walk)):
        return None
    return found


def _pca_slice(landscape: ModelLandscape, trajectory: np.ndarray, resolution: int) -> Slice | None:
    points = np.asarray(trajectory, dtype=np.float64)
    points = points[np.all(np.isfinite(points), axis=1)]
    if len(points) == 0:
        return None
    centre = points[-1]
    offsets = points - centre
    _, singular, vt = np.linalg.svd(offsets - offsets.mean(axis=0), full_matrices=False)
    total = float(np.sum(singular**2))
    k = min(2, len(singular))
    directions = np.zeros((2, points.shape[1]))
    directions[:k] = vt[:k]
    if k < 2 or not np.any(directions[1]):
        # A straight walk has one direction: the second is any unit vector orthogonal to it.
        e = np.zeros(points.shape[1])
        e[int(np.argmin(np.abs(directions[0])))] = 1.0
        e -= (e @ directions[0]) * directions[0]
        directions[1] = e / np.linalg.norm(e)
    explained = float(np.sum(singular[:k] ** 2) / total) if total > 0 else 1.0
    walk = offsets @ directions.T
    span = np.max(np.abs(walk), axis=0) * 1.25
    span = np.where(span > 0, span, 1.0)
    a = np.linspace(-span[0], span[0], resolution)
    b = np.linspace(-span[1], span[1], resolution)
    grid = centre + a[None, :, None] * directions[0] + b[:, None, None] * directions[1]
    flat = grid.reshape(-1, points.shape[1])
    values = np.concatenate(
        [landscape.loss(flat[i : i + 256]) for i in range(0, len(flat), 256)]
    ).reshape(resolution, resolution)
    return Slice(a, b, values, walk, min(1.0, explained))
