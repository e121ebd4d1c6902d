"""The level editor: the JSON on the left, the level it makes on the right.

Every edit is checked the way ``lrgame validate`` checks a file, with the same
messages and positions: 0.3 s after the typing pauses, a worker thread runs
:func:`analyse` (the validator without the demos, the minima, the facts), and
the newest result replaces the preview, the facts and the problem list. Results
of analyses that a newer one has superseded are dropped. The demos run on a key
(:func:`demo_report`, also in a worker), and a play-test sends the unsaved text
through the game's own setup screen, then asks the app for the descent
(:class:`EditorScreen.PlaytestRequested`), then comes back. What is said about a
text lives in ``lrgame.levels.analysis``, the file's side in
``lrgame.levels.textfile``; the right half is ``lrgame.ui.widgets.level_panel``.

Saving is atomic (a temporary file in the same folder, fsync, ``os.replace``);
the file is watched once a second: a clean buffer follows changes made on
disk, a modified one keeps its edits and warns (``editor_file.py``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, OptionList, Static, TextArea
from textual.worker import get_current_worker

from lrgame.engine.problems import Problem
from lrgame.levels.analysis import (
    Analysis,
    DemoReport,
    analyse,
    demo_report,
    listed_problems,
    next_problem,
    problem_label,
)
from lrgame.levels.model import Level
from lrgame.levels.template import schema_ref, template_text
from lrgame.levels.textfile import WatchedFile
from lrgame.safeio import printable

from ..i18n import N_, _
from ..widgets.level_panel import LevelPanel
from ..widgets.lr_control import translate_bindings
from .editor_file import EditorFile

if TYPE_CHECKING:
    from .setup import SetupResult

__all__ = ["EditorScreen"]

DEBOUNCE_SECONDS = 0.3
"""How long the typing must pause before the text is checked again."""
POLL_SECONDS = 1.0
"""How often the file's modification time is looked at."""


# ---------------------------------------------------------------------------
# The text area


def _json_text_area(text: str, **kwargs: Any) -> TextArea:
    # tree-sitter's JSON grammar comes with the textual[syntax] dependency. No soft
    # wrap: End and Ctrl+K act on the screen row when a line wraps, which cut JSON
    # lines in half; a level's long strings scroll sideways instead.
    return TextArea.code_editor(text, language="json", soft_wrap=False, **kwargs)


# ---------------------------------------------------------------------------
# The screen


