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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # NumPy is imported where a run is judged: saves (and so the title screen and
    # `lrgame progress`) need only the outcome names, and NumPy is a third of start-up.
    import numpy as np


class Outcome(StrEnum):
    """How a run ended. The values are the words level files, saves and ``--json`` use."""

    REACHED_GOAL = "reached_goal"
    STUCK_LOCAL = "stuck_local"
    OUT_OF_STEPS = "out_of_steps"
    DIVERGED = "diverged"

    @property
    def won(self) -> bool:
        return self is Outcome.REACHED_GOAL

    @property
    def glyph(self) -> str:
        return OUTCOME_TABLE[self].glyph

    @property
    def headline(self) -> str:
        """The English headline (the UI translates it: ``lrgame.ui.lessons.outcome_name``)."""
        return OUTCOME_TABLE[self].headline

    @property
    def past(self) -> str:
        """What the run did, to finish "it ...": ``got stuck in a local minimum``."""
        return OUTCOME_TABLE[self].past


@dataclass(frozen=True)
class OutcomeLook:
    glyph: str
    """One cell, readable without colour: the sweep strip draws one per column."""
    headline: str
    past: str


OUTCOME_TABLE: Mapping[Outcome, OutcomeLook] = MappingProxyType(
    {
        Outcome.REACHED_GOAL: OutcomeLook("✔", "Reached the goal", "reached the goal"),
        Outcome.STUCK_LOCAL: OutcomeLook(
            "◌", "Stuck in a local minimum", "got stuck in a local minimum"
        ),
        # Not ⌛: it is two cells wide (emoji presentation) and missing from browser fonts.
        Outcome.OUT_OF_STEPS: OutcomeLook("…", "Out of steps", "ran out of steps"),
        Outcome.DIVERGED: OutcomeLook("✗", "Diverged", "diverged"),
    }
)
"""Every outcome's glyph and names: the one place they are spelled."""

LOSING_OUTCOMES = (Outcome.DIVERGED, Outcome.STUCK_LOCAL, Outcome.OUT_OF_STEPS)
"""In the order a level file's ``demos.lose[].outcome`` lists them."""


@dataclass(frozen=True)
class Goal:
    tolerance: float
    minima: np.ndarray  # [m, d], the global minima
    loss: float  # the global minimum's loss


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    steps: int
    steps_to_goal: int | None
    final_loss: float | None
    progress: float
    """How much of the way from the start's loss to the global minimum's was covered, in [0, 1]."""
    score: int
    stars: int

    def __post_init__(self) -> None:
        # Read back from a save or built by a caller with the plain word: always the enum.
        object.__setattr__(self, "outcome", Outcome(self.outcome))


def settle_window(steps: int) -> int:
    """How many final points must lie inside the goal: max(5, 5% of the steps, rounded up)."""
    return max(5, math.ceil(0.05 * steps))


# Elements in any temporary array the judge builds (8 MB of float64): memory stays
# proportional to runs x steps, whatever the number of minima.
CHUNK = 1 << 20
# Points per block when testing them against many minima: consecutive points of a
# run lie close together, so a block's bounding box rules out most minima.
POINT_BLOCK = 4096
ROW_BLOCK = 4096


