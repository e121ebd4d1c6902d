"""The lab engine: data, the MLP's gradients, mini-batches, batched runs and the loss verdict."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrgame.engine.data import batch_indices, blobs, circles, from_spec, linear, moons
from lrgame.engine.lab import MAX_WEIGHT, ModelLandscape, judge_model, run_model
from lrgame.engine.mlp import MLP
from lrgame.engine.outcome import settle_window
from lrgame.engine.simulate import run_batch, run_sweep, simulate
from lrgame.engine.strategy import parse_strategy


def strategy(obj: dict, steps: int = 40):
    return parse_strategy(obj, level_steps=steps)


@pytest.mark.parametrize("loss,out", [("mse", 1), ("bce", 1), ("cross_entropy", 3)])
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_gradient_matches_central_differences(loss: str, out: int, activation: str) -> None:
    mlp = MLP((3, 5, 4, out), activation, loss)
    rng = np.random.default_rng(0)
    params = mlp.init(1) + 0.3 * rng.standard_normal((2, mlp.size))
    x = rng.standard_normal((9, 3))
    y = rng.integers(0, 2 if out == 1 else 3, 9).astype(np.float64)
    value, grad = mlp.value_and_grad(params, x, y)
    np.testing.assert_allclose(value, mlp.loss_value(params, x, y), rtol=1e-14)
    h = 1e-6
    numeric = np.empty_like(grad)
    for j in range(mlp.size):
        e = np.zeros(mlp.size)
        e[j] = h
        numeric[:, j] = (mlp.loss_value(params + e, x, y) - mlp.loss_value(params - e, x, y)) / (
            2 * h
        )
    np.testing.assert_allclose(grad, numeric, atol=1e-8)


def test_parameters_in_torch_order_with_default_init_bounds() -> None:
    mlp = MLP((2, 8, 3), "tanh", "cross_entropy")
    assert mlp.shapes == [
        ("0.weight", (8, 2)),
        ("0.bias", (8,)),
        ("2.weight", (3, 8)),
        ("2.bias", (3,)),
    ]
    assert mlp.size == 16 + 8 + 24 + 3
    p = mlp.init(5)
    assert np.max(np.abs(p[:24])) <= 1 / math.sqrt(2)
    assert np.max(np.abs(p[24:])) <= 1 / math.sqrt(8)
    assert np.max(np.abs(p[24:])) > 0.5 / math.sqrt(8)  # drawn from the whole range
    np.testing.assert_array_equal(mlp.init(5, 2.5), 2.5 * p)
    assert not np.array_equal(mlp.init(6), p)


def test_linear_model_is_x_times_w_plus_b() -> None:
    mlp = MLP((2, 1), "tanh", "mse")
    x = np.array([[1.0, 2.0], [3.0, -1.0]])
    out = mlp.forward(np.array([[0.5, -2.0, 0.25]]), x)
    np.testing.assert_allclose(out[0, :, 0], x @ [0.5, -2.0] + 0.25)


def test_every_epoch_is_a_fresh_permutation_with_a_short_last_batch() -> None:
    batches = batch_indices(10, 4, 9, seed=3)
    assert batches is not None
    epochs = [batches[0:3], batches[3:6], batches[6:9]]
    for epoch in epochs:
        seen = epoch[epoch >= 0]
        assert sorted(seen.tolist()) == list(range(10))
        assert (epoch[2] == -1).sum() == 2  # 10 = 4 + 4 + 2
    assert not np.array_equal(epochs[0], epochs[1])
    assert batch_indices(10, 10, 5, seed=3) is None
    assert batch_indices(10, None, 5, seed=3) is None
    np.testing.assert_array_equal(batch_indices(10, 4, 9, seed=3), batches)


def test_generators_are_seeded_and_shaped() -> None:
    for make in (moons, circles, blobs):
        x, y = make(50, 1)
        assert x.shape == (50, 2) and y.shape == (50,)
        np.testing.assert_array_equal(make(50, 1)[0], x)
        assert not np.array_equal(make(50, 2)[0], x)
    x, y = moons(40, 0, noise=0.0)
    np.testing.assert_allclose(np.hypot(x[:20, 0], x[:20, 1]), 1.0)  # the outer moon
    assert set(blobs(30, 0, classes=3)[1].tolist()) == {0.0, 1.0, 2.0}
    x, y = linear(100, 0, weights=[2.0], bias=1.0, noise=0.0)
    np.testing.assert_allclose(y, 2 * x[:, 0] + 1)


def test_holdout_and_scale() -> None:
    data = from_spec(
        {
            "generator": "linear",
            "n": 40,
            "a": [1.0, 1.0],
            "seed": 1,
            "holdout": 0.25,
            "scale": [1, 100],
        }
    )
    assert data.n == 30 and len(data.y_holdout) == 10
    assert np.max(np.abs(data.x[:, 1])) > 50 and np.max(np.abs(data.x[:, 0])) <= 1


def landscape(batch_size: int | None = 16) -> ModelLandscape:
    data = from_spec({"generator": "moons", "n": 80, "seed": 0, "holdout": 0.2})
    return ModelLandscape(MLP((2, 6, 1), "tanh", "bce"), data, batch_size, 0)


def test_sweep_rows_equal_single_runs_where_the_loss_was_measured() -> None:
    land = landscape()
    start = land.mlp.init(0)
    s = strategy({"optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9}}, 60)
    lrs = np.geomspace(1e-3, 1e6, 12)
    batch = run_sweep(land, start, s, lrs)
    assert batch.diverged.any() and not batch.diverged.all()
    for i, lr in enumerate(lrs):
        alone = simulate(land, start, s.with_lr(float(lr)))
        row = batch.row(i)
        assert row.steps == alone.steps and row.diverged == alone.diverged
        np.testing.assert_array_equal(row.trajectory, alone.trajectory)
        measured = np.isfinite(row.loss)
        np.testing.assert_array_equal(row.loss[measured], alone.loss[measured])
        # The verdict's points are always measured: the start, the settling window, the end.
        n = row.steps
        if not row.diverged:
            assert measured[0] and measured[n + 1 - settle_window(n) :].all()
    verdicts = judge_model(batch, 0.3, 30)
    alone_verdicts = judge_model(
        run_batch(land, start, [s.with_lr(float(lr)) for lr in lrs]), 0.3, 30
    )
    assert verdicts == alone_verdicts


def test_a_run_diverges_on_a_weight_over_the_limit() -> None:
    data = from_spec({"generator": "linear", "n": 20, "a": 1.0, "scale": [1000]})
    land = ModelLandscape(MLP((1, 1), "tanh", "mse"), data)
    run = simulate(land, [0.0, 0.0], strategy({"optimizer": {"name": "sgd", "lr": 0.01}}))
    assert run.diverged
    assert np.max(np.abs(run.trajectory[-1])) > MAX_WEIGHT
    assert np.all(np.abs(run.trajectory[:-1]) <= MAX_WEIGHT)
    limit = land.curvature_limit()
    assert limit is not None
    calm = simulate(
        land, [0.0, 0.0], strategy({"optimizer": {"name": "sgd", "lr": 0.9 * limit}}, 400)
    )
    assert not calm.diverged and calm.loss[-1] < calm.loss[0]
    wild = simulate(
        land, [0.0, 0.0], strategy({"optimizer": {"name": "sgd", "lr": 1.1 * limit}}, 400)
    )
    assert wild.diverged


def test_curvature_limit_is_two_over_the_hessians_top_eigenvalue() -> None:
    data = from_spec({"generator": "linear", "n": 30, "a": [1.0, 2.0], "scale": [1, 10]})
    land = ModelLandscape(MLP((2, 1), "tanh", "mse"), data)
    top = np.linalg.eigvalsh(land.hessian(np.array([0.3, -0.2, 0.1])))[-1]
    assert land.curvature_limit() == pytest.approx(2 / top, rel=1e-6)
    assert landscape().curvature_limit() is None


def test_settling_rule_reads_the_full_training_loss() -> None:
    land = landscape(None)
    run = run_model(
        land,
        land.mlp.init(0),
        [(strategy({"optimizer": {"name": "adam", "lr": 0.05}}, 200), np.array([0.05]), None)],
        [200],
    )
    window = settle_window(200)
    goal = float(np.max(run.loss[0, -window:]))
    win = judge_model(run, goal, 100)[0]
    assert win.outcome == "reached_goal" and win.steps_to_goal is not None
    assert np.all(run.loss[0, win.steps_to_goal :] <= goal)
    assert run.loss[0, win.steps_to_goal - 1] > goal
    lose = judge_model(run, goal * (1 - 1e-9), 100)[0]
    assert lose.outcome == "out_of_steps" and lose.stars == 0


def test_huge_data_gives_no_limit_and_no_slice_rather_than_an_error() -> None:
    from lrgame.engine.data import Dataset
    from lrgame.engine.lab import pca_slice

    x = np.array([[1e154], [-1e154], [1.0]])
    land = ModelLandscape(MLP((1, 1), "tanh", "mse"), Dataset(x, np.zeros(3), x[:0], np.zeros(0)))
    assert land.curvature_limit() is None
    assert pca_slice(land, np.full((3, 2), np.inf)) is None
    found = pca_slice(land, np.array([[0.0, 0.0], [1e-3, 0.0], [2e-3, 1e-3]]))
    assert found is not None and found.loss.shape == (41, 41)


def test_pca_slice_passes_through_the_end_and_explains_a_planar_walk() -> None:
    from lrgame.engine.lab import pca_slice

    data = from_spec({"generator": "linear", "n": 30, "a": 1.0})
    land = ModelLandscape(MLP((1, 1), "tanh", "mse"), data)  # two parameters: the plane is all
    run = simulate(land, [2.0, -1.0], strategy({"optimizer": {"name": "sgd", "lr": 0.3}}, 30))
    found = pca_slice(land, run.trajectory, resolution=41)
    assert found is not None
    assert found.explained == pytest.approx(1.0)
    np.testing.assert_allclose(found.walk[-1], 0.0, atol=1e-15)
    assert found.loss[20, 20] == pytest.approx(run.loss[-1], rel=1e-12)
    # Distances in the plane are distances in weight space when the plane is the whole space.
    np.testing.assert_allclose(
        np.linalg.norm(found.walk, axis=1),
        np.linalg.norm(run.trajectory - run.trajectory[-1], axis=1),
        rtol=1e-9,
        atol=1e-12,
    )


def test_the_map_window_holds_the_walk_until_it_blows_up() -> None:
    from lrgame.engine.lab import MAP_BLOWUP, MAP_MARGIN, MAP_MIN_SHARE, map_window

    walk = np.array([[0.0, 0.0], [1.0, 0.1], [2.0, 0.05], [50.0, 40.0], [1e4, -1e4]])
    loss = np.array([1.0, 0.5, 0.4, MAP_BLOWUP * 1.01, 1e9])
    window = map_window(walk, loss)
    # The first three points, padded; the thin side is MAP_MIN_SHARE of the long one.
    long_side = 2.0 * (1 + 2 * MAP_MARGIN)
    np.testing.assert_allclose(window[0], [1.0 - long_side / 2, 1.0 + long_side / 2])
    np.testing.assert_allclose(np.ptp(window[1]), MAP_MIN_SHARE * long_side)
    assert window[1, 0] < 0.0 and window[1, 1] > 0.1
    # A walk that never blows up is held whole; one that blows up at once keeps its start.
    np.testing.assert_allclose(map_window(walk[:3], loss[:3]), window)
    first = map_window(walk, np.array([1.0, np.inf, np.nan, 1e9, 1e9]))
    assert np.all(first[:, 0] < 0.0) and np.all(first[:, 1] > 0.0)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_runs_passed_in_chunks_give_the_same_numbers_to_the_last_bit(
    activation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The passes split many runs into cache-sized chunks: every number must equal the
    run computed on its own (the sweep's speed-up may change no result)."""
    import lrgame.engine.mlp as mlp_module

    mlp = MLP((2, 8, 8, 1), activation, "bce")
    rng = np.random.default_rng(3)
    params = mlp.init(0) + 0.2 * rng.standard_normal((7, mlp.size))
    x = rng.standard_normal((20, 2))
    y = (rng.random(20) > 0.5).astype(np.float64)
    alone = [mlp.value_and_grad(params[i : i + 1], x, y) for i in range(len(params))]
    monkeypatch.setattr(mlp_module, "CHUNK_NUMBERS", 3 * 20 * 8)  # chunks of 3 runs: 3, 3, 1
    assert mlp._rows_per_chunk(len(x)) == 3
    value, grad = mlp.value_and_grad(params, x, y)
    assert np.array_equal(value, np.concatenate([v for v, _ in alone]))
    assert np.array_equal(grad, np.concatenate([g for _, g in alone]))
    assert np.array_equal(mlp.loss_value(params, x, y), value)


