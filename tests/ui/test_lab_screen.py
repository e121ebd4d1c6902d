"""A model level played in the game: the network trains, its output and the slice are shown."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from textual.widgets import Static
from waits import wait_for

from lrgame.storage import ProgressStore
from lrgame.ui.app import LrgameApp
from lrgame.ui.screens.lab import LabScreen
from lrgame.ui.screens.result import ResultScreen
from lrgame.ui.widgets.lab import LabLossChart, ModelView, SliceView

LAB = Path(__file__).resolve().parents[2] / "levels" / "lab"
SIZE = (120, 40)


async def test_a_model_level_trains_on_the_lab_screen(store: ProgressStore) -> None:
    app = LrgameApp(
        levels_dir=LAB,
        store=store,
        play_file=LAB / "03-adam-on-moons.json",
        play_strategy={"optimizer": {"name": "adam", "lr": 0.1}},
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LabScreen))
        screen = app.screen
        assert isinstance(screen, LabScreen)
        await wait_for(pilot, lambda: screen.playback is not None)
        stats = str(screen.query_one("#stats", Static).render())
        assert "2-16-16-1 sigmoid, 337 weights" in stats and "batches   of 32" in stats
        view = screen.query_one(ModelView)
        text = view.render().plain
        assert "●" in text and "decision regions" in text
        slice_view = screen.query_one(SliceView)
        assert not slice_view.revealed and "revealed at the end" in slice_view.render().plain
        assert screen.query_one(LabLossChart).cursor is not None
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen), timeout=60)
        assert slice_view.revealed and slice_view.slice is not None
        assert "PCA slice" in slice_view.render().plain
        assert 0.5 < slice_view.slice.explained <= 1.0
        walk = slice_view.slice.walk
        assert walk.shape == (screen.run_data.steps + 1, 2)  # type: ignore[union-attr]
        np.testing.assert_allclose(walk[-1], 0.0, atol=1e-12)  # the plane passes through the end
        explanation = str(app.screen.query_one("#result-explanation", Static).render())
        assert "training loss" in explanation


async def test_a_one_feature_model_shows_its_fitted_curve(
    store: ProgressStore, tmp_path: Path
) -> None:
    level = tmp_path / "line.json"
    level.write_text(
        '{"id": "line", "title": "Line", "model": {"layers": [1, 4, 1], "loss": "mse"},'
        ' "data": {"generator": "linear", "n": 30, "holdout": 0.2}, "steps": 20,'
        ' "goal": {"loss": 0.05}}',
        encoding="utf-8",
    )
    app = LrgameApp(
        levels_dir=LAB,
        store=store,
        play_file=level,
        play_strategy={"optimizer": {"name": "sgd", "lr": 0.1}},
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LabScreen))
        screen = app.screen
        assert isinstance(screen, LabScreen)
        await wait_for(pilot, lambda: screen.playback is not None)
        text = screen.query_one(ModelView).render().plain
        assert "•" in text and "·" in text and "the model's fit" in text
        assert "held-out" in str(screen.query_one("#stats", Static).render())


async def test_the_editor_previews_a_model_level(store: ProgressStore, tmp_path: Path) -> None:
    from lrgame.levels.template import create_level_file
    from lrgame.ui.screens.editor import EditorScreen
    from lrgame.ui.widgets.landscape import LandscapeView

    path = tmp_path / "linear.json"
    path.write_text(
        '{"id": "lin", "title": "Lin", "model": {"layers": [2, 1], "loss": "mse"},'
        ' "data": {"generator": "linear", "n": 40, "a": [1, 1], "scale": [1, 10]},'
        ' "steps": 50, "goal": {"loss": 0.05}}',
        encoding="utf-8",
    )
    app = LrgameApp(store=store, edit_file=path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        screen = app.screen
        assert isinstance(screen, EditorScreen)
        await wait_for(pilot, lambda: screen.analysis is not None)
        await pilot.pause()
        facts = str(screen.query_one("#editor-facts", Static).render())
        assert "Model 2-1" in facts and "3 weights" in facts and "40 training samples" in facts
        assert "2/λmax" in facts
        assert screen.query_one(ModelView).display
        assert not screen.query_one(LandscapeView).display
        # Back to a landscape level in the same editor: the map returns.
        landscape = create_level_file(tmp_path / "hills.json")
        screen.text_area.load_text(landscape.read_text(encoding="utf-8"))
        await wait_for(pilot, lambda: screen.query_one(LandscapeView).display, timeout=60)
        assert not screen.query_one(ModelView).display
