"""The fog: a cell is felt once a visited point lies within the radius of its centre."""

from __future__ import annotations

import numpy as np
import pytest

from lrgame.engine.fog import POINT_BLOCK, FogOfWar


def naive(centers: np.ndarray, radius: float, points: np.ndarray) -> np.ndarray:
    """The rule, one point at a time over the whole grid."""
    revealed = np.zeros(centers.shape[:-1], dtype=bool)
    for point in points:
        if np.all(np.isfinite(point)):
            revealed |= np.sum((centers - point) ** 2, axis=-1) <= radius**2
    return revealed


def grid_2d(width: int = 31, height: int = 23) -> np.ndarray:
    xs, ys = np.linspace(-2, 2, width), np.linspace(3, -1, height)
    return np.stack(np.meshgrid(xs, ys, indexing="xy"), axis=-1)


@pytest.mark.parametrize("seed", range(6))
def test_incremental_reveals_match_the_rule_in_2d(seed: int) -> None:
    rng = np.random.default_rng(seed)
    centers = grid_2d()
    walk = np.cumsum(rng.normal(0, 0.15, size=(5 * POINT_BLOCK + 7, 2)), axis=0)
    walk[rng.integers(0, len(walk), 5)] = np.nan  # blown-up points are not felt
    walk[7] = [np.inf, 0.0]
    fog = FogOfWar(centers, 0.3)
    counts = [0, 1, 2, 10, 11, POINT_BLOCK + 5, 3 * POINT_BLOCK + 1, len(walk)]
    assert counts == sorted(counts)
    for before, count in zip(counts, counts[1:], strict=False):
        changed = fog.reveal_upto(walk, count)
        expected = naive(centers, 0.3, walk[:count])
        assert np.array_equal(fog.revealed, expected)
        assert np.array_equal(changed, expected & ~naive(centers, 0.3, walk[:before]))


def test_a_jump_of_many_steps_and_a_restart() -> None:
    centers = grid_2d()
    walk = np.linspace([-2.5, 3.5], [2.5, -1.5], 500)  # off the map at both ends
    fog = FogOfWar(centers, 0.2)
    fog.reveal_upto(walk, len(walk))
    assert np.array_equal(fog.revealed, naive(centers, 0.2, walk))
    # Going back (a replay) grows the fog again.
    changed = fog.reveal_upto(walk, 3)
    assert np.array_equal(fog.revealed, naive(centers, 0.2, walk[:3]))
    assert np.array_equal(changed, fog.revealed)


def test_cells_on_the_radius_count_as_the_rule_says_in_1d() -> None:
    # Cells 0.3 and 0.7 lie at the radius from 0.5, up to rounding: the box that
    # preselects cells must not decide them, the distance test must.
    centers = np.linspace(0.0, 1.0, 11)[:, None]
    for radius in (0.2, 0.2 + 1e-17, 0.19999999999999998, 0.0):
        fog = FogOfWar(centers, radius)
        fog.reveal_upto(np.array([[0.5]]), 1)
        assert np.array_equal(fog.revealed, naive(centers, radius, np.array([[0.5]])))
