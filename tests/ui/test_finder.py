"""Pilot tests of the LR finder: opened from the setup screen, animated, skipped, accepted or ignored."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from textual.app import App
from textual.geometry import Region
from textual.widgets import Input, OptionList, Static
from textual.widgets._footer import FooterKey
from waits import wait_for

from lrgame.engine.finder import FinderResult, find_lr, suggest
from lrgame.engine.scoring import FINDER_COST
from lrgame.engine.strategy import Strategy
from lrgame.levels.loader import check_text
from lrgame.levels.model import Level
from lrgame.numfmt import rate
from lrgame.ui.screens import finder as finder_module
from lrgame.ui.screens.finder import FinderScreen
from lrgame.ui.screens.setup import SetupResult, SetupScreen
from lrgame.ui.widgets.chart_markers import MARKER_LINE, MARKER_LINE_HIGHLIGHT
from lrgame.ui.widgets.charts import SeriesChart
from lrgame.ui.widgets.lr_control import LrControl, format_lr

QUAD: dict[str, Any] = {
    "id": "quad",
    "title": "A long bowl",
    "loss": "4*(x-1)**2+(y+2)**2",
    "domain": {"x": [-5, 5], "y": [-5, 5]},
    "start": [-4, 3],
    "steps": 60,
    "allowed": {"finder": True},
}
NO_FINDER: dict[str, Any] = {**QUAD, "id": "no-finder", "allowed": {"finder": False}}
ADAM = {"optimizer": {"name": "adam", "lr": 0.01}}
SIZES = [(80, 24), (120, 40)]


def level_from(data: dict[str, Any]) -> Level:
    checked = check_text(json.dumps(data))
    assert checked.level is not None, checked.lines
    return checked.level


class SetupApp(App[None]):
    """Pushes one SetupScreen and records what it dismisses with and every notice."""

    def __init__(self, data: dict[str, Any] = QUAD, strategy_json: Any = None) -> None:
        super().__init__()
        self.level = level_from(data)
        self.strategy_json = strategy_json
        self.results: list[SetupResult | None] = []
        self.notices: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(SetupScreen(self.level, self.strategy_json), self.results.append)

    def notify(self, message: str, **kwargs: Any) -> None:  # type: ignore[override]
        self.notices.append(message)
        super().notify(message, **kwargs)


def expected(level: Level, strategy: Strategy) -> FinderResult:
    """What the engine says, run directly: the screen must show exactly this."""
    return find_lr(level.landscape, level.start, strategy, level.goal.loss, noise=level.noise)


def footer_actions(app: App[None]) -> set[str]:
    return {key.action.split("(")[0] for key in app.screen.query(FooterKey)}


def text_of(widget: Any) -> str:
    width, height = widget.size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))


async def open_finder(pilot: Any) -> FinderScreen:
    """Press f on the setup screen and wait until the test's curve starts to draw."""
    await pilot.press("f")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FinderScreen))
    screen = pilot.app.screen
    assert isinstance(screen, FinderScreen)
    await wait_for(pilot, lambda: screen.result is not None)
    return screen


def setup_of(app: App[None]) -> SetupScreen:
    screen = app.screen
    assert isinstance(screen, SetupScreen)
    return screen


# --------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_f_opens_the_finder_which_animates_and_can_be_skipped(
    size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Long enough to be still animating when looked at, however loaded the machine.
    monkeypatch.setattr(finder_module, "ANIMATION_SECONDS", 120.0)
    app = SetupApp(strategy_json=ADAM)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert "finder" in footer_actions(app), "offered on this level: in the footer"
        strategy = setup_of(app).strategy
        assert strategy is not None
        finder = await open_finder(pilot)
        want = expected(app.level, strategy)
        assert finder.result is not None
        np.testing.assert_allclose(finder.result.smoothed_gap, want.smoothed_gap)
        chart = finder.query_one("#finder-chart", SeriesChart)
        # Animating: part of the curve, a cursor on its last point, no suggestions yet.
        assert finder.animating and not finder.done
        assert chart.cursor is not None and chart.cursor < len(want.lr) - 1
        first = chart.cursor
        # The curve grows by itself.
        await wait_for(pilot, lambda: chart.cursor is not None and chart.cursor > first)
        status = str(finder.query_one("#finder-status", Static).render())
        assert "Trying lr" in status
        assert "skip" in footer_actions(app) and "accept" not in footer_actions(app)
        assert chart.markers == []
        await pilot.press("1")  # not offered yet: nothing happens
        assert app.screen is finder
        await pilot.press("space")
        await pilot.pause()
        assert finder.done and not finder.animating
        assert chart.cursor is None, "skipping shows the whole curve"
        assert "accept" in footer_actions(app) and "skip" not in footer_actions(app)
        # The four suggestions, fastai's default first, in words with their values,
        # equal to find_lr's.
        sug = want.suggestions
        order = ["valley", "steep", "minimum", "gradient"]
        assert finder.choices == [(key, sug[key]) for key in order]
        assert [m.x for m in chart.markers] == [sug[key] for key in order]
        options = finder.query_one("#finder-choices", OptionList)
        rows = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        names = ["valley", "steep", "minimum÷10", "gradient"]
        for row, name, key in zip(rows, names, order, strict=True):
            assert name in row and rate(sug[key]) in row
        assert "fastai's default" in rows[0] and "pytorch-lr-finder" in rows[3]
        drawn = text_of(chart)
        for i, (name, key) in enumerate(zip(names, order, strict=True)):
            assert f"{i + 1} {name} {rate(sug[key])}" in drawn
        explain = str(finder.query_one("#finder-explain", Static).render())
        assert f"costs {FINDER_COST} points" in explain.replace("\n", " ")


