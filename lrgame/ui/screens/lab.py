"""The descent of a model level: the network learns, and the player watches it.

The same playback as the descent screen (pause, step, speed, replay, the
result box and its side screens), with what a network shows instead of a map:
the training and held-out loss, the learning rate, the model's own output
animating over the data, and at the end the loss landscape as a slice through
weight space along the walk's two principal directions.
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

from lrgame.engine.lab import ModelLandscape, pca_slice
from lrgame.engine.outcome import Verdict
from lrgame.engine.simulate import Run, run_batch
from lrgame.engine.strategy import Strategy
from lrgame.labcoach import ModelDiagnosis, diagnose_model, explain_model
from lrgame.levels.lab import ModelLevel
from lrgame.numfmt import loss as loss_text
from lrgame.numfmt import num
from lrgame.playback import Playback
from lrgame.storage import RunRecordResult

from ..i18n import N_, _
from ..session import finder_verdict, practice_verdict
from ..widgets.charts import LrChart
from ..widgets.header import SafeHeader
from ..widgets.lab import LabLossChart, ModelView, SliceView
from .guarded import GuardedScreen
from .playback_actions import PlaybackActions

if TYPE_CHECKING:
    from ..app import LrgameApp

SLICE_RESOLUTION = 41
LARGE_MODEL = 1000
"""From this many weights the slice is drawn coarser, so it is ready before the walk ends."""


class LabScreen(PlaybackActions, GuardedScreen[str]):
    """The descent screen's contract (same bindings, result box and choices) for a network."""

    CSS_PATH = "lab.tcss"
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
        level: ModelLevel,
        strategy: Strategy,
        strategy_json: dict[str, Any],
        *,
        practice: bool,
        used_finder: bool = False,
    ) -> None:
        super().__init__()
        self.level = level
        self.model_level = level
        self.strategy = strategy
        self.strategy_json = strategy_json
        self.practice = practice
        self.used_finder = used_finder
        self.run_data: Run | None = None
        self.verdict: Verdict | None = None
        self.holdout: np.ndarray | None = None
        self.model_diagnosis: ModelDiagnosis | None = None
        self._timer: Timer | None = None
        self._result_shown = False
        self._result_pending = False
        self._record: RunRecordResult | None = None
        self._leaving = False

    @property
    def game(self) -> LrgameApp:
        return self.app  # type: ignore[return-value]

    @property
    def model_landscape(self) -> ModelLandscape:
        return self.model_level.landscape

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        with Horizontal(id="lab-body"):
            with Vertical(id="lab-main"):
                yield ModelView(id="lab-model")
                yield SliceView(id="lab-slice")
            with Vertical(id="lab-side"):
                yield Static(_("Computing the run…"), id="stats")
                yield LabLossChart(id="lab-loss-chart")
                yield LrChart(id="lr-chart")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.level.title.get(self.game.language)
        self.query_one(SliceView).dim = self.level.dim
        self.query_one(SliceView).reveal(self.practice)
        self.compute()

    @work(thread=True, exclusive=True)
    def compute(self) -> None:
        level = self.model_level
        batch = run_batch(level.landscape, level.start, [self.strategy])
        verdict = level.judge(batch)[0]
        run = batch.row(0)
        self.holdout = level.landscape.holdout_loss(run.trajectory)
        self.app.call_from_thread(self._ready, run, verdict)
        resolution = SLICE_RESOLUTION if level.dim < LARGE_MODEL else 25
        found = pca_slice(level.landscape, run.trajectory, resolution)
        self.app.call_from_thread(self.query_one(SliceView).set_slice, found)
        diagnosis = diagnose_model(level, self.strategy, run, verdict)
        self.app.call_from_thread(self._model_diagnosed, diagnosis)

    def _ready(self, run: Run, verdict: Verdict) -> None:
        self.run_data = run
        self.verdict = verdict
        if self.practice:
            self.verdict = practice_verdict(verdict)
        if self.used_finder:
            self.verdict = finder_verdict(self.verdict)
        self.playback = Playback(total=run.steps)
        self.playback.base_rate = max(3.0, run.steps / (10.0 * self.playback.speed))
        self.query_one(ModelView).set_run(self.model_landscape, run.trajectory)
        self.query_one(LabLossChart).set_losses(run.loss, self.holdout, self.model_level.goal_loss)
        self.query_one(LrChart).set_rates([run.lr], [_("lr")], None)
        self.show_step()
        self.start_clock()
        self._timer = self.set_interval(1 / 60, self.tick)

    def _model_diagnosed(self, diagnosis: ModelDiagnosis) -> None:
        self.model_diagnosis = diagnosis
        if self._result_pending:
            self.show_result()

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
        self.query_one(ModelView).set_step(t)
        self.query_one(SliceView).set_step(t)
        self.query_one(LabLossChart).set_cursor(t)
        self.query_one(LrChart).set_cursor(min(t, max(run.steps - 1, 0)) if run.steps else None)
        self.query_one("#stats", Static).update(self.stats_text(t), layout=False)

    def stats_text(self, t: int) -> str:
        run, playback = self.run_data, self.playback
        assert run is not None and playback is not None
        lr = run.lr[t] if t < len(run.lr) else (run.lr[-1] if len(run.lr) else float("nan"))
        state = (
            _("done") if playback.finished else (_("paused") if playback.paused else _("training"))
        )
        mlp = self.model_level.mlp
        lines = [
            _("Step {step} / {total}", step=t, total=self.strategy.steps),
            _("lr        {lr}", lr=num(lr)),
            _(
                "loss      {loss}  (goal {goal})",
                loss=loss_text(float(run.loss[t])),
                goal=loss_text(self.model_level.goal_loss),
            ),
        ]
        if self.holdout is not None:
            lines.append(_("held-out  {loss}", loss=loss_text(float(self.holdout[t]))))
        batch = self.model_landscape.batch_size
        lines += [
            _(
                "model     {layers}, {count} weights",
                layers="-".join(str(n) for n in mlp.layers)
                + (f" {mlp.activation}" if len(mlp.layers) > 2 else ""),
                count=self.level.dim,
            ),
            _("batches   of {size}", size=batch) if batch else _("full batch"),
            _("speed ×{speed} · {state}", speed=playback.speed, state=state),
        ]
        if self.practice:
            lines.append(_("practice mode: half score"))
        return "\n".join(lines)

    def finish(self) -> None:
        self._result_shown = True
        self.query_one(SliceView).reveal()
        self.show_step()
        self.query_one(LabLossChart).refresh()
        self.query_one(LrChart).refresh()
        self.set_timer(0.25, self.show_result)

    def show_result(self) -> None:
        from .result import ResultScreen

        if self.model_diagnosis is None:
            self._result_pending = True
            return
        self._result_pending = False
        if not self.is_current or self.verdict is None or self.run_data is None:
            return
        if self._record is None:
            self._record = self.game.record_result(self.level, self.verdict, self.strategy_json)
        screen = ResultScreen(
            self.level,
            self.verdict,
            explain_model(self.model_diagnosis),
            self._record,
            practice=self.practice,
            used_finder=self.used_finder,
        )
        self.app.push_screen(screen, self._after_result)

    def _after_result(self, choice: str | None) -> None:
        if choice == "replay":
            self.action_restart()
            return
        if choice == "race":
            # Races draw walkers on a map; a network's walk has no map to race on.
            self.notify(_("Races are for landscape levels."), severity="information")
            self._back_to_result()
            return
        if choice == "export":
            from .export import ExportScreen

            self.app.push_screen(
                ExportScreen(self.level, self.strategy, self.strategy_json), self._back_to_result
            )
            return
        if choice == "sweep":
            from .sweep import SweepScreen

            self.app.push_screen(SweepScreen(self.level, self.strategy), self._back_to_result)
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
        self.query_one(SliceView).reveal(self.practice)
        self.start_clock()
        self.show_step()

    def action_back(self) -> None:
        if self._leaving or not self.is_current:
            return
        self._leaving = True
        self.dismiss("setup")

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()
