"""The chart widgets in a real (headless) app: sizes, playback, fog, divergence, resize, themes.

Every test renders through Textual's own pipeline (``await pilot.pause()`` lets the
compositor paint) and then reads the widget's lines back as text and styles.
No timing is asserted here; speed is benchmarks/bench_frames.py's business.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.color import Color
from textual.containers import Horizontal, Vertical
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Static

from lrgame.engine.simulate import Run, simulate
from lrgame.levels.loader import check_text
from lrgame.levels.model import Level
from lrgame.ui.widgets.chart_scale import log_ticks, nice_ticks, scale_values
from lrgame.ui.widgets.chart_theme import ChartTheme
from lrgame.ui.widgets.charts import LossChart, LrChart, Series, SeriesChart
from lrgame.ui.widgets.landscape import LandscapeView
from lrgame.ui.widgets.landscape_scene import (
    ARROWS,
    GHOST,
    GLOBAL_MIN,
    HATCH,
    LOCAL_MIN,
    START,
    WALKER,
)
from lrgame.ui.widgets.map_scene import MAP_COLORS
from lrgame.ui.widgets.plotext_cells import new_figure, render_figure

BOWL = {
    "id": "bowl",
    "title": "Bowl",
    "loss": "x**2",
    "domain": {"x": [-3, 3]},
    "start": [2.5],
    "steps": 40,
}
WELLS = {
    "id": "wells",
    "title": "Two wells",
    "loss": "x**4 - 3*x**2 + x",
    "domain": {"x": [-2.2, 2.2]},
    "start": [2.0],
    "steps": 60,
    "fog": {"radius": 0.05},
}
VALLEY = {
    "id": "valley",
    "title": "Valley",
    "loss": "(x - 1)**2 + 4*(y + 0.5)**2",
    "domain": {"x": [-3, 3], "y": [-3, 3]},
    "start": [-2, 2],
    "steps": 60,
    "fog": {"radius": 0.06},
}
BANANA = {
    "id": "banana",
    "title": "Banana",
    "loss": "(1 - x)**2 + 100*(y - x**2)**2",
    "domain": {"x": [-2, 2], "y": [-1, 3]},
    "start": [-1.5, 2.0],
    "steps": 300,
}
SIZES = [(120, 40), (80, 24), (20, 5), (1, 1)]


def level(data: dict[str, Any]) -> Level:
    checked = check_text(json.dumps(data))
    assert checked.level is not None, checked.lines
    return checked.level


def sgd(lv: Level, lr: float, steps: int | None = None) -> Run:
    strategy: dict[str, Any] = {"optimizer": {"name": "sgd", "lr": lr}}
    if steps is not None:
        strategy["steps"] = steps
    return simulate(lv.landscape, lv.start, lv.strategy(strategy))


def broken_run(dim: int) -> Run:
    """A run that blows up: finite, then huge, then inf and NaN (what a divergence leaves)."""
    n = 12
    trajectory = np.full((n + 1, dim), 0.5)
    trajectory[5:, 0] = [4.0, 40.0, 4e3, 4e8, 4e100, np.inf, np.nan, np.nan]
    loss = np.concatenate(
        [np.linspace(1.0, 0.1, 5), [16.0, 1.6e3, 1.6e7, 1.6e17, np.inf, np.inf, np.nan, np.nan]]
    )
    lr = np.full(n, 0.5)
    lr[-2:] = np.nan
    return Run(trajectory, loss, np.zeros_like(trajectory), lr, None, True)


def text_of(widget: Widget) -> list[str]:
    width, height = widget.size
    return [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]


def style_at(widget: Widget, x: int, y: int) -> Style:
    strip = widget.render_lines(Region(0, y, widget.size.width, 1))[0]
    offset = 0
    for segment in strip:
        if offset <= x < offset + segment.cell_length:
            return segment.style or Style()
        offset += segment.cell_length
    raise AssertionError(f"no cell at {x}")


def legend_start(lines: list[str]) -> int:
    """Where a landscape's legend begins: its last lines, each "glyph word" or blank."""
    end = len(lines)
    while end > 1 and (not lines[end - 1].strip() or re.match(r"\S [^\W\d]", lines[end - 1])):
        end -= 1
    return end if end < len(lines) else len(lines) - 1


