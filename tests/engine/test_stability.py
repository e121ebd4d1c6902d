"""The stability meter on quadratics, where |1 - lr*lambda| is known exactly."""

from __future__ import annotations

import numpy as np
import pytest

from lrgame.engine.expr import Expression
from lrgame.engine.landscape import Landscape
from lrgame.engine.simulate import simulate
from lrgame.engine.stability import stability_factors
from lrgame.engine.strategy import parse_strategy

LAND = Landscape(
    Expression.parse("0.5*x**2 + 50*y**2", ("x", "y")), np.array([[-3.0, 3.0], [-3.0, 3.0]])
)


def test_sgd_factors_are_one_minus_lr_lambda_per_direction() -> None:
    run = simulate(
        LAND,
        [2.0, 1.0],
        parse_strategy({"optimizer": {"name": "sgd", "lr": 0.015}}, level_steps=10),
    )
    factors = stability_factors(LAND, run.trajectory, run.grad, run.lr, "sgd")
    assert factors.shape == (10, 2)
    np.testing.assert_allclose(factors[:, 0], abs(1 - 0.015 * 1.0))
    np.testing.assert_allclose(factors[:, 1], abs(1 - 0.015 * 100.0))


def test_unstable_rate_shows_a_factor_above_one() -> None:
    run = simulate(
        LAND,
        [2.0, 1.0],
        parse_strategy({"optimizer": {"name": "sgd", "lr": 0.021}}, level_steps=200),
    )
    factors = stability_factors(LAND, run.trajectory, run.grad, run.lr, "sgd")
    assert np.nanmax(factors) == pytest.approx(1.1)
    assert run.diverged


def test_adaptive_uses_the_stride_really_taken() -> None:
    run = simulate(
        LAND, [2.0, 1.0], parse_strategy({"optimizer": {"name": "adam", "lr": 0.1}}, level_steps=20)
    )
    factors = stability_factors(LAND, run.trajectory, run.grad, run.lr, "adam")
    # First Adam step moves each coordinate by lr (sign of the gradient): stride = lr / |g|.
    g = run.grad[0]
    np.testing.assert_allclose(
        factors[0], np.abs(1 - (0.1 / np.abs(g)) * np.array([1.0, 100.0])), rtol=1e-6
    )
