"""Small terminals (issue 12): the descent at 80x24 and 60x18 keeps its landscape and loss
chart readable, legends and labels that do not fit go below their chart, whole."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widget import Widget
from waits import wait_for

from lrgame.engine.simulate import simulate
from lrgame.storage import ProgressStore
from lrgame.ui.app import LrgameApp
from lrgame.ui.app_window import MIN_HEIGHT, MIN_WIDTH
from lrgame.ui.screens.descent import DescentScreen
from lrgame.ui.screens.too_small import TooSmallScreen
from lrgame.ui.widgets.chart_markers import MARKER_LINE, MARKER_LINE_HIGHLIGHT
from lrgame.ui.widgets.charts import LossChart, LrChart, Series, SeriesChart
from lrgame.ui.widgets.landscape import LandscapeView

CAMPAIGN = Path(__file__).resolve().parents[1] / "fixtures" / "campaign"


def text_of(widget: Widget) -> list[str]:
    width, height = widget.outer_size
    return [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]


def plot_rows(chart: SeriesChart) -> int:
    """Lines of a chart's plot: those between the axis corners ┌ and └."""
    lines = text_of(chart)
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    return bottom - top - 1


def valley_app(store: ProgressStore) -> LrgameApp:
    return LrgameApp(
        levels_dir=CAMPAIGN,
        store=store,
        play_file=CAMPAIGN / "04-valley.json",
        play_strategy={"optimizer": {"name": "sgd", "lr": 0.01}},
    )


@pytest.mark.parametrize(("size", "rows"), [((80, 24), 8), ((60, 18), 6)])
async def test_the_descent_keeps_the_loss_chart_readable(
    store: ProgressStore, size: tuple[int, int], rows: int
) -> None:
    app = valley_app(store)
    async with app.run_test(size=size) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, DescentScreen) and app.screen.playback is not None
        )
        await pilot.press("space")
        await pilot.pause()
        screen = app.screen
        # The lr chart makes way (the stats name the rate); the loss chart has room to read.
        assert not screen.query_one(LrChart).display
        assert plot_rows(screen.query_one(LossChart)) >= rows
        stats = str(screen.query_one("#stats").render())
        assert "lr" in stats and "loss" in stats
        view = screen.query_one(LandscapeView)
        assert view.size.height >= size[1] - 4 and view.size.width >= size[0] // 2


async def test_below_the_stated_size_the_guard_takes_over(store: ProgressStore) -> None:
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=(60, 15)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        text = str(app.screen.query_one("#too-small-text").render())
        assert f"{MIN_WIDTH}x{MIN_HEIGHT}" in text
        assert all(len(line) <= 60 for line in text.splitlines())
        await pilot.resize_terminal(MIN_WIDTH, MIN_HEIGHT)
        await pilot.pause()
        assert not isinstance(app.screen, TooSmallScreen)


class One(App[None]):
    def __init__(self, widget: Widget) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


async def test_a_legend_too_long_for_the_title_line_goes_below_whole() -> None:
    chart = SeriesChart()
    labels = ["you", "warmup-cosine", "your lr ÷ 3", "step decay"]
    async with One(chart).run_test(size=(34, 16)) as pilot:
        chart.set_series(
            np.arange(30.0),
            [Series(np.linspace(10, 1 + i, 30), label) for i, label in enumerate(labels)],
            log_y=True,
            title="Loss above the minimum (log)",
        )
        await pilot.pause()
        lines = text_of(chart)
        below = "\n".join(lines[next(i for i, line in enumerate(lines) if "└" in line) :])
        for label in labels:
            assert label in below
        assert plot_rows(chart) >= 4


async def test_marker_labels_that_would_cover_each_other_go_below_the_plot() -> None:
    chart = SeriesChart()
    x = np.geomspace(1e-6, 1e2, 81)
    labels = ["1 steep 5.995e-05", "2 valley 0.004329", "3 minimum÷10 0.5094"]
    async with One(chart).run_test(size=(76, 16)) as pilot:
        chart.set_series(x, [Series(np.geomspace(1000, 1, 81))], log_x=True, log_y=True)
        chart.set_markers([(x[17], labels[0]), (x[35], labels[1]), (x[58], labels[2])])
        await pilot.pause()
        lines = text_of(chart)
        text = "\n".join(lines)
        for label in labels:
            assert text.count(label) == 1, label
        # Every marker's line is whole: no label was written over one.
        top = next(i for i, line in enumerate(lines) if "┌" in line)
        bottom = next(i for i, line in enumerate(lines) if "└" in line)
        columns = {
            col
            for line in lines[top + 1 : bottom]
            for col, ch in enumerate(line)
            if ch in (MARKER_LINE, MARKER_LINE_HIGHLIGHT)
        }
        assert len(columns) == 3
        for col in columns:
            cells = [line[col] for line in lines[top + 1 : bottom]]
            assert all(c in (MARKER_LINE, MARKER_LINE_HIGHLIGHT) or "⠀" <= c <= "⣿" for c in cells)
        # Beside each line, its number.
        for col, tag in zip(sorted(columns), "123", strict=True):
            assert any(
                line[col + 1 : col + 2] == tag or line[col - 1 : col] == tag
                for line in lines[top + 1 : bottom]
            )


async def test_the_landscape_legend_wraps_instead_of_cutting_off() -> None:
    from lrgame.levels.loader import load_level

    level = load_level(CAMPAIGN / "04-valley.json")
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 0.01}})
    run = simulate(level.landscape, level.start, strategy)
    view = LandscapeView()
    async with One(view).run_test(size=(34, 18)) as pilot:
        view.set_level(level)
        view.set_runs([run, run])
        view.set_step(5)
        await pilot.pause()
        text = "\n".join(text_of(view))
        for label in ("you", "ghost", "path", "start", "not yet felt"):
            assert label in text
        view.reveal()
        await pilot.pause()
        text = "\n".join(text_of(view))
        for label in ("you", "ghost", "path", "start", "global minimum"):
            assert label in text


async def test_the_race_legend_names_every_racer_in_full_at_80_columns(
    store: ProgressStore,
) -> None:
    from lrgame.ui.screens.race import RaceScreen, RaceSetupScreen
    from lrgame.ui.screens.result import ResultScreen

    app = LrgameApp(
        levels_dir=CAMPAIGN,
        store=store,
        play_file=CAMPAIGN / "04-valley.json",
        play_strategy={"optimizer": {"name": "sgd", "lr": 0.01}, "schedule": "cosine"},
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, DescentScreen) and app.screen.playback is not None
        )
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, RaceSetupScreen))
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, RaceScreen))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RaceScreen)
        shown = " ".join(" ".join(text_of(screen.query_one("#race-legend"))).split())
        for line in screen.legend_text().plain.splitlines():
            assert " ".join(line.split()) in shown, line
