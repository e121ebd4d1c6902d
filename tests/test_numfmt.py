"""The player-facing number formatter."""

from __future__ import annotations

import math

import pytest

from lrgame import numfmt


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e-6, "1e-6"),
        (2e3, "2000"),
        (2e5, "2e5"),
        (1.5, "1.5"),
        (100.0, "100"),
        (0.0423, "0.0423"),
        (0.0, "0"),
        (None, "?"),
        (math.inf, "∞"),
        (-math.inf, "-∞"),
        (math.nan, "NaN"),
        (123456.0, "1.23e5"),
    ],
)
def test_num(value: float | None, text: str) -> None:
    assert numfmt.num(value) == text


def test_tiny_losses_read_as_zero_but_not_large_ones() -> None:
    assert numfmt.loss(3.91e-8) == "≈ 0"
    assert numfmt.loss(-4.724e-46) == "≈ 0"
    assert numfmt.loss(0.0) == "0"
    assert numfmt.loss(2.5e-6) == "2.5e-6"
    assert numfmt.loss(-4.0000001) == "-4"


@pytest.mark.parametrize("value", [0.0794, 1.096, 0.891, 3e-5, 45.0, 0.1, 7.77e-3])
def test_rate_bounds_round_inwards(value: float) -> None:
    low = float(numfmt.rate_bound(value, "low"))
    high = float(numfmt.rate_bound(value, "high"))
    assert low >= value * (1 - 1e-12)
    assert high <= value * (1 + 1e-12)
    assert low / value < 1.2 and value / high < 1.2
