"""What a run did, measured on its trajectory: the facts the coach's diagnosis rests on.

Every lost run gets a *cause*, each a measurement, not a guess from the outcome:

- ``never_moved``: the rate was 0, or no stride was longer than 1e-9 of the domain;
- ``crawling``: the loss still falling, strides far shorter (under a tenth) than
  the distance left to the goal;
- ``bouncing``: the stride along the steepest direction (the top Hessian
  eigenvector at the end point) changes sign on at least half of the last steps;
- ``zigzag`` (2-D): bouncing across the steepest direction while crawling along the
  flattest one, the ravine's classic;
- ``noise``: on a level with gradient noise, the walk reached the goal's
  neighbourhood but the noise kept it from settling;
- ``hovering``: near the goal (within three tolerances) but not settled, for no
  reason above;
- ``stuck``: settled in a local minimum (the outcome ``stuck_local``);
- ``diverged``: the run blew up; ``blowup_*`` say where (see :func:`measure`);
- ``wandering``: out of steps for none of the reasons above.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lrgame.engine.optimizers import OptimizerSpec
from lrgame.engine.outcome import Outcome, Verdict, settle_window
from lrgame.engine.simulate import Run
from lrgame.engine.stability import stability_factors, stability_limit
from lrgame.levels.model import Level

CAUSES = (
    "reached",
    "never_moved",
    "crawling",
    "bouncing",
    "zigzag",
    "noise",
    "hovering",
    "stuck",
    "diverged",
    "wandering",
)
STILL = 1e-9
"""A stride shorter than this share of the domain's size is no stride at all."""
CRAWL_SHARE = 0.1
"""Crawling: the average stride of the last steps is under this share of the distance left."""
BOUNCE_SHARE = 0.5
"""Bouncing: the steepest-direction stride changes sign on at least this share of the last steps."""
NEAR = 3.0
"""Hovering and noise: the end lies within this many goal tolerances of a global minimum."""


@dataclass(frozen=True)
class WalkFacts:
    cause: str
    steps: int
    window: int
    """The settle window: how many final points must lie inside the goal."""
    inside: int
    """How many of those final points did lie inside the goal."""
    distance: float | None
    """From the end point to the nearest global minimum."""
    stride: float | None
    """The mean stride length over the last tenth of the run (at least the settle window)."""
    fall_per_step: float | None
    """The share of the loss gap removed per step over the same stretch (negative: rising)."""
    sign_changes: float | None
    """The share of those steps whose stride along the steepest direction changed sign."""
    end_gradient: float | None
    """|∇L| at the end point."""
    blowup_step: int | None = None
    """Diverged: the first step at which the stride passed the edge of stability."""
    blowup_point: tuple[float, ...] | None = None
    blowup_curvature: float | None = None
    """The largest Hessian eigenvalue over the points visited up to ``blowup_step``."""
    blowup_lr: float | None = None
    """The rate used at ``blowup_step``."""
    blowup_limit: float | None = None
    """SGD only: the stability limit for ``blowup_curvature`` (below ``blowup_lr``)."""
    longest_stride: float | None = None
    peak_gradient: float | None = None
    """The largest |∇L| met along the walk (before any blow-up)."""