def test_the_slice_says_what_share_an_independent_pca_explains() -> None:
    """The slice's "these two directions explain N% of the walk", its walk and its losses,
    against a PCA from the covariance's eigenvectors and a forward pass written out here."""
    from lrgame.engine.lab import pca_slice

    data = from_spec({"generator": "moons", "n": 60, "noise": 0.2, "seed": 1})
    mlp = MLP((2, 6, 1), "tanh", "bce")
    land = ModelLandscape(mlp, data, batch_size=8)
    run = simulate(land, mlp.init(2), strategy({"optimizer": {"name": "adam", "lr": 0.05}}, 80))
    found = pca_slice(land, run.trajectory, resolution=9)
    assert found is not None

    points = run.trajectory
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(points.T, bias=True))
    share = eigenvalues[-2:].sum() / eigenvalues.sum()
    assert 0.3 < share < 0.999  # a walk that really bends out of any plane
    assert found.explained == pytest.approx(share, rel=1e-9)
    top = eigenvectors[:, ::-1][:, :2]  # first and second direction, up to their signs
    projected = (points - points[-1]) @ top
    np.testing.assert_allclose(np.abs(found.walk), np.abs(projected), rtol=1e-7, atol=1e-9)

    def bce(params: np.ndarray) -> float:
        w1, b1 = params[:12].reshape(6, 2), params[12:18]
        w2, b2 = params[18:24], params[24]
        z = np.tanh(data.x @ w1.T + b1) @ w2 + b2
        return float(np.mean(np.logaddexp(0.0, z) - data.y * z))

    signs = np.sign(np.sum(found.walk * projected, axis=0))
    directions = top * signs
    for i in (0, 4, 8):
        for j in (0, 3, 8):
            point = points[-1] + found.a[j] * directions[:, 0] + found.b[i] * directions[:, 1]
            assert found.loss[i, j] == pytest.approx(bce(point), rel=1e-9)


@pytest.mark.parametrize("loss", ["mse", "bce"])
def test_a_linear_models_minimum_is_where_its_gradient_vanishes(loss: str) -> None:
    spec = {"generator": "moons", "n": 80, "noise": 0.3, "seed": 0}
    data = from_spec(spec)
    one_input = type(data)(data.x[:, :1], data.y, data.x_holdout[:, :1], data.y_holdout)
    land = ModelLandscape(MLP((1, 1), "tanh", loss), one_input)
    found = land.linear_minimum()
    assert found is not None
    value, grad = land.value_and_grad(found[None])
    assert np.max(np.abs(grad)) < 1e-12
    around = found + 1e-3 * np.random.default_rng(0).standard_normal((50, 2))
    assert np.all(land.loss(around) > value[0])
    # Classes one threshold separates: no minimum at finite weights.
    x = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    separable = type(data)(x, np.array([0.0, 0.0, 1.0, 1.0]), x[:0], np.zeros(0))
    assert ModelLandscape(MLP((1, 1), "tanh", "bce"), separable).linear_minimum() is None
    assert ModelLandscape(MLP((1, 3, 1), "tanh", loss), one_input).linear_minimum() is None
