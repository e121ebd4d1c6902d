"""The learning-rate sweep and ghost races, driven headless with Textual's pilot."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen
from textual.widgets import SelectionList, Static
from waits import wait_for

from lrgame.analysis.race import MAX_RACERS, finish_order
from lrgame.analysis.sweep import compute_sweep
from lrgame.engine.outcome import judge_batch
from lrgame.engine.simulate import run_batch, run_sweep
from lrgame.levels.loader import load_level
from lrgame.levels.model import Level
from lrgame.numfmt import rate_bound
from lrgame.ui.screens.race import RaceScreen, RaceSetupScreen
from lrgame.ui.screens.sweep import SweepScreen
from lrgame.ui.widgets.charts import LossChart
from lrgame.ui.widgets.landscape import LandscapeView
from lrgame.ui.widgets.sweep_chart import SweepChart

CAMPAIGN = Path(__file__).resolve().parents[1] / "fixtures" / "campaign"
SIZES = [(120, 40), (80, 24)]


def bowl() -> Level:
    """x**2 on [-3, 3] from 2.5, 40 steps: curvature 2, so plain SGD flies apart above lr 1."""
    return load_level(CAMPAIGN / "01-bowl.json")


class Host(App[None]):
    """A plain app that pushes one screen and keeps what it dismissed with."""

    def __init__(self, make: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make = make
        self.dismissed: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.make(), self.dismissed.append)


def verdicts_for(level: Level, strategies: list[Any]) -> list[Any]:
    batch = run_batch(level.landscape, level.start, strategies, level.noise)
    return judge_batch(
        batch.trajectory,
        batch.loss,
        batch.steps,
        batch.diverged,
        level.goal,
        level.local_minima,
        level.par,
    )


def static_text(screen: Screen[Any], selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


# -- the sweep -------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_sweep_shows_sweet_spot_cliff_and_your_rate(size: tuple[int, int]) -> None:
    level = bowl()
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 0.3}})
    app = Host(lambda: SweepScreen(level, strategy))
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        assert isinstance(screen, SweepScreen)
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.pause()
        result = screen.result
        assert result is not None and len(result.lrs) == 200

        # Every sampled rate's outcome is the engine's own verdict for it.
        batch = run_sweep(level.landscape, level.start, strategy, result.lrs, level.noise)
        expected = judge_batch(
            batch.trajectory,
            batch.loss,
            batch.steps,
            batch.diverged,
            level.goal,
            level.local_minima,
            level.par,
        )
        assert result.outcomes == [v.outcome for v in expected]
        mine = verdicts_for(level, [strategy])[0]
        assert (result.yours.outcome, result.yours.steps_to_goal) == (
            mine.outcome,
            mine.steps_to_goal,
        )

        # The cliff sits just above 2 / curvature = 1, and everything from it up diverges.
        assert result.cliff is not None and result.cliff_index is not None
        assert 1.0 < result.cliff < 1.2
        assert all(o == "diverged" for o in result.outcomes[result.cliff_index :])
        assert result.outcomes[result.cliff_index - 1] != "diverged"
        # The sweet spot: one band of goal-reaching rates, with 0.3 inside.
        assert len(result.bands) == 1
        band = result.bands[0]
        assert band.low < 0.3 < band.high < result.cliff
        assert all(o == "reached_goal" for o in result.outcomes[band.start : band.stop])
        assert result.position == "sweet_spot"

        summary = static_text(screen, "#sweep-summary")
        assert "Rates from 0.042 to 0.89 reach the goal" in summary
        assert "from 1.1 up the walk flies apart" in summary
        assert "yours, 0.3, reaches the goal in 4 steps, inside the sweet spot" in summary

        regions = static_text(screen, "#sweep-regions")
        assert "sweet spot: reaches the goal" in regions
        assert "divergence cliff" in regions
        assert "too small" in regions

        chart = screen.query_one(SweepChart)
        text = "\n".join(chart.text)
        assert "cliff" in text and "you" in text
        assert "✔" in chart.region_row and "✗" in chart.region_row
        if size[0] >= 100:
            assert "sweet spot" in chart.region_row
        grid = chart.grid
        assert grid is not None
        rows = slice(grid.canvas_rows.start, grid.canvas_rows.stop)
        you_col = int(grid.col_of(math.log10(0.3), 2)[0])
        cliff_col = int(grid.col_of(math.log10(result.cliff), 2)[0])
        assert "●" in grid.chars[rows, you_col] and "│" in grid.chars[rows, you_col]
        assert "┆" in grid.chars[rows, cliff_col]
        # The strip under the plot: sweet spot under the player's column, diverges past the cliff.
        assert chart.region_row[you_col] in "✔ sweetpo"
        assert chart.region_row[cliff_col + 1] in "✗ divergs"


async def test_sweep_toggles_between_final_loss_and_steps_to_goal() -> None:
    level = bowl()
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 0.3}})
    app = Host(lambda: SweepScreen(level, strategy))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, SweepScreen)
        await wait_for(pilot, lambda: screen.result is not None)
        chart = screen.query_one(SweepChart)
        await wait_for(pilot, lambda: chart.plot is not None)
        plot = chart.plot
        assert plot is not None and plot.log_y and "Final loss" in plot.title
        await pilot.press("y")
        await pilot.pause()
        plot = chart.plot
        assert plot is not None and not plot.log_y and "Steps to the goal" in plot.title
        assert screen.mode == "steps"
        result = screen.result
        assert result is not None
        for value, verdict in zip(plot.values, result.verdicts, strict=True):
            if verdict.outcome == "reached_goal":
                assert value == verdict.steps_to_goal
            else:
                assert math.isnan(value)
        assert plot.you_value == result.yours.steps_to_goal
        assert "Steps to the goal" in chart.text[0]
        assert any("par" in line for line in chart.text)
        await pilot.press("y")
        await pilot.pause()
        assert screen.mode == "loss" and chart.plot is not None and chart.plot.log_y
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.dismissed == [None])


async def test_sweep_marks_a_rate_past_the_cliff_and_a_stuck_region() -> None:
    level = bowl()
    result = compute_sweep(level, level.strategy({"optimizer": {"name": "sgd", "lr": 3}}))
    assert result.yours.outcome == "diverged" and result.position == "past_cliff"
    assert "yours, 3, diverges, past the cliff" in result.summary()
    assert result.lrs[-1] >= 300  # widened to keep the player's rate well inside

    dip = load_level(CAMPAIGN / "02-dip.json")
    strategy = dip.strategy({"optimizer": {"name": "sgd", "lr": 0.001}})
    app = Host(lambda: SweepScreen(dip, strategy))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, SweepScreen)
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.pause()
        result = screen.result
        assert result is not None
        assert "stuck_local" in result.outcomes
        assert "gets stuck in a local minimum" in static_text(screen, "#sweep-regions")
        assert "stuck" in screen.query_one(SweepChart).region_row


async def test_sweep_past_the_cliff_shows_the_marker_off_the_top() -> None:
    level = bowl()
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 3}})
    app = Host(lambda: SweepScreen(level, strategy))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, SweepScreen)
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.pause()
        grid = screen.query_one(SweepChart).grid
        assert grid is not None
        col = int(grid.col_of(math.log10(3), 2)[0])
        assert grid.chars[grid.canvas_rows.start, col] == "▲"


# -- race setup --------------------------------------------------------------


async def test_race_setup_offers_your_best_only_with_a_saved_best() -> None:
    level = bowl()
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 0.3}})

    app = Host(lambda: RaceSetupScreen(level, strategy))  # nothing saved: no best to race
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, RaceSetupScreen)
        assert all(c.key != "best" for c in screen.candidates)

    best = level.strategy({"optimizer": {"name": "sgd", "lr": 0.45}})
    app = Host(lambda: RaceSetupScreen(level, strategy, best_json=best.to_json()))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, RaceSetupScreen)
        assert [c.key for c in screen.candidates][:2] == ["yours", "best"]
        picked = screen.query_one(SelectionList).selected
        assert len(picked) == MAX_RACERS and {0, 1} <= set(picked)
        # A fifth racer is refused: the tick is taken back.
        selection_list = screen.query_one(SelectionList)
        selection_list.highlighted = 4
        await pilot.press("space")
        await pilot.pause()
        assert len(selection_list.selected) == MAX_RACERS
        assert "4 of 4" in static_text(screen, "#race-setup-count")
        await pilot.press("g")
        await wait_for(pilot, lambda: app.dismissed)
    racers = app.dismissed[0]
    assert [label for label, _json in racers][:2] == ["you", "your best"]
    assert racers[1][1]["optimizer"]["lr"] == 0.45
    assert len(racers) == MAX_RACERS
    for _label, obj in racers:
        level.strategy(obj)  # each is a valid strategy file for the level


async def test_race_setup_escape_returns_none() -> None:
    level = bowl()
    app = Host(lambda: RaceSetupScreen(level, {"optimizer": {"name": "sgd", "lr": 0.3}}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.dismissed == [None])


# -- the race ----------------------------------------------------------------


def racers_for(level: Level, specs: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, Any]]:
    return [(label, level.strategy(obj)) for label, obj in specs]


THREE = [
    ("SGD", {"optimizer": {"name": "sgd", "lr": 0.3}}),
    ("SGD + momentum 0.9", {"optimizer": {"name": "sgd", "lr": 0.3, "momentum": 0.9}}),
    ("Adam", {"optimizer": {"name": "adam", "lr": 0.5}}),
]


@pytest.mark.parametrize("size", SIZES)
async def test_race_of_three_presets_finishes_in_the_verdicts_order(
    size: tuple[int, int],
) -> None:
    level = bowl()
    racers = racers_for(level, THREE)
    expected = verdicts_for(level, [s for _l, s in racers])
    app = Host(lambda: RaceScreen(level, racers))
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        assert isinstance(screen, RaceScreen)
        await wait_for(pilot, lambda: screen.playback is not None)
        assert [v.outcome for v in screen.verdicts] == [v.outcome for v in expected]
        assert [v.steps_to_goal for v in screen.verdicts] == [v.steps_to_goal for v in expected]

        # One walker per racer on the landscape, one curve per racer on the chart.
        view = screen.query_one(LandscapeView)
        assert len(view._runs) == 3
        assert len(screen.query_one(LossChart).series) == 3
        assert len(set(screen.racer_colors)) == 3
        legend = static_text(screen, "#race-legend")
        for label, _s in racers:
            assert label in legend
        assert "●" in legend and "◆" in legend

        # Pause: the clock stops; space again resumes.
        await pilot.press("space")
        assert screen.playback.paused
        held = screen.playback.step
        await pilot.pause(0.2)
        assert screen.playback.step == held
        assert "paused" in static_text(screen, "#race-order")
        await pilot.press("space")
        assert not screen.playback.paused

        # Skip to the end: the finish order, by steps to goal among the finishers.
        await pilot.press("e")
        await pilot.pause()
        assert screen.playback.finished and view.revealed
        order = finish_order(expected)
        arrived = [i for i in order if expected[i].outcome == "reached_goal"]
        assert [expected[i].steps_to_goal for i in arrived] == sorted(
            expected[i].steps_to_goal for i in arrived
        )
        assert arrived == order[: len(arrived)]
        text = static_text(screen, "#race-order")
        assert text.startswith("Finish order")
        lines = text.splitlines()[1:]
        places = ["1st", "2nd", "3rd"]
        for place, i, line in zip(places, order, lines, strict=True):
            assert line.startswith(place)
            assert racers[i][0] in line
            if expected[i].outcome == "reached_goal":
                assert f"goal at step {expected[i].steps_to_goal}" in line

        # Restart: back to step 0 and racing again.
        await pilot.press("r")
        # (the clock runs on at 12 steps a second while the pilot hands the key over)
        assert screen.playback.step < 10 and not screen.playback.finished
        assert not view.revealed and "Finish order" not in static_text(screen, "#race-order")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.dismissed == [None])


async def test_a_diverging_racer_breaks_nothing() -> None:
    level = load_level(CAMPAIGN / "04-valley.json")  # 2-D
    racers = racers_for(
        level,
        [
            ("you", {"optimizer": {"name": "sgd", "lr": 0.1}}),
            ("too hot", {"optimizer": {"name": "sgd", "lr": 2.0}}),
            ("Adam", {"optimizer": {"name": "adam", "lr": 0.2}}),
            ("crawler", {"optimizer": {"name": "sgd", "lr": 1e-5}}),
        ],
    )
    app = Host(lambda: RaceScreen(level, racers))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, RaceScreen)
        await wait_for(pilot, lambda: screen.playback is not None)
        verdicts = screen.verdicts
        assert verdicts[1].outcome == "diverged"
        assert screen.runs[1].steps < screen.playback.total
        # Play fast past the divergence, then to the end.
        for _ in range(6):
            await pilot.press("plus")
        await wait_for(pilot, lambda: screen.playback.step > screen.runs[1].steps)
        assert "diverged at step" in static_text(screen, "#race-order")
        await pilot.press("e")
        await pilot.pause()
        order = screen.order
        assert order[-1] == 1  # the diverged racer comes last
        lines = static_text(screen, "#race-order").splitlines()
        assert lines[-1].startswith("4th") and "too hot" in lines[-1]
        assert "✗" in lines[-1] and "diverged at step" in lines[-1]
        # Restart and skip again (at six times the speed the restarted race may have
        # ended by itself before a check could see it running).
        await pilot.press("r", "e")
        await wait_for(pilot, lambda: screen.playback is not None and screen.playback.finished)


async def test_sweep_regions_draw_in_an_ansi_theme() -> None:
    # ansi-dark's colours are ANSI names: their .hex ("ansi_cyan") is no Rich style.
    level = bowl()
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 0.3}})
    app = Host(lambda: SweepScreen(level, strategy))
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = "ansi-dark"
        screen = app.screen
        assert isinstance(screen, SweepScreen)
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.pause()
        text = screen.regions_text()
        assert "sweet spot" in text.plain
        for span in text.spans:
            assert not str(span.style).startswith("ansi_")


async def test_the_regions_quote_the_goal_range_as_the_summary_does() -> None:
    # One range, one pair of numbers: the summary (and the coach) and the region list agree.
    level = load_level(Path(__file__).resolve().parents[2] / "levels" / "01-first-steps.json")
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 0.01}})
    app = Host(lambda: SweepScreen(level, strategy))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, SweepScreen)
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.pause()
        assert screen.result is not None and len(screen.result.intervals) == 1
        (low, high) = screen.result.intervals[0]
        quoted = f"{rate_bound(low, 'low')} – {rate_bound(high, 'high')}"
        assert f"from {rate_bound(low, 'low')} to {rate_bound(high, 'high')}" in (
            screen.result.summary()
        )
        assert quoted in screen.regions_text().plain
