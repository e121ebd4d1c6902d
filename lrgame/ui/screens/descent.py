"""The descent: the whole run is computed first, then played back with a timer.

Nothing heavy happens on the event loop: the run, its verdict and the coach's
diagnosis are built in a worker thread; each frame only moves cursors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Footer, Static

from lrgame.coach import Diagnosis, diagnose, explain
from lrgame.engine.outcome import Verdict
from lrgame.engine.simulate import Run, run_batch
from lrgame.engine.stability import stability_factors, worst, zone
from lrgame.engine.strategy import Strategy
from lrgame.levels.model import Level
from lrgame.numfmt import num
from lrgame.playback import Playback
from lrgame.storage import RunRecordResult

from ..i18n import N_, _
from ..session import finder_verdict, practice_verdict
from ..widgets.charts import LossChart, LrChart
from ..widgets.header import SafeHeader
from ..widgets.landscape import LandscapeView
from .guarded import GuardedScreen
from .playback_actions import PlaybackActions

if TYPE_CHECKING:
    from ..app import LrgameApp

# Textual composes at most 60 times a second; ticking as often keeps the walk smooth.
FRAME_SECONDS = 1 / 60
RESULT_DELAY = 0.25
"""Seconds between the last step and the result box: time to see the fog lift, within 0.3 s."""


class DescentScreen(PlaybackActions, GuardedScreen[str]):
    BINDINGS = [
        Binding("space", "pause", N_("Pause")),
        Binding("n", "single_step", N_("Step")),
        Binding("plus,equals_sign", "faster", N_("Faster"), key_display="+"),
        Binding("minus", "slower", N_("Slower"), key_display="-", show=False),
        Binding("e", "skip", N_("End")),
        Binding("r", "restart", N_("Restart")),
        Binding("escape", "back", N_("Setup")),
    ]

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
        self.diagnosis: Diagnosis | None = None
        self.playback: Playback | None = None
        self._timer: Timer | None = None
        self._result_shown = False
        self.stability: np.ndarray = np.zeros((0, level.dim))
        self._record: RunRecordResult | None = None

    @property
    def game(self) -> LrgameApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        with Horizontal(id="descent-body"):
            yield LandscapeView(id="landscape")
            with Vertical(id="descent-side"):
                yield Static(_("Computing the walk…"), id="stats")
                yield LossChart(id="loss-chart")
                yield LrChart(id="lr-chart")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.level.title.get(self.game.language)
        view = self.query_one(LandscapeView)
        view.practice = self.practice
        view.set_level(self.level)
        self.compute()

    @work(thread=True, exclusive=True)
    def compute(self) -> None:
        level = self.level
        batch = run_batch(level.landscape, level.start, [self.strategy], level.noise)
        verdict = level.judge(batch)[0]
        run = batch.row(0)
        self.stability = stability_factors(
            level.landscape, run, self.strategy.optimizer, level.noise
        )
        self.app.call_from_thread(self._ready, run, verdict)
        diagnosis = diagnose(
            level,
            self.strategy,
            run,
            verdict,
            used_finder=self.used_finder,
            factors=self.stability,
        )
        self.app.call_from_thread(self._diagnosed, diagnosis)

    def _ready(self, run: Run, verdict: Verdict) -> None:
        self.run_data = run
        if self.practice:
            verdict = practice_verdict(verdict)
        if self.used_finder:
            verdict = finder_verdict(verdict)
        self.verdict = verdict
        self.playback = Playback(total=run.steps)
        # Aim for a walk of about ten seconds at the default speed, whatever the budget.
        self.playback.base_rate = max(3.0, run.steps / (10.0 * self.playback.speed))
        self.query_one(LandscapeView).set_runs([run])
        self.query_one(LossChart).set_runs([run], self.level.goal.loss, [_("you")], None)
        self.query_one(LrChart).set_rates([run.lr], [_("lr")], None)
        self.show_step()
        self.start_clock()
        self._timer = self.set_interval(FRAME_SECONDS, self.tick)

    def _diagnosed(self, diagnosis: Diagnosis) -> None:
        self.diagnosis = diagnosis
        if self._result_pending:
            self.show_result()

    _result_pending = False

    def tick(self) -> None:
        if self.playback is None or not self.is_attached:
            return
        self.advance()
        if self.playback.finished and not self._result_shown:
            self.finish()

    def show_step(self) -> None:
        run, playback = self.run_data, self.playback
        if run is None or playback is None:
            return
        t = playback.step
        self.query_one(LandscapeView).set_step(t)
        self.query_one(LossChart).set_cursor(t)
        self.query_one(LrChart).set_cursor(min(t, max(run.steps - 1, 0)) if run.steps else None)
        # layout=False: the panel keeps its size, so a frame needs no relayout.
        self.query_one("#stats", Static).update(self.stats_text(t), layout=False)

    def stats_text(self, t: int) -> str:
        run, playback = self.run_data, self.playback
        assert run is not None and playback is not None
        lr = run.lr[t] if t < len(run.lr) else (run.lr[-1] if len(run.lr) else float("nan"))
        grad = (
            float(np.linalg.norm(run.grad[t])) if np.all(np.isfinite(run.grad[t])) else float("nan")
        )
        point = ", ".join(_num(v) for v in run.trajectory[t])
        state = (
            _("done") if playback.finished else (_("paused") if playback.paused else _("walking"))
        )
        lines = [
            _("Step {step} / {total}", step=t, total=self.strategy.steps),
            _("lr        {lr}", lr=_num(lr)),
            _("loss      {loss}", loss=_num(run.loss[t])),
            _("|grad|    {grad}", grad=_num(grad)),
            _("position  ({point})", point=point),
            _("speed ×{speed} · {state}", speed=playback.speed, state=state),
            self.meter_text(t),
        ]
        if self.practice:
            lines.append(_("practice mode: half score"))
        return "\n".join(lines)

    def meter_text(self, t: int) -> str:
        """The stability meter: the factor 1 − lr·λ on a scale from −1 to +1, with its meaning."""
        factors = self.stability[min(t, len(self.stability) - 1)] if len(self.stability) else None
        if factors is None or not np.any(np.isfinite(factors)):
            return _("stability  –")
        value = worst(factors)
        return meter_line(value, zone(value), adaptive=self.strategy.optimizer.name != "sgd")

    def finish(self) -> None:
        self._result_shown = True
        self.query_one(LandscapeView).reveal()
        self.show_step()
        # The last frame is drawn whole, whatever path the cursor took to get there.
        self.query_one(LossChart).refresh()
        self.query_one(LrChart).refresh()
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
        record_result = self._record
        screen = ResultScreen(
            self.level,
            self.verdict,
            explain(self.diagnosis),
            record_result,
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

            shared = self.diagnosis.sweep if self.diagnosis is not None else None
            self.app.push_screen(
                SweepScreen(self.level, self.strategy, result=shared), self._back_to_result
            )
            return
        if choice == "race":
            from .race import RaceSetupScreen

            self.app.push_screen(RaceSetupScreen(self.level, self.strategy), self._race)
            return
        self.dismiss(choice or "map")

    def _race(self, racers: list[tuple[str, dict[str, Any]]] | None) -> None:
        from .race import RaceScreen

        if not racers:
            self._back_to_result()
            return
        self.app.push_screen(RaceScreen(self.level, racers), self._back_to_result)

    def _back_to_result(self, _result: object = None) -> None:
        self._result_shown = True
        self.show_result()

    # -- controls ---------------------------------------------------------

    def action_restart(self) -> None:
        if self.playback is None:
            return
        self.playback.restart()
        self._result_shown = False
        view = self.query_one(LandscapeView)
        view.set_runs([self.run_data] if self.run_data is not None else [])
        self.start_clock()
        self.show_step()

    def action_back(self) -> None:
        self.dismiss("setup")

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()


METER_CELLS = 11
"""The meter's track: −1 at the left end, 0 in the middle, +1 at the right."""


