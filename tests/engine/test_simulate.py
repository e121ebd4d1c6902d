"""Batched runs: hand-computed trajectories, divergence, batches equal single runs."""

from __future__ import annotations

import numpy as np
import pytest

from lrgame.engine.expr import Expression
from lrgame.engine.landscape import Landscape
from lrgame.engine.simulate import Noise, run_batch, run_sweep, run_with_rates, simulate
from lrgame.engine.strategy import parse_strategy


def bowl() -> Landscape:
    return Landscape(Expression.parse("x**2", ("x",)), np.array([[-2.0, 2.0]]))


def rosenbrock() -> Landscape:
    return Landscape(
        Expression.parse("(1 - x)**2 + 100*(y - x**2)**2", ("x", "y")),
        np.array([[-2.0, 2.0], [-1.0, 3.0]]),
    )


def strategy(obj: dict, steps: int = 50):
    return parse_strategy(obj, level_steps=steps)


def test_sgd_on_a_bowl_shrinks_by_one_minus_two_lr() -> None:
    run = simulate(bowl(), [1.0], strategy({"optimizer": {"name": "sgd", "lr": 0.1}}, 10))
    assert run.steps == 10
    assert not run.diverged
    np.testing.assert_allclose(run.trajectory[:, 0], 0.8 ** np.arange(11), rtol=1e-15)
    np.testing.assert_allclose(run.loss, 0.64 ** np.arange(11), rtol=1e-14)
    np.testing.assert_array_equal(run.lr, np.full(10, 0.1))
    np.testing.assert_allclose(run.grad[:, 0], 2 * 0.8 ** np.arange(11), rtol=1e-15)


