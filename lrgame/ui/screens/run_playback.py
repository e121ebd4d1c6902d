"""What the descent and the Lab share: a run computed in a worker, played back, then judged.

Both screens compute the whole run first (nothing heavy on the event loop),
play it back with a timer, lift what hid the landscape at the end, and show the
result box once the coach's diagnosis is ready; its choices (replay, sweep,
export, race, back to the map) come back here. A subclass supplies what differs:
the picture (``compose_main``), its loss chart, the computation, the coach's
words, the race and the sweep's shared result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Static

from lrgame.engine.outcome import Verdict
from lrgame.engine.scoring import Modifiers, apply_modifiers
from lrgame.engine.simulate import Run
from lrgame.engine.strategy import Strategy
from lrgame.levels.model import Level
from lrgame.playback import Playback
from lrgame.storage import RunRecordResult

from ..i18n import N_
from ..i18n import language as current_language
from ..widgets.charts import LrChart, SeriesChart
from ..widgets.header import SafeHeader
from .guarded import GuardedScreen
from .playback_actions import PlaybackActions
from .result import ResultChoice, ResultScreen

# Textual composes at most 60 times a second; ticking as often keeps the walk smooth.
FRAME_SECONDS = 1 / 60
RESULT_DELAY = 0.25
"""Seconds between the last step and the result box: time to see the fog lift, within 0.3 s."""

DiagnosisT = TypeVar("DiagnosisT")


class RunPlaybackScreen(PlaybackActions, GuardedScreen[str], Generic[DiagnosisT]):
    """Playback of one computed run, the result box and its side screens."""

    BINDINGS = [
        Binding("space", "pause", N_("Pause")),
        Binding("n", "single_step", N_("Step")),
        Binding("plus,equals_sign", "faster", N_("Faster"), key_display="+"),
        Binding("minus", "slower", N_("Slower"), key_display="-", show=False),
        Binding("e", "skip", N_("End")),
        Binding("r", "restart", N_("Restart")),
        Binding("escape", "back", N_("Setup")),
    ]
    BODY_ID = "descent"
    """The prefix of the body's and the side panel's ids (``descent-body``, ``descent-side``)."""

    @dataclass
    class RunFinished(Message):
        """The walk is judged and shown to its end: the app records it, then calls
        :meth:`RunPlaybackScreen.show_record` with what the save made of it."""

        screen: RunPlaybackScreen[Any]
        level: Level
        verdict: Verdict
        strategy_json: dict[str, Any]

        @property
        def control(self) -> RunPlaybackScreen[Any]:
            return self.screen

    def __init__(
        self,
        level: Level,
        strategy: Strategy,
        strategy_json: dict[str, Any],
        *,
        practice: bool,
        used_finder: bool = False,
        language: str | None = None,
    ) -> None:
        """``language``: the level texts' language (the catalog's by default)."""
        super().__init__()
        self.level = level
        self.language = language or current_language()
        self.strategy = strategy
        self.strategy_json = strategy_json
        self.practice = practice
        self.used_finder = used_finder
        self.run_data: Run | None = None
        self.verdict: Verdict | None = None
        self.diagnosis: DiagnosisT | None = None
        self.playback: Playback | None = None
        self._timer: Timer | None = None
        self._result_shown = False
        self._result_pending = False
        self._record: RunRecordResult | None = None
        self._record_asked = False

    # -- what a subclass supplies ----------------------------------------------

    def compose_main(self) -> ComposeResult:
        """The picture left of the side panel."""
        raise NotImplementedError

    def computing_text(self) -> str:
        """The stats panel's text until the run is ready."""
        raise NotImplementedError

    def make_loss_chart(self) -> Widget:
        raise NotImplementedError

    def explanation(self, diagnosis: DiagnosisT) -> str:
        """The coach's words for the result box."""
        raise NotImplementedError

    def reveal_landscape(self) -> None:
        """Lift what hid the landscape during the walk (the end of a run)."""

    def replay_landscape(self) -> None:
        """Hide the landscape again for a replay from step 0."""

    def sweep_result(self) -> Any:
        """A sweep already computed for this strategy (by the coach), or None."""
        return None

    def race(self) -> None:
        """The result box's race choice."""
        raise NotImplementedError

    # -- the flow ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        with Horizontal(id=f"{self.BODY_ID}-body"):
            yield from self.compose_main()
            with Vertical(id=f"{self.BODY_ID}-side"):
                yield Static(self.computing_text(), id="stats")
                yield self.make_loss_chart()
                yield LrChart(id="lr-chart")
        yield Footer()

    def begin_playback(self, run: Run, verdict: Verdict) -> None:
        """The run is ready: keep it with its verdict (practice and finder applied) and start
        the clock. The subclass hands the run to its widgets, then calls ``start_ticking``."""
        self.run_data = run
        self.verdict = apply_modifiers(
            verdict, Modifiers(practice=self.practice, used_finder=self.used_finder)
        )
        self.playback = Playback(total=run.steps)
        # Aim for a walk of about ten seconds at the default speed, whatever the budget.
        self.playback.base_rate = max(3.0, run.steps / (10.0 * self.playback.speed))

    def start_ticking(self) -> None:
        self.show_step()
        self.start_clock()
        self._timer = self.set_interval(FRAME_SECONDS, self.tick)

    def diagnosed(self, diagnosis: DiagnosisT) -> None:
        self.diagnosis = diagnosis
        if self._result_pending:
            self.show_result()

    def tick(self) -> None:
        if self.playback is None or not self.is_attached:
            return
        self.advance()
        if self.playback.finished and not self._result_shown:
            self.finish()

    def finish(self) -> None:
        self._result_shown = True
        self.reveal_landscape()
        self.show_step()
        # The last frame is drawn whole, whatever path the cursor took to get there.
        for chart in self.query(SeriesChart):
            chart.refresh()
        self.set_timer(RESULT_DELAY, self.show_result)

    def show_result(self) -> None:
        if self.diagnosis is None:
            self._result_pending = True
            return
        self._result_pending = False
        if not self.is_current or self.verdict is None or self.run_data is None:
            return
        # A run is recorded once: a replay or a side screen shows the same result again.
        if self._record is None:
            if not self._record_asked:
                self._record_asked = True
                self.post_message(
                    self.RunFinished(self, self.level, self.verdict, self.strategy_json)
                )
            return
        screen = ResultScreen(
            self.level,
            self.verdict,
            self.explanation(self.diagnosis),
            self._record,
            practice=self.practice,
            used_finder=self.used_finder,
        )
        self.app.push_screen(screen, self._after_result)

    def show_record(self, record: RunRecordResult) -> None:
        """What the save made of this run (a new best?), then the result box."""
        self._record = record
        self.show_result()

    def _after_result(self, choice: ResultChoice | None) -> None:
        if choice == ResultChoice.REPLAY:
            self.action_restart()
            # Watching stays here to the end, with this screen's footer; the result
            # box does not come back over the landscape (r replays and shows it again).
            self._result_shown = True
            return
        if choice == ResultChoice.EXPORT:
            from .export import ExportScreen

            self.app.push_screen(
                ExportScreen(self.level, self.strategy, self.strategy_json), self._back_to_result
            )
            return
        if choice == ResultChoice.SWEEP:
            from .sweep import SweepScreen

            self.app.push_screen(
                SweepScreen(
                    self.level, self.strategy, result=self.sweep_result(), language=self.language
                ),
                self._back_to_result,
            )
            return
        if choice == ResultChoice.RACE:
            self.race()
            return
        # Retry, next and map are the app's to follow.
        self.dismiss(str(choice or ResultChoice.MAP))

    def _back_to_result(self, _result: object = None) -> None:
        self._result_shown = True
        self.show_result()

    def action_restart(self) -> None:
        if self.playback is None:
            return
        self.playback.restart()
        self._result_shown = False
        self.replay_landscape()
        self.start_clock()
        self.show_step()

    def action_back(self) -> None:
        self.dismiss("setup")

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()
