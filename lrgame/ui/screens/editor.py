"""The level editor: the JSON on the left, the level it makes on the right.

Every edit is checked the way ``lrgame validate`` checks a file, with the same
messages and positions: 0.3 s after the typing pauses, a worker thread runs
:func:`analyse` (the validator without the demos, the minima, the facts), and
the newest result replaces the preview, the facts and the problem list. Results
of analyses that a newer one has superseded are dropped. The demos run on a key
(:func:`demo_report`, also in a worker), and a play-test sends the unsaved text
through the game's own setup and descent screens, then comes back.

Saving is atomic (a temporary file in the same folder, fsync, ``os.replace``);
the file is watched once a second: a clean buffer follows changes made on
disk, a modified one keeps its edits and warns.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Footer, OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from lrgame.atomic import write_atomically
from lrgame.engine.problems import Problem, format_path
from lrgame.engine.simulate import Run, run_batch
from lrgame.engine.stability import stability_limit
from lrgame.engine.strategy import parse_strategy
from lrgame.levels.jsonpos import JsonError, parse_json
from lrgame.levels.lab import ModelLevel
from lrgame.levels.loader import check_text, demo_problems, locate
from lrgame.levels.model import Level
from lrgame.levels.reader import read_level
from lrgame.levels.template import schema_ref, template_text
from lrgame.numfmt import loss as loss_text
from lrgame.numfmt import num
from lrgame.safeio import printable, read_capped

from ..i18n import N_, _
from ..widgets.lab import ModelView
from ..widgets.landscape import LandscapeView
from ..widgets.lr_control import translate_bindings
from .guarded import GuardedScreen

if TYPE_CHECKING:
    from .setup import SetupResult

__all__ = [
    "Analysis",
    "DemoReport",
    "DemoResult",
    "EditorScreen",
    "problem_label",
    "analyse",
    "demo_report",
    "level_facts",
    "read_level_text",
    "write_atomically",
]

DEBOUNCE_SECONDS = 0.3
"""How long the typing must pause before the text is checked again."""
POLL_SECONDS = 1.0
"""How often the file's modification time is looked at."""
BOM = b"\xef\xbb\xbf"


# ---------------------------------------------------------------------------
# Checking a text (no UI: runs in worker threads, and in tests directly)


def problem_label(problem: Problem) -> str:
    """How the problem list shows a problem: its place first, then the path and the message."""
    text = printable(replace(problem, position=None).line())
    if problem.position is None:
        return text
    return f"{problem.position.line}:{problem.position.column}  {text}"


@dataclass(frozen=True)
class Analysis:
    """What the validator and the engine say about one version of the text."""

    text: str
    problems: tuple[Problem, ...]
    """The validator's problems (demos not run), located and in file order."""
    level: Level | None
    """The level to preview: also set when only its goal is wrong (to show why)."""
    playable: bool
    facts: tuple[str, ...]
    start_run: Run | None
    """A run of no steps at the start: it makes the preview mark the start."""


def analyse(text: str, file: str) -> Analysis:
    """Check ``text`` as ``lrgame validate`` would (without demos) and gather the facts.

    Never raises: whatever the text, the answer is a list of messages.
    """
    try:
        checked = check_text(text, file, run_demos=False)
        level = checked.level if checked.level is not None else _readable_level(text, file)
        facts: tuple[str, ...] = ()
        run = None
        if isinstance(level, ModelLevel):
            from lrgame.labcoach import model_facts

            facts = tuple(model_facts(level))
        elif level is not None:
            facts = tuple(level_facts(level))
            run = _start_run(level)
        return Analysis(text, tuple(checked.problems), level, checked.level is not None, facts, run)
    except Exception as error:  # noqa: BLE001 - the editor shows it; it must never crash
        message = _("internal error while checking: {error}", error=f"{error!r}")
        return Analysis(text, (Problem((), message),), None, False, (), None)


def _readable_level(text: str, file: str) -> Level | None:
    """The level as read, even if its goal was refused: the preview shows what is wrong."""
    try:
        document = parse_json(text)
    except JsonError:
        return None
    level, _problems = read_level(document.value, source=file, digest_text=document.text)
    return level