def judge_batch(
    trajectory: np.ndarray,
    loss: np.ndarray,
    steps: np.ndarray,
    diverged: np.ndarray,
    goal: Goal,
    local_minima: Sequence[Sequence[float]],
    par: int,
) -> list[Verdict]:
    """Verdicts for rows of a batch ([B, N+1, d] points, NaN past each row's end).

    Memory is proportional to B x N (and bounded per block), never to the
    number of minima: only each row's final stretch is compared with them.
    """
    import numpy as np

    n_rows, _, dim = trajectory.shape
    steps = np.asarray(steps, dtype=np.int64).reshape(n_rows)
    diverged = np.asarray(diverged, dtype=bool).reshape(n_rows)
    rows = np.arange(n_rows)
    windows = np.array([min(settle_window(int(n)), int(n) + 1) for n in steps], dtype=np.int64)
    goal_minima = np.asarray(goal.minima, dtype=np.float64).reshape(-1, dim)
    local = np.asarray(local_minima, dtype=np.float64).reshape(-1, dim)
    with np.errstate(all="ignore"):
        final_near = ~diverged & _near(trajectory[rows, steps], goal_minima, goal.tolerance)
        # The first step from which each row stays near a goal minimum; -1: it does not end there.
        since = np.full(n_rows, -1, dtype=np.int64)
        candidates = np.flatnonzero(final_near)
        since[candidates] = _settled_since(
            trajectory, steps[candidates], candidates, goal_minima, goal.tolerance
        )
        reached = final_near & (since <= steps + 1 - windows)
        stuck = _stuck(trajectory, steps, windows, ~diverged & ~reached, local, goal.tolerance)

    verdicts = []
    for i in range(n_rows):
        n = int(steps[i])
        start_loss = float(loss[i, 0])
        final = float(loss[i, n])
        steps_to_goal = int(since[i]) if since[i] >= 0 else None
        if diverged[i]:
            outcome = Outcome.DIVERGED
        elif reached[i]:
            outcome = Outcome.REACHED_GOAL
        elif stuck[i]:
            outcome = Outcome.STUCK_LOCAL
        else:
            outcome = Outcome.OUT_OF_STEPS
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


