"""The stability meter's signed factor on quadratics, where 1 − lr·λ is known exactly."""

from __future__ import annotations

import numpy as np
import pytest

from lrgame.engine.expr import Expression
from lrgame.engine.landscape import Landscape
from lrgame.engine.optimizers import OPTIMIZER_NAMES
from lrgame.engine.simulate import simulate
from lrgame.engine.stability import (
    effective_rates,
    stability_factors,
    stability_limit,
    worst,
    zone,
)
from lrgame.engine.strategy import parse_strategy

LAND = Landscape(
    Expression.parse("0.5*x**2 + 50*y**2", ("x", "y")), np.array([[-3.0, 3.0], [-3.0, 3.0]])
)


def run_of(optimizer: dict, steps: int = 10):  # type: ignore[no-untyped-def]
    strategy = parse_strategy({"optimizer": optimizer}, level_steps=steps)
    return strategy, simulate(LAND, [2.0, 1.0], strategy)


def test_sgd_factors_are_one_minus_lr_lambda_with_their_sign() -> None:
    strategy, run = run_of({"name": "sgd", "lr": 0.015})
    factors = stability_factors(LAND, run, strategy.optimizer)
    assert factors.shape == (10, 2)
    # Ascending: the steep direction (λ = 100) first, then the flat one (λ = 1).
    np.testing.assert_allclose(factors[:, 0], 1 - 0.015 * 100.0)
    np.testing.assert_allclose(factors[:, 1], 1 - 0.015 * 1.0)
    assert zone(float(factors[0, 1])) == "crawling"
    assert zone(float(factors[0, 0])) == "bouncing"


def test_past_the_edge_reads_flying_apart_and_diverges() -> None:
    strategy, run = run_of({"name": "sgd", "lr": 0.021}, steps=200)
    factors = stability_factors(LAND, run, strategy.optimizer)
    assert worst(factors[0]) == pytest.approx(-1.1)
    assert zone(worst(factors[0])) == "flying"
    assert run.diverged


@pytest.mark.parametrize(
    "optimizer",
    [
        {"name": "sgd", "lr": 0.03, "momentum": 0.9},
        {"name": "sgd", "lr": 0.015, "momentum": 0.9, "nesterov": True},
        {"name": "sgd", "lr": 0.05, "momentum": 0.5, "dampening": 0.5},
    ],
)
def test_momentum_edge_is_its_own_stability_limit(optimizer: dict) -> None:
    strategy, run = run_of(optimizer)
    factors = stability_factors(LAND, run, strategy.optimizer)
    limit = stability_limit(strategy.optimizer, 100.0)
    assert limit is not None
    # −1 exactly at the limit: f = 1 − 2·lr/limit along λ = 100.
    np.testing.assert_allclose(factors[:, 0], 1 - 2 * optimizer["lr"] / limit)


def test_adam_effective_rate_is_lr_over_root_v_hat() -> None:
    strategy, run = run_of({"name": "adam", "lr": 0.1}, steps=3)
    rates = effective_rates(strategy.optimizer, run)
    g0 = run.grad[0]
    # After one step v̂ = g², so the rate is lr / (|g| + eps) per coordinate.
    np.testing.assert_allclose(rates[0], 0.1 / (np.abs(g0) + 1e-8))
    factors = stability_factors(LAND, run, strategy.optimizer)
    scaled = np.sort(rates[0] * np.array([1.0, 100.0]))[::-1]
    np.testing.assert_allclose(factors[0], 1 - (0.1 / 1.9) * scaled, rtol=1e-9)


def test_adagrad_rate_accumulates() -> None:
    strategy, run = run_of({"name": "adagrad", "lr": 0.5}, steps=4)
    rates = effective_rates(strategy.optimizer, run)
    total = np.cumsum(run.grad[:4] ** 2, axis=0)
    np.testing.assert_allclose(rates, 0.5 / (np.sqrt(total) + 1e-10))


def test_zones_cover_the_scale() -> None:
    assert [zone(v) for v in (1.5, 0.95, 0.3, -0.5, -0.9, -1.0, -3.0, float("nan"))] == [
        "sliding",
        "crawling",
        "steady",
        "bouncing",
        "edge",
        "flying",
        "flying",
        "flying",
    ]


def test_limits() -> None:
    strategy, _ = run_of({"name": "rmsprop"})
    assert stability_limit(strategy.optimizer, 16.0) is None
    sgd, _ = run_of({"name": "sgd", "lr": 0.1})
    assert stability_limit(sgd.optimizer, 16.0) == pytest.approx(0.125)
    assert stability_limit(sgd.optimizer, -1.0) is None


@pytest.mark.parametrize("name", list(OPTIMIZER_NAMES))
def test_every_optimizer_has_a_meter(name: str) -> None:
    # The meter reads every optimizer of the registry: a new one gets its rates modelled.
    strategy, run = run_of({"name": name, "lr": 0.01}, steps=5)
    factors = stability_factors(LAND, run, strategy.optimizer)
    assert factors.shape == (5, 2) and np.isfinite(factors).all()


def test_adamax_rate_is_bias_corrected_lr_over_the_largest_gradient() -> None:
    strategy, run = run_of({"name": "adamax", "lr": 0.1}, steps=2)
    rates = effective_rates(strategy.optimizer, run)
    u1 = np.abs(run.grad[0]) + 1e-8
    np.testing.assert_allclose(rates[0], 0.1 / (1 - 0.9) / u1)
    u2 = np.maximum(0.999 * u1, np.abs(run.grad[1]) + 1e-8)
    np.testing.assert_allclose(rates[1], 0.1 / (1 - 0.9**2) / u2)


def test_adadelta_first_rate_is_lr_times_root_eps_over_root_v() -> None:
    strategy, run = run_of({"name": "adadelta", "lr": 1.0}, steps=1)
    rates = effective_rates(strategy.optimizer, run)
    v = 0.1 * run.grad[0] ** 2
    np.testing.assert_allclose(rates[0], np.sqrt(1e-6) / np.sqrt(v + 1e-6))
