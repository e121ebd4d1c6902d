"""The briefing: the level's story and lesson in plain words, its budget and par."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from lrgame.levels.model import Level

from ..i18n import N_, _
from ..i18n import language as current_language
from ..lessons import lesson_name
from ..widgets.header import SafeHeader
from .guarded import GuardedScreen


class BriefingScreen(GuardedScreen[bool]):
    BINDINGS = [
        Binding("enter", "go", N_("Choose your stride")),
        Binding("h", "hint", N_("Hint")),
        Binding("escape", "back", N_("Map")),
    ]

    def __init__(self, level: Level, *, language: str | None = None) -> None:
        """``language``: the level texts' language (the catalog's by default)."""
        super().__init__()
        self.level = level
        self.language = language or current_language()

    def compose(self) -> ComposeResult:
        lang = self.language
        level = self.level
        yield SafeHeader()
        with VerticalScroll(id="briefing-box"):
            yield Static(level.title.get(lang), classes="heading", id="briefing-title")
            yield Static(
                _("Lesson: {lesson}", lesson=lesson_name(level.lesson)), id="briefing-lesson"
            )
            yield Static(level.briefing.get(lang), id="briefing-text")
            tools = ", ".join(level.allowed.optimizers)
            facts = [
                _("Step budget: {steps}", steps=level.steps),
                _("Par: {par} steps", par=level.par),
                _("{dim}-D landscape", dim=level.dim),
                _("Optimizers: {tools}", tools=tools),
            ]
            if level.noise.std > 0:
                facts.append(_("The ground shakes: gradients are noisy."))
            yield Static("\n".join(facts), id="briefing-facts")
            yield Static("", id="briefing-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = _("Briefing")

    def action_hint(self) -> None:
        hint = self.level.hint.get(self.language)
        text = hint or _("No hint for this level.")
        self.query_one("#briefing-hint", Static).update(_("Hint: {hint}", hint=text))

    def action_go(self) -> None:
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
