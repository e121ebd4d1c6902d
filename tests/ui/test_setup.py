"""Pilot tests of the setup screen: what it shows, what it accepts and what it launches."""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
import pytest
from textual.app import App
from textual.widgets import Button, Checkbox, Input, OptionList, Select, Static

from lrgame.engine.optimizers import OPTIMIZER_NAMES, update_rule
from lrgame.engine.problems import Problem
from lrgame.engine.schedules import SCHEDULE_NAMES, lr_values
from lrgame.engine.strategy import Strategy, parse_strategy
from lrgame.levels.loader import check_text
from lrgame.levels.model import Level
from lrgame.ui.screens.setup import SetupResult, SetupScreen
from lrgame.ui.widgets.lr_control import LrControl, nudge_lr
from lrgame.ui.widgets.param_field import ParamField
from lrgame.ui.widgets.schedule_preview import SchedulePreview

BOWL: dict[str, Any] = {
    "id": "bowl",
    "title": "A round bowl",
    "loss": "x**2",
    "domain": {"x": [-3, 3]},
    "start": [2.5],
    "steps": 40,
    "par": 10,
}
SGD_ONLY: dict[str, Any] = {
    **BOWL,
    "id": "sgd-only",
    "allowed": {"optimizers": ["sgd"], "schedules": ["constant"], "momentum": False},
}
WIDE: dict[str, Any] = {
    **BOWL,
    "id": "wide",
    "title": {
        "en": "Bowl",
        "ja": "とても長い日本語のタイトルが画面の幅を超えてもレイアウトは壊れない",
    },
}
SIZES = [(100, 32), (80, 24)]
STEPS = BOWL["steps"]


def level_from(data: dict[str, Any]) -> Level:
    checked = check_text(json.dumps(data))
    assert checked.level is not None, checked.problems
    return checked.level


class SetupApp(App[None]):
    """Pushes one SetupScreen and records what it dismisses with and every notice."""

    def __init__(
        self,
        data: dict[str, Any] = BOWL,
        strategy_json: dict[str, Any] | None = None,
        practice: bool = False,
        lang: str | None = None,
    ) -> None:
        super().__init__()
        self.level = level_from(data)
        self.strategy_json = strategy_json
        self.practice = practice
        self.lang = lang
        self.results: list[SetupResult | None] = []
        self.notices: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(
            SetupScreen(self.level, self.strategy_json, self.practice, language=self.lang),
            self.results.append,
        )

    def notify(self, message: str, **kwargs: Any) -> None:  # type: ignore[override]
        self.notices.append(message)
        super().notify(message, **kwargs)


def setup_screen(app: SetupApp) -> SetupScreen:
    screen = app.screen
    assert isinstance(screen, SetupScreen)
    return screen


def field(app: SetupApp, field_id: str) -> ParamField:
    return setup_screen(app).query_one(f"#{field_id}", ParamField)


def text_of(widget: Static) -> str:
    return str(widget.render())


def expected(obj: dict[str, Any]) -> Strategy:
    return parse_strategy(obj, level_steps=STEPS)


async def type_into(pilot: Any, widget: Input, text: str) -> None:
    """Focus a text field, clear it and type ``text`` key by key, as a player would."""
    widget.focus()
    await pilot.pause()
    widget.value = ""
    await pilot.press(*text)
    await pilot.pause()


async def fill(pilot: Any, widget: Input, text: str) -> None:
    """Set a text field's content at once (the same Changed event typing ends with)."""
    widget.value = text
    await pilot.pause()


async def choose(pilot: Any, select_id: str, value: str) -> None:
    screen = setup_screen(pilot.app)
    screen.query_one(f"#{select_id}", Select).value = value
    await pilot.pause()
    # On a busy machine the chosen group can take more than one pause to build.
    deadline = time.monotonic() + 20
    while not (screen.settled and value in (screen.optimizer_name, screen.schedule_name)):
        assert time.monotonic() < deadline, f"{value} was never built"
        await pilot.pause(0.01)


