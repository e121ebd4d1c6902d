"""A level file that cannot be played, with every reason the validator found."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from lrgame.engine.problems import Problem
from lrgame.levels.loader import format_problem

from ..i18n import N_, _
from .guarded import GuardedScreen


class BrokenLevelScreen(GuardedScreen[None]):
    BINDINGS = [
        Binding("escape", "close", N_("Back")),
        Binding("q", "close", N_("Back"), show=False),
    ]

    def __init__(self, file: str, problems: list[Problem]) -> None:
        super().__init__()
        self.file = file
        self.problems = problems

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="broken-box"):
            yield Static(
                _("This level cannot be played: {file}", file=self.file), classes="heading"
            )
            lines = [format_problem(self.file, p) for p in self.problems]
            yield Static("\n".join(lines), id="problems", markup=False)
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
