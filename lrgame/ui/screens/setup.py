"""The setup screen: choose the optimizer, the learning rate and the schedule, then run.

Every field is checked the way a strategy file is: on each change the whole
strategy is rebuilt as JSON and checked by :func:`lrgame.setupform.check_form`
(the engine's ``read_strategy``), so the screen can never accept what the engine
(or ``lrgame validate``) would refuse. An invalid value shows the engine's
message beside its field, marked with ✗; the run cannot be launched while
anything is invalid. What the form means without a terminal (its fields, their
text, the checks, the preview's numbers) lives in ``lrgame.setupform``.

The fields of an optimizer or schedule are built the first time it is chosen
and then only shown or hidden: switching back finds the values as they were,
and a level that allows everything does not mount some 400 widgets up front.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Collapsible, Footer, Input, Label, Select, Static

from lrgame.engine.optim import REGISTRY as OPTIMIZERS
from lrgame.engine.problems import Problem
from lrgame.engine.sched import REGISTRY as SCHEDULES
from lrgame.engine.strategy import Strategy
from lrgame.levels.model import Level
from lrgame.setupform import (
    OPTIMIZER_LABELS,
    FormStart,
    Section,
    check_form,
    lr_label,
    preview,
    problem_text,
    strategy_data,
)
from lrgame.ui.i18n import N_, _
from lrgame.ui.i18n import language as current_language
from lrgame.ui.widgets.lr_control import LrControl, LrInput, parse_lr_text, translate_bindings
from lrgame.ui.widgets.param_field import ParamField
from lrgame.ui.widgets.strategy_preview import StrategyPreview
from lrgame.ui.widgets.tick import Tick

from .guarded import GuardedScreen

__all__ = ["SetupResult", "SetupScreen"]


@dataclass(frozen=True)
class SetupResult:
    """What the player launched: the strategy, its file form, and whether it is a practice run.

    ``used_finder``: the LR finder was run for this setup (accepted or not, the
    probe was paid for: see ``lrgame.engine.scoring.finder_verdict``).
    """

    strategy: Strategy
    strategy_json: dict[str, Any]
    practice: bool
    used_finder: bool = False


class SetupScreen(GuardedScreen[SetupResult | None]):
    """Choose a strategy for ``level`` and launch it (or go back: None).

    ``strategy_json`` restores the previous settings on a retry; without it
    the level's starting strategy (its ``setup``, else the first allowed
    optimizer at lr 0.01 with a constant rate). ``language`` is the language of the
    level's title (default: the game's as the screen is made).
    """

    CSS_PATH = "setup.tcss"
    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (76, "-wide"),
    ]
    AUTO_FOCUS = "#lr-input"
    """The rate is what the game is about: type it, or move it with the arrows, from the start."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "launch", N_("Run"), priority=True),
        Binding("f5", "launch", N_("Run"), show=False, priority=True),
        Binding("escape", "back", N_("Back")),
        Binding("p", "toggle_practice", N_("Practice")),
        Binding("f", "finder", N_("LR finder")),
        Binding("f", "finder_refused", show=False),
    ]

    def __init__(
        self,
        level: Level,
        strategy_json: dict[str, Any] | None = None,
        practice: bool = False,
        *,
        language: str | None = None,
    ) -> None:
        super().__init__()
        translate_bindings(self)
        self.level = level
        self.allowed = level.allowed
        self.initial_practice = practice
        self.language = language or current_language()
        """The language of the level's title (the rest follows the catalog)."""
        self.start = FormStart(level, strategy_json)
        """What the form offers and the values it starts from."""
        self.strategy: Strategy | None = None
        """The strategy as it stands, or None while anything is invalid."""
        self.problems: list[Problem] = []
        """What stops the launch (the form's and the engine's), shown by :meth:`problem_text`."""
        self._field_map: dict[tuple[str, str], list[ParamField]] = {}
        """Every field built so far, by (section, optimizer or schedule name)."""
        self._check_pending = False
        self.used_finder = False
        """The LR finder was run for this setup (its cost applies even if ignored)."""

    # -- layout -------------------------------------------------------

    def compose(self) -> ComposeResult:
        level = self.level
        with Horizontal(id="setup-header"):
            yield Static(Text(level.title.get(self.language), style="bold"), id="setup-title")
            yield Static(
                _("budget {steps} steps · par {par}", steps=level.steps, par=level.par),
                id="setup-budget",
            )
        start_opt, start_sched = self.start.optimizer, self.start.schedule
        opt_common, opt_more = self._build_group("optimizer", start_opt)
        sched_common, sched_more = self._build_group("schedule", start_sched)
        with Horizontal(id="setup-body"):
            with VerticalScroll(id="setup-form"):
                yield LrControl(self.start.lr, id="lr")
                yield Label(_("Optimizer"), classes="section")
                yield Select(
                    [(OPTIMIZER_LABELS[n], n) for n in self.start.optimizers],
                    value=start_opt,
                    allow_blank=False,
                    compact=True,
                    id="optimizer",
                )
                yield Vertical(opt_common, id="opt-groups", classes="groups")
                yield Label(_("Schedule"), classes="section")
                yield Select(
                    [(n, n) for n in self.start.schedules],
                    value=start_sched,
                    allow_blank=False,
                    compact=True,
                    id="schedule",
                )
                yield Vertical(sched_common, id="sched-groups", classes="groups")
                yield Collapsible(
                    Vertical(opt_more, id="opt-more-groups", classes="groups"),
                    Vertical(sched_more, id="sched-more-groups", classes="groups"),
                    title=_("More settings"),
                    id="more",
                )
                yield Tick(_("Practice run"), self.initial_practice, id="practice")
                yield Static(
                    _("The landscape is shown from the start; the score is lower."),
                    id="practice-note",
                )
                yield Static("", id="status")
                with Horizontal(id="buttons"):
                    yield Button(_("Back"), id="back", compact=True)
                    yield Button(_("Run ▶"), id="run", variant="primary", compact=True)
            yield StrategyPreview(id="setup-side")
        yield Footer()

    def _build_group(self, section: Section, name: str) -> tuple[Vertical, Vertical]:
        """The (common, more) containers of one optimizer's or schedule's fields.

        Built when first chosen, not all up front: a level that allows
        everything would otherwise mount some 400 widgets before the first frame.
        """
        values, defaults = self.start.values(section, name)
        specs = self.start.fields(section, name)
        prefix = "opt" if section == "optimizer" else "sched"
        fields = [ParamField(section, name, s, values[s.key], defaults[s.key]) for s in specs]
        self._field_map[(section, name)] = fields
        common = Vertical(
            *[f for f in fields if not f.spec.more], id=f"{prefix}-{name}", classes="group"
        )
        extra: list[Widget] = [f for f in fields if f.spec.more]
        if extra:
            # Both halves share "More settings" and may share a name (eps):
            # a heading says whose each field is.
            heading = OPTIMIZER_LABELS[name] if section == "optimizer" else name
            extra.insert(0, Label(heading, classes="group-title"))
        more = Vertical(*extra, id=f"{prefix}-more-{name}", classes="group")
        return common, more

    async def _ensure_group(self, section: Section, name: str) -> None:
        if (section, name) in self._field_map:
            return
        prefix = "opt" if section == "optimizer" else "sched"
        common, more = self._build_group(section, name)
        await self.query_one(f"#{prefix}-groups").mount(common)
        await self.query_one(f"#{prefix}-more-groups").mount(more)

    def on_mount(self) -> None:
        self._show_groups()
        self._revalidate()
        # Focusing the bar before the first layout can leave the form scrolled
        # past its first lines (the rate's label): start at the top.
        self.call_after_refresh(self.query_one("#setup-form").scroll_home, animate=False)

    # -- reading the form ---------------------------------------------

    @property
    def optimizer_name(self) -> str:
        value = self.query_one("#optimizer", Select).value
        return value if isinstance(value, str) else self.start.optimizers[0]

    @property
    def schedule_name(self) -> str:
        value = self.query_one("#schedule", Select).value
        return value if isinstance(value, str) else self.start.schedules[0]

    @property
    def practice(self) -> bool:
        return self.query_one("#practice", Checkbox).value

    @property
    def lr_control(self) -> LrControl:
        return self.query_one("#lr", LrControl)

    @property
    def settled(self) -> bool:
        """The chosen groups are built, every shown field has its editor, and no check is
        waiting: what a test waits for after a change."""
        built = ("optimizer", self.optimizer_name) in self._field_map and (
            "schedule",
            self.schedule_name,
        ) in self._field_map
        return built and not self._check_pending and all(f.composed for f in self._active_fields())

    def _fields(self, section: str, group: str) -> list[ParamField]:
        # A dictionary, not a DOM query: this runs on every key press.
        return self._field_map.get((section, group), [])

    def _active_fields(self) -> list[ParamField]:
        return self._fields("optimizer", self.optimizer_name) + self._fields(
            "schedule", self.schedule_name
        )

    def strategy_data(self) -> dict[str, Any]:
        """The strategy JSON the form says now (unreadable fields left out)."""
        values = []
        for field in self._active_fields():
            present, value = field.read()
            if present:
                values.append((field.section, field.key, value))
        return strategy_data(
            self.optimizer_name, self.schedule_name, self.lr_control.value, values, self.level.steps
        )

    # -- checking -----------------------------------------------------

    def _revalidate(self) -> None:
        """Check the whole strategy and put every problem beside its field."""
        if not self.is_mounted:
            return
        self._sync_cycle_momentum(OPTIMIZERS[self.optimizer_name].momentum is not None)
        active = self._active_fields()
        data = self.strategy_data()  # reads every field, setting its own problems
        control = self.lr_control
        check = check_form(
            data,
            self.level,
            [f.target for f in active],
            {f.target: f.local_error for f in active if f.local_error is not None},
            parse_lr_text(control.text)[1],  # the control's own word on its text
        )
        control.set_error(check.lr_error)
        for field in active:
            field.set_engine_error(check.field_errors.get(field.target))
            field.show_error()
        self.problems = list(check.problems)
        self.strategy = check.strategy
        self._show_status()
        self._show_preview()

    def problem_text(self, problem: Problem) -> str:
        """A problem as the form shows it: the rate by its label, a field by its key."""
        return problem_text(problem, self.schedule_name)

    def _sync_cycle_momentum(self, has_momentum: bool) -> None:
        """Adagrad has no momentum to cycle (torch refuses): untick and lock the box."""
        for name in (n for n, d in SCHEDULES.items() if "cycle_momentum" in d.keys):
            for field in self._fields("schedule", name):
                if field.key != "cycle_momentum" or not field.composed:
                    continue
                box = field.editor
                assert isinstance(box, Checkbox)
                if not has_momentum and box.value:
                    with box.prevent(Checkbox.Changed):
                        box.value = False
                box.disabled = not has_momentum

    def _show_status(self) -> None:
        status = self.query_one("#status", Static)
        if self.problems:
            count = len(self.problems)
            status.update(
                Text(
                    "✗ "
                    + (
                        _("1 problem to fix before running")
                        if count == 1
                        else _("{count} problems to fix before running", count=count)
                    ),
                    style="bold",
                )
            )
            status.set_class(True, "-invalid")
        else:
            status.update(Text("✓ " + _("ready: ctrl+r or Run to start")))
            status.set_class(False, "-invalid")

    def _show_preview(self) -> None:
        strategy = self.strategy
        self.query_one(StrategyPreview).show(preview(strategy) if strategy is not None else None)

    def _show_groups(self) -> None:
        opt, sched = self.optimizer_name, self.schedule_name
        shown = {f"opt-{opt}", f"opt-more-{opt}", f"sched-{sched}", f"sched-more-{sched}"}
        for container in self.query(".groups"):
            for group in container.children:
                group.display = group.id in shown
        has_more = any(f.spec.more for f in self._active_fields())
        self.query_one("#more", Collapsible).display = has_more
        self.lr_control.set_label(lr_label(self.schedule_name))

    # -- events -------------------------------------------------------

    @on(Select.Changed, "#optimizer, #schedule")
    async def _choice_changed(self, event: Select.Changed) -> None:
        event.stop()
        section: Section = "optimizer" if event.select.id == "optimizer" else "schedule"
        if isinstance(event.value, str):
            await self._ensure_group(section, event.value)
        self._show_groups()
        self._revalidate()

    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(Select.Changed)
    @on(LrControl.Changed)
    def _field_changed(
        self, event: Input.Changed | Checkbox.Changed | Select.Changed | LrControl.Changed
    ) -> None:
        control_id = getattr(event.control, "id", None)
        if control_id in ("practice", "optimizer", "schedule"):
            return  # not a field (practice) or handled above
        # Mounting a group sends one Changed per field: check once for the lot.
        if not self._check_pending:
            self._check_pending = True
            self.call_later(self._deferred_check)

    def _deferred_check(self) -> None:
        self._check_pending = False
        self._revalidate()

    @on(Button.Pressed, "#run")
    def _run_pressed(self) -> None:
        self.action_launch()

    @on(Button.Pressed, "#back")
    def _back_pressed(self) -> None:
        self.action_back()

    # -- actions ------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # "p" is a letter: in a text field it types, so it is no shortcut there
        # (the rate's field types only numbers, so there it still is).
        typing = isinstance(self.focused, Input) and not isinstance(self.focused, LrInput)
        if action == "toggle_practice" and typing:
            return False
        if action == "finder":
            # Not offered on this level: not shown; the hidden twin says why instead.
            return self.allowed.finder and not typing
        if action == "finder_refused":
            return not self.allowed.finder and not typing
        return True

    def action_toggle_practice(self) -> None:
        self.query_one("#practice", Checkbox).toggle()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_finder_refused(self) -> None:
        self.notify(
            _("This level does not offer the LR finder: find the rate by walking."),
            title=_("No LR finder here"),
        )

    def action_finder(self) -> None:
        """Run the LR range test for the strategy as it stands; an accepted rate fills the control."""
        from .finder import FinderScreen

        if not self.allowed.finder:
            return
        self._revalidate()
        if self.strategy is None:
            first = (
                self.problem_text(self.problems[0])
                if self.problems
                else _("the strategy is incomplete")
            )
            self.notify(
                _("The LR finder needs a valid setup: {problem}", problem=first),
                title=_("Fix the marked fields"),
                severity="error",
            )
            self._focus_first_error()
            return
        # The probe starts as the screen opens: paid for whatever the player then picks.
        self.used_finder = True

        def chosen(lr: float | None) -> None:
            if lr is not None:
                self.lr_control.set_value(lr)
            self.query_one("#lr-bar").focus()

        self.app.push_screen(FinderScreen(self.level, self.strategy), chosen)

    def action_launch(self) -> None:
        self._revalidate()
        if self.strategy is None:
            first = (
                self.problem_text(self.problems[0])
                if self.problems
                else _("the strategy is incomplete")
            )
            self.notify(
                _("Cannot run yet: {problem}", problem=first),
                title=_("Fix the marked fields"),
                severity="error",
            )
            self._focus_first_error()
            return
        strategy = self.strategy
        self.dismiss(
            SetupResult(strategy, strategy.to_json(), self.practice, used_finder=self.used_finder)
        )

    def _focus_first_error(self) -> None:
        if self.lr_control.error is not None:
            self.query_one("#lr-input").focus()
            return
        for field in self._active_fields():
            if field.error is not None and field.composed:
                if field.spec.more:
                    self.query_one("#more", Collapsible).collapsed = False
                field.editor.focus()
                return