def meter_line(value: float, where: str, *, adaptive: bool) -> str:
    """One line: ``stability −1 ├────●─────┤ +1  0.42 steady``, red only at or past the edge."""
    clipped = max(-1.0, min(1.0, value)) if np.isfinite(value) else -1.0
    cell = int(round((clipped + 1) / 2 * (METER_CELLS - 1)))
    track = "".join("●" if i == cell else "─" for i in range(METER_CELLS))
    words = {
        "sliding": _("sliding: the ground curves down here"),
        "crawling": _("crawling: tiny strides"),
        "steady": _("steady"),
        "bouncing": _("bouncing, closing in"),
        "edge": _("at the edge"),
        "flying": _("flying apart!"),
    }[where]
    styles = {
        "sliding": "$secondary",
        "crawling": "$secondary",
        "steady": "$success",
        "bouncing": "$foreground",
        "edge": "$warning",
        "flying": "b $error",
    }
    line = _(
        "stability −1 {track} +1  {value} {words}",
        track=track,
        value=num(value, 2),
        words=words,
    )
    if adaptive:
        line += _(" (effective rate lr/(√v̂+ε))")
    return f"[{styles[where]}]{line}[/]"


def _num(value: float) -> str:
    if not np.isfinite(value):
        return _("∞ (blown up)") if value == np.inf or value == -np.inf else _("not a number")
    return f"{value:.4g}"