def _settled_since(
    trajectory: np.ndarray,
    steps: np.ndarray,
    rows: np.ndarray,
    minima: np.ndarray,
    tolerance: float,
) -> np.ndarray:
    """For rows whose last point is near a minimum: the first step from which they stay near.

    Each row is read backwards from its end, in growing blocks, and only until
    its last point away from every minimum: a run that settles early costs
    its whole length, one that arrives at the end costs a few points.
    """
    import numpy as np

    dim = trajectory.shape[2]
    out = np.zeros(len(rows), dtype=np.int64)
    for first in range(0, len(rows), ROW_BLOCK):
        part = slice(first, first + ROW_BLOCK)
        r, n = rows[part], steps[part]
        pending = np.arange(len(r))
        offset, block = 0, 16
        while len(pending):
            block = min(block, max(1, CHUNK // len(pending)))
            back = offset + np.arange(block)
            index = n[pending, None] - back[None, :]  # [R, block], walking back from the end
            valid = index >= 0
            points = trajectory[r[pending, None], np.maximum(index, 0)]
            near = _near(points.reshape(-1, dim), minima, tolerance).reshape(index.shape)
            away = valid & ~near
            hit = away.any(axis=1)
            # The step after the last point away; a row near all the way back to 0 settled at 0.
            out[first + pending[hit]] = n[pending[hit]] - offset - np.argmax(away[hit], axis=1) + 1
            pending = pending[~hit & valid[:, -1]]
            offset += block
            block *= 2
    return out


def _stuck(
    trajectory: np.ndarray,
    steps: np.ndarray,
    windows: np.ndarray,
    eligible: np.ndarray,
    local: np.ndarray,
    tolerance: float,
) -> np.ndarray:
    """Rows whose final window lies within the tolerance of one and the same local minimum."""
    import numpy as np

    n_rows, _, dim = trajectory.shape
    stuck = np.zeros(n_rows, dtype=bool)
    if len(local) == 0:
        return stuck
    rows = np.flatnonzero(eligible)
    # Only minima near a row's last point can hold its whole final window.
    per_block = max(1, CHUNK // len(local))
    pair_rows: list[np.ndarray] = []
    pair_minima: list[np.ndarray] = []
    for first in range(0, len(rows), per_block):
        r = rows[first : first + per_block]
        last = trajectory[r, steps[r]]
        close = _norm(last[:, None, :] - local[None, :, :]) <= tolerance
        i, m = np.nonzero(close)
        pair_rows.append(r[i])
        pair_minima.append(m)
    if not pair_rows:
        return stuck
    pr, pm = np.concatenate(pair_rows), np.concatenate(pair_minima)
    if len(pr) == 0:
        return stuck
    width = int(windows[pr].max())
    per_block = max(1, CHUNK // (width * dim))
    back = np.arange(width)
    for first in range(0, len(pr), per_block):
        r, m = pr[first : first + per_block], pm[first : first + per_block]
        index = steps[r, None] - back[None, :]
        inside = back[None, :] < windows[r, None]
        points = trajectory[r[:, None], np.maximum(index, 0)]
        near = _norm(points - local[m][:, None, :]) <= tolerance
        stuck[r[np.all(near | ~inside, axis=1)]] = True
    return stuck


def _norm(diff: np.ndarray) -> np.ndarray:
    """Euclidean length over the last axis, computed exactly as ``np.linalg.norm`` does."""
    import numpy as np

    return np.sqrt(np.add.reduce(diff * diff, axis=-1))


def _near(points: np.ndarray, minima: np.ndarray, tolerance: float) -> np.ndarray:
    """Whether each point ([P, d]) lies within ``tolerance`` of any of the minima ([m, d])."""
    import numpy as np

    out = np.zeros(len(points), dtype=bool)
    if len(minima) == 0 or len(points) == 0:
        return out
    finite = np.flatnonzero(np.all(np.isfinite(points), axis=1))
    if points.shape[1] == 1:
        # In 1-D the nearest minimum is one of the two on either side in sorted order.
        ordered = np.sort(minima[:, 0])
        p = points[finite, 0]
        right = np.searchsorted(ordered, p).clip(0, len(ordered) - 1)
        left = (right - 1).clip(0, len(ordered) - 1)
        for side in (left, right):
            out[finite] |= _norm((p - ordered[side])[:, None]) <= tolerance
        return out
    # The bounding box's margin of twice the tolerance keeps every minimum whose
    # rounded distance could still come out at the tolerance.
    margin = 2 * tolerance
    for first in range(0, len(finite), POINT_BLOCK):
        idx = finite[first : first + POINT_BLOCK]
        block = points[idx]
        low, high = block.min(axis=0) - margin, block.max(axis=0) + margin
        keep = minima[np.all((minima >= low) & (minima <= high), axis=1)]
        if len(keep) == 0:
            continue
        size = max(1, CHUNK // len(keep))
        for sub in range(0, len(idx), size):
            pts = block[sub : sub + size]
            near = _norm(pts[:, None, :] - keep[None, :, :]) <= tolerance
            out[idx[sub : sub + size]] = near.any(axis=1)
    return out


def _progress(start: float, final: float, best: float) -> float:
    if not (math.isfinite(start) and math.isfinite(final)):
        return 0.0
    span = start - best
    if span <= 0:
        return 1.0 if final <= start else 0.0
    return float(min(1.0, max(0.0, (start - final) / span)))


def _score(
    outcome: Outcome, steps_to_goal: int | None, progress: float, par: int
) -> tuple[int, int]:
    """Score out of 1000 and 0-3 stars.

    A win earns 500, up to 400 more for speed (par / steps to goal, capped at
    1) and up to 100 for the loss covered. A loss earns only partial credit for
    the loss covered: 300 when out of steps, 200 when stuck, 0 when diverged.
    """
    if outcome == Outcome.REACHED_GOAL:
        assert steps_to_goal is not None
        speed = min(1.0, par / max(steps_to_goal, 1))
        score = round(500 + 400 * speed + 100 * progress)
        stars = 3 if steps_to_goal <= par else 2 if steps_to_goal <= 2 * par else 1
        return score, stars
    credit = {Outcome.OUT_OF_STEPS: 300, Outcome.STUCK_LOCAL: 200}.get(outcome, 0)
    return round(credit * progress), 0