def _start_run(level: Level) -> Run:
    start = np.asarray([level.start], dtype=np.float64)
    with np.errstate(all="ignore"):
        loss = level.landscape.loss(start)
    return Run(
        trajectory=start,
        loss=np.asarray(loss, dtype=np.float64).reshape(1),
        grad=np.zeros_like(start),
        lr=np.zeros(0),
        momentum=None,
        diverged=False,
    )


def _num(value: float) -> str:
    # A coordinate of 1e-17 is the minimum at 0 seen through rounding, not a number to show.
    return "0" if math.isfinite(value) and abs(value) < 1e-12 else num(value)


def _point(point: Sequence[float]) -> str:
    return "(" + ", ".join(_num(float(v)) for v in point) + ")"


def level_facts(level: Level) -> list[str]:
    """The facts an author checks: the minima, the curvature there and the stable rate."""
    landscape = level.landscape
    axes = ("x", "y")
    domain = ", ".join(
        f"{axes[i]} ∈ [{_num(lo)}, {_num(hi)}]" for i, (lo, hi) in enumerate(level.domain)
    )
    with np.errstate(all="ignore"):
        start_loss = float(landscape.loss(np.asarray([level.start]))[0])
        goal = level.goal
        points = np.asarray(goal.minima, dtype=np.float64).reshape(-1, level.dim)
        lines = [
            _(
                "{dim}-D · {domain} · start {start} · loss {loss}",
                dim=level.dim,
                domain=domain,
                start=_point(level.start),
                loss=loss_text(start_loss),
            )
        ]
        if len(points) == 0:
            lines.append(_("No minimum inside the domain."))
        else:
            shown = ", ".join(_point(p) for p in points[:3]) + (" …" if len(points) > 3 else "")
            if len(points) == 1:
                lines.append(
                    _("Global minimum {point}, loss {loss}", point=shown, loss=loss_text(goal.loss))
                )
            else:
                lines.append(
                    _(
                        "{count} global minima {points}, loss {loss}",
                        count=len(points),
                        points=shown,
                        loss=loss_text(goal.loss),
                    )
                )
            sgd = parse_strategy(
                {"optimizer": {"name": "sgd", "lr": 0.01}}, level_steps=level.steps
            )
            curvatures = [float(c) for c in landscape.curvature(points)]
            low, high = min(curvatures), max(curvatures)
            limit = stability_limit(sgd.optimizer, high)
            if limit is None:
                lines.append(_("Curvature λ = {lam} there: no SGD step limit", lam=_num(high)))
            elif _num(low) == _num(high):
                lines.append(
                    _(
                        "Curvature λ = {lam} · SGD stable for lr < 2/λ = {limit}",
                        lam=_num(high),
                        limit=_num(limit),
                    )
                )
            else:
                widest = stability_limit(sgd.optimizer, low)
                lines.append(
                    _(
                        "Curvature λ = {low} to {high} · SGD stable for lr < 2/λ = "
                        "{widest} to {limit}",
                        low=_num(low),
                        high=_num(high),
                        widest=_num(widest) if widest is not None else "∞",
                        limit=_num(limit),
                    )
                )
        local = level.local_minima
        if local:
            shown = ", ".join(_point(p) for p in local[:2]) + (" …" if len(local) > 2 else "")
            lines.append(_("Local minima: {count} {points}", count=len(local), points=shown))
        else:
            lines.append(_("Local minima: none"))
    lines.append(
        _(
            "Steps {steps} · par {par} · tolerance {tolerance}",
            steps=level.steps,
            par=level.par,
            tolerance=_num(level.tolerance),
        )
    )
    return lines


@dataclass(frozen=True)
class DemoResult:
    """How one demo did: its path, the outcome the file states and the one the engine found."""

    path: str
    """``demos.lose[0]``."""
    line: int
    column: int
    expected: str
    actual: str
    passed: bool
    why: str = ""
    """The validator's message when it failed."""

    def label(self) -> str:
        mark = "✔" if self.passed else "✗"
        text = _(
            "{mark} {path}  expected {expected} · got {actual}",
            mark=mark,
            path=self.path,
            expected=self.expected,
            actual=self.actual,
        )
        if not self.passed and self.expected == self.actual and self.why:
            text += f" — {self.why}"
        return text