def _tail_length(steps: int) -> int:
    return min(steps, max(settle_window(steps), steps // 10, 3))


def _blowup(
    level: Level, spec: OptimizerSpec, run: Run, factors: np.ndarray
) -> tuple[int | None, float | None, float | None, float | None]:
    """(step, curvature, lr, limit) where the walk first passed its edge of stability."""
    n = run.steps
    if n == 0:
        return None, None, None, None
    with np.errstate(all="ignore"):
        lam = level.landscape.curvature(run.trajectory[:n])
    lam = np.where(np.isfinite(lam), lam, np.nan)
    step: int | None = None
    if spec.name == "sgd":
        momenta = run.momentum if run.momentum is not None else np.full(n, np.nan)
        for t in range(n):
            mu = None if math.isnan(momenta[t]) else float(momenta[t])
            limit = stability_limit(spec, float(lam[t]), mu) if math.isfinite(lam[t]) else None
            if limit is not None and run.lr[t] > limit:
                step = t
                break
    else:
        worst = np.nanmin(np.where(np.isfinite(factors), factors, np.nan), axis=1, initial=np.inf)
        over = np.flatnonzero(worst <= -1.0)
        step = int(over[0]) if len(over) else None
    if step is None:
        return None, None, None, None
    visited = lam[: step + 1]
    if not np.any(np.isfinite(visited)):
        return None, None, None, None
    curvature = float(np.nanmax(visited))
    lr = float(run.lr[step])
    limit = None
    if spec.name == "sgd":
        mu = None
        if run.momentum is not None and not math.isnan(run.momentum[step]):
            mu = float(run.momentum[step])
        limit = stability_limit(spec, curvature, mu)
    return step, curvature, lr, limit


def measure(
    level: Level, spec: OptimizerSpec, run: Run, verdict: Verdict, factors: np.ndarray | None = None
) -> WalkFacts:
    """The facts of one run; ``factors`` are its stability factors if already computed."""
    n = run.steps
    window = min(settle_window(n), n + 1)
    goal = level.goal
    points = run.trajectory[: n + 1]
    with np.errstate(all="ignore"):
        near = (
            np.min(np.linalg.norm(points[:, None, :] - goal.minima[None], axis=-1), axis=1)
            <= goal.tolerance
            if len(goal.minima)
            else np.zeros(n + 1, dtype=bool)
        )
        moves = np.linalg.norm(np.diff(points, axis=0), axis=1)
    inside = int(np.count_nonzero(near[n + 1 - window :]))
    end = points[-1]
    distance = None
    if len(goal.minima) and np.all(np.isfinite(end)):
        distance = float(np.min(np.linalg.norm(goal.minima - end, axis=-1)))
    finite_moves = moves[np.isfinite(moves)]
    longest = float(finite_moves.max()) if len(finite_moves) else None
    tail = _tail_length(n)
    stride = fall = changes = None
    grad_end = None
    if np.all(np.isfinite(run.grad[n])):
        grad_end = float(np.linalg.norm(run.grad[n]))
    if tail >= 1 and n >= 1:
        recent = moves[-tail:]
        if np.all(np.isfinite(recent)):
            stride = float(recent.mean())
        gap = run.loss[: n + 1] - goal.loss
        first, last = gap[n - tail], gap[n]
        if math.isfinite(first) and math.isfinite(last) and first > 0 and last >= 0:
            with np.errstate(all="ignore"):
                fall = float(1.0 - (last / first) ** (1.0 / tail)) if last > 0 else 1.0
        changes = _sign_changes(level, points, tail)

    with np.errstate(all="ignore"):
        norms = np.linalg.norm(run.grad[: n + 1], axis=-1)
    norms = norms[np.isfinite(norms)]
    common = dict(
        peak_gradient=float(norms.max()) if len(norms) else None,
        steps=n,
        window=window,
        inside=inside,
        distance=distance,
        stride=stride,
        fall_per_step=fall,
        sign_changes=changes,
        end_gradient=grad_end,
        longest_stride=longest,
    )
    if verdict.outcome == Outcome.REACHED_GOAL:
        return WalkFacts(cause="reached", **common)  # type: ignore[arg-type]
    if verdict.outcome == Outcome.DIVERGED:
        if factors is None:
            factors = stability_factors(level.landscape, run, spec, level.noise)
        step, curvature, lr, limit = _blowup(level, spec, run, factors)
        return WalkFacts(
            cause="diverged",
            blowup_step=step,
            blowup_point=None if step is None else tuple(float(v) for v in points[step]),
            blowup_curvature=curvature,
            blowup_lr=lr,
            blowup_limit=limit,
            **common,  # type: ignore[arg-type]
        )
    size = level.landscape.size
    used = run.lr[np.isfinite(run.lr)]
    if (
        n == 0
        or (len(used) and float(np.max(np.abs(used))) == 0.0)
        or (longest is not None and longest <= STILL * size)
    ):
        return WalkFacts(cause="never_moved", **common)  # type: ignore[arg-type]
    if verdict.outcome == Outcome.STUCK_LOCAL:
        return WalkFacts(cause="stuck", **common)  # type: ignore[arg-type]
    near_goal = distance is not None and distance <= NEAR * goal.tolerance
    if level.noise.std > 0 and (near_goal or inside > 0):
        return WalkFacts(cause="noise", **common)  # type: ignore[arg-type]
    falling = fall is not None and fall > 0
    short = stride is not None and distance is not None and stride < CRAWL_SHARE * distance
    if changes is not None and changes >= BOUNCE_SHARE:
        if level.dim == 2 and _crawls_along_floor(level, points, tail, distance):
            return WalkFacts(cause="zigzag", **common)  # type: ignore[arg-type]
        return WalkFacts(cause="bouncing", **common)  # type: ignore[arg-type]
    if falling and short:
        return WalkFacts(cause="crawling", **common)  # type: ignore[arg-type]
    if near_goal or inside > 0:
        return WalkFacts(cause="hovering", **common)  # type: ignore[arg-type]
    return WalkFacts(cause="wandering", **common)  # type: ignore[arg-type]


def _directions(level: Level, point: np.ndarray) -> np.ndarray | None:
    """The Hessian's eigenvectors at a point, steepest last ([d, d] columns), if finite."""
    with np.errstate(all="ignore"):
        hess = level.landscape.hessian(point[None])[0]
    if not np.all(np.isfinite(hess)):
        return None
    _, vectors = np.linalg.eigh(hess)
    return vectors


def _sign_changes(level: Level, points: np.ndarray, tail: int) -> float | None:
    """The share of the last ``tail`` strides whose component along the steepest direction flips."""
    if tail < 2 or not np.all(np.isfinite(points[-1])):
        return None
    vectors = _directions(level, points[-1])
    if vectors is None:
        return None
    along = np.diff(points[-tail - 1 :], axis=0) @ vectors[:, -1]
    signs = np.sign(along)
    signs = signs[signs != 0]
    if len(signs) < 2:
        return 0.0
    return float(np.mean(signs[1:] != signs[:-1]))


def _crawls_along_floor(
    level: Level, points: np.ndarray, tail: int, distance: float | None
) -> bool:
    """Along the flattest direction the last strides keep one sign and are short against the way left."""
    vectors = _directions(level, points[-1])
    if vectors is None or distance is None:
        return False
    along = np.diff(points[-tail - 1 :], axis=0) @ vectors[:, 0]
    signs = np.sign(along[along != 0])
    if len(signs) == 0 or not np.all(signs == signs[0]):
        return False
    return float(np.mean(np.abs(along))) < CRAWL_SHARE * distance
