"""Minima found by grid then Newton polish, against known values."""

from __future__ import annotations

import numpy as np
import pytest

from lrgame.engine.expr import Expression
from lrgame.engine.landscape import Landscape


def land(text: str, domain: list[list[float]]) -> Landscape:
    variables = ("x",) if len(domain) == 1 else ("x", "y")
    return Landscape(Expression.parse(text, variables), np.array(domain))


def test_quartic_has_a_global_and_a_local_minimum() -> None:
    lnd = land("x**4 - 3*x**2 + x", [[-3, 3]])
    minima = lnd.minima
    assert len(minima) == 2
    # Roots of 4x^3 - 6x + 1 = 0.
    roots = np.roots([4, 0, -6, 1])
    glob = min(roots, key=lambda r: r**4 - 3 * r**2 + r)
    assert minima[0].is_global and not minima[1].is_global
    assert minima[0].point[0] == pytest.approx(glob, abs=1e-10)
    assert minima[0].curvature == pytest.approx(12 * glob**2 - 6, rel=1e-9)


def test_himmelblau_has_four_global_minima() -> None:
    lnd = land("(x**2 + y - 11)**2 + (x + y**2 - 7)**2", [[-5, 5], [-5, 5]])
    glob = lnd.global_minima
    assert len(glob) == 4
    known = np.array(
        [[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]]
    )
    for m in glob:
        assert np.min(np.linalg.norm(known - np.array(m.point), axis=1)) < 1e-5
        assert m.loss == pytest.approx(0.0, abs=1e-12)
    assert not lnd.local_minima


def test_six_hump_camel() -> None:
    lnd = land("(4 - 2.1*x**2 + x**4/3)*x**2 + x*y + (-4 + 4*y**2)*y**2", [[-2, 2], [-1, 1]])
    glob = lnd.global_minima
    assert len(glob) == 2
    assert glob[0].loss == pytest.approx(-1.0316284534898774, rel=1e-9)
    assert len(lnd.local_minima) == 4


def test_rosenbrock_minimum_and_curvature() -> None:
    lnd = land("(1 - x)**2 + 100*(y - x**2)**2", [[-2, 2], [-1, 3]])
    (m,) = lnd.minima
    np.testing.assert_allclose(m.point, [1.0, 1.0], atol=1e-8)
    hess = np.array([[802.0, -400.0], [-400.0, 200.0]])
    assert m.curvature == pytest.approx(np.linalg.eigvalsh(hess)[-1], rel=1e-9)


def test_slope_to_the_edge_has_no_interior_minimum() -> None:
    lnd = land("x", [[-1, 1]])
    assert lnd.minima == []
    assert lnd.grid_lowest[0] == (-1.0,)


def test_saddle_is_not_a_minimum() -> None:
    lnd = land("x**2 - y**2 + 0.1*y**4", [[-3, 3], [-3, 3]])
    assert all(abs(m.point[1]) > 1 for m in lnd.minima)
    assert len(lnd.minima) == 2