@dataclass(frozen=True)
class DemoReport:
    """The demos of one version of the text."""

    text: str
    results: tuple[DemoResult, ...]
    problems: tuple[Problem, ...]
    """The validator's problems with the demos: what ``lrgame validate`` adds when they fail."""
    blocked: str | None = None
    """Why the demos could not run (the level has other problems)."""

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)


def demo_report(text: str, file: str) -> DemoReport:
    """Run the level's demos; every demo's outcome, and the validator's lines if any fail.

    Never raises. The problems are :func:`lrgame.levels.loader.demo_problems`,
    located and ordered as ``lrgame validate`` prints them.
    """
    try:
        checked = check_text(text, file, run_demos=False)
        level = checked.level
        if level is None:
            count = len(checked.problems)
            return DemoReport(
                text,
                (),
                (),
                _("the level has other problems ({count}); fix them first", count=count),
            )
        document = parse_json(text)
        problems = locate(document, demo_problems(level))
        outcomes = _demo_outcomes(level)
        results = []
        for demo, actual in zip(level.demos, outcomes, strict=True):
            mine = [p.message for p in problems if p.path == demo.path]
            where = document.position(demo.path[:-1])
            results.append(
                DemoResult(
                    format_path(demo.path[:-1]),
                    where.line,
                    where.column,
                    demo.outcome,
                    actual,
                    not mine,
                    "; ".join(mine),
                )
            )
        return DemoReport(text, tuple(results), tuple(problems))
    except Exception as error:  # noqa: BLE001 - shown in the editor, never a crash
        return DemoReport(text, (), (), _("internal error: {error}", error=f"{error!r}"))


def _demo_outcomes(level: Level) -> list[str]:
    if not level.demos:
        return []
    batch = run_batch(level.landscape, level.start, [d.strategy for d in level.demos], level.noise)
    verdicts = level.judge(batch)
    return [v.outcome for v in verdicts]


# ---------------------------------------------------------------------------
# Files


def read_level_text(path: str | os.PathLike[str]) -> tuple[str, bool]:
    """A level file's text and whether it starts with a UTF-8 byte order mark.

    Raises OSError (also for a FIFO, a device or a file over the size limit), or
    UnicodeDecodeError for a file that is not UTF-8.
    """
    data = read_capped(path)
    bom = data.startswith(BOM)
    return data[len(BOM) :].decode("utf-8") if bom else data.decode("utf-8"), bom


