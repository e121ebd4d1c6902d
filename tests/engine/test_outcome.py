"""Outcome rules on made-up trajectories, and the scoring rules."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from lrgame.engine.outcome import Goal, judge_batch, settle_window

GOAL = Goal(tolerance=0.1, minima=np.array([[0.0]]), loss=0.0)
LOCAL = [(3.0,)]


def judge(xs: list[float], diverged: bool = False, par: int = 10):
    traj = np.asarray(xs, dtype=np.float64).reshape(1, -1, 1)
    loss = traj[..., 0] ** 2
    steps = np.array([len(xs) - 1])
    return judge_batch(traj, loss, steps, np.array([diverged]), GOAL, LOCAL, par)[0]


def test_settle_window() -> None:
    assert settle_window(10) == 5
    assert settle_window(100) == 5
    assert settle_window(101) == 6
    assert settle_window(1000) == 50


def test_reached_goal_needs_the_last_points_inside() -> None:
    v = judge([1.0, 0.5, 0.2] + [0.05] * 10)
    assert v.outcome == "reached_goal"
    assert v.steps_to_goal == 3
    assert v.stars == 3 and v.score >= 900


def test_passing_through_is_not_settling() -> None:
    v = judge([1.0] + [0.0] * 3 + [1.0] * 10)
    assert v.outcome == "out_of_steps"
    assert v.steps_to_goal is None


def test_arriving_at_the_very_end_is_out_of_steps_with_steps_to_goal() -> None:
    v = judge([1.0] * 10 + [0.05, 0.0])
    assert v.outcome == "out_of_steps"
    assert v.steps_to_goal == 10


def test_stuck_local() -> None:
    v = judge([5.0, 4.0] + [3.02] * 10)
    assert v.outcome == "stuck_local"
    assert v.stars == 0


def test_diverged_scores_zero() -> None:
    v = judge([1.0, 2.0, np.inf], diverged=True)
    assert v.outcome == "diverged" and v.score == 0 and v.stars == 0
    assert v.final_loss is None


def test_stars_follow_par() -> None:
    fast = judge([1.0] * 5 + [0.0] * 30, par=10)
    slow = judge([1.0] * 15 + [0.0] * 30, par=10)
    slower = judge([1.0] * 25 + [0.0] * 30, par=10)
    assert (fast.stars, slow.stars, slower.stars) == (3, 2, 1)
    assert fast.score > slow.score > slower.score


def reference_verdicts(traj, loss, steps, diverged, goal, local, par):  # type: ignore[no-untyped-def]
    """The rules as first written, with [B, N+1, k] arrays: what the bounded judge must equal."""
    out = []
    with np.errstate(all="ignore"):
        near_goal = (
            np.min(np.linalg.norm(traj[:, :, None, :] - goal.minima[None, None], axis=-1), axis=-1)
            <= goal.tolerance
        )
        minima = np.asarray(local, dtype=np.float64).reshape(-1, traj.shape[2])
        near_local = (
            np.linalg.norm(traj[:, :, None, :] - minima[None, None], axis=-1) <= goal.tolerance
        )
    for i in range(len(steps)):
        n = int(steps[i])
        window = min(settle_window(n), n + 1)
        tail = slice(n + 1 - window, n + 1)
        to_goal = None
        if diverged[i]:
            outcome = "diverged"
        else:
            outside = ~near_goal[i, : n + 1]
            if not outside[n]:
                last = np.flatnonzero(outside)
                to_goal = int(last[-1]) + 1 if len(last) else 0
            if near_goal[i, tail].all():
                outcome = "reached_goal"
            elif near_local[i, tail].all(axis=0).any():
                outcome = "stuck_local"
            else:
                outcome = "out_of_steps"
        out.append((outcome, to_goal))
    return out


@pytest.mark.parametrize("dim", [1, 2])
@pytest.mark.parametrize("seed", range(6))
def test_bounded_judge_equals_the_full_comparison(dim: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_rows, width = 40, 120
    # Minima on a coarse lattice, so walks land on them, on ties and on tolerance edges.
    lattice = rng.integers(-4, 5, size=(60, dim)).astype(np.float64) * 0.5
    lattice = np.unique(lattice, axis=0)
    goal = Goal(tolerance=0.25 * (seed % 3 + 1), minima=lattice[:3], loss=0.0)
    local = [tuple(p) for p in lattice[3:]]
    # Walks that wander, then settle on a lattice point (or not), some exactly one
    # tolerance away along an axis, some jittering around it.
    traj = np.cumsum(rng.normal(0, 0.3, size=(n_rows, width, dim)), axis=1)
    target = lattice[rng.integers(0, len(lattice), size=n_rows)]
    target[::3] = lattice[rng.integers(0, 3, size=len(target[::3]))]  # a third aim at the goal
    settle = rng.integers(0, width, size=n_rows)
    for i in range(n_rows):
        jitter = rng.choice([0.0, goal.tolerance, 0.5 * goal.tolerance, 1.01 * goal.tolerance])
        tail = target[i] + jitter * rng.choice([-1.0, 1.0], size=(width - settle[i], dim))
        traj[i, settle[i] :] = tail if i % 4 else target[i]
    steps = rng.integers(1, width, size=n_rows)
    diverged = rng.random(n_rows) < 0.15
    for i in range(n_rows):
        traj[i, steps[i] + 1 :] = np.nan
        if diverged[i]:
            traj[i, steps[i]] = np.inf
    loss = np.sum(traj**2, axis=-1)
    got = judge_batch(traj, loss, steps, diverged, goal, local, par=20)
    want = reference_verdicts(traj, loss, steps, diverged, goal, local, 20)
    assert [(v.outcome, v.steps_to_goal) for v in got] == want
    assert {v.outcome for v in got} >= {"reached_goal", "out_of_steps", "diverged"}


def test_judge_memory_does_not_grow_with_the_minima() -> None:
    # 20 runs x 3,001 points against 400 local and 100 goal minima: the full
    # comparison would hold 20 x 3,001 x 400 distances (about 190 MB with its
    # temporaries); the judge's blocks stay a small multiple of 8 MB.
    rng = np.random.default_rng(0)
    n_rows, width = 20, 3001
    traj = rng.uniform(-10, 10, size=(n_rows, width, 2))
    minima = rng.uniform(-10, 10, size=(500, 2))
    goal = Goal(tolerance=0.5, minima=minima[:100], loss=0.0)
    local = [tuple(p) for p in minima[100:]]
    traj[::2, -200:] = minima[0]  # half of them settle on a goal minimum
    traj[1::4, -200:] = minima[300]  # some in a local one
    loss = np.zeros((n_rows, width))
    steps = np.full(n_rows, width - 1)
    tracemalloc.start()
    try:
        verdicts = judge_batch(traj, loss, steps, np.zeros(n_rows, bool), goal, local, par=10)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [v.outcome for v in verdicts[:3]] == ["reached_goal", "stuck_local", "reached_goal"]
    assert verdicts[0].steps_to_goal == width - 200
    assert peak < 64 * 2**20, f"peak {peak / 2**20:.0f} MiB"


def test_without_local_minima_a_run_away_from_the_goal_is_out_of_steps() -> None:
    traj = np.array([[[5.0], [4.0]] + [[3.02]] * 10])
    steps, diverged = np.array([11]), np.array([False])
    verdict = judge_batch(traj, traj[..., 0] ** 2, steps, diverged, GOAL, [], 10)[0]
    assert verdict.outcome == "out_of_steps" and verdict.steps_to_goal is None