# --------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_defaults_are_shown(size: tuple[int, int]) -> None:
    app = SetupApp()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = setup_screen(app)
        assert screen.query_one("#optimizer", Select).value == "sgd"
        assert screen.query_one("#schedule", Select).value == "constant"
        control = screen.query_one(LrControl)
        assert control.value == 0.01 and control.text == "0.01" and control.valid
        title = text_of(screen.query_one("#setup-title", Static))
        budget = text_of(screen.query_one("#setup-budget", Static))
        assert title == "A round bowl" and "40 steps" in budget and "par 10" in budget
        momentum = field(app, "opt-sgd-momentum")
        assert momentum.display and momentum.query_one(Input).value == "0"
        assert screen.strategy == expected({"optimizer": {"name": "sgd", "lr": 0.01}})
        assert "✓" in text_of(screen.query_one("#status", Static))
        preview = screen.query_one(SchedulePreview)
        np.testing.assert_array_equal(preview.lr_series, np.full(STEPS, 0.01))
        formulas = text_of(screen.query_one("#formulas", Static))
        assert "θ ← θ − 0.01·g" in formulas and "lr = 0.01" in formulas
        assert screen.query_one("#run", Button).region.bottom <= size[1]
        assert app.focused is not None and app.focused.id == "lr-input"


async def test_choosing_an_optimizer_and_a_schedule() -> None:
    app = SetupApp()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = setup_screen(app)
        counts = [
            screen.query_one(f"#{s} OptionList", OptionList).option_count
            for s in ("optimizer", "schedule")
        ]
        # a level that allows everything offers everything the registries hold
        assert counts == [len(OPTIMIZER_NAMES), len(SCHEDULE_NAMES)]
        # The optimizer by keyboard: open the list, one down (sgd -> adam), choose.
        screen.query_one("#optimizer", Select).focus()
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        assert screen.optimizer_name == "adam"
        assert field(app, "opt-adam-betas").display
        assert not screen.query_one("#opt-sgd").display
        assert field(app, "opt-adam-betas").query_one(Input).value == "0.9, 0.999"
        await choose(pilot, "schedule", "step")
        step_size = field(app, "sched-step-step_size").query_one(Input)
        gamma = field(app, "sched-step-gamma").query_one(Input)
        assert (step_size.value, gamma.value) == ("13", "0.1")  # the engine's defaults
        assert screen.strategy == expected(
            {"optimizer": {"name": "adam", "lr": 0.01}, "schedule": "step"}
        )
        formulas = text_of(screen.query_one("#formulas", Static))
        assert update_rule(screen.strategy.optimizer).splitlines()[0] in formulas
        assert "0.1^floor(k/13)" in formulas
        assert "StepLR" in text_of(screen.query_one("#preview-title", Static))
        # An untouched field is the engine's exact default, even when shown rounded (1/3).
        await choose(pilot, "schedule", "linear")
        assert field(app, "sched-linear-start_factor").query_one(Input).value == "0.3333333333"
        assert screen.strategy == expected(
            {"optimizer": {"name": "adam", "lr": 0.01}, "schedule": "linear"}
        )


@pytest.mark.parametrize("size", SIZES)
async def test_lr_keys_fine_and_coarse(size: tuple[int, int]) -> None:
    app = SetupApp()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        control = setup_screen(app).query_one(LrControl)
        assert app.focused is not None and app.focused.id == "lr-input"
        await pilot.press("right")
        await pilot.pause()
        assert control.value == pytest.approx(0.01 * 10**0.1, rel=1e-3)
        await pilot.press("left")
        await pilot.pause()
        assert control.value == 0.01
        await pilot.press("up")
        await pilot.pause()
        assert control.value == pytest.approx(0.1)
        await pilot.press("down", "down")
        await pilot.pause()
        assert control.value == pytest.approx(0.001)
        await pilot.press("shift+right")
        await pilot.pause()
        assert control.value == pytest.approx(0.01)
        await pilot.press(*["right"] * 10)
        await pilot.pause()
        assert control.value == 0.1  # ten fine steps are a decade exactly
        assert setup_screen(app).strategy is not None
        assert setup_screen(app).strategy.lr == 0.1  # type: ignore[union-attr]
        # up/down also work while typing in the rate's text field
        setup_screen(app).query_one("#lr-input", Input).focus()
        await pilot.press("down")
        await pilot.pause()
        assert control.value == pytest.approx(0.01)