def _signature(path: Path) -> tuple[int, int, int] | None:
    """What changes when the file does: modification time, size, inode (a rename-over)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


# ---------------------------------------------------------------------------
# The text area


def _json_text_area(text: str, **kwargs: Any) -> TextArea:
    # tree-sitter's JSON grammar comes with the textual[syntax] dependency. No soft
    # wrap: End and Ctrl+K act on the screen row when a line wraps, which cut JSON
    # lines in half; a level's long strings scroll sideways instead.
    return TextArea.code_editor(text, language="json", soft_wrap=False, **kwargs)


# ---------------------------------------------------------------------------
# The screen


class EditorScreen(GuardedScreen[None]):
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

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        translate_bindings(self)
        self.path = Path(path)
        self.file_label = printable(str(path))  # shown in the header and messages
        """The file as named on the command line: the validator's lines start with it."""
        self.saved_text: str | None = None
        """What the file held when last read or written (None: not on disk)."""
        self.bom = False
        self.disk_changed = False
        """The file changed on disk while the buffer had edits: saving asks first."""
        self.analysis: Analysis | None = None
        self.demos: DemoReport | None = None
        self.problems: list[Problem] = []
        """What the problem list shows: the validator's, then the demos' once run."""
        """What F8 walks through: the validator's lines for the text as last checked."""
        self._generation = 0
        self._started = 0
        """The newest analysis started; results of older ones are dropped."""
        self._debounce: Timer | None = None
        self._poll: Timer | None = None
        self._disk_signature: tuple[int, int, int] | None = None
        self._preview_key: tuple[Any, ...] | None = None
        self._asking = False
        self._playtest_json: dict[str, Any] | None = None
        self._playtest_practice = False
        self._initial_text, self._load_error = self._read_initial()

    # -- building -----------------------------------------------------------

    def _read_initial(self) -> tuple[str, str | None]:
        if not self.path.exists():
            return template_text(self.path.name, schema_ref(self.path)), None
        try:
            text, self.bom = read_level_text(self.path)
        except UnicodeDecodeError:
            return "", _(
                "{file} is not UTF-8 text; the editor cannot open it", file=self.file_label
            )
        except OSError as error:
            reason = error.strerror or str(error)
            return "", _("cannot read {file}: {reason}", file=self.file_label, reason=reason)
        self.saved_text = text
        self._disk_signature = _signature(self.path)
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
            with Vertical(id="editor-side"):
                yield Static(_("Preview"), id="preview-title", markup=False)
                yield LandscapeView(id="editor-preview")
                yield ModelView(id="editor-model")
                with VerticalScroll(id="editor-info"):
                    yield Static("", id="editor-facts", markup=False)
                    yield Static(_("Checking…"), id="problems-title", markup=False)
                    yield OptionList(id="editor-problems")
                    yield Static("", id="demos-title", markup=False)
                    yield Static("", id="editor-demos", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        area = self.text_area
        if area.text != self._initial_text and self.saved_text is not None:
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
        elif self.saved_text is None:
            self.notify(
                _(
                    "{file} does not exist yet: this is the template. Ctrl+S writes it.",
                    file=self.file_label,
                ),
                timeout=8,
            )
        self.query_one("#editor-preview", LandscapeView).practice = True
        self.query_one("#editor-model", ModelView).display = False
        self.query_one("#editor-problems", OptionList).display = False
        self.query_one("#demos-title").display = False
        self.query_one("#editor-demos").display = False
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
    def text(self) -> str:
        """The buffer, saved or not."""
        return self.text_area.text

    @property
    def dirty(self) -> bool:
        """The buffer differs from the file on disk (or the file is not there)."""
        if self._load_error is not None:
            return False
        return self.saved_text is None or self.text != self.saved_text

    def _update_status(self) -> None:
        area = self.text_area
        row, column = area.cursor_location
        if self._load_error is not None:
            state = _("read-only: cannot open")
        elif self.saved_text is None:
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
        title = self.query_one("#preview-title", Static)
        view = self.query_one("#editor-preview", LandscapeView)
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
            facts = self.query_one("#editor-facts", Static)
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
            facts = self.query_one("#editor-facts", Static)
            facts.update("\n".join(result.facts))
            facts.remove_class("-stale")
        elif self._preview_key is not None:
            title.update(_("Preview of the last readable version"))
            self.query_one("#editor-facts", Static).add_class("-stale")
        else:
            title.update(_("No preview until the level can be read"))
        self._refresh_problems()

    def _refresh_problems(self) -> None:
        result = self.analysis
        if result is None:
            return
        problems = list(result.problems)
        demos = self.demos
        if demos is not None and demos.text == result.text and demos.blocked is None:
            problems += demos.problems
        self.problems = problems
        title = self.query_one("#problems-title", Static)
        options = self.query_one("#editor-problems", OptionList)
        if not self.problems:
            ran = demos is not None and demos.text == result.text
            title.update(_("✔ No problems.") if ran else _("✔ No problems (demos not run: F9)."))
            options.clear_options()
            options.display = False
            return
        count = len(self.problems)
        title.update(
            _("✗ 1 problem: F8 jumps to it")
            if count == 1
            else _("✗ {count} problems: F8 jumps to the next", count=count)
        )
        options.set_options(Option(problem_label(p)) for p in self.problems)
        options.display = True

    # -- problems ------------------------------------------------------------

    def action_next_problem(self) -> None:
        """Move the cursor to the next problem after it (wrapping round)."""
        placed = [(i, p) for i, p in enumerate(self.problems) if p.position is not None]
        if not placed:
            self.notify(_("No problems with a position to jump to."))
            return
        row, column = self.text_area.cursor_location
        here = (row + 1, column + 1)
        ahead = [
            (i, p) for i, p in placed if p.position and (p.position.line, p.position.column) > here
        ]
        index, problem = (ahead or placed)[0]
        self.jump_to(problem)
        options = self.query_one("#editor-problems", OptionList)
        if options.option_count > index:
            options.highlighted = index

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
        self.query_one("#demos-title").display = True
        self.query_one("#demos-title", Static).update(_("Demos: running…"))
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
        report = self.demos
        if report is None:
            return
        title = self.query_one("#demos-title", Static)
        body = self.query_one("#editor-demos", Static)
        title.display = True
        stale = report.text != self.text
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

    # -- saving, and the file on disk -----------------------------------------

    def action_save(self) -> None:
        if self._load_error is not None:
            self.notify(self._load_error, severity="error")
            return
        if self.disk_changed:
            from .confirm import ConfirmScreen

            def answer(yes: bool | None) -> None:
                if yes:
                    self.save()

            self.app.push_screen(
                ConfirmScreen(
                    _(
                        "{file} changed on disk since the editor read it. Replace it with the "
                        "editor's text?",
                        file=self.file_label,
                    ),
                    _("Replace"),
                    _("Cancel"),
                ),
                answer,
            )
            return
        self.save()

    def save(self) -> bool:
        """Write the buffer to the file atomically; False (and a message) if it failed."""
        text = self.text
        try:
            write_atomically(self.path, text, bom=self.bom)
        except (OSError, UnicodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            self.notify(
                _(
                    "Could not save {file}: {reason}. The file on disk is unchanged; your "
                    "edits are still here.",
                    file=self.file_label,
                    reason=reason,
                ),
                severity="error",
                timeout=10,
            )
            return False
        self.saved_text = text
        self.disk_changed = False
        self._disk_signature = _signature(self.path)
        count = (
            len(self.problems) if self.analysis is not None and self.analysis.text == text else 0
        )
        if count:
            self.notify(
                _("Saved {file}, with problems left ({count}).", file=self.file_label, count=count)
            )
        else:
            self.notify(_("Saved {file}.", file=self.file_label))
        self._update_status()
        return True

    def check_disk(self) -> None:
        """Look at the file: follow a change made elsewhere, or warn if there are edits."""
        if not self.is_attached or self._load_error is not None:
            return
        signature = _signature(self.path)
        if signature == self._disk_signature:
            return
        self._disk_signature = signature
        if signature is None:
            if self.saved_text is not None:
                self.saved_text = None
                self.notify(
                    _("{file} was deleted or moved; Ctrl+S writes it again.", file=self.file_label),
                    severity="warning",
                    timeout=10,
                )
                self._update_status()
            return
        try:
            text, bom = read_level_text(self.path)
        except (OSError, UnicodeDecodeError):
            return  # half-written, or not ours to read: look again next time
        if text == self.saved_text:
            return
        if self.dirty:
            self.disk_changed = True
            self.notify(
                _(
                    "{file} changed on disk. Your unsaved edits are kept; saving will ask "
                    "before replacing the file.",
                    file=self.file_label,
                ),
                severity="warning",
                timeout=10,
            )
        else:
            self.reload(text, bom)
        self._update_status()

    def reload(self, text: str, bom: bool = False) -> None:
        """Show the file's new content, the cursor kept where it was (as far as it exists)."""
        area = self.text_area
        row, column = area.cursor_location
        self.saved_text = text
        self.bom = bom
        self.disk_changed = False
        area.load_text(text)
        lines = area.document.lines
        row = min(row, len(lines) - 1)
        area.move_cursor((row, min(column, len(lines[row]))))
        self.notify(_("Reloaded {file}: it changed on disk.", file=self.file_label))

    # -- leaving -------------------------------------------------------------

    def ask_before_quit(self) -> bool:
        """Called by the app before it quits: True if this screen asks first (unsaved edits)."""
        if not self.dirty:
            return False
        if not self._asking:
            self._confirm_discard(self.app.exit)
        return True

    def _confirm_discard(self, then: Callable[[], Any]) -> None:
        from .confirm import ConfirmScreen

        self._asking = True

        def answer(yes: bool | None) -> None:
            self._asking = False
            if yes:
                then()

        self.app.push_screen(
            ConfirmScreen(
                _("{file} has unsaved changes. Quit without saving them?", file=self.file_label),
                _("Quit"),
                _("Stay"),
            ),
            answer,
        )

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

        self.app.start_descent(  # type: ignore[attr-defined]
            level,
            setup.strategy,
            setup.strategy_json,
            setup.practice,
            used_finder=setup.used_finder,
            after=after,
        )