async def test_the_animation_ends_by_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(finder_module, "ANIMATION_SECONDS", 0.3)
    app = SetupApp(strategy_json=ADAM)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        finder = await open_finder(pilot)
        await wait_for(pilot, lambda: finder.done)
        assert not finder.animating
        assert len(finder.choices) == 4
        assert app.focused is finder.query_one("#finder-choices", OptionList)


async def test_accepting_the_valley_sets_the_rate_and_marks_the_finder_used() -> None:
    app = SetupApp(strategy_json=ADAM)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        strategy = setup_of(app).strategy
        assert strategy is not None
        valley = expected(app.level, strategy).suggestions["valley"]
        await open_finder(pilot)
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("1")  # fastai's default comes first
        await pilot.pause()
        setup = setup_of(app)
        control = setup.query_one(LrControl)
        # The control shows four significant digits, as every rate it holds.
        assert control.text == format_lr(valley)
        assert control.value == pytest.approx(valley, rel=1e-3)
        assert setup.used_finder
        await pilot.press("ctrl+r")
        await pilot.pause()
        result = app.results[-1]
        assert result is not None and result.used_finder
        assert result.strategy.lr == float(format_lr(valley))
        assert result.strategy.optimizer.name == "adam"


async def test_arrows_and_enter_choose_a_suggestion() -> None:
    app = SetupApp(strategy_json=ADAM)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        finder = await open_finder(pilot)
        await pilot.press("space")
        await pilot.pause()
        chart = finder.query_one("#finder-chart", SeriesChart)
        assert chart.highlight == 0
        await pilot.press("down", "down")
        await pilot.pause()
        assert chart.highlight == 2, "the chart stresses the highlighted suggestion"
        drawn = text_of(chart)
        assert MARKER_LINE_HIGHLIGHT in drawn and MARKER_LINE in drawn
        await pilot.press("up", "enter")
        await pilot.pause()
        key, steep = finder.choices[1]
        assert key == "steep"
        assert setup_of(app).query_one(LrControl).text == format_lr(steep)


async def test_escape_ignores_the_suggestions_but_the_probe_is_paid_for() -> None:
    app = SetupApp(strategy_json=ADAM)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await open_finder(pilot)
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        setup = setup_of(app)
        assert setup.query_one(LrControl).value == 0.01
        await pilot.press("ctrl+r")
        await pilot.pause()
        result = app.results[-1]
        assert result is not None and result.used_finder and result.strategy.lr == 0.01


async def test_escape_during_the_animation_closes_the_finder() -> None:
    app = SetupApp(strategy_json=ADAM)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        finder = await open_finder(pilot)
        assert finder.animating
        await pilot.press("escape")
        await pilot.pause()
        assert not finder.animating
        assert setup_of(app).query_one(LrControl).value == 0.01
        assert setup_of(app).used_finder


async def test_without_the_finder_the_result_says_so() -> None:
    app = SetupApp(strategy_json=ADAM)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        result = app.results[-1]
        assert result is not None and result.used_finder is False


async def test_a_level_without_the_finder_neither_shows_nor_runs_it() -> None:
    app = SetupApp(NO_FINDER)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "finder" not in footer_actions(app)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert not setup_of(app).used_finder


async def test_f_types_in_a_text_field() -> None:
    app = SetupApp(strategy_json=ADAM)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        # A parameter's field (the rate's own field types only numbers: "f" stays the shortcut).
        field = setup_of(app).query_one("#opt-adam-eps Input", Input)
        field.focus()
        await pilot.pause()
        assert "finder" not in footer_actions(app)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen) and "f" in field.value


