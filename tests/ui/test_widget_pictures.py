"""Widgets on the cached-lines base: new data builds the picture once, playback state never does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from textual.app import App, ComposeResult

from lrgame.analysis.sweep_view import SweepPlot
from lrgame.engine.lab import pca_slice
from lrgame.engine.outcome import Outcome
from lrgame.engine.simulate import run_batch
from lrgame.levels.lab import ModelLevel
from lrgame.levels.loader import load_level
from lrgame.ui.widgets.lab import ModelView, SliceView
from lrgame.ui.widgets.sweep_chart import SweepChart

LAB = Path(__file__).resolve().parents[2] / "levels" / "lab"


class Sweep(App[None]):
    def compose(self) -> ComposeResult:
        yield SweepChart()


def sweep_plot(top: float) -> SweepPlot:
    log_lr = np.linspace(-3.0, 1.0, 41)
    values = np.linspace(0.0, top, 41)
    outcomes = [Outcome.REACHED_GOAL if v < 0 else Outcome.DIVERGED for v in log_lr]
    return SweepPlot(log_lr, values, outcomes, False, "final loss", cliff_log_lr=0.0)


async def test_the_sweep_chart_is_built_once_per_plot() -> None:
    app = Sweep()
    async with app.run_test(size=(100, 30)) as pilot:
        chart = app.query_one(SweepChart)
        chart.set_plot(sweep_plot(5.0))
        await pilot.pause()
        builds = chart.render_count
        first = chart.text
        assert "cliff" in "\n".join(first)
        chart.refresh()
        await pilot.pause()
        assert chart.render_count == builds, "a repaint serves the same picture"
        chart.set_plot(sweep_plot(50.0))
        await pilot.pause()
        await pilot.pause()
        assert chart.render_count == builds + 1, "a new plot is drawn again, once"
        assert chart.text != first


class Lab(App[None]):
    CSS = "ModelView { height: 16; } SliceView { height: 16; }"

    def compose(self) -> ComposeResult:
        yield ModelView()
        yield SliceView()


def lab_run(name: str) -> tuple[ModelLevel, np.ndarray]:
    level = load_level(LAB / name)
    assert isinstance(level, ModelLevel)
    batch = run_batch(
        level.landscape, level.start, [level.strategy({"optimizer": {"name": "adam", "lr": 0.05}})]
    )
    return level, batch.row(0).trajectory


async def test_the_model_view_evaluates_the_network_once_per_step_shown() -> None:
    level, trajectory = lab_run("03-adam-on-moons.json")
    app = Lab()
    async with app.run_test(size=(80, 40)) as pilot:
        view = app.query_one(ModelView)
        view.set_run(level.landscape, trajectory)
        await pilot.pause()
        builds = view.render_count
        assert "decision regions" in view.text
        last = len(trajectory) - 1
        view.set_step(last)
        await pilot.pause()
        assert view.render_count == builds + 1, "a new step shown is drawn once"
        at_last = view.text
        view.set_step(last + 10)  # past the end: still the last step's weights
        view.refresh()
        await pilot.pause()
        assert view.render_count == builds + 1, "the same weights are not evaluated again"
        assert view.text == at_last
        view.set_run(level.landscape, trajectory[:2])
        await pilot.pause()
        assert view.render_count == builds + 2, "a new run is drawn again, once"


def walk_marks(view: SliceView) -> set[tuple[int, int]]:
    """Where the lines served to the screen (cached ones included) show the walk's "now"."""
    lines = [view.render_line(y).text for y in range(view.size.height)]
    return {(i, j) for i, line in enumerate(lines) for j, ch in enumerate(line) if ch == "●"}


async def test_the_slice_is_built_once_and_the_walk_moves_over_it() -> None:
    level, trajectory = lab_run("03-adam-on-moons.json")
    found = pca_slice(level.landscape, trajectory, 25)
    assert found is not None
    app = Lab()
    async with app.run_test(size=(80, 40)) as pilot:
        view = app.query_one(SliceView)
        view.set_slice(found)
        view.reveal()
        await pilot.pause()
        builds = view.render_count
        picture = view.current_picture
        assert picture is not None and picture.cells is not None
        steps = [k for k, cell in enumerate(picture.cells) if cell[0] >= 0]
        assert len({picture.cells[k] for k in steps}) > 2, "the walk crosses several cells"
        seen = set()
        for k in steps[:: max(1, len(steps) // 6)]:
            view.set_step(k)
            await pilot.pause()
            line, col = picture.cells[k]
            assert walk_marks(view) == {(line, col)}, "one mark, where the walk is at this step"
            seen.add((line, col))
        assert len(seen) > 1
        assert view.render_count == builds, "moving along the walk never rebuilds the map"
        view.reveal(False)
        await pilot.pause()
        assert view.render_count == builds + 1
        assert "revealed at the end" in view.text