async def test_typing_a_rate_at_once_runs_at_it() -> None:
    app = SetupApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("0", ".", "5")
        await pilot.pause()
        assert setup_screen(app).query_one(LrControl).value == 0.5
        await pilot.press("ctrl+r")
        await pilot.pause()
    (result,) = app.results
    assert result is not None and result.strategy.lr == 0.5


async def test_the_arrows_keep_their_meaning_in_the_rate_field() -> None:
    app = SetupApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        control = setup_screen(app).query_one(LrControl)
        await pilot.press("right")
        await pilot.pause()
        assert control.value == pytest.approx(0.01 * 10**0.1, rel=1e-3)
        await pilot.press("left", "up")
        await pilot.pause()
        assert control.value == pytest.approx(0.1)
        await pilot.press("down", "down")
        await pilot.pause()
        assert control.value == pytest.approx(0.001)


async def test_letters_in_the_rate_field_stay_shortcuts() -> None:
    app = SetupApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = setup_screen(app)
        assert app.focused is screen.query_one("#lr-input", Input)
        await pilot.press("p")
        await pilot.pause()
        assert screen.query_one("#practice", Checkbox).value is True
        assert screen.query_one("#lr-input", Input).value == "0.01"


async def test_f_on_a_level_without_the_finder_says_why() -> None:
    app = SetupApp({**BOWL, "allowed": {"finder": False}})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert any("does not offer the LR finder" in n for n in app.notices)
        assert setup_screen(app) is app.screen
        # The footer does not offer what the level refuses.
        shown = [b.binding for b in app.screen.active_bindings.values() if b.binding.show]
        assert all(binding.action != "finder" for binding in shown)


def test_nudge_stays_on_the_bar_and_on_the_grid() -> None:
    assert nudge_lr(1e2, 0.1) == 1e2
    assert nudge_lr(1e-6, -1) == 1e-6
    assert nudge_lr(500.0, -1) == 50.0  # a typed rate above the bar can come down
    assert nudge_lr(0.0, 0.1) == 1e-6
    assert nudge_lr(3e-4, 0.1) == pytest.approx(3e-4 * 10**0.1, rel=1e-3)


async def test_typing_a_learning_rate() -> None:
    app = SetupApp()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = setup_screen(app)
        await type_into(pilot, screen.query_one("#lr-input", Input), "3e-4")
        assert screen.query_one(LrControl).value == 3e-4
        assert screen.strategy == expected({"optimizer": {"name": "sgd", "lr": 3e-4}})
        await type_into(pilot, screen.query_one("#lr-input", Input), "0.05")
        assert screen.strategy is not None and screen.strategy.lr == 0.05


@pytest.mark.parametrize("size", SIZES)
async def test_invalid_values_are_shown_and_refused(size: tuple[int, int]) -> None:
    app = SetupApp()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = setup_screen(app)
        lr_input = screen.query_one("#lr-input", Input)
        lr_error = screen.query_one("#lr-error", Static)

        await type_into(pilot, lr_input, "-0.1")
        assert screen.strategy is None
        assert "✗" in text_of(lr_error) and "must be >= 0" in text_of(lr_error)
        assert lr_error.display and lr_input.has_class("-error")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.results == [] and isinstance(app.screen, SetupScreen)
        assert app.notices and "Cannot run" in app.notices[-1]

        await type_into(pilot, lr_input, "1e-")
        assert screen.query_one(LrControl).value is None
        assert "✗" in text_of(lr_error) and "not a number" in text_of(lr_error)
        await pilot.press("f5")
        await pilot.pause()
        assert app.results == []

        await fill(pilot, lr_input, "0.01")
        assert not lr_error.display and screen.strategy is not None

        await choose(pilot, "optimizer", "adam")
        betas = field(app, "opt-adam-betas")
        await fill(pilot, betas.query_one(Input), "1.5, 0.999")
        message = text_of(betas.query_one(".param-error", Static))
        assert message.startswith("✗") and "1.5" in message and "must be < 1" in message
        assert screen.strategy is None and len(app.notices) == 2
        # Two bad fields at once: both are marked, each with its own message.
        await fill(pilot, lr_input, "-1")
        assert "must be >= 0" in text_of(lr_error)
        assert "must be < 1" in text_of(betas.query_one(".param-error", Static))
        assert "2 problems" in text_of(screen.query_one("#status", Static))
        screen.query_one("#run", Button).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [] and len(app.notices) == 3


