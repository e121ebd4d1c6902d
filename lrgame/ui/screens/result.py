"""The result: the outcome in plain words, score, stars, par, personal best, and where next."""

from __future__ import annotations

from enum import StrEnum

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Static

from lrgame.engine.outcome import Outcome, Verdict
from lrgame.engine.scoring import FINDER_COST
from lrgame.levels.model import Level
from lrgame.storage import RunRecordResult

from ..glyphs import glyph
from ..i18n import N_, _
from ..lessons import outcome_name, stars_text
from .guarded import GuardedModalScreen


class ResultChoice(StrEnum):
    """Where the player goes from the result: the box's button ids and key actions say the same."""

    RETRY = "retry"
    NEXT = "next"
    MAP = "map"
    REPLAY = "replay"
    SWEEP = "sweep"
    RACE = "race"
    EXPORT = "export"


class ResultScreen(GuardedModalScreen[ResultChoice]):
    BINDINGS = [
        Binding("r", "choose('retry')", N_("Retry")),
        Binding("n", "choose('next')", N_("Next")),
        Binding("m", "choose('map')", N_("Map")),
        Binding("w", "choose('replay')", N_("Watch")),
        Binding("s", "choose('sweep')", N_("Sweep")),
        Binding("g", "choose('race')", N_("Race")),
        Binding("x", "choose('export')", N_("Code")),
        Binding("escape", "choose('retry')", N_("Retry"), show=False),
    ]

    def __init__(
        self,
        level: Level,
        verdict: Verdict,
        explanation: str,
        record: RunRecordResult,
        *,
        practice: bool,
        used_finder: bool = False,
    ) -> None:
        super().__init__()
        self.level = level
        self.verdict = verdict
        self.explanation = explanation
        self.record = record
        self.practice = practice
        self.used_finder = used_finder

    def compose(self) -> ComposeResult:
        v = self.verdict
        won = v.outcome == Outcome.REACHED_GOAL
        with VerticalScroll(id="result-box", classes="dialog " + ("won" if won else "lost")):
            yield Static(
                f"{glyph(v.outcome.glyph)} {outcome_name(v.outcome)}",
                id="result-headline",
            )
            yield Static(self.explanation, id="result-explanation")
            lines = [
                _("Score {score} / 1000   {stars}", score=v.score, stars=stars_text(v.stars)),
            ]
            if v.steps_to_goal is not None and won:
                lines.append(
                    _(
                        "Arrived at step {steps} (par {par})",
                        steps=v.steps_to_goal,
                        par=self.level.par,
                    )
                )
            else:
                lines.append(_("Par {par} steps", par=self.level.par))
            if self.record.is_new_best and v.score > 0:
                lines.append(_("New personal best!"))
            elif self.record.previous_best is not None:
                lines.append(_("Personal best {score}", score=self.record.previous_best))
            if self.practice:
                lines.append(_("Practice mode: the landscape was shown, so the score is halved."))
            if self.used_finder:
                lines.append(_("The LR finder's probe cost {cost} points.", cost=FINDER_COST))
            yield Static("\n".join(lines), id="result-score")
            with Horizontal(classes="buttons"):
                yield Button(_("Retry (r)"), id="retry", variant="primary")
                if won:
                    yield Button(_("Next (n)"), id="next", variant="success")
                yield Button(_("Watch (w)"), id="replay")
                yield Button(_("Map (m)"), id="map")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The next level is only offered after a win (it stays locked otherwise).
        if action == "choose" and parameters == ("next",):
            return self.verdict.outcome == Outcome.REACHED_GOAL
        return True

    def on_mount(self) -> None:
        self.query_one(
            "#next" if self.verdict.outcome == Outcome.REACHED_GOAL else "#retry", Button
        ).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(ResultChoice(event.button.id or ResultChoice.MAP))

    def action_choose(self, choice: str) -> None:
        self.dismiss(ResultChoice(choice))
