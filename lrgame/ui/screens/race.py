"""Ghost races: up to four strategies descend the same landscape at once.

:class:`RaceSetupScreen` offers the racers: the player's current strategy, the
player's best run on this level (when the save has one), and presets the level
allows (optimizers, schedules, and the player's rate divided or multiplied by
three), as :mod:`lrgame.analysis.race` chooses them. :class:`RaceScreen` computes every racer in one engine batch in a worker
thread and plays them back together: a walker per racer on the landscape, their
loss curves on one chart, a legend that names each colour, and a finish order.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Button, Footer, SelectionList, Static
from textual.widgets.selection_list import Selection

from lrgame.analysis.race import (
    MAX_RACERS,
    RaceCandidate,
    arrived,
    default_picks,
    describe_strategy,
    finish_order,
    ordinal,
    race_candidates,
    standing,
    standings,
)
from lrgame.engine.outcome import Verdict
from lrgame.engine.simulate import Run, run_batch
from lrgame.engine.strategy import Strategy
from lrgame.levels.model import Level
from lrgame.playback import Playback

from ..glyphs import glyph as served
from ..i18n import N_, _
from ..i18n import language as current_language
from ..widgets.chart_theme import readable, style_hex
from ..widgets.charts import DEFAULT_COLORS, LEGEND_LINE, LossChart
from ..widgets.header import SafeHeader
from ..widgets.landscape import LandscapeView, ghost_glyph
from ..widgets.lr_control import translate_bindings
from .guarded import GuardedScreen
from .playback_actions import PlaybackActions

__all__ = ["RaceScreen", "RaceSetupScreen", "race_colors"]

FRAME_SECONDS = 1 / 30
RACE_SECONDS = 10.0
"""A race lasts about this long at the default speed, whatever the budget."""


class RaceSetupScreen(GuardedScreen[list[tuple[str, dict[str, Any]]] | None]):
    """Pick up to four racers; dismisses with ``[(label, strategy_json), ...]`` or None."""

    DEFAULT_CSS = """
    RaceSetupScreen #race-setup-box {
        padding: 1 2;
    }
    RaceSetupScreen #race-setup-help {
        color: $text-muted;
        margin-bottom: 1;
    }
    RaceSetupScreen #race-racers {
        height: auto;
        max-height: 14;
    }
    RaceSetupScreen #race-setup-count {
        height: 1;
        margin-top: 1;
    }
    RaceSetupScreen .buttons {
        height: auto;
        margin-top: 1;
    }
    RaceSetupScreen .buttons Button {
        margin: 0 1;
    }
    """

    BINDINGS = [
        Binding("g", "race", N_("Race!")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(
        self,
        level: Level,
        strategy: Strategy | Mapping[str, Any],
        *,
        best_json: Mapping[str, Any] | None = None,
        language: str | None = None,
    ) -> None:
        """``best_json``: the player's best strategy on this level (a ghost to race), if saved;
        ``language``: the level texts' language (the catalog's by default)."""
        super().__init__()
        translate_bindings(self)
        self.level = level
        self.strategy = (
            strategy if isinstance(strategy, Strategy) else level.strategy(dict(strategy))
        )
        self.best_json = best_json
        self.language = language or current_language()
        self.candidates: list[RaceCandidate] = []

    def compose(self) -> ComposeResult:
        self.candidates = race_candidates(self.level, self.strategy, self.best_json)
        picked = default_picks(self.candidates)
        yield SafeHeader()
        with Vertical(id="race-setup-box"):
            yield Static(
                _("Race ghosts on {title}", title=self.level.title.get(self.language)),
                classes="heading",
            )
            yield Static(
                _(
                    "Pick up to four racers (space ticks one), then press g. They all descend the same landscape at once."
                ),
                id="race-setup-help",
            )
            yield SelectionList[int](
                *(
                    Selection(self._prompt(c), i, i in picked)
                    for i, c in enumerate(self.candidates)
                ),
                id="race-racers",
            )
            yield Static("", id="race-setup-count")
            with Horizontal(classes="buttons"):
                yield Button(_("Race! (g)"), id="race-go", variant="primary")
                yield Button(_("Back (esc)"), id="race-back")
        yield Footer()

    def _prompt(self, candidate: RaceCandidate) -> Text:
        text = Text(candidate.label, style="bold")
        text.append("  " + candidate.detail, style="dim")
        return text

    def on_mount(self) -> None:
        self.sub_title = _("Ghost race")
        self.query_one(SelectionList).focus()
        self._show_count()

    @property
    def picked(self) -> list[RaceCandidate]:
        chosen = sorted(self.query_one(SelectionList).selected)
        return [self.candidates[i] for i in chosen]

    def _show_count(self) -> None:
        count = len(self.query_one(SelectionList).selected)
        self.query_one("#race-setup-count", Static).update(
            _("{count} of {most} racers picked", count=count, most=MAX_RACERS)
        )

    @on(SelectionList.SelectionToggled)
    def _toggled(self, event: SelectionList.SelectionToggled[int]) -> None:
        selection_list = self.query_one(SelectionList)
        value = event.selection.value
        if value in selection_list.selected and len(selection_list.selected) > MAX_RACERS:
            selection_list.deselect(value)
            self.notify(_("Up to four racers: untick one first."), severity="warning")
        self._show_count()

    @on(SelectionList.SelectedChanged)
    def _changed(self) -> None:
        self._show_count()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "race-go":
            self.action_race()
        else:
            self.action_back()

    def action_race(self) -> None:
        picked = self.picked
        if not picked:
            self.notify(_("Pick at least one racer."), severity="warning")
            return
        self.dismiss([(c.label, dict(c.strategy_json)) for c in picked[:MAX_RACERS]])

    def action_back(self) -> None:
        self.dismiss(None)


def race_colors(theme_variables: Mapping[str, str], count: int) -> list[str]:
    """Theme roles from DEFAULT_COLORS whose colours differ under the current theme.

    Some themes give two roles one colour (textual-dark's accent and warning are
    both #ffa62b): such a role is skipped, so no two racers share a colour.
    """
    chosen: list[str] = []
    seen: list[Color] = []
    for role in DEFAULT_COLORS:
        try:
            color = Color.parse(theme_variables.get(role, role))
        except Exception:  # noqa: BLE001 - an unparsable theme value: keep the role as it is
            chosen.append(role)
            continue
        r, g, b = color.rgb
        if all(abs(r - o.r) + abs(g - o.g) + abs(b - o.b) > 60 for o in seen):
            chosen.append(role)
            seen.append(color)
    for role in DEFAULT_COLORS:
        if role not in chosen:
            chosen.append(role)
    return [chosen[i % len(chosen)] for i in range(count)]


class RaceScreen(PlaybackActions, GuardedScreen[None]):
    """Up to four racers on one landscape, one batch, played back together."""

    DEFAULT_CSS = """
    RaceScreen #race-body {
        height: 1fr;
    }
    RaceScreen #race-landscape {
        width: 3fr;
    }
    RaceScreen #race-side {
        width: 2fr;
        min-width: 30;
    }
    RaceScreen #race-legend {
        height: auto;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    RaceScreen #race-loss {
        height: 1fr;
        min-height: 6;
    }
    RaceScreen #race-order {
        height: auto;
        padding: 0 1;
        border-top: solid $primary 50%;
    }
    """

    BINDINGS = [
        Binding("space", "pause", N_("Pause/Resume")),
        Binding("plus,equals_sign", "faster", N_("Faster"), key_display="+", show=False),
        Binding("minus", "slower", N_("Slower"), key_display="-", show=False),
        Binding("e", "skip", N_("Skip to end")),
        Binding("r", "restart", N_("Restart")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(
        self,
        level: Level,
        racers: Sequence[tuple[str, Strategy | Mapping[str, Any]]],
        *,
        language: str | None = None,
    ) -> None:
        super().__init__()
        translate_bindings(self)
        if not racers:
            raise ValueError("a race needs at least one racer")
        self.level = level
        self.language = language or current_language()
        picked = list(racers)[:MAX_RACERS]
        self.labels = [label for label, _s in picked]
        self.strategies = [
            s if isinstance(s, Strategy) else level.strategy(dict(s)) for _label, s in picked
        ]
        self.racer_colors = [DEFAULT_COLORS[i % len(DEFAULT_COLORS)] for i in range(len(picked))]
        self.runs: list[Run] = []
        self.verdicts: list[Verdict] = []
        self.order: list[int] = []
        self.playback: Playback | None = None
        self.compute_seconds = 0.0
        self._timer: Timer | None = None
        self._finished_shown = False

    def compose(self) -> ComposeResult:
        self.racer_colors = race_colors(self.app.theme_variables, len(self.labels))
        yield SafeHeader()
        with Horizontal(id="race-body"):
            yield LandscapeView(id="race-landscape")
            with Vertical(id="race-side"):
                yield Static(self.legend_text(), id="race-legend")
                yield LossChart(id="race-loss")
                yield Static(_("Computing the race…"), id="race-order")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = _("Ghost race · {title}", title=self.level.title.get(self.language))
        self.query_one(LandscapeView).set_level(self.level)
        self.compute()

    @work(thread=True, exclusive=True)
    def compute(self) -> None:
        started = time.perf_counter()
        level = self.level
        batch = run_batch(level.landscape, level.start, self.strategies, level.noise)
        verdicts = level.judge(batch)
        runs = [batch.row(i) for i in range(len(batch))]
        seconds = time.perf_counter() - started
        self.app.call_from_thread(self._ready, runs, verdicts, seconds)

    def _ready(self, runs: list[Run], verdicts: list[Verdict], seconds: float) -> None:
        if not self.is_attached:
            return
        self.runs, self.verdicts, self.compute_seconds = runs, verdicts, seconds
        self.order = finish_order(verdicts)
        total = max(run.steps for run in runs)
        self.playback = Playback(total=total)
        self.playback.base_rate = max(3.0, total / (RACE_SECONDS * self.playback.speed))
        self.query_one(LandscapeView).set_runs(runs, self.racer_colors)
        self.query_one(LossChart).set_runs(
            runs, self.level.goal.loss, self.labels, self.racer_colors
        )
        self.show_step()
        self.start_clock()
        self._timer = self.set_interval(FRAME_SECONDS, self.tick)

    # -- playback -----------------------------------------------------------

    def tick(self) -> None:
        if self.playback is None or not self.is_attached:
            return
        self.advance()

    def show_step(self) -> None:
        playback = self.playback
        if playback is None or not self.runs:
            return
        t = playback.step
        self.query_one(LandscapeView).set_step(t)
        self.query_one(LossChart).set_cursor(t)
        if playback.finished and not self._finished_shown:
            self._finished_shown = True
            self.query_one(LandscapeView).reveal()
        self.query_one("#race-order", Static).update(self.order_text(t))

    def legend_text(self) -> Text:
        """One line per racer: its walker glyph and line in its colour, its label and strategy."""
        text = Text()
        for i, (label, strategy) in enumerate(zip(self.labels, self.strategies, strict=True)):
            if i:
                text.append("\n")
            color = self._color(i)
            glyph = ghost_glyph(i)
            text.append(f"{glyph} {LEGEND_LINE}{LEGEND_LINE} ", style=f"bold {color}")
            text.append(label, style="bold")
            text.append("  " + describe_strategy(strategy), style="dim")
        return text

    def _color(self, i: int) -> str:
        """Racer i's colour as hex, nudged to stand out from the background as the charts do."""
        role = self.racer_colors[i]
        variables = self.app.theme_variables
        try:
            color = Color.parse(variables.get(role, role))
            background = Color.parse(variables.get("background", "#000000"))
        except Exception:  # noqa: BLE001 - an odd theme value: fall back to the role's name
            return role
        return style_hex(readable(color, background))

    def order_text(self, t: int) -> Text:
        """The finish order once the race is over; the standings (finishers placed) during it."""
        playback = self.playback
        assert playback is not None
        text = Text()
        finished = playback.finished
        if finished:
            text.append(_("Finish order"), style="bold")
        else:
            state = _("paused") if playback.paused else _("racing")
            text.append(
                _(
                    "Step {step}/{total} · {state} ×{speed}",
                    step=t,
                    total=playback.total,
                    state=state,
                    speed=playback.speed,
                ),
                style="bold",
            )
        place = 0
        for i in self.order if finished else standings(self.runs, self.verdicts, t):
            verdict = self.verdicts[i]
            there = arrived(verdict, t)
            text.append("\n")
            if finished or there:
                place += 1
                text.append(f"{ordinal(place)} ", style="bold")
            stopped = finished or there or t >= self.runs[i].steps
            # Still walking: not …, which is the glyph of running out of steps.
            glyph = served(verdict.outcome.glyph) if stopped else "▶"
            text.append(f"{glyph} ")
            text.append(self.labels[i], style=f"bold {self._color(i)}")
            text.append(" · " + standing(self.runs[i], verdict, t))
        return text

    # -- controls -----------------------------------------------------------

    def action_restart(self) -> None:
        if self.playback is None:
            return
        self.playback.restart()
        self._finished_shown = False
        view = self.query_one(LandscapeView)
        view.set_level(self.level)
        view.set_runs(self.runs, self.racer_colors)
        self.start_clock()
        self.show_step()

    def action_back(self) -> None:
        self.dismiss(None)

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()
