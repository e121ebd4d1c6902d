"""Outcomes, steps to goal, score and stars.

Rules (the README's "Scoring" section states them for players):

- ``diverged``: the run stopped at a non-finite or escaped point.
- ``reached_goal``: the last ``settle_window(steps)`` points all lie within the
  goal tolerance of a global minimum: it settled there, not passed through.
- ``stuck_local``: those points all lie within the tolerance of one other local minimum.
- ``out_of_steps``: everything else, including a run that barely moved.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

OUTCOMES = ("reached_goal", "stuck_local", "out_of_steps", "diverged")


@dataclass(frozen=True)
class Goal:
    tolerance: float
    minima: np.ndarray  # [m, d], the global minima
    loss: float  # the global minimum's loss


@dataclass(frozen=True)
class Verdict:
    outcome: str
    steps: int
    steps_to_goal: int | None
    final_loss: float | None
    progress: float
    """How much of the way from the start's loss to the global minimum's was covered, in [0, 1]."""
    score: int
    stars: int


def settle_window(steps: int) -> int:
    """How many final points must lie inside the goal: max(5, 5% of the steps, rounded up)."""
    return max(5, math.ceil(0.05 * steps))


def judge_batch(
    trajectory: np.ndarray,
    loss: np.ndarray,
    steps: np.ndarray,
    diverged: np.ndarray,
    goal: Goal,
    local_minima: Sequence[Sequence[float]],
    par: int,
) -> list[Verdict]:
    """Verdicts for rows of a batch ([B, N+1, d] points, NaN past each row's end)."""
    n_rows, width, _ = trajectory.shape
    index = np.arange(width)
    with np.errstate(all="ignore"):
        near_goal = _distance(trajectory, goal.minima) <= goal.tolerance  # [B, N+1]
        if len(local_minima):
            local = np.asarray(local_minima, dtype=np.float64)
            # [B, N+1, k]: within the tolerance of each local minimum separately.
            near_local = (
                np.linalg.norm(trajectory[:, :, None, :] - local[None, None], axis=-1)
                <= goal.tolerance
            )
        else:
            near_local = np.zeros((n_rows, width, 0), dtype=bool)

    verdicts = []
    for i in range(n_rows):
        n = int(steps[i])
        start_loss = float(loss[i, 0])
        final = float(loss[i, n])
        window = min(settle_window(n), n + 1)
        tail = slice(n + 1 - window, n + 1)
        steps_to_goal: int | None = None
        if diverged[i]:
            outcome = "diverged"
        else:
            outside = ~near_goal[i, : n + 1]
            if not outside[n]:
                last_out = index[: n + 1][outside]
                steps_to_goal = int(last_out[-1]) + 1 if len(last_out) else 0
            if near_goal[i, tail].all():
                outcome = "reached_goal"
            elif near_local.shape[2] and near_local[i, tail].all(axis=0).any():
                outcome = "stuck_local"
            else:
                outcome = "out_of_steps"
        progress = _progress(start_loss, final, goal.loss)
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


def _distance(points: np.ndarray, minima: np.ndarray) -> np.ndarray:
    """Distance from each point to the nearest of the minima."""
    diff = points[..., None, :] - minima.reshape((1,) * (points.ndim - 1) + minima.shape)
    return np.min(np.linalg.norm(diff, axis=-1), axis=-1)


def _progress(start: float, final: float, best: float) -> float:
    if not (math.isfinite(start) and math.isfinite(final)):
        return 0.0
    span = start - best
    if span <= 0:
        return 1.0 if final <= start else 0.0
    return float(min(1.0, max(0.0, (start - final) / span)))


def _score(outcome: str, steps_to_goal: int | None, progress: float, par: int) -> tuple[int, int]:
    """Score out of 1000 and 0-3 stars.

    A win earns 500, up to 400 more for speed (par / steps to goal, capped at
    1) and up to 100 for the loss covered. A loss earns only partial credit for
    the loss covered: 300 when out of steps, 200 when stuck, 0 when diverged.
    """
    if outcome == "reached_goal":
        assert steps_to_goal is not None
        speed = min(1.0, par / max(steps_to_goal, 1))
        score = round(500 + 400 * speed + 100 * progress)
        stars = 3 if steps_to_goal <= par else 2 if steps_to_goal <= 2 * par else 1
        return score, stars
    credit = {"out_of_steps": 300, "stuck_local": 200}.get(outcome, 0)
    return round(credit * progress), 0