def find(lines: list[str], glyph: str) -> list[tuple[int, int]]:
    """Cells showing ``glyph`` on a landscape's map (the legend lines below it are skipped)."""
    return [
        (x, y)
        for y, line in enumerate(lines[: legend_start(lines)])
        for x, ch in enumerate(line)
        if ch == glyph
    ]


class One(App[None]):
    """A single widget filling the screen."""

    def __init__(self, widget: Widget) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


class Descent(App[None]):
    """The descent layout: the landscape, the loss and lr charts, a stats panel."""

    CSS = """
    Horizontal { height: 1fr; }
    LandscapeView { width: 3fr; }
    #side { width: 2fr; }
    #stats { height: 4; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield LandscapeView()
            with Vertical(id="side"):
                yield LossChart()
                yield LrChart()
                yield Static("stats", id="stats")

    def load(self, lv: Level, runs: list[Run]) -> None:
        self.query_one(LandscapeView).set_level(lv)
        self.query_one(LandscapeView).set_runs(runs)
        self.query_one(LossChart).set_runs(runs, lv.goal.loss)
        self.query_one(LrChart).set_rates([r.lr for r in runs])

    def step(self, t: int) -> None:
        self.query_one(LandscapeView).set_step(t)
        self.query_one(LossChart).set_cursor(t)
        self.query_one(LrChart).set_cursor(t)


# -- sizes -------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("kind", ["1d", "2d", "loss", "lr"])
async def test_each_widget_renders_at_any_size(kind: str, size: tuple[int, int]) -> None:
    widget: Widget
    if kind in ("1d", "2d"):
        lv = level(WELLS if kind == "1d" else VALLEY)
        view = LandscapeView()
        widget = view
    else:
        lv = level(BOWL)
        widget = LossChart() if kind == "loss" else LrChart()
    app = One(widget)
    runs = [sgd(lv, 0.05), sgd(lv, 0.4)]
    async with app.run_test(size=size) as pilot:
        if isinstance(widget, LandscapeView):
            widget.set_level(lv)
            widget.set_runs(runs)
        elif isinstance(widget, LossChart):
            widget.set_runs(runs, lv.goal.loss)
        elif isinstance(widget, LrChart):
            widget.set_rates([r.lr for r in runs])
        await pilot.pause()
        for t in (0, 3, 10, 1000):
            if isinstance(widget, LandscapeView):
                widget.set_step(t)
            elif isinstance(widget, SeriesChart):
                widget.set_cursor(t)
            await pilot.pause()
            lines = text_of(widget)
            assert len(lines) == size[1]
            assert all(len(line) == size[0] for line in lines)
        if size[0] >= 80:
            joined = "\n".join(lines)
            assert joined.strip(), "a full-size widget drew nothing"
            if isinstance(widget, LandscapeView):
                assert WALKER in joined and GHOST in joined


async def test_descent_layout_renders_at_all_sizes() -> None:
    app = Descent()
    lv = level(VALLEY)
    async with app.run_test(size=(120, 40)) as pilot:
        app.load(lv, [sgd(lv, 0.1)])
        for width, height in SIZES:
            await pilot.resize_terminal(width, height)
            app.step(width % 7)
            await pilot.pause()
            for widget in app.query(Widget):
                if widget.size.width and widget.size.height:
                    text_of(widget)


# -- the walker ----------------------------------------------------------------


async def test_set_step_moves_the_walker_along_the_1d_curve() -> None:
    lv = level(BOWL)
    run = sgd(lv, 0.1)  # x_t = 2.5 * 0.8**t: right of centre, sliding to the bottom
    view = LandscapeView()
    async with One(view).run_test(size=(80, 24)) as pilot:
        view.set_level(lv)
        view.set_runs([run])
        await pilot.pause()
        ((x0, y0),) = find(text_of(view), WALKER)
        assert (x0, y0) == view.cell_of(run.trajectory[0])
        view.set_step(10)
        await pilot.pause()
        lines = text_of(view)
        ((x1, y1),) = find(lines, WALKER)
        assert (x1, y1) == view.cell_of(run.trajectory[10])
        # Left towards x = 0 and down the curve (lines count from the top).
        assert x1 < x0 and y1 > y0
        assert abs(x1 - 40) < 8, "x = 0.27 is near the middle of the domain"
        # The start stays marked, and the trail follows the walker.
        assert find(lines, START)


async def test_set_step_moves_the_walker_across_the_2d_map() -> None:
    lv = level(VALLEY)
    run = sgd(lv, 0.1)
    view = LandscapeView()
    async with One(view).run_test(size=(80, 30)) as pilot:
        view.set_level(lv)
        view.set_runs([run])
        await pilot.pause()
        ((x0, y0),) = find(text_of(view), WALKER)
        assert (x0, y0) == view.cell_of(run.trajectory[0])
        view.set_step(25)
        await pilot.pause()
        lines = text_of(view)
        ((x1, y1),) = find(lines, WALKER)
        assert (x1, y1) == view.cell_of(run.trajectory[25])
        # From (-2, 2) towards the minimum at (1, -0.5): right and down.
        assert x1 > x0 + 10 and y1 > y0 + 3
        # Going back (a restart) puts the walker back at the start.
        view.set_step(0)
        await pilot.pause()
        assert find(text_of(view), WALKER) == [(x0, y0)]


# -- fog and reveal ----------------------------------------------------------------


async def test_fog_hides_the_2d_map_until_reveal_shows_the_minima() -> None:
    lv = level(VALLEY)
    run = sgd(lv, 0.05, steps=5)
    view = LandscapeView()
    map_colors = {Color.parse(c).rich_color for c in MAP_COLORS}
    async with One(view).run_test(size=(80, 30)) as pilot:
        view.set_level(lv)
        view.set_runs([run])
        view.set_step(5)
        await pilot.pause()
        goal = view.cell_of(lv.goal.minima[0])
        assert goal is not None
        lines = text_of(view)
        assert not find(lines, GLOBAL_MIN)
        # Far from the walker the ground is fog: neutral shades, none of the map's colours.
        fogged = style_at(view, *goal)
        assert fogged.bgcolor not in map_colors and fogged.color not in map_colors
        # Near the walker the map shows.
        ((wx, wy),) = find(lines, WALKER)
        assert style_at(view, wx + 1, wy).bgcolor in map_colors
        assert "not yet felt" in "\n".join(lines[legend_start(lines) :])

        view.reveal()
        await pilot.pause()
        lines = text_of(view)
        assert find(lines, GLOBAL_MIN) == [goal]
        assert "global minimum" in lines[-1], "the legend names the marker, not colour alone"
        assert "not yet felt" not in lines[-1]
        x, y = goal
        assert style_at(view, x + 2, y).bgcolor in map_colors


async def test_fog_hides_the_1d_curve_until_reveal_shows_both_minima() -> None:
    lv = level(WELLS)
    run = sgd(lv, 0.01, steps=20)
    view = LandscapeView()
    async with One(view).run_test(size=(100, 30)) as pilot:
        view.set_level(lv)
        view.set_runs([run])
        view.set_step(20)
        await pilot.pause()
        global_cell = view.cell_of(lv.goal.minima[0])
        local_cell = view.cell_of(lv.local_minima[0])
        assert global_cell is not None and local_cell is not None
        lines = text_of(view)
        # The global minimum (x ~ -1.3) lies far from the walker (x ~ 1.1): its column is hatched fog.
        column = [line[global_cell[0]] for line in lines[1:-3]]
        assert set(column) <= {HATCH, " ", "│", "┤"}
        assert not find(lines, GLOBAL_MIN) and not find(lines, LOCAL_MIN)

        view.reveal()
        await pilot.pause()
        lines = text_of(view)
        assert find(lines, GLOBAL_MIN) == [global_cell]
        assert HATCH not in "".join(lines[:-1])
        assert "local minimum" in lines[-1]
        # The local minimum is where this walker is stuck: the walker is drawn over its marker.
        assert find(lines, LOCAL_MIN) or find(lines, WALKER) == [local_cell]


async def test_practice_mode_starts_without_fog() -> None:
    lv = level(WELLS)
    view = LandscapeView()
    view.practice = True
    async with One(view).run_test(size=(100, 30)) as pilot:
        view.set_level(lv)
        view.set_runs([sgd(lv, 0.01)])
        await pilot.pause()
        lines = text_of(view)
        assert HATCH not in "".join(lines)
        assert not find(lines, GLOBAL_MIN), (
            "practice lifts the fog but does not give the answer away"
        )
        view.practice = False
        await pilot.pause()
        assert HATCH in "".join(text_of(view))


# -- divergence ------------------------------------------------------------------


@pytest.mark.parametrize("dim", [1, 2])
async def test_a_diverged_run_flies_off_the_edge_with_an_arrow(dim: int) -> None:
    lv = level(BOWL if dim == 1 else VALLEY)
    run = sgd(lv, 1.2 if dim == 1 else 0.3)
    assert run.diverged
    app = Descent()
    async with app.run_test(size=(120, 40)) as pilot:
        app.load(lv, [run])
        for t in range(run.steps + 3):
            app.step(t)
        await pilot.pause()
        lines = text_of(app.query_one(LandscapeView))
        arrows = [cell for glyph in ARROWS.values() for cell in find(lines, glyph)]
        assert arrows, "the walker is pinned to the edge with an arrow"
        assert not find(lines, WALKER)
        loss_text = "\n".join(text_of(app.query_one(LossChart)))
        assert "▲" in loss_text or "●" in loss_text


@pytest.mark.parametrize("dim", [1, 2])
async def test_nan_and_inf_values_render(dim: int) -> None:
    lv = level(BOWL if dim == 1 else VALLEY)
    bad = broken_run(dim)
    app = Descent()
    async with app.run_test(size=(120, 40)) as pilot:
        app.load(lv, [bad, sgd(lv, 0.1, steps=12)])
        for t in range(0, 15):
            app.step(t)
            await pilot.pause()
            for widget in (
                app.query_one(LandscapeView),
                app.query_one(LossChart),
                app.query_one(LrChart),
            ):
                text_of(widget)
        lines = text_of(app.query_one(LandscapeView))
        assert any(find(lines, glyph) for glyph in ARROWS.values())
        # The chart keeps working when the whole series is shown again (a resize while paused).
        app.query_one(LossChart).set_cursor(None)
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert "1" in "".join(text_of(app.query_one(LossChart)))


def test_scale_values_never_passes_non_finite_numbers_to_plotext() -> None:
    values = [np.array([10.0, 1.0, 0.0, -1.0, 1e-40, np.inf, np.nan, 1e300])]
    drawn, lo, hi = scale_values(values, log_y=True)
    assert np.isfinite(lo) and np.isfinite(hi) and lo < hi
    t = drawn[0]
    assert np.isnan(t[6]) and np.all(np.isfinite(np.delete(t, 6)))
    assert t[5] > hi and t[7] > hi, "inf and huge values leave through the top"
    assert t[2] == lo and t[3] == lo, "zero and negative gaps rest on the floor"
    assert hi - lo <= 12.0 + 1.0
    drawn, lo, hi = scale_values([np.array([np.nan, np.nan])], log_y=False)
    assert lo < hi
    drawn, lo, hi = scale_values([], log_y=True)
    assert lo < hi


# -- the charts -----------------------------------------------------------------------


async def test_loss_chart_reveals_the_curve_as_the_cursor_moves_without_redrawing() -> None:
    lv = level(BOWL)
    chart = LossChart()
    async with One(chart).run_test(size=(80, 20)) as pilot:
        chart.set_runs([sgd(lv, 0.1), sgd(lv, 0.02)], lv.goal.loss)
        chart.set_cursor(0)
        await pilot.pause()
        draws = chart.render_count
        seen = []
        for t in (0, 10, 20, 40):
            chart.set_cursor(t)
            await pilot.pause()
            seen.append("\n".join(text_of(chart)))
        assert len(set(seen)) == len(seen), "every cursor move changes the chart"
        assert chart.render_count == draws, "moving the cursor never re-runs plotext"
        # More of the curve (braille) is shown the further the cursor.
        braille = [sum(0x2800 <= ord(c) <= 0x28FF for c in text) for text in seen]
        assert braille == sorted(braille) and braille[0] < braille[-1]
        assert "●" in seen[1]
        assert "you" in seen[0] and "ghost 1" in seen[0], "two runs get a legend"
        chart.set_cursor(None)
        await pilot.pause()
        assert "●" not in "\n".join(text_of(chart))


async def test_lr_chart_previews_a_schedule_without_a_cursor() -> None:
    chart = LrChart()
    async with One(chart).run_test(size=(60, 12)) as pilot:
        chart.set_rates([np.linspace(0.1, 0.01, 50)])
        await pilot.pause()
        text = "\n".join(text_of(chart))
        assert "Learning rate" in text
        assert "●" not in text
        assert "0.1" in text
        before = chart.render_count
        chart.set_rates([np.full(50, 0.05)])
        await pilot.pause()
        assert chart.render_count == before + 1, "new data is drawn again"
        assert text != "\n".join(text_of(chart))


async def test_series_chart_accepts_uneven_series_and_colour_names() -> None:
    chart = SeriesChart()
    async with One(chart).run_test(size=(60, 15)) as pilot:
        chart.set_series(
            np.arange(10.0),
            [Series(np.arange(4.0), "short", "red+"), Series(np.ones(12), "long", "#00ff00")],
            title="mixed",
            x_label="step",
            y_label="value",
        )
        chart.set_cursor(6)
        await pilot.pause()
        text = "\n".join(text_of(chart))
        assert "mixed" in text and "short" in text and "step" in text


# -- resize and themes -------------------------------------------------------------


async def test_resize_mid_animation_keeps_the_walker() -> None:
    lv = level(BANANA)
    run = simulate(lv.landscape, lv.start, lv.strategy({"optimizer": {"name": "adam", "lr": 0.05}}))
    app = Descent()
    async with app.run_test(size=(120, 40)) as pilot:
        app.load(lv, [run])
        view = app.query_one(LandscapeView)
        for t in range(0, 30):
            app.step(t)
            await pilot.pause()
        builds = view.render_count
        await pilot.resize_terminal(80, 24)
        for t in range(30, 60):
            app.step(t)
            await pilot.pause()
        assert view.render_count == builds + 1, "the map is drawn again for the new size, once"
        lines = text_of(view)
        assert find(lines, WALKER) == [view.cell_of(run.trajectory[59])]
        # The fog state carried over: around the path the map shows, the legend still lists fog.
        assert "not yet felt" in "\n".join(lines[legend_start(lines) :])
        await pilot.resize_terminal(30, 8)
        app.step(70)
        await pilot.pause()
        text_of(view)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_charts_follow_the_theme(theme: str) -> None:
    lv = level(VALLEY)
    app = Descent()
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = theme
        app.load(lv, [sgd(lv, 0.1), sgd(lv, 0.02)])
        app.step(12)
        await pilot.pause()
        background = Color.parse(app.theme_variables["background"])
        for widget in (
            app.query_one(LossChart),
            app.query_one(LrChart),
            app.query_one(LandscapeView),
        ):
            _, widget_bg = widget.background_colors
            title = style_at(
                widget, 0, 0 if not isinstance(widget, LandscapeView) else widget.size.height - 1
            )
            assert title.bgcolor == widget_bg.rich_color
            assert title.color is not None
            text_brightness = Color.from_rich_color(title.color).brightness
            assert abs(text_brightness - widget_bg.brightness) > 0.3, "text reads on the background"
        assert app.query_one(LossChart).background_colors[1].brightness == pytest.approx(
            background.brightness, abs=0.15
        )
        # Lines drawn in theme colours stay readable: the player's cursor on the loss chart.
        chart = app.query_one(LossChart)
        (x, y), *_ = find(text_of(chart)[1:] + [""], "●")
        y += 1
        marker = style_at(chart, x, y)
        assert marker.color is not None and marker.bgcolor is not None
        contrast = (
            Color.from_rich_color(marker.color).brightness
            - Color.from_rich_color(marker.bgcolor).brightness
        )
        assert abs(contrast) >= 0.3


async def test_switching_theme_redraws_in_the_new_colours() -> None:
    lv = level(BOWL)
    app = Descent()
    async with app.run_test(size=(100, 30)) as pilot:
        app.theme = "textual-dark"
        app.load(lv, [sgd(lv, 0.1)])
        app.step(5)
        await pilot.pause()
        chart = app.query_one(LossChart)
        dark_bg = style_at(chart, 0, 0).bgcolor
        draws = chart.render_count
        app.theme = "textual-light"
        await pilot.pause()
        assert style_at(chart, 0, 0).bgcolor != dark_bg
        assert chart.render_count == draws + 1
        assert find(text_of(app.query_one(LandscapeView)), WALKER)


# -- plotext_cells -------------------------------------------------------------------


def test_render_figure_maps_data_to_the_cells_plotext_drew() -> None:
    theme = ChartTheme(Color(230, 230, 230), Color(10, 10, 10))
    fig = new_figure(60, 15)
    fig.scatter([0.0, 5.0, 10.0], [0.0, 1.0, 2.0], marker="x", color=0)
    fig.xlim(0, 10)
    fig.ylim(0, 2)
    grid = render_figure(fig, 60, 15, theme=theme, colors={0: Color(255, 0, 0)})
    assert grid.xlim == (0.0, 10.0) and grid.ylim == (0.0, 2.0)
    cols, lines = grid.col_of([0.0, 5.0, 10.0]), grid.line_of([0.0, 1.0, 2.0])
    for c, y in zip(cols.tolist(), lines.tolist(), strict=True):
        assert grid.chars[y, c] == "x"
        assert grid.palette[int(grid.styles[y, c])].color == Color(255, 0, 0).rich_color
        assert c in grid.canvas_cols and y in grid.canvas_rows
    assert [s.cell_length for s in grid.strips] == [60] * 15
    assert grid.col_of([np.nan, np.inf]).tolist() == [-1, -1]


def test_ticks_are_round_and_few() -> None:
    assert nice_ticks(0, 300, 5) == [0, 100, 200, 300]
    assert nice_ticks(-3, 3, 6) == [-3, -2, -1, 0, 1, 2, 3]
    ticks, labels = log_ticks(-8.2, 4.1, 4)
    assert len(ticks) <= 4 and labels[-1] == "1e4"


async def test_map_marks_line_up_with_the_tick_labels() -> None:
    lv = level(BANANA)  # the global minimum is at (1, 1), both round tick values
    view = LandscapeView()
    async with One(view).run_test(size=(90, 40)) as pilot:
        view.set_level(lv)
        view.reveal()
        await pilot.pause()
        lines = text_of(view)
        ((x, y),) = find(lines, GLOBAL_MIN)
        assert lines[y].lstrip().startswith("1┤"), "the y tick '1' is on the star's line"
        axis = next(line for line in lines if "└" in line)
        assert axis[x] == "┬", "an x tick sits under the star"


def test_map_colours_survive_256_colour_terminals() -> None:
    from rich.color import ColorSystem

    eight_bit = [Color.parse(c).rich_color.downgrade(ColorSystem.EIGHT_BIT) for c in MAP_COLORS]
    assert len({c.number for c in eight_bit}) == len(MAP_COLORS), "every band keeps its own colour"
    truecolor = [Color.parse(c).rgb for c in MAP_COLORS]
    assert [c.get_truecolor() for c in eight_bit] == [tuple(t) for t in truecolor], (
        "no shift at all"
    )


# -- log-x axis and markers (the LR finder's chart) ----------------------------------


def _cells(lines: list[str], glyph: str) -> list[tuple[int, int]]:
    return [(x, y) for y, line in enumerate(lines) for x, ch in enumerate(line) if ch == glyph]


async def test_log_x_axis_has_decade_ticks_and_places_points_by_their_log() -> None:
    from lrgame.ui.widgets.charts import CURSOR

    chart = SeriesChart()
    x = np.geomspace(1e-6, 1e2, 81)  # x[40] is 1e-2, the axis's middle decade
    async with One(chart).run_test(size=(90, 20)) as pilot:
        chart.set_series(
            x, [Series(np.geomspace(100, 1, 81))], log_x=True, log_y=True, x_label="lr"
        )
        chart.set_cursor(40)
        await pilot.pause()
        lines = text_of(chart)
        labels = next(line for line in lines if "1e-6" in line)
        for tick in ("1e-6", "1e-4", "1e-2", "1", "100"):
            assert tick in labels.split()
        ((col, _y),) = _cells(lines, CURSOR)
        axis = next(line for line in lines if "└" in line)
        ticks = [i for i, ch in enumerate(axis) if ch == "┬"]
        middle = ticks[len(ticks) // 2]
        assert abs(col - middle) <= 1, "1e-2 sits under the middle tick of 1e-6 … 1e2"


async def test_log_x_leaves_out_rates_that_are_not_positive() -> None:
    chart = SeriesChart()
    async with One(chart).run_test(size=(60, 14)) as pilot:
        x = np.array([-1.0, 0.0, 1e-3, 1e-2, 1e-1, 1.0, np.nan])
        chart.set_series(x, [Series(np.array([5.0, 4, 3, 2, 1, 0.5, 0.2]))], log_x=True)
        chart.set_markers([(0.0, "zero"), (1e-2, "mid")])
        await pilot.pause()
        text = "\n".join(text_of(chart))
        assert any(0x2800 <= ord(c) <= 0x28FF for c in text)
        assert "mid" in text and "zero" not in text, "a marker off the axis is not drawn"


async def test_markers_are_labelled_lines_laid_over_without_redrawing() -> None:
    from lrgame.ui.widgets.chart_markers import MARKER_LINE, MARKER_LINE_HIGHLIGHT, Marker
    from lrgame.ui.widgets.charts import CURSOR

    chart = SeriesChart()
    x = np.geomspace(1e-6, 1e2, 81)
    async with One(chart).run_test(size=(90, 20)) as pilot:
        chart.set_series(x, [Series(np.geomspace(100, 1, 81))], log_x=True, log_y=True)
        await pilot.pause()
        draws = chart.render_count
        chart.set_markers([(x[20], "1 steep 1e-4"), (x[60], "2 valley 1"), (1e5, "off axis")])
        await pilot.pause()
        lines = text_of(chart)
        text = "\n".join(lines)
        assert "1 steep 1e-4" in text and "2 valley 1" in text and "off axis" not in text
        assert MARKER_LINE in text and MARKER_LINE_HIGHLIGHT not in text
        assert chart.markers == [
            Marker(float(x[20]), "1 steep 1e-4"),
            Marker(float(x[60]), "2 valley 1"),
            Marker(1e5, "off axis"),
        ]
        chart.set_highlight(1)
        await pilot.pause()
        lines = text_of(chart)
        heavy = {c for c, _y in _cells(lines, MARKER_LINE_HIGHLIGHT)}
        light = {c for c, _y in _cells(lines, MARKER_LINE)}
        assert len(heavy) == 1 and len(light) == 1 and heavy != light
        # A marker at x[k] sits on the point drawn for x[k]: where the cursor goes.
        chart.set_cursor(60)
        await pilot.pause()
        ((col, _y),) = _cells(text_of(chart), CURSOR)
        assert heavy == {col}
        assert chart.render_count == draws, "markers, highlight and cursor never re-run plotext"
        chart.set_markers([])
        chart.set_cursor(None)
        await pilot.pause()
        text = "\n".join(text_of(chart))
        assert MARKER_LINE not in text and MARKER_LINE_HIGHLIGHT not in text


async def test_close_markers_keep_every_label_whole() -> None:
    chart = SeriesChart()
    x = np.geomspace(1e-6, 1e2, 81)
    async with One(chart).run_test(size=(60, 14)) as pilot:
        chart.set_series(x, [Series(np.full(81, 10.0))], log_x=True, log_y=True)
        chart.set_markers([(x[40], "alpha 0.01"), (x[41], "beta 0.0126"), (x[79], "gamma 79")])
        await pilot.pause()
        text = "\n".join(text_of(chart))
        for label in ("alpha 0.01", "beta 0.0126", "gamma 79"):
            assert label in text


async def test_a_narrow_log_range_still_gets_tick_labels() -> None:
    chart = SeriesChart()
    async with One(chart).run_test(size=(60, 16)) as pilot:
        chart.set_series(np.arange(50.0), [Series(np.linspace(130, 40, 50))], log_y=True)
        await pilot.pause()
        ticks = [line.split("┤")[0].strip() for line in text_of(chart) if "┤" in line]
        assert len([t for t in ticks if t]) >= 2 and "100" in ticks
