"""The LR finder: the LR range test run before a descent, drawn as it goes.

The test (:func:`lrgame.engine.finder.find_lr`) runs in a worker thread; its
curve, the smoothed loss gap against a rate that grows tenfold every few
steps, is then revealed point by point on a log-log chart, a few seconds in
all (space skips to the end). At the end the suggestions (fastai's valley,
steep and minimum, pytorch-lr-finder's gradient) are marked on the chart, each
labelled in words with its value, and listed: 1-4 (or the arrows and enter)
accept one, escape ignores them all.

The screen dismisses with the chosen rate, or None. The probe is paid for
either way (:data:`lrgame.engine.scoring.FINDER_COST` points off the run's score); the screen that
opened it keeps track of that.
"""

from __future__ import annotations

import time
from typing import ClassVar

import numpy as np
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from lrgame.engine.finder import (
    BLOWUP,
    DEFAULT_LR_MAX,
    DEFAULT_LR_MIN,
    DEFAULT_POINTS,
    FinderResult,
    find_lr,
    lr_ramp,
)
from lrgame.engine.scoring import FINDER_COST
from lrgame.engine.strategy import Strategy
from lrgame.levels.model import Level
from lrgame.numfmt import loss as fmt_loss
from lrgame.numfmt import num, rate
from lrgame.ui.i18n import N_, _
from lrgame.ui.screens.guarded import GuardedModalScreen
from lrgame.ui.widgets.chart_scale import tick_label
from lrgame.ui.widgets.charts import Series, SeriesChart
from lrgame.ui.widgets.lr_control import translate_bindings

__all__ = ["ANIMATION_SECONDS", "SUGGESTIONS", "FinderScreen"]

ANIMATION_SECONDS = 3.0
"""How long drawing the whole ramp (lr_min to lr_max) takes; an early stop ends sooner."""
FRAME_SECONDS = 1 / 30

SUGGESTIONS: tuple[str, ...] = ("valley", "steep", "minimum", "gradient")
"""The suggestions in key order: 1 valley (fastai's default), 2 steep, 3 minimum÷10,
4 gradient (pytorch-lr-finder's)."""


def suggestion_name(key: str) -> str:
    return {
        "valley": _("valley"),
        "steep": _("steep"),
        "minimum": _("minimum÷10"),
        "gradient": _("gradient"),
    }[key]


def suggestion_meaning(key: str) -> str:
    return {
        "valley": _("fastai's default: halfway down the descent"),
        "steep": _("fastai: where the loss falls fastest"),
        "minimum": _("fastai: a tenth of the lowest loss's rate"),
        "gradient": _("pytorch-lr-finder: steepest np.gradient"),
    }[key]