async def test_a_valid_launch_dismisses_with_the_strategy() -> None:
    app = SetupApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = setup_screen(app)
        await choose(pilot, "optimizer", "adam")
        await type_into(pilot, screen.query_one("#lr-input", Input), "3e-4")
        await fill(pilot, field(app, "opt-adam-betas").query_one(Input), "0.8, 0.99")
        await choose(pilot, "schedule", "step")
        await fill(pilot, field(app, "sched-step-gamma").query_one(Input), "0.5")
        screen.query_one("#run", Button).focus()
        await pilot.press("enter")
        await pilot.pause()
    (result,) = app.results
    assert result is not None and not result.practice
    want = expected(
        {
            "optimizer": {"name": "adam", "lr": 3e-4, "betas": [0.8, 0.99]},
            "schedule": {"name": "step", "gamma": 0.5},
        }
    )
    assert result.strategy == want
    assert expected(result.strategy_json) == want


async def test_only_what_the_level_allows_is_offered() -> None:
    app = SetupApp(SGD_ONLY)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = setup_screen(app)
        optimizer = screen.query_one("#optimizer", Select)
        schedule = screen.query_one("#schedule", Select)
        # What the drop-down lists offer (their option lists), nothing else.
        offered = [
            [str(s.query_one(OptionList).get_option_at_index(i).prompt) for i in range(n)]
            for s in (optimizer, schedule)
            for n in [s.query_one(OptionList).option_count]
        ]
        assert offered == [["SGD"], ["constant"]]
        # No momentum on this level: SGD's momentum fields are not there at all.
        assert not screen.query("#opt-sgd-momentum")
        assert not screen.query("#opt-sgd-nesterov")
        assert not screen.query("#opt-sgd-dampening")
        await pilot.press("ctrl+r")
        await pilot.pause()
    (result,) = app.results
    assert result is not None
    assert result.strategy == expected({"optimizer": {"name": "sgd", "lr": 0.01}})


