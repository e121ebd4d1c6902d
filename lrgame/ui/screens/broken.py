"""A level file that cannot be played, with every reason the validator found."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ..i18n import N_, _


class BrokenLevelScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "close", N_("Back")),
        Binding("q", "close", N_("Back"), show=False),
    ]

    def __init__(self, file: str, problems: list[str]) -> None:
        super().__init__()
        self.file = file
        self.problems = problems

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="broken-box"):
            yield Static(
                _("This level cannot be played: {file}", file=self.file), classes="heading"
            )
            yield Static("\n".join(self.problems), id="problems", markup=False)
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