def test_momentum_first_steps_by_hand() -> None:
    # f = x^2, g = 2x, buf_1 = g_0, later buf = 0.9 buf + g.
    run = simulate(
        bowl(), [1.0], strategy({"optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9}}, 3)
    )
    x0 = 1.0
    buf = 2 * x0
    x1 = x0 - 0.1 * buf
    buf = 0.9 * buf + 2 * x1
    x2 = x1 - 0.1 * buf
    np.testing.assert_allclose(run.trajectory[:3, 0], [x0, x1, x2], rtol=1e-15)


def test_divergence_stops_at_the_first_escaped_point_and_keeps_it() -> None:
    # lr 1.5: x -> -2x, so |x| doubles; 10 widths outside [-2, 2] is beyond 42.
    run = simulate(bowl(), [1.0], strategy({"optimizer": {"name": "sgd", "lr": 1.5}}, 100))
    assert run.diverged
    xs = run.trajectory[:, 0]
    assert abs(xs[-1]) > 42 and np.all(np.abs(xs[:-1]) <= 42)
    np.testing.assert_allclose(xs, (-2.0) ** np.arange(len(xs)))
    assert len(run.lr) == len(xs) - 1 == run.steps
    assert run.steps == 6  # 64 is the first power of two past 42


def test_overflow_to_inf_is_a_divergence_not_a_warning() -> None:
    land = Landscape(Expression.parse("exp(x**2)", ("x",)), np.array([[-1e6, 1e6]]))
    run = simulate(land, [3.0], strategy({"optimizer": {"name": "sgd", "lr": 1.0}}, 50))
    assert run.diverged
    assert not np.isfinite(run.loss[-1]) or not np.all(np.isfinite(run.trajectory[-1]))


def test_huge_lr_diverges_cleanly() -> None:
    run = simulate(
        rosenbrock(), [-1.5, 2.0], strategy({"optimizer": {"name": "sgd", "lr": 1e9}}, 100)
    )
    assert run.diverged and run.steps == 1


def test_oscillation_at_lr_one_never_diverges() -> None:
    run = simulate(bowl(), [1.0], strategy({"optimizer": {"name": "sgd", "lr": 1.0}}, 20))
    assert not run.diverged
    np.testing.assert_allclose(run.trajectory[:, 0], (-1.0) ** np.arange(21))


STRATEGIES = [
    {"optimizer": {"name": "sgd", "lr": 1e-3}},
    {"optimizer": {"name": "nesterov", "lr": 1e-3}, "schedule": {"name": "cosine", "T_max": 40}},
    {"optimizer": {"name": "adam", "lr": 0.01}, "schedule": {"name": "onecycle", "max_lr": 0.05}},
    {"optimizer": {"name": "adamw", "lr": 0.01, "amsgrad": True}, "schedule": "warmup_cosine"},
    {
        "optimizer": {"name": "rmsprop", "lr": 0.001, "centered": True},
        "schedule": {"name": "cyclic", "base_lr": 1e-4, "max_lr": 1e-2, "step_size_up": 10},
    },
    {"optimizer": {"name": "adagrad", "lr": 0.1}, "schedule": {"name": "plateau", "patience": 2}},
    {
        "optimizer": {"name": "sgd", "lr": 1e-3, "momentum": 0.5},
        "schedule": {
            "name": "sequence",
            "schedules": [{"name": "linear", "total_iters": 5}, "exponential"],
            "milestones": [5],
        },
    },
]


@pytest.mark.parametrize("obj", STRATEGIES)
def test_sweep_rows_equal_single_runs(obj: dict) -> None:
    land = rosenbrock()
    base = strategy(obj, 60)
    lrs = np.geomspace(1e-5, 1.0, 7)
    batch = run_sweep(land, [-1.5, 2.0], base, lrs)
    for i, lr in enumerate(lrs):
        single = simulate(land, [-1.5, 2.0], base.with_lr(float(lr)))
        row = batch.row(i)
        assert row.steps == single.steps and row.diverged == single.diverged
        np.testing.assert_allclose(row.trajectory, single.trajectory, rtol=1e-12, atol=0)
        np.testing.assert_allclose(row.loss, single.loss, rtol=1e-12, atol=0)
        np.testing.assert_allclose(row.lr, single.lr, rtol=1e-12, atol=0)


def test_ghost_batch_mixes_optimizers_and_step_counts() -> None:
    land = rosenbrock()
    strategies = [strategy(o, 30 + 5 * i) for i, o in enumerate(STRATEGIES)]
    batch = run_batch(land, [-1.5, 2.0], strategies)
    for i, s in enumerate(strategies):
        single = simulate(land, [-1.5, 2.0], s)
        np.testing.assert_array_equal(batch.row(i).trajectory, single.trajectory)
        assert batch.row(i).steps == single.steps <= s.steps


def test_noise_depends_only_on_seed_and_step() -> None:
    a = Noise(0.5, 7).sample(100, 2)
    b = Noise(0.5, 7).sample(30, 2)
    c = Noise(0.5, 8).sample(30, 2)
    assert a is not None and b is not None and c is not None
    np.testing.assert_array_equal(a[:30], b)
    assert not np.array_equal(b, c)
    land = bowl()
    s = strategy({"optimizer": {"name": "sgd", "lr": 0.1}}, 40)
    noisy = simulate(land, [1.0], s, Noise(0.3, 1))
    again = simulate(land, [1.0], s, Noise(0.3, 1))
    np.testing.assert_array_equal(noisy.trajectory, again.trajectory)
    # The first step by hand: x1 = x0 - lr * (2 x0 + noise_0).
    n0 = Noise(0.3, 1).sample(40, 1)
    assert n0 is not None
    assert noisy.trajectory[1, 0] == pytest.approx(1.0 - 0.1 * (2.0 + n0[0, 0]), rel=1e-15)
    batch = run_sweep(land, [1.0], s, np.array([0.05, 0.1]), Noise(0.3, 1))
    np.testing.assert_array_equal(batch.row(1).trajectory, noisy.trajectory)


def test_run_with_rates_uses_given_rates_and_ignores_schedule() -> None:
    s = strategy({"optimizer": {"name": "sgd", "lr": 9.0}, "schedule": "cosine"}, 5)
    rates = np.array([[0.1, 0.2, 0.3]])
    run = run_with_rates(bowl(), [1.0], s, rates).row(0)
    np.testing.assert_array_equal(run.lr, rates[0])
    expected = [1.0]
    for r in rates[0]:
        expected.append(expected[-1] * (1 - 2 * r))
    np.testing.assert_allclose(run.trajectory[:, 0], expected, rtol=1e-15)
