"""The descent: the whole run is computed first, then played back with a timer.

Nothing heavy happens on the event loop: the run, its verdict and the coach's
diagnosis are built in a worker thread; each frame only moves cursors.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from textual import work
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from lrgame.coach import Diagnosis, diagnose, explain
from lrgame.engine.outcome import Verdict
from lrgame.engine.simulate import Run, run_batch
from lrgame.engine.stability import stability_factors, worst, zone
from lrgame.engine.strategy import Strategy
from lrgame.levels.model import Level
from lrgame.numfmt import num

from ..i18n import _
from ..widgets.charts import LossChart, LrChart
from ..widgets.landscape import LandscapeView
from .run_playback import RunPlaybackScreen


class DescentScreen(RunPlaybackScreen[Diagnosis]):
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
        super().__init__(level, strategy, strategy_json, practice=practice, used_finder=used_finder)
        self.stability: np.ndarray = np.zeros((0, level.dim))

    def compose_main(self) -> ComposeResult:
        yield LandscapeView(id="landscape")

    def computing_text(self) -> str:
        return _("Computing the walk…")

    def make_loss_chart(self) -> Widget:
        return LossChart(id="loss-chart")

    def on_mount(self) -> None:
        self.sub_title = self.level.title.get(self.language)
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
        self.app.call_from_thread(self.diagnosed, diagnosis)

    def _ready(self, run: Run, verdict: Verdict) -> None:
        self.begin_playback(run, verdict)
        self.query_one(LandscapeView).set_runs([run])
        self.query_one(LossChart).set_runs([run], self.level.goal.loss, [_("you")], None)
        self.query_one(LrChart).set_rates([run.lr], [_("lr")], None)
        self.start_ticking()

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

    def explanation(self, diagnosis: Diagnosis) -> str:
        return explain(diagnosis)

    def reveal_landscape(self) -> None:
        self.query_one(LandscapeView).reveal()

    def replay_landscape(self) -> None:
        view = self.query_one(LandscapeView)
        view.set_runs([self.run_data] if self.run_data is not None else [])

    def sweep_result(self) -> Any:
        return self.diagnosis.sweep if self.diagnosis is not None else None

    def race(self) -> None:
        from .race import RaceSetupScreen

        best = self._record.record.best_strategy if self._record is not None else None
        self.app.push_screen(
            RaceSetupScreen(self.level, self.strategy, best_json=best, language=self.language),
            self._race,
        )

    def _race(self, racers: list[tuple[str, dict[str, Any]]] | None) -> None:
        from .race import RaceScreen

        if not racers:
            self._back_to_result()
            return
        self.app.push_screen(
            RaceScreen(self.level, racers, language=self.language), self._back_to_result
        )


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
