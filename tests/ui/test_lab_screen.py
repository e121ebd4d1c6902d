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
from lrgame.ui.widgets.landscape import LandscapeView
from lrgame.ui.widgets.landscape_scene import GLOBAL_MIN
from lrgame.ui.widgets.map_scene import MAP_COLORS, MapScene, map_bands

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
        text = view.text
        assert "●" in text and "decision regions" in text
        assert not screen.query(LandscapeView)  # 337 weights: no exact map, a slice
        slice_view = screen.query_one(SliceView)
        assert not slice_view.revealed and "revealed at the end" in slice_view.text
        assert screen.query_one(LabLossChart).cursor is not None
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen), timeout=60)
        assert slice_view.revealed and slice_view.slice is not None
        assert "PCA slice" in slice_view.text
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
        text = screen.query_one(ModelView).text
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


def training_loss(level_file: Path, points: np.ndarray) -> np.ndarray:
    """Linear regression's mean squared error at each (weight, bias), from the level's data
    read afresh: the landscape the map must show, computed without the model's code."""
    from lrgame.levels.loader import check_file

    data = check_file(level_file, run_demos=False).level.landscape.data  # type: ignore[union-attr]
    x, y = data.x[:, 0], data.y
    w, b = points[..., 0, None], points[..., 1, None]
    return np.mean((w * x + b - y) ** 2, axis=-1)


async def test_a_two_parameter_model_walks_on_its_exact_map_under_fog(
    store: ProgressStore,
) -> None:
    level_file = LAB / "01-unscaled-features.json"
    app = LrgameApp(
        levels_dir=LAB,
        store=store,
        play_file=level_file,
        play_strategy={"optimizer": {"name": "sgd", "lr": 0.0002}},
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LabScreen))
        screen = app.screen
        assert isinstance(screen, LabScreen)
        assert not screen.query(SliceView)  # two parameters: the map, not a slice
        await wait_for(pilot, lambda: screen.playback is not None)
        await wait_for(pilot, lambda: screen.playback.step >= 5)  # type: ignore[union-attr]
        await pilot.press("space")  # pause mid-walk
        await pilot.pause()
        run, playback = screen.run_data, screen.playback
        assert run is not None and playback is not None and playback.paused
        t = playback.step
        assert 5 <= t < run.steps
        view = screen.query_one(LandscapeView)
        scene = view.ensure_picture()
        assert isinstance(scene, MapScene) and view.level is not None

        # The map's values are the model's full training loss at every grid point.
        centers = scene.centers
        expected = training_loss(level_file, centers)
        np.testing.assert_allclose(view.level.landscape.loss(centers), expected, rtol=1e-12)
        start_loss = float(training_loss(level_file, np.asarray(screen.level.start))[()])
        assert np.array_equal(scene.bands, map_bands(expected, start_loss, len(MAP_COLORS)))
        # The window is around the walk: it holds the start and the walk so far.
        (x_lo, x_hi), (y_lo, y_hi) = view.level.domain
        walked = run.trajectory[: t + 1]
        assert np.all((walked[:, 0] > x_lo) & (walked[:, 0] < x_hi))
        assert np.all((walked[:, 1] > y_lo) & (walked[:, 1] < y_hi))

        # The fog lifts exactly where the walker has been, up to the step shown.
        radius = view.level.fog.radius * np.hypot(x_hi - x_lo, y_hi - y_lo)
        distance = np.linalg.norm(centers[:, :, None, :] - walked[None, None], axis=-1)
        felt = np.any(distance <= radius, axis=-1)
        assert scene.fog is not None
        assert np.array_equal(scene.fog.revealed, felt)
        assert felt.any() and not felt.all()
        # The walker is drawn at this step's point, live, not only at the end.
        cell = view.cell_of(run.trajectory[t])
        assert cell is not None
        col, line = cell
        assert scene.overlay[line][col].glyph == "●"

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen), timeout=60)
        assert view.revealed and scene.fog.revealed.all()
        # The fog lifts on the least-squares minimum, marked where it is and on the map.
        data = view.level.landscape.data  # type: ignore[attr-defined]
        design = np.hstack([data.x, np.ones((data.n, 1))])
        best = np.linalg.lstsq(design, data.y, rcond=None)[0]
        np.testing.assert_allclose(view.level.goal.minima, [best], rtol=1e-9)
        assert np.all((view.level.domain[:, 0] < best) & (best < view.level.domain[:, 1]))
        cell = view.cell_of(best)
        assert cell is not None
        assert scene.overlay[cell[1]][cell[0]].glyph == GLOBAL_MIN


async def test_watching_a_model_run_again_stays_on_the_lab_screen(store: ProgressStore) -> None:
    """The result box's choices behave as on the descent (one shared flow): after watch,
    the walk plays to its end and the result box does not come back over it."""
    app = LrgameApp(
        levels_dir=LAB,
        store=store,
        play_file=LAB / "01-unscaled-features.json",
        play_strategy={"optimizer": {"name": "adam", "lr": 0.1}},
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LabScreen))
        screen = app.screen
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen), timeout=60)
        await pilot.press("w")
        await wait_for(pilot, lambda: app.screen is screen)
        assert isinstance(screen, LabScreen) and screen.playback is not None
        assert not screen.playback.finished
        await pilot.press("e")
        await wait_for(pilot, lambda: screen.playback is not None and screen.playback.finished)
        for _ in range(40):  # well past the result delay: the box would be back by now
            await pilot.pause(0.02)
        assert app.screen is screen


async def test_the_legend_names_a_global_minimum_only_where_one_is_drawn() -> None:
    # Logistic regression on separable data has no finite minimum: no ★, so no legend entry.
    import dataclasses

    from textual.app import App, ComposeResult

    from lrgame.engine.simulate import run_batch
    from lrgame.levels.loader import load_level
    from lrgame.ui.widgets.lab import _MapLevel, map_level

    level = load_level(str(LAB / "01-unscaled-features.json"))
    run = run_batch(level.landscape, level.start, [level.starting_strategy()]).row(0)
    with_minimum = map_level(level, run)  # type: ignore[arg-type]
    fields = {f.name: getattr(with_minimum, f.name) for f in dataclasses.fields(with_minimum)}
    without = _MapLevel(**{**fields, "minimum": None})
    assert len(with_minimum.goal.minima) == 1 and len(without.goal.minima) == 0

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield LandscapeView()

    for shown, stars in ((with_minimum, 1), (without, 0)):
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            view = app.query_one(LandscapeView)
            view.set_level(shown)
            view.set_runs([run])
            view.reveal()
            await pilot.pause()
            scene = view.ensure_picture()
            assert scene is not None
            labels = [label for _glyph, _color, label, _bg in scene.common_legend()]
            assert labels.count("global minimum") == stars, labels
