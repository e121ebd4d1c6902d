"""The level editor's right half: the level's preview, its facts, its problems and its demos."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from lrgame.engine.problems import Problem
from lrgame.levels.analysis import Analysis, DemoReport, problem_label
from lrgame.levels.lab import ModelLevel
from lrgame.ui.i18n import _

from .lab import ModelView
from .landscape import LandscapeView

__all__ = ["LevelPanel"]


class LevelPanel(Vertical):
    """What the editor knows about its text, shown: it holds no text and runs no checks.

    Selecting a problem in the list posts ``OptionList.OptionSelected`` (id
    ``editor-problems``), which the screen handles.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._preview_key: tuple[Any, ...] | None = None
        """What the preview was last drawn from: a new analysis of the same level redraws nothing."""

    def compose(self) -> ComposeResult:
        yield Static(_("Preview"), id="preview-title", markup=False)
        yield LandscapeView(id="editor-preview")
        yield ModelView(id="editor-model")
        with VerticalScroll(id="editor-info"):
            yield Static("", id="editor-facts", markup=False)
            yield Static(_("Checking…"), id="problems-title", markup=False)
            yield OptionList(id="editor-problems")
            yield Static("", id="demos-title", markup=False)
            yield Static("", id="editor-demos", markup=False)

    def on_mount(self) -> None:
        self.query_one("#editor-preview", LandscapeView).practice = True
        self.query_one("#editor-model", ModelView).display = False
        self.query_one("#editor-problems", OptionList).display = False
        self.query_one("#demos-title").display = False
        self.query_one("#editor-demos").display = False

    def show_analysis(self, result: Analysis) -> None:
        """The level's preview and facts; an unreadable text keeps the last ones, marked stale."""
        title = self.query_one("#preview-title", Static)
        view = self.query_one("#editor-preview", LandscapeView)
        facts = self.query_one("#editor-facts", Static)
        level = result.level
        model_view = self.query_one("#editor-model", ModelView)
        model_view.display = isinstance(level, ModelLevel) or (level is None and model_view.display)
        view.display = not model_view.display
        if isinstance(level, ModelLevel):
            # A network has no map to draw: the preview is the model's output at its start.
            model_view.set_run(level.landscape, np.asarray([level.start]))
            self._preview_key = ("model", result.text)
            title.update(
                _("Preview: the model at its start")
                if result.playable
                else _("Preview (the level has problems)")
            )
            facts.update("\n".join(result.facts))
            facts.remove_class("-stale")
        elif level is not None and result.start_run is not None:
            key = (
                level.loss,
                tuple(map(tuple, np.asarray(level.domain).tolist())),
                level.start,
                level.stated_minima,
                level.tolerance,
            )
            if key != self._preview_key:
                view.set_level(level)
                view.set_runs([result.start_run])
                view.reveal()
                self._preview_key = key
            title.update(_("Preview") if result.playable else _("Preview (the level has problems)"))
            facts.update("\n".join(result.facts))
            facts.remove_class("-stale")
        elif self._preview_key is not None:
            title.update(_("Preview of the last readable version"))
            facts.add_class("-stale")
        else:
            title.update(_("No preview until the level can be read"))

    def show_problems(self, problems: Sequence[Problem], demos_ran: bool) -> None:
        """The problem list (hidden when empty), under a title that counts them."""
        title = self.query_one("#problems-title", Static)
        options = self.query_one("#editor-problems", OptionList)
        if not problems:
            title.update(
                _("✔ No problems.") if demos_ran else _("✔ No problems (demos not run: F9).")
            )
            options.clear_options()
            options.display = False
            return
        count = len(problems)
        title.update(
            _("✗ 1 problem: F8 jumps to it")
            if count == 1
            else _("✗ {count} problems: F8 jumps to the next", count=count)
        )
        options.set_options(Option(problem_label(p)) for p in problems)
        options.display = True

    def highlight_problem(self, index: int) -> None:
        options = self.query_one("#editor-problems", OptionList)
        if options.option_count > index:
            options.highlighted = index

    def demos_running(self) -> None:
        title = self.query_one("#demos-title", Static)
        title.display = True
        title.update(_("Demos: running…"))

    def show_demos(self, report: DemoReport, stale: bool) -> None:
        """How each demo did; ``stale``: the report is of an earlier version of the text."""
        title = self.query_one("#demos-title", Static)
        body = self.query_one("#editor-demos", Static)
        title.display = True
        if report.blocked is not None:
            heading = _("Demos could not run: {why}", why=report.blocked)
        elif not report.results:
            heading = _("This level has no demos.")
        elif report.passed == len(report.results):
            heading = _("Demos: all {count} pass", count=len(report.results))
        else:
            heading = _(
                "Demos: {passed} of {count} pass",
                passed=report.passed,
                count=len(report.results),
            )
        if stale:
            heading += "  " + _("(for an earlier version: F9 runs them again)")
        title.update(heading)
        body.update("\n".join(r.label() for r in report.results))
        body.display = bool(report.results)
        body.set_class(stale, "-stale")