async def test_an_invalid_form_is_refused_with_a_notice() -> None:
    app = SetupApp(strategy_json=ADAM)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        setup = setup_of(app)
        setup.query_one("#lr-input", Input).value = "abc"
        await pilot.pause()
        setup.query_one("#lr-bar").focus()
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert not setup.used_finder
        assert any("LR finder needs a valid setup" in n for n in app.notices)


async def test_an_early_stop_is_said_in_words() -> None:
    app = SetupApp(strategy_json={"optimizer": {"name": "sgd", "lr": 0.01}})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        strategy = setup_of(app).strategy
        assert strategy is not None
        want = expected(app.level, strategy)
        assert want.stopped_early, "plain SGD blows up on this bowl before lr reaches 100"
        finder = await open_finder(pilot)
        await pilot.press("space")
        await pilot.pause()
        status = str(finder.query_one("#finder-status", Static).render()).replace("\n", " ")
        assert want.stop == "blowup"
        assert "Stopped early" in status and rate(float(want.lr[-1])) in status
        assert "over 4× its best" in status
        order = ("valley", "steep", "minimum", "gradient")
        assert finder.choices == [(k, want.suggestions[k]) for k in order]


async def test_a_full_test_says_how_many_rates_it_tried() -> None:
    app = SetupApp(strategy_json=ADAM)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        finder = await open_finder(pilot)
        await pilot.press("space")
        await pilot.pause()
        assert finder.result is not None and not finder.result.stopped_early
        status = str(finder.query_one("#finder-status", Static).render())
        assert "Tried 100 rates" in status


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_the_log_x_chart_renders_with_its_markers(size: tuple[int, int]) -> None:
    app = SetupApp(strategy_json=ADAM)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        finder = await open_finder(pilot)
        await pilot.press("space")
        await pilot.pause()
        chart = finder.query_one("#finder-chart", SeriesChart)
        assert chart.size.height >= 8, "the chart keeps room at 80x24"
        drawn = text_of(chart)
        for tick in ("1e-6", "1e-2", "100"):
            assert tick in drawn, "decade ticks on the log-x axis"
        assert "learning rate (log)" in drawn
        assert drawn.count(MARKER_LINE_HIGHLIGHT) >= 3 and MARKER_LINE in drawn
        assert any(0x2800 <= ord(c) <= 0x28FF for c in drawn), "the curve is drawn"
        # The whole dialog fits: the last suggestion is on screen.
        options = finder.query_one("#finder-choices", OptionList)
        assert options.region.bottom <= size[1] - 1


async def test_a_failed_test_is_said_and_escape_still_leaves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> FinderResult:
        raise ValueError("no gradient here")

    monkeypatch.setattr(finder_module, "find_lr", broken)
    app = SetupApp(strategy_json=ADAM)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await app.workers.wait_for_complete()
        await pilot.pause()
        finder = app.screen
        assert isinstance(finder, FinderScreen)
        assert finder.error == "no gradient here" and not finder.done
        status = str(finder.query_one("#finder-status", Static).render())
        assert "failed" in status and "no gradient here" in status
        assert footer_actions(app) == {"ignore"}
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)


@pytest.mark.parametrize("points", [100, 8])
async def test_a_walk_that_flew_apart_or_left_too_few_points_is_said_in_words(
    monkeypatch: pytest.MonkeyPatch, points: int
) -> None:
    # The walk broke off (NaN, or off the map) after `points` steps: too few for any
    # suggestion when eight are left (fastai sets the last five aside).
    def ended(*args: Any, **kwargs: Any) -> FinderResult:
        result = find_lr(*args, **kwargs)
        n = min(points, len(result.lr))
        lr, smoothed = result.lr[:n], result.smoothed_gap[:n]
        return replace(
            result,
            lr=lr,
            loss=result.loss[:n],
            smoothed_gap=smoothed,
            suggestions=suggest(lr, smoothed, result.num_it),
            stopped_early=True,
            stop="walk_ended",
        )

    monkeypatch.setattr(finder_module, "find_lr", ended)
    app = SetupApp(strategy_json={"optimizer": {"name": "sgd", "lr": 0.01}})
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        finder = await open_finder(pilot)
        await pilot.press("space")
        await pilot.pause()
        assert finder.result is not None
        status = str(finder.query_one("#finder-status", Static).render()).replace("\n", " ")
        assert "the walk flew apart" in status
        assert rate(float(finder.result.lr[-1])) in status
        if points == 8:
            assert finder.choices == [] and "No suggestion" in status
            assert footer_actions(app) == {"ignore"}
        else:
            assert [key for key, _ in finder.choices] == ["valley", "steep", "minimum", "gradient"]
