"""What the descent and the Lab share: a run computed in a worker, played back, then judged.

Both screens compute the whole run first (nothing heavy on the event loop),
play it back with a timer, lift what hid the landscape at the end, and show the
result box once the coach's diagnosis is ready; its choices (replay, sweep,
export, race, back to the map) come back here. A subclass supplies what differs:
the picture (``compose_main``), its loss chart, the computation, the coach's
words, the race and the sweep's shared result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Header, Static

from lrgame.engine.outcome import Verdict
from lrgame.engine.simulate import Run
from lrgame.engine.strategy import Strategy
from lrgame.levels.model import Level
from lrgame.playback import Playback
from lrgame.storage import RunRecordResult

from ..i18n import N_
from ..session import finder_verdict, practice_verdict
from ..widgets.charts import LrChart, SeriesChart
from .guarded import GuardedScreen
from .playback_actions import PlaybackActions

if TYPE_CHECKING:
    from ..app import LrgameApp

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

    def __init__(
        self,
        level: Level,
        strategy: Strategy,
        strategy_json: dict[str, Any],
        *,
        practice: bool,
        used_finder: bool = False,
    ) -> None:
        super().__init__()
        self.level = level
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

    @property
    def game(self) -> LrgameApp:
        return self.app  # type: ignore[return-value]

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
        yield Header()
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
        if self.practice:
            verdict = practice_verdict(verdict)
        if self.used_finder:
            verdict = finder_verdict(verdict)
        self.verdict = verdict
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
        from .result import ResultScreen

        if self.diagnosis is None:
            self._result_pending = True
            return
        self._result_pending = False
        if not self.is_current or self.verdict is None or self.run_data is None:
            return
        # A run is recorded once: a replay or a side screen shows the same result again.
        if self._record is None:
            self._record = self.game.record_result(self.level, self.verdict, self.strategy_json)
        screen = ResultScreen(
            self.level,
            self.verdict,
            self.explanation(self.diagnosis),
            self._record,
            practice=self.practice,
            used_finder=self.used_finder,
        )
        self.app.push_screen(screen, self._after_result)

    def _after_result(self, choice: str | None) -> None:
        if choice == "replay":
            self.action_restart()
            # Watching stays here to the end, with this screen's footer; the result
            # box does not come back over the landscape (r replays and shows it again).
            self._result_shown = True
            return
        if choice == "export":
            from .export import ExportScreen

            self.app.push_screen(
                ExportScreen(self.level, self.strategy, self.strategy_json), self._back_to_result
            )
            return
        if choice == "sweep":
            from .sweep import SweepScreen

            self.app.push_screen(
                SweepScreen(self.level, self.strategy, result=self.sweep_result()),
                self._back_to_result,
            )
            return
        if choice == "race":
            self.race()
            return
        self.dismiss(choice or "map")

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