class EditorScreen(EditorFile):
    """Edit the level file at ``path``; a missing file starts from the template, unsaved."""

    CSS_PATH = "editor.tcss"
    AUTO_FOCUS = "#editor-text"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Save"), key_display="^S"),
        Binding("f8", "next_problem", N_("Next problem"), key_display="F8"),
        Binding("ctrl+n", "next_problem", N_("Next problem"), show=False),
        Binding("f5", "playtest", N_("Play-test"), key_display="F5"),
        Binding("ctrl+r", "playtest", N_("Play-test"), show=False),
        Binding("f9", "run_demos", N_("Run demos"), key_display="F9"),
        Binding("ctrl+t", "run_demos", N_("Run demos"), show=False),
    ]

    @dataclass
    class PlaytestRequested(Message):
        """Play ``level`` (the unsaved text) as ``setup`` chose; the app runs the descent.

        ``after`` gets where the player chose to go next (``"retry"``, ``"setup"``,
        ``"map"``…): the editor, not the campaign, decides what follows a play-test.
        """

        level: Level
        setup: SetupResult
        after: Callable[[str | None], None]

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        translate_bindings(self)
        self.path = Path(path)
        self.file_label = printable(str(path))  # shown in the header and messages
        """The file as named on the command line: the validator's lines start with it."""
        self.file = WatchedFile(path)
        """The file's side: what it held when last read or written, and its changes."""
        self.disk_changed = False
        """The file changed on disk while the buffer had edits: saving asks first."""
        self.analysis: Analysis | None = None
        self.demos: DemoReport | None = None
        self.problems: list[Problem] = []
        """What the problem list shows and F8 walks through: the validator's lines for the
        text as last checked, then the demos' once run."""
        self._generation = 0
        self._started = 0
        """The newest analysis started; results of older ones are dropped."""
        self._debounce: Timer | None = None
        self._poll: Timer | None = None
        self._asking = False
        self._playtest_json: dict[str, Any] | None = None
        self._playtest_practice = False
        self._initial_text, self._load_error = self._read_initial()

    # -- building -----------------------------------------------------------

    def _read_initial(self) -> tuple[str, str | None]:
        try:
            text = self.file.read()
        except UnicodeDecodeError:
            return "", _(
                "{file} is not UTF-8 text; the editor cannot open it", file=self.file_label
            )
        except OSError as error:
            reason = error.strerror or str(error)
            return "", _("cannot read {file}: {reason}", file=self.file_label, reason=reason)
        if text is None:
            return template_text(self.path.name, schema_ref(self.path)), None
        return text, None

    def compose(self) -> ComposeResult:
        with Horizontal(id="editor-body"):
            with Vertical(id="editor-left"):
                yield _json_text_area(
                    self._initial_text,
                    theme="css",
                    read_only=self._load_error is not None,
                    id="editor-text",
                )
                yield Static("", id="editor-status", markup=False)
            yield LevelPanel(id="editor-side")
        yield Footer()

    def on_mount(self) -> None:
        area = self.text_area
        if area.text != self._initial_text and self.file.saved_text is not None:
            self.notify(
                _(
                    "{file} has line breaks the editor rewrites (such as U+2028 or mixed "
                    "line endings); saving will change them.",
                    file=self.file_label,
                ),
                severity="warning",
                timeout=10,
            )
        if self._load_error is not None:
            self.notify(self._load_error, severity="error", timeout=15)
        elif self.file.saved_text is None:
            self.notify(
                _(
                    "{file} does not exist yet: this is the template. Ctrl+S writes it.",
                    file=self.file_label,
                ),
                timeout=8,
            )
        self._poll = self.set_interval(POLL_SECONDS, self.check_disk)
        self._update_status()
        self.analyse_now()

    def on_unmount(self) -> None:
        for timer in (self._debounce, self._poll):
            if timer is not None:
                timer.stop()

    # -- state ---------------------------------------------------------------

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#editor-text", TextArea)

    @property
    def panel(self) -> LevelPanel:
        return self.query_one(LevelPanel)

    @property
    def text(self) -> str:
        """The buffer, saved or not."""
        return self.text_area.text

    @property
    def dirty(self) -> bool:
        """The buffer differs from the file on disk (or the file is not there)."""
        if self._load_error is not None:
            return False
        return self.file.saved_text is None or self.text != self.file.saved_text

    def _update_status(self) -> None:
        area = self.text_area
        row, column = area.cursor_location
        if self._load_error is not None:
            state = _("read-only: cannot open")
        elif self.file.saved_text is None:
            state = _("● not saved yet")
        elif self.dirty:
            state = _("● modified")
        else:
            state = _("saved")
        parts = [state, _("Ln {line}, Col {column}", line=row + 1, column=column + 1)]
        if self.disk_changed:
            parts.append(_("⚠ changed on disk"))
        parts.append(self.file_label)
        self.query_one("#editor-status", Static).update("  ·  ".join(parts))

    # -- checking as you type ------------------------------------------------

    @on(TextArea.Changed, "#editor-text")
    def _text_changed(self) -> None:
        self._generation += 1
        self._update_status()
        if self.demos is not None:
            self._show_demos()
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE_SECONDS, self.analyse_now)

    @on(TextArea.SelectionChanged, "#editor-text")
    def _cursor_moved(self) -> None:
        self._update_status()

    def analyse_now(self) -> None:
        """Check the text as it is now, in a worker; the newest result wins."""
        self._debounce = None
        self._started = self._generation
        self._analyse(self.text, self._generation)

    @work(thread=True, exclusive=True, group="editor-analyse", exit_on_error=False)
    def _analyse(self, text: str, generation: int) -> None:
        result = analyse(text, self.file_label)
        if not get_current_worker().is_cancelled:
            self._from_thread(self._apply_analysis, result, generation)

    def _from_thread(self, callback: Callable[..., Any], *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the app is shutting down
            self.app.call_from_thread(callback, *args)

    def _apply_analysis(self, result: Analysis, generation: int) -> None:
        if generation != self._started or not self.is_attached:
            return  # a newer analysis is on its way
        self.analysis = result
        self.panel.show_analysis(result)
        self._refresh_problems()

    def _refresh_problems(self) -> None:
        result = self.analysis
        if result is None:
            return
        self.problems = listed_problems(result, self.demos)
        demos_ran = self.demos is not None and self.demos.text == result.text
        self.panel.show_problems(self.problems, demos_ran)

    # -- problems ------------------------------------------------------------

    def action_next_problem(self) -> None:
        """Move the cursor to the next problem after it (wrapping round)."""
        row, column = self.text_area.cursor_location
        index = next_problem(self.problems, row + 1, column + 1)
        if index is None:
            self.notify(_("No problems with a position to jump to."))
            return
        self.jump_to(self.problems[index])
        self.panel.highlight_problem(index)

    def jump_to(self, problem: Problem) -> None:
        if problem.position is None:
            return
        area = self.text_area
        lines = area.document.lines
        row = min(max(problem.position.line - 1, 0), len(lines) - 1)
        column = min(max(problem.position.column - 1, 0), len(lines[row]))
        area.move_cursor((row, column), center=True)
        area.focus()

    @on(OptionList.OptionSelected, "#editor-problems")
    def _problem_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option_index < len(self.problems):
            self.jump_to(self.problems[event.option_index])

    # -- demos ---------------------------------------------------------------

    def action_run_demos(self) -> None:
        self.panel.demos_running()
        self._run_demos(self.text)

    @work(thread=True, exclusive=True, group="editor-demos", exit_on_error=False)
    def _run_demos(self, text: str) -> None:
        report = demo_report(text, self.file_label)
        if not get_current_worker().is_cancelled:
            self._from_thread(self._demos_done, report)

    def _demos_done(self, report: DemoReport) -> None:
        if not self.is_attached:
            return
        self.demos = report
        self._show_demos()
        self._refresh_problems()

    def _show_demos(self) -> None:
        if self.demos is not None:
            self.panel.show_demos(self.demos, stale=self.demos.text != self.text)

    # -- play-testing --------------------------------------------------------

    def action_playtest(self) -> None:
        """Play the text as it is now (saved or not): the game's setup, then its descent."""
        self._prepare_playtest(self.text)

    @work(thread=True, exclusive=True, group="editor-playtest", exit_on_error=False)
    def _prepare_playtest(self, text: str) -> None:
        result = analyse(text, self.file_label)
        if not get_current_worker().is_cancelled:
            self._from_thread(self._open_playtest, result)

    def _open_playtest(self, result: Analysis) -> None:
        if not self.is_current:
            return
        if not result.playable or result.level is None:
            first = result.problems[0] if result.problems else None
            self.notify(
                _(
                    "The level cannot be played yet: {problem}",
                    problem=problem_label(first) if first else "?",
                ),
                severity="error",
                timeout=8,
            )
            if first is not None:
                self.jump_to(first)
            return
        self._open_setup(result.level)

    def _open_setup(self, level: Level) -> None:
        from .setup import SetupScreen

        def chosen(result: SetupResult | None) -> None:
            if result is None:
                return  # back in the editor
            self._playtest_json = result.strategy_json
            self._playtest_practice = result.practice
            self._open_descent(level, result)

        self.app.push_screen(
            SetupScreen(level, self._playtest_json, self._playtest_practice), chosen
        )

    def _open_descent(self, level: Level, setup: SetupResult) -> None:
        def after(choice: str | None) -> None:
            if choice in ("retry", "setup"):
                self._open_setup(level)
            # Anything else (map, next level, ...) leads back to the editor.

        self.post_message(self.PlaytestRequested(level, setup, after))
