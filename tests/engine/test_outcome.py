"""Outcome rules on made-up trajectories, and the scoring rules."""

from __future__ import annotations

import numpy as np

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