class FinderScreen(GuardedModalScreen[float | None]):
    """Run the LR range test for ``strategy`` on ``level``; dismiss with the chosen rate or None."""

    CSS_PATH = "finder.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "skip", N_("Skip")),
        Binding("1", "accept(0)", N_("Accept"), key_display="1-4"),
        Binding("2", "accept(1)", N_("Accept"), show=False),
        Binding("3", "accept(2)", N_("Accept"), show=False),
        Binding("4", "accept(3)", N_("Accept"), show=False),
        Binding("escape", "ignore", N_("Ignore")),
    ]

    def __init__(
        self,
        level: Level,
        strategy: Strategy,
        *,
        lr_min: float = DEFAULT_LR_MIN,
        lr_max: float = DEFAULT_LR_MAX,
        points: int = DEFAULT_POINTS,
    ) -> None:
        super().__init__()
        translate_bindings(self)
        self.level = level
        self.strategy = strategy
        self.lr_min, self.lr_max, self.points = lr_min, lr_max, points
        self.result: FinderResult | None = None
        """The test's result, once the worker has it."""
        self.error: str | None = None
        """Why the test failed, in words (the worker raised)."""
        self.choices: list[tuple[str, float]] = []
        """The suggestions shown, in key order: (name, rate)."""
        self.done = False
        """The whole curve is drawn and the suggestions are offered."""
        self._timer: Timer | None = None
        self._started = 0.0
        self._duration = ANIMATION_SECONDS

    # -- layout -------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="finder-box", classes="dialog") as box:
            box.border_title = _("LR finder: the learning-rate range test")
            yield Static(
                _(
                    "The walker takes one step at each rate, from {low} up towards {high}; the "
                    "curve shows how far the loss stays above the minimum, smoothed as fastai "
                    "does. A good rate lies where it falls, well before it turns up. Using the "
                    "finder costs {cost} points.",
                    low=tick_label(self.lr_min),
                    high=tick_label(self.lr_max),
                    cost=FINDER_COST,
                ),
                id="finder-explain",
            )
            yield SeriesChart(id="finder-chart")
            yield Static(_("Running the range test…"), id="finder-status")
            yield OptionList(id="finder-choices", disabled=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#finder-choices", OptionList).display = False
        self.run_worker(self._probe, thread=True, name="lr-finder", exit_on_error=False)

    def on_unmount(self) -> None:
        self._stop_timer()

    # -- the test -----------------------------------------------------

    def _probe(self) -> FinderResult:
        level = self.level
        return find_lr(
            level.landscape,
            level.start,
            self.strategy,
            level.goal.loss,
            lr_min=self.lr_min,
            lr_max=self.lr_max,
            points=self.points,
            noise=level.noise,
        )

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "lr-finder":
            return
        event.stop()
        if event.state == WorkerState.SUCCESS:
            result = event.worker.result
            assert isinstance(result, FinderResult)
            self._start_animation(result)
        elif event.state == WorkerState.ERROR:
            self.error = str(event.worker.error)
            self.query_one("#finder-status", Static).update(
                Text("✗ " + _("The range test failed: {error}", error=self.error), style="bold")
            )
            self.refresh_bindings()

    @property
    def animating(self) -> bool:
        return self._timer is not None

    def _start_animation(self, result: FinderResult) -> None:
        self.result = result
        ramp = lr_ramp(self.lr_min, self.lr_max, self.points)
        gap = np.full(len(ramp), np.nan)
        gap[: len(result.smoothed_gap)] = result.smoothed_gap
        chart = self.query_one("#finder-chart", SeriesChart)
        # The whole ramp on the axis: a test that stopped early ends short of the right edge.
        chart.set_series(
            ramp,
            [Series(gap, "", "accent")],
            log_x=True,
            log_y=True,
            title=_("Loss above the minimum, smoothed (log)"),
            x_label=_("learning rate (log)"),
        )
        chart.set_cursor(0)
        self._duration = ANIMATION_SECONDS * len(result.lr) / max(1, len(ramp))
        self._started = time.monotonic()
        self._timer = self.set_interval(FRAME_SECONDS, self._tick)
        self.refresh_bindings()

    def _tick(self) -> None:
        result = self.result
        if result is None or not self.is_attached or self._timer is None:
            return
        n = len(result.lr)
        elapsed = time.monotonic() - self._started
        if elapsed >= self._duration or n == 0:
            self._finish()
            return
        index = min(n - 1, int(n * elapsed / self._duration))
        self.query_one("#finder-chart", SeriesChart).set_cursor(index)
        self.query_one("#finder-status", Static).update(
            _(
                "Trying lr {lr}: loss {gap} above the minimum…  (space skips)",
                lr=rate(float(result.lr[index])),
                gap=_number(float(result.smoothed_gap[index])),
            )
        )

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _finish(self) -> None:
        """Show the whole curve, mark the suggestions and offer them."""
        self._stop_timer()
        result = self.result
        if result is None or self.done:
            return
        self.done = True
        self.choices = [(k, result.suggestions[k]) for k in SUGGESTIONS if k in result.suggestions]
        chart = self.query_one("#finder-chart", SeriesChart)
        chart.set_cursor(None)
        chart.set_markers(
            [
                (value, f"{i + 1} {suggestion_name(key)} {rate(value)}")
                for i, (key, value) in enumerate(self.choices)
            ],
            highlight=0 if self.choices else None,
        )
        status = self.query_one("#finder-status", Static)
        if result.stop == "blowup" and len(result.lr):
            said = _(
                "Stopped early at lr {lr}: the smoothed loss rose over {times}× its best, "
                "so larger rates were not tried.",
                lr=rate(float(result.lr[-1])),
                times=num(BLOWUP),
            )
        elif result.stop == "walk_ended" and len(result.lr):
            said = _(
                "Stopped early at lr {lr}: the walk flew apart, so larger rates were not tried.",
                lr=rate(float(result.lr[-1])),
            )
        else:
            said = _(
                "Tried {count} rates from {low} to {high}.",
                count=len(result.lr),
                low=rate(float(result.lr[0])),
                high=rate(float(result.lr[-1])),
            )
        if not self.choices:
            said += " " + _(
                "No suggestion: too few points are left once the first tenth of the "
                "planned steps and the last five are set aside, as fastai does."
            )
        status.update(said)
        choices = self.query_one("#finder-choices", OptionList)
        choices.set_options(self._option(i) for i in range(len(self.choices)))
        choices.display = bool(self.choices)
        choices.disabled = not self.choices
        if self.choices:
            choices.highlighted = 0
            choices.focus()
        self.refresh_bindings()

    def _option(self, index: int, highlighted: bool = False) -> Option:
        key, value = self.choices[index]
        return Option(
            Text.assemble(
                ("▶ " if highlighted else "  "),
                (f"{index + 1}  ", "bold"),
                (f"{suggestion_name(key):<11}", "bold"),
                f" {rate(value):<10}",
                (suggestion_meaning(key), "italic"),
            ),
            id=key,
        )

    # -- choosing -----------------------------------------------------

    @on(OptionList.OptionHighlighted, "#finder-choices")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        choices = event.option_list
        for i in range(len(self.choices)):
            choices.replace_option_prompt_at_index(
                i, self._option(i, i == event.option_index).prompt
            )
        self.query_one("#finder-chart", SeriesChart).set_highlight(event.option_index)

    @on(OptionList.OptionSelected, "#finder-choices")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_accept(event.option_index)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "skip":
            return self.animating
        if action == "accept":
            index = parameters[0] if parameters else 0
            return self.done and isinstance(index, int) and index < len(self.choices)
        return True

    def action_skip(self) -> None:
        if self.animating:
            self._finish()

    def action_accept(self, index: int) -> None:
        if self.done and 0 <= index < len(self.choices):
            self.dismiss(self.choices[index][1])

    def action_ignore(self) -> None:
        self._stop_timer()
        self.dismiss(None)


def _number(value: float) -> str:
    if not np.isfinite(value):
        return _("∞ (blown up)")
    return fmt_loss(value)
