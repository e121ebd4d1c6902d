"""The 2-D map's colour scale: the goal's valley stands out on every shipped level."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.color import Color

from lrgame.levels.loader import load_level
from lrgame.levels.model import Level
from lrgame.levels.paths import shipped_levels_dir
from lrgame.ui.widgets.landscape import LandscapeView
from lrgame.ui.widgets.map_scene import MAP_COLORS, map_bands

LEVELS_2D = [
    path for path in sorted(shipped_levels_dir().glob("*.json")) if load_level(path).dim == 2
]
BAND = {Color.parse(c): i for i, c in enumerate(MAP_COLORS)}


class One(App[None]):
    def __init__(self, widget: LandscapeView) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


async def shown(level: Level, size: tuple[int, int], points: list[list[float]]) -> list[int]:
    """The colour band the map shows at each point (the landscape fills the terminal)."""
    view = LandscapeView()
    async with One(view).run_test(size=size) as pilot:
        view.practice = True
        view.set_level(level)
        await pilot.pause()
        colours = [view.map_color(p) for p in points]
    assert all(c is not None for c in colours)
    return [BAND[c] for c in colours if c is not None]


def test_there_are_2d_levels_to_check() -> None:
    assert len(LEVELS_2D) >= 5


@pytest.mark.parametrize("size", [(120, 40), (80, 24), (60, 15)])
@pytest.mark.parametrize("path", LEVELS_2D, ids=lambda p: Path(p).stem)
async def test_the_goal_and_the_start_differ_in_colour(path: Path, size: tuple[int, int]) -> None:
    level = load_level(path)
    minima = [list(m) for m in level.goal.minima]
    start, *goals = await shown(level, size, [list(level.start), *minima])
    assert all(goal != start for goal in goals), (start, goals)
    # The valley is the map's lowest colour band; the start lies above it.
    assert min(goals) == 0 and start >= 2


async def test_the_plain_of_the_knife_edge_gully_shows_its_valley() -> None:
    # The regression: the steep gully took every band, the plain and its valley were one colour.
    level = load_level(shipped_levels_dir() / "10-knife-edge-gully.json")
    plain = [[float(x), float(y)] for x in np.linspace(1.0, 6.0, 11) for y in (-1.0, 0.0, 1.0)]
    goal, *bands = await shown(level, (80, 24), [[4.0, 0.0], *plain])
    assert len(set(bands)) >= 6, bands
    assert goal == 0 and bands[1] > goal  # (1, 0): on the plain, short of the valley


def test_bands_follow_the_loss_and_split_at_the_start() -> None:
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.exponential(1.0, 500), rng.exponential(1000.0, 500)])
    values[:3] = [np.nan, np.inf, -np.inf]
    bands = map_bands(values, 0.5, len(MAP_COLORS))
    finite = np.isfinite(values)
    order = np.argsort(values[finite])
    assert np.all(np.diff(bands[finite][order]) >= 0), "a higher loss never gets a lower band"
    assert set(bands[~finite]) == {len(MAP_COLORS) - 1}
    below = finite & (values <= 0.5)
    assert bands[below].max() < bands[finite & (values > 0.5)].min()
    assert bands[below].max() >= 2