async def test_retry_restores_the_previous_settings() -> None:
    previous = {
        "optimizer": {"name": "adam", "lr": 0.003, "betas": [0.8, 0.99]},
        "schedule": {"name": "exponential", "gamma": 0.95},
    }
    app = SetupApp(strategy_json=previous, practice=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = setup_screen(app)
        assert screen.optimizer_name == "adam" and screen.schedule_name == "exponential"
        assert screen.query_one(LrControl).value == 0.003
        assert field(app, "opt-adam-betas").query_one(Input).value == "0.8, 0.99"
        assert field(app, "sched-exponential-gamma").query_one(Input).value == "0.95"
        assert screen.query_one("#practice", Checkbox).value is True
        assert screen.strategy == expected(previous)
        await pilot.press("ctrl+r")
        await pilot.pause()
    (result,) = app.results
    assert result is not None and result.practice and result.strategy == expected(previous)


async def test_retry_restores_an_alias_and_a_one_cycle() -> None:
    previous = {
        "optimizer": {"name": "nesterov", "lr": 0.02},
        "schedule": {"name": "onecycle", "max_lr": 0.5, "pct_start": 0.25},
    }
    app = SetupApp(strategy_json=previous)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = setup_screen(app)
        assert screen.optimizer_name == "sgd"
        assert field(app, "opt-sgd-momentum").query_one(Input).value == "0.9"
        assert field(app, "opt-sgd-nesterov").query_one(Checkbox).value is True
        # onecycle's headline rate is max_lr: the control edits it and says so.
        assert screen.query_one(LrControl).value == 0.5
        assert "max_lr" in str(screen.query_one("#lr-label").render())
        strategy = screen.strategy
        assert strategy is not None and strategy.lr == 0.5
        assert strategy.schedule.params["pct_start"] == 0.25
        assert strategy.optimizer.params["nesterov"] is True


async def test_practice_toggle() -> None:
    app = SetupApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = setup_screen(app)
        practice = screen.query_one("#practice", Checkbox)
        assert practice.value is False
        await pilot.press("p")
        await pilot.pause()
        assert practice.value is True
        # In a text field "p" is a letter, not the shortcut (the rate's field types
        # only numbers, so there "p" stays the shortcut).
        momentum = field(app, "opt-sgd-momentum").query_one(Input)
        momentum.focus()
        await pilot.pause()
        await pilot.press("end", "p")
        await pilot.pause()
        assert practice.value is True and momentum.value.endswith("p")
        await fill(pilot, momentum, "0")
        screen.query_one("#lr-bar").focus()
        await pilot.press("ctrl+r")
        await pilot.pause()
    (result,) = app.results
    assert result is not None and result.practice is True


async def test_preview_follows_the_schedule() -> None:
    app = SetupApp()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = setup_screen(app)
        preview = screen.query_one(SchedulePreview)
        await choose(pilot, "schedule", "exponential")
        before = preview.lr_series.copy()
        await fill(pilot, field(app, "sched-exponential-gamma").query_one(Input), "0.5")
        after = preview.lr_series
        assert not np.array_equal(before, after)
        spec = expected(
            {
                "optimizer": {"name": "sgd", "lr": 0.01},
                "schedule": {"name": "exponential", "gamma": 0.5},
            }
        ).schedule
        np.testing.assert_allclose(after, lr_values(spec, np.array([0.01]), np.arange(STEPS))[0])
        # An invalid gamma keeps the last good picture (and says so).
        await fill(pilot, field(app, "sched-exponential-gamma").query_one(Input), "-2")
        np.testing.assert_array_equal(preview.lr_series, after)
        assert "✗" in text_of(screen.query_one("#preview-note", Static))
        # A one-cycle also cycles the momentum: a second curve.
        await fill(pilot, field(app, "sched-exponential-gamma").query_one(Input), "0.9")
        await choose(pilot, "schedule", "onecycle")
        assert preview.momentum_series is not None and preview.momentum_series.shape == (STEPS,)
        assert "momentum" in text_of(screen.query_one("#preview-note", Static))
        # Plateau depends on the losses: said in words, with the starting rate.
        await choose(pilot, "schedule", "plateau")
        assert preview.flat and preview.momentum_series is None
        note = text_of(screen.query_one("#preview-note", Static))
        assert "depends on the losses" in note and "0.01" in note


async def test_adagrad_cannot_cycle_momentum() -> None:
    app = SetupApp()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = setup_screen(app)
        await choose(pilot, "optimizer", "adagrad")
        await choose(pilot, "schedule", "onecycle")
        box = field(app, "sched-onecycle-cycle_momentum").query_one(Checkbox)
        assert box.value is False and box.disabled
        assert screen.strategy is not None
        assert screen.strategy.schedule.params["cycle_momentum"] is False


async def test_escape_goes_back_with_none() -> None:
    app = SetupApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_wide_text_keeps_the_layout() -> None:
    app = SetupApp(WIDE, lang="ja")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = setup_screen(app)
        title = screen.query_one("#setup-title", Static)
        assert "日本語" in text_of(title)
        assert "par 10" in text_of(screen.query_one("#setup-budget", Static))
        for widget_id in ("#setup-title", "#setup-budget", "#setup-form", "#setup-side", "#lr-bar"):
            region = screen.query_one(widget_id).region
            assert region.right <= 80, widget_id
        assert screen.query_one("#setup-body").region.height >= 15


async def test_a_ticked_box_is_checked_like_any_field() -> None:
    app = SetupApp()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = setup_screen(app)
        nesterov = field(app, "opt-sgd-nesterov")
        box = nesterov.query_one(Checkbox)
        box.focus()
        await pilot.press("space")
        await pilot.pause()
        assert box.value is True and box.BUTTON_INNER == "✓"  # on/off by shape, not colour
        message = text_of(nesterov.query_one(".param-error", Static))
        assert message.startswith("✗") and "Nesterov momentum requires a momentum > 0" in message
        assert screen.strategy is None
        await fill(pilot, field(app, "opt-sgd-momentum").query_one(Input), "0.9")
        assert screen.strategy == expected(
            {"optimizer": {"name": "sgd", "lr": 0.01, "momentum": 0.9, "nesterov": True}}
        )


async def test_an_error_inside_a_list_says_where() -> None:
    app = SetupApp()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await choose(pilot, "schedule", "sequence")
        parts = field(app, "sched-sequence-schedules")
        await fill(pilot, parts.query_one(Input), '[{"name": "cosine", "T_max": -1}, "constant"]')
        message = text_of(parts.query_one(".param-error", Static))
        assert "schedules[0].T_max: invalid value -1" in message
        await fill(pilot, parts.query_one(Input), '[{"name": ')
        assert "not valid JSON" in text_of(parts.query_one(".param-error", Static))
        assert setup_screen(app).strategy is None


async def test_log_scale_preview_survives_a_resize() -> None:
    # plotext 5 takes logs of the stored data in place: a redraw must re-add it.
    app = SetupApp()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await choose(pilot, "schedule", "onecycle")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert setup_screen(app).query_one(SchedulePreview).momentum_series is not None


@pytest.mark.parametrize(
    "data",
    [
        {
            **BOWL,
            "id": "with-setup",
            "setup": {"optimizer": {"name": "sgd", "lr": 0.7, "momentum": 0.5}, "schedule": "step"},
        },
        {**BOWL, "id": "adaptive-only", "allowed": {"optimizers": ["rmsprop", "adam"]}},
    ],
    ids=["named setup", "first allowed optimizer"],
)
async def test_the_screen_starts_from_the_levels_starting_strategy(data: dict[str, Any]) -> None:
    # The same strategy `lrgame simulate LEVEL` runs without flags: launching at once runs it.
    app = SetupApp(data)
    start = app.level.starting_strategy()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = setup_screen(app)
        assert screen.optimizer_name == start.optimizer.name
        assert screen.schedule_name == start.schedule.name
        assert screen.query_one(LrControl).value == start.lr
        await pilot.press("ctrl+r")
        await pilot.pause()
    (result,) = app.results
    assert result is not None and result.strategy == start


async def test_the_form_holds_its_problems_as_data_one_per_field() -> None:
    app = SetupApp()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = setup_screen(app)
        await choose(pilot, "optimizer", "adam")
        await fill(pilot, screen.query_one("#lr-input", Input), "-1")
        await fill(pilot, field(app, "opt-adam-betas").query_one(Input), "1.5, 0.999")
        await fill(pilot, field(app, "opt-adam-eps").query_one(Input), "-1")
        assert [p.path for p in screen.problems] == [
            ("optimizer", "lr"),
            ("optimizer", "betas"),
            ("optimizer", "eps"),
        ]
        shown = [screen.problem_text(p) for p in screen.problems]
        assert shown[0].endswith(": invalid value -1.0: must be >= 0")
        assert shown[1] == "betas[0]: invalid value 1.5: must be < 1"
        assert shown[2] == "eps: invalid value -1.0: must be >= 0"
        assert "3 problems" in text_of(screen.query_one("#status", Static))
        # A problem outside any field (the level's refusal) prints as the validator would.
        assert screen.problem_text(Problem((), "not offered")) == "not offered"


async def test_every_registered_optimizer_and_schedule_can_be_chosen() -> None:
    # The form's fields come from the registries: each choice starts valid, with a
    # field for every parameter the form offers, and runs as what the engine parses.
    from lrgame.engine.optim import REGISTRY as OPTIMIZERS
    from lrgame.engine.sched import REGISTRY as SCHEDULES

    app = SetupApp()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = setup_screen(app)
        for name in OPTIMIZER_NAMES:
            await choose(pilot, "optimizer", name)
            for param in OPTIMIZERS[name].params:
                if param.field:
                    assert field(app, f"opt-{name}-{param.name}")
            assert screen.strategy is not None, (name, screen.problems)
            assert screen.strategy.optimizer.name == name
        await choose(pilot, "optimizer", "sgd")
        for name in SCHEDULE_NAMES:
            await choose(pilot, "schedule", name)
            for param in SCHEDULES[name].params:
                if param.field:
                    assert field(app, f"sched-{name}-{param.name}")
            assert screen.strategy is not None, (name, screen.problems)
            assert screen.strategy.schedule.name == name
        await choose(pilot, "schedule", "lambda")
        await fill(pilot, field(app, "sched-lambda-lr_lambda").query_one(Input), "0.9^epoch")
        assert screen.strategy is not None
        assert screen.strategy.schedule.params["lr_lambda"] == "0.9^epoch"
        await fill(pilot, field(app, "sched-lambda-lr_lambda").query_one(Input), "x + 1")
        assert screen.strategy is None
        assert "unknown name 'x'" in (field(app, "sched-lambda-lr_lambda").error or "")
