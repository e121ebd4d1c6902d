"""The descent of a model level: the network learns, and the player watches it.

The descent's playback, result box and side screens (``RunPlaybackScreen``),
with what a network shows instead of a formula's map: the training and
held-out loss, the learning rate, the model's own output animating over the
data, and the loss landscape: for a model of two parameters the exact map under
fog, the walk drawn on it as it goes (the campaign's ``LandscapeView`` over a
window around the walk); for more, a slice through weight space along the
walk's two principal directions, revealed at the end.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from lrgame.engine.lab import ModelLandscape, pca_slice
from lrgame.engine.outcome import Verdict
from lrgame.engine.simulate import Run, run_batch
from lrgame.engine.strategy import Strategy
from lrgame.labcoach import ModelDiagnosis, diagnose_model, explain_model
from lrgame.levels.lab import ModelLevel
from lrgame.numfmt import loss as loss_text
from lrgame.numfmt import num

from ..i18n import _
from ..widgets.charts import LrChart
from ..widgets.lab import LabLossChart, ModelView, SliceView, map_level
from ..widgets.landscape import LandscapeView
from .run_playback import RunPlaybackScreen

SLICE_RESOLUTION = 41
LARGE_MODEL = 1000
"""From this many weights the slice is drawn coarser, so it is ready before the walk ends."""


class LabScreen(RunPlaybackScreen[ModelDiagnosis]):
    """The descent screen's contract (same bindings, result box and choices) for a network."""

    CSS_PATH = "lab.tcss"
    BODY_ID = "lab"

    def __init__(
        self,
        level: ModelLevel,
        strategy: Strategy,
        strategy_json: dict[str, Any],
        *,
        practice: bool,
        used_finder: bool = False,
        language: str | None = None,
    ) -> None:
        super().__init__(
            level,
            strategy,
            strategy_json,
            practice=practice,
            used_finder=used_finder,
            language=language,
        )
        self.model_level = level
        self.holdout: np.ndarray | None = None

    @property
    def model_landscape(self) -> ModelLandscape:
        return self.model_level.landscape

    @property
    def has_map(self) -> bool:
        """Two parameters: the exact map under fog instead of a slice."""
        return self.model_level.dim == 2

    def compose_main(self) -> ComposeResult:
        with Vertical(id="lab-main"):
            yield ModelView(id="lab-model")
            if self.has_map:
                yield LandscapeView(id="lab-map")
            else:
                yield SliceView(id="lab-slice")

    def computing_text(self) -> str:
        return _("Computing the run…")

    def make_loss_chart(self) -> Widget:
        return LabLossChart(id="lab-loss-chart")

    def on_mount(self) -> None:
        self.sub_title = self.level.title.get(self.language)
        if self.has_map:
            self.query_one(LandscapeView).practice = self.practice
        else:
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
        if not self.has_map:
            resolution = SLICE_RESOLUTION if level.dim < LARGE_MODEL else 25
            found = pca_slice(level.landscape, run.trajectory, resolution)
            self.app.call_from_thread(self.query_one(SliceView).set_slice, found)
        diagnosis = diagnose_model(level, self.strategy, run, verdict)
        self.app.call_from_thread(self.diagnosed, diagnosis)

    def _ready(self, run: Run, verdict: Verdict) -> None:
        self.begin_playback(run, verdict)
        if self.has_map:
            view = self.query_one(LandscapeView)
            view.set_level(map_level(self.model_level, run))
            view.set_runs([run])
        self.query_one(ModelView).set_run(self.model_landscape, run.trajectory)
        self.query_one(LabLossChart).set_losses(run.loss, self.holdout, self.model_level.goal_loss)
        self.query_one(LrChart).set_rates([run.lr], [_("lr")], None)
        self.start_ticking()

    def show_step(self) -> None:
        run, playback = self.run_data, self.playback
        if run is None or playback is None:
            return
        t = playback.step
        self.query_one(ModelView).set_step(t)
        if self.has_map:
            self.query_one(LandscapeView).set_step(t)
        else:
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

    def explanation(self, diagnosis: ModelDiagnosis) -> str:
        return explain_model(diagnosis)

    def reveal_landscape(self) -> None:
        if self.has_map:
            self.query_one(LandscapeView).reveal()
        else:
            self.query_one(SliceView).reveal()

    def replay_landscape(self) -> None:
        if self.has_map:
            run = self.run_data
            self.query_one(LandscapeView).set_runs([run] if run is not None else [])
        else:
            self.query_one(SliceView).reveal(self.practice)

    def race(self) -> None:
        # Races draw walkers on a formula's map; a network's walk has no level map to race on.
        self.notify(_("Races are for landscape levels."), severity="information")
        self._back_to_result()
