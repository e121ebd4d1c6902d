"""The setup screen: choose the optimizer, the learning rate and the schedule, then run.

Every field is checked the way a strategy file is: on each change the whole
strategy is rebuilt as JSON and re-parsed with ``parse_strategy``, so the
screen can never accept what the engine (or ``lrgame validate``) would refuse.
An invalid value shows the engine's message beside its field, marked with ✗;
the run cannot be launched while anything is invalid.

The fields of an optimizer or schedule are built the first time it is chosen
and then only shown or hidden: switching back finds the values as they were,
and a level that allows everything does not mount some 400 widgets up front.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
from rich.text import Text
from textual import on
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Collapsible, Footer, Input, Label, Select, Static
from textual_plotext import PlotextPlot

from lrgame.engine.errors import SpecError
from lrgame.engine.optim import REGISTRY as OPTIMIZERS
from lrgame.engine.optimizers import DEFAULTS, OPTIMIZER_NAMES, update_rule
from lrgame.engine.params import ParamSpec
from lrgame.engine.problems import FieldPath, Problem, format_path
from lrgame.engine.sched import REGISTRY as SCHEDULES
from lrgame.engine.schedules import (
    SCHEDULE_NAMES,
    describe,
    is_pure,
    lr_values,
    momentum_values,
    parse_schedule,
)
from lrgame.engine.strategy import HEADLINE_SCHEDULES, Strategy, parse_strategy
from lrgame.engine.strategy_problems import read_strategy
from lrgame.levels.model import DEFAULT_SETUP_LR, Level
from lrgame.numfmt import num, rate
from lrgame.ui.i18n import N_, _, language
from lrgame.ui.widgets.lr_control import LrControl, LrInput, translate_bindings

from .guarded import GuardedScreen

__all__ = ["FieldSpec", "ParamField", "SchedulePreview", "SetupResult", "SetupScreen", "Tick"]

DEFAULT_LR = DEFAULT_SETUP_LR
"""The rate a fresh setup starts from: a common first guess, never the level's answer."""

Kind = Literal["float", "int", "bool", "choice", "numbers", "json", "text"]


@dataclass(frozen=True)
class SetupResult:
    """What the player launched: the strategy, its file form, and whether it is a practice run.

    ``used_finder``: the LR finder was run for this setup (accepted or not, the
    probe was paid for: see ``lrgame.ui.session.finder_verdict``).
    """

    strategy: Strategy
    strategy_json: dict[str, Any]
    practice: bool
    used_finder: bool = False


@dataclass(frozen=True)
class FieldSpec:
    """One hyperparameter field: torch's keyword and how its text reads.

    ``numbers`` is a comma-separated list (``betas``, ``milestones``); ``json``
    a JSON value (a sequence's schedules). ``more`` puts the field under
    "More settings" to keep the form short at 80x24.
    """

    key: str
    kind: Kind = "float"
    more: bool = False
    choices: tuple[str, ...] = ()


def F(
    key: str, kind: Kind = "float", *, more: bool = False, choices: tuple[str, ...] = ()
) -> FieldSpec:
    return FieldSpec(key, kind, more, choices)


_KINDS: Mapping[str, Kind] = {
    "float": "float",
    "int": "int",
    "bool": "bool",
    "choice": "choice",
    "floats": "numbers",
    "ints": "numbers",
    "schedules": "json",
    "expr": "text",
}


def _field(param: ParamSpec) -> FieldSpec:
    return FieldSpec(param.name, _KINDS[param.kind], param.advanced, param.choices)


def _fields(params: tuple[ParamSpec, ...]) -> tuple[FieldSpec, ...]:
    """The form's fields: the common ones first, the advanced ones under "More settings".

    (lr and max_lr are not fields: the LrControl sets them.)
    """
    shown = [p for p in params if p.field]
    return tuple(_field(p) for p in shown if not p.advanced) + tuple(
        _field(p) for p in shown if p.advanced
    )


# The fields come from the engine's declarations, so the form offers exactly
# what the parser reads.
OPTIMIZER_FIELDS: Mapping[str, tuple[FieldSpec, ...]] = {
    name: _fields(d.params) for name, d in OPTIMIZERS.items()
}
SGD_MOMENTUM_KEYS = ("momentum", "nesterov", "dampening")
"""SGD's fields that a level without momentum does not offer."""

SCHEDULE_FIELDS: Mapping[str, tuple[FieldSpec, ...]] = {
    name: _fields(d.params) for name, d in SCHEDULES.items()
}

OPTIMIZER_LABELS: Mapping[str, str] = {name: d.torch_class for name, d in OPTIMIZERS.items()}
"""torch's class names: what the player will meet in real code."""

SCHEDULER_CLASSES: Mapping[str, str] = {
    name: d.form_label or d.torch_class for name, d in SCHEDULES.items()
}


def _number_text(value: Any) -> str:
    """A parameter as the player would type it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_number_text(v) for v in value)
    return "" if value is None else str(value)


def _read_number(text: str) -> int | float:
    """``3`` stays an int (the engine's integer fields accept 3.0, not 3.5)."""
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    return float(text)


def _plain(value: Any) -> Any:
    """Parsed schedules (a chain's parts) back in their strategy-file form."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value.to_json() if hasattr(value, "to_json") else value


def _sequence_default(steps: int) -> list[dict[str, Any]]:
    """A warm-up then a cosine: a sequence needs parts, and this is the common one."""
    warmup = max(1, steps // 10)
    return [
        {"name": "linear", "start_factor": 0.1, "total_iters": warmup},
        {"name": "cosine"},
    ]


# --------------------------------------------------------------------------
# one field


class Tick(Checkbox):
    """A checkbox whose state reads without colour: ✓ when on, blank when off.

    Textual's shows the same X either way and tells them apart by colour only.
    """

    def __init__(self, label: str, value: bool = False, **kwargs: Any) -> None:
        super().__init__(label, value, compact=True, **kwargs)
        self.BUTTON_INNER = "✓" if value else " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "✓" if self.value else " "
        super().watch_value()  # sets -on and posts Changed
        self.refresh()


class ParamField(Widget):
    """A hyperparameter: torch's name, an editor, and what is wrong with it in words.

    An empty text field means "the default", shown as the placeholder.
    """

    DEFAULT_CSS = """
    ParamField { height: auto; width: 1fr; }
    """

    def __init__(
        self,
        section: str,
        group: str,
        spec: FieldSpec,
        value: Any,
        default: Any,
    ) -> None:
        prefix = "opt" if section == "optimizer" else "sched"
        super().__init__(id=f"{prefix}-{group}-{spec.key}", classes="param")
        self.section = section
        """``optimizer`` or ``schedule``: where the key goes in the strategy."""
        self.group = group
        """The optimizer or schedule this field belongs to."""
        self.spec = spec
        self._value = value
        self._default = default
        self._placeholder = default if isinstance(default, str) else _number_text(default)
        """The default as text: shown when the field is empty."""
        self._local_error: str | None = None
        self._engine_error: str | None = None

    @property
    def key(self) -> str:
        return self.spec.key

    def compose(self) -> ComposeResult:
        spec = self.spec
        if spec.kind == "bool":
            yield Tick(spec.key, bool(self._value), classes="param-editor")
        elif spec.kind == "choice":
            yield Horizontal(
                Label(spec.key, classes="param-label"),
                Select(
                    [(c, c) for c in spec.choices],
                    value=self._value,
                    allow_blank=False,
                    compact=True,
                    classes="param-editor",
                ),
                classes="param-row",
            )
        else:
            text = self._value if isinstance(self._value, str) else _number_text(self._value)
            placeholder = self._placeholder
            yield Horizontal(
                Label(spec.key, classes="param-label"),
                Input(
                    text,
                    placeholder=placeholder,
                    compact=True,
                    classes="param-editor",
                    select_on_focus=True,
                ),
                classes="param-row",
            )
        yield Static("", classes="param-error")

    @property
    def editor(self) -> Widget:
        return self.query_one(".param-editor")

    def read(self) -> tuple[bool, Any]:
        """``(present, value)`` for the strategy JSON; sets the local error if the text is unreadable.

        Absent means "use the default" (an empty field).
        """
        self._local_error = None
        editor = self.editor
        if isinstance(editor, Checkbox):
            return True, editor.value
        if isinstance(editor, Select):
            return True, editor.value
        assert isinstance(editor, Input)
        text = editor.value.strip()
        kind = self.spec.kind
        if not text:
            return False, None
        if kind in ("float", "int") and text == self._placeholder:
            # The default as shown (1/3 reads "0.3333333333"): let the engine
            # fill in its exact value rather than the rounded text.
            return False, None
        try:
            if kind == "text":
                return True, text
            if kind == "json":
                return True, json.loads(text)
            if kind == "numbers":
                parts = [p for p in re.split(r"[,\s]+", text.strip("[]() ")) if p]
                return True, [_read_number(p) for p in parts]
            return True, _read_number(text)
        except ValueError as error:
            if kind == "json":
                self._local_error = _("not valid JSON: {error}", error=str(error))
            elif kind == "numbers":
                self._local_error = _(
                    "expected numbers separated by commas, e.g. {example}",
                    example=_number_text(self._default) or "10, 20",
                )
            else:
                self._local_error = _("not a number: {text!r}", text=text)
            return False, None

    def set_engine_error(self, message: str | None) -> None:
        self._engine_error = message

    @property
    def error(self) -> str | None:
        return self._local_error or self._engine_error

    def show_error(self) -> None:
        message = self.error
        box = self.query_one(".param-error", Static)
        box.update(f"✗ {message}" if message else "")
        box.set_class(message is not None, "-shown")
        self.editor.set_class(message is not None, "-error")


# --------------------------------------------------------------------------
# the schedule preview


class SchedulePreview(PlotextPlot):
    """The schedule's learning rate over the step budget (and the momentum it cycles).

    The data is kept on the widget and re-added on every render: plotext 5
    turns log-scale data into logs in place, so a redraw (a resize) without
    fresh data fails with a math domain error.
    """

    DEFAULT_CSS = """
    SchedulePreview { height: 1fr; min-height: 8; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.steps_axis: np.ndarray = np.zeros(0)
        self.lr_series: np.ndarray = np.zeros(0)
        """The rates shown, one per step (what a test can compare)."""
        self.momentum_series: np.ndarray | None = None
        self.momentum_label = "momentum"
        self.flat = False
        """True for plateau: the line is only the starting rate."""

    def show(
        self,
        lr: np.ndarray,
        momentum: np.ndarray | None = None,
        momentum_label: str = "momentum",
        *,
        flat: bool = False,
    ) -> None:
        self.steps_axis = np.arange(lr.shape[0])
        self.lr_series = lr
        self.momentum_series = momentum
        self.momentum_label = momentum_label
        self.flat = flat
        self.refresh()

    def render(self) -> RenderResult:
        plt = self.plt
        plt.clear_figure()
        lr = self.lr_series
        keep = np.isfinite(lr)  # a rate that overflowed (gamma 1e5) has no place on an axis
        if keep.any():
            x = self.steps_axis[keep].tolist()
            finite = lr[keep]
            positive = finite[finite > 0]
            # Log scale when the rate spans a decade or more (a step decay, a
            # one-cycle's 1e4 fall); otherwise the shape reads better linear.
            log = (
                positive.size == finite.size
                and positive.size > 0
                and positive.max() / positive.min() >= 10
            )
            plt.plot(x, finite.tolist(), marker="braille", color="cyan+")
            if log:
                plt.yscale("log")
                ticks = _decade_ticks(float(positive.min()), float(positive.max()))
                plt.yticks(ticks, [num(t, 1) for t in ticks])
            else:
                ticks = _linear_ticks(float(finite.min()), float(finite.max()))
                plt.yticks(ticks, [num(t) for t in ticks])
            if self.momentum_series is not None:
                m = self.momentum_series
                m = m[keep]
                plt.plot(x, m.tolist(), marker="braille", color="orange+", yside="right")
                mt = _linear_ticks(float(m.min()), float(m.max()))
                # plotext's stubs type yside as a number; its code takes "right".
                plt.yticks(mt, [num(t) for t in mt], yside="right")  # type: ignore[arg-type]
            last = max(len(lr) - 1, 1)
            xt = sorted({0, last // 2, last})
            plt.xticks([float(t) for t in xt], [str(t) for t in xt])
            plt.xlabel(_("step"))
        return super().render()


def _decade_ticks(low: float, high: float) -> list[float]:
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    exps = list(range(first, last + 1))
    while len(exps) > 5:
        exps = exps[::2]
    return [10.0**e for e in exps if low / 1.0001 <= 10.0**e <= high * 1.0001] or [low, high]


def _linear_ticks(low: float, high: float) -> list[float]:
    if not high > low:
        return [low]
    return [low, (low + high) / 2, high]


# --------------------------------------------------------------------------
# the screen


class SetupScreen(GuardedScreen[SetupResult | None]):
    """Choose a strategy for ``level`` and launch it (or go back: None).

    ``strategy_json`` restores the previous settings on a retry; without it
    the level's starting strategy (its ``setup``, else the first allowed
    optimizer at lr 0.01 with a constant rate).
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
    ) -> None:
        super().__init__()
        translate_bindings(self)
        self.level = level
        self.allowed = level.allowed
        self.initial_practice = practice
        self.strategy: Strategy | None = None
        """The strategy as it stands, or None while anything is invalid."""
        self.problems: list[Problem] = []
        """What stops the launch (the form's and the engine's), shown by :meth:`problem_text`."""
        self._optimizers = tuple(n for n in OPTIMIZER_NAMES if n in self.allowed.optimizers)
        self._schedules = tuple(n for n in SCHEDULE_NAMES if n in self.allowed.schedules)
        # Without a previous strategy, the level's own starting setup (what `lrgame
        # simulate LEVEL` runs with no strategy flags), so the two never disagree.
        self._restored: Strategy | None = self._restore(strategy_json) or level.starting_strategy()
        self._field_map: dict[tuple[str, str], list[ParamField]] = {}
        """Every field built so far, by (section, optimizer or schedule name)."""
        self._check_pending = False
        self.used_finder = False
        """The LR finder was run for this setup (its cost applies even if ignored)."""

    # -- starting values ----------------------------------------------

    def _restore(self, obj: dict[str, Any] | None) -> Strategy | None:
        """The previous strategy if it still parses and the level offers it."""
        if obj is None:
            return None
        try:
            strategy = parse_strategy(obj, level_steps=self.level.steps)
        except SpecError:
            return None
        if strategy.steps != self.level.steps or self.allowed.refusal(strategy) is not None:
            return None
        return strategy

    def _start_optimizer(self) -> str:
        if self._restored is not None:
            return self._restored.optimizer.name
        return self._optimizers[0]

    def _start_schedule(self) -> str:
        if self._restored is not None:
            return self._restored.schedule.name
        return "constant" if "constant" in self._schedules else self._schedules[0]

    def _start_lr(self) -> float:
        return self._restored.lr if self._restored is not None else DEFAULT_LR

    def _optimizer_fields(self, name: str) -> list[FieldSpec]:
        fields = list(OPTIMIZER_FIELDS[name])
        if name == "sgd" and not self.allowed.momentum:
            fields = [f for f in fields if f.key not in SGD_MOMENTUM_KEYS]
        return fields

    def _optimizer_values(self, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(starting values, defaults) for an optimizer's fields."""
        defaults = dict(DEFAULTS[name])
        values = dict(defaults)
        restored = self._restored
        if restored is not None and restored.optimizer.name == name:
            values.update(restored.optimizer.params)
        return values, defaults

    def _schedule_values(self, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(starting values, defaults) for a schedule's fields, defaults from the engine."""
        steps = self.level.steps
        defaults: dict[str, Any]
        if name == "sequence":
            defaults = {"schedules": _sequence_default(steps), "milestones": [max(1, steps // 10)]}
        else:
            first = self._start_optimizer()
            # A field torch has no default for (lr_lambda, a chain's schedules)
            # starts from its declared example.
            body: dict[str, Any] = {"name": name}
            for param in SCHEDULES[name].params:
                if param.required and param.examples:
                    body[param.name] = param.examples[0]
            spec = parse_schedule(
                body,
                steps=steps,
                optimizer_name=first,
                optimizer_lr=self._start_lr(),
                has_momentum=True,
            )
            defaults = dict(spec.params)
        if name == "cyclic":
            # Empty base_lr follows max_lr (a tenth of it), so moving the rate
            # keeps a valid cycle; a typed base_lr stays as typed.
            defaults["base_lr"] = _("max_lr / 10")
        values = dict(defaults)
        if name == "cyclic":
            values["base_lr"] = ""
        if "schedules" in defaults:
            values["schedules"] = json.dumps(_plain(defaults["schedules"]))
            defaults["schedules"] = _plain(defaults["schedules"])
        restored = self._restored
        if restored is not None and restored.schedule.name == name:
            data = restored.schedule.to_json()
            for key, value in data.items():
                if key == "name":
                    continue
                if key == "schedules":
                    values[key] = json.dumps(value)
                elif key == "base_lr" and math.isclose(value, data["max_lr"] / 10):
                    values[key] = ""
                else:
                    values[key] = value
        return values, defaults

    # -- layout -------------------------------------------------------

    def compose(self) -> ComposeResult:
        level = self.level
        lang = language()
        with Horizontal(id="setup-header"):
            yield Static(Text(level.title.get(lang), style="bold"), id="setup-title")
            yield Static(
                _("budget {steps} steps · par {par}", steps=level.steps, par=level.par),
                id="setup-budget",
            )
        start_opt, start_sched = self._start_optimizer(), self._start_schedule()
        opt_common, opt_more = self._build_group("optimizer", start_opt)
        sched_common, sched_more = self._build_group("schedule", start_sched)
        with Horizontal(id="setup-body"):
            with VerticalScroll(id="setup-form"):
                yield LrControl(self._start_lr(), id="lr")
                yield Label(_("Optimizer"), classes="section")
                yield Select(
                    [(OPTIMIZER_LABELS[n], n) for n in self._optimizers],
                    value=start_opt,
                    allow_blank=False,
                    compact=True,
                    id="optimizer",
                )
                yield Vertical(opt_common, id="opt-groups", classes="groups")
                yield Label(_("Schedule"), classes="section")
                yield Select(
                    [(n, n) for n in self._schedules],
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
            with VerticalScroll(id="setup-side"):
                yield Static("", id="preview-title")
                yield SchedulePreview(id="preview")
                yield Static("", id="preview-note")
                yield Static("", id="formulas")
        yield Footer()

    def _build_group(self, section: str, name: str) -> tuple[Vertical, Vertical]:
        """The (common, more) containers of one optimizer's or schedule's fields.

        Built when first chosen, not all up front: a level that allows
        everything would otherwise mount some 400 widgets before the first frame.
        """
        if section == "optimizer":
            values, defaults = self._optimizer_values(name)
            specs = self._optimizer_fields(name)
            prefix = "opt"
        else:
            values, defaults = self._schedule_values(name)
            specs = list(SCHEDULE_FIELDS[name])
            prefix = "sched"
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

    async def _ensure_group(self, section: str, name: str) -> None:
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
        return value if isinstance(value, str) else self._optimizers[0]

    @property
    def schedule_name(self) -> str:
        value = self.query_one("#schedule", Select).value
        return value if isinstance(value, str) else self._schedules[0]

    @property
    def practice(self) -> bool:
        return self.query_one("#practice", Checkbox).value

    @property
    def lr_control(self) -> LrControl:
        return self.query_one("#lr", LrControl)

    def _fields(self, section: str, group: str) -> list[ParamField]:
        # A dictionary, not a DOM query: this runs on every key press.
        return self._field_map.get((section, group), [])

    def _active_fields(self) -> list[ParamField]:
        return self._fields("optimizer", self.optimizer_name) + self._fields(
            "schedule", self.schedule_name
        )

    def strategy_data(self) -> dict[str, Any]:
        """The strategy JSON the form says now (unreadable fields left out)."""
        lr = self.lr_control.value
        optimizer: dict[str, Any] = {"name": self.optimizer_name}
        if lr is not None:
            optimizer["lr"] = lr
        schedule: dict[str, Any] = {"name": self.schedule_name}
        if self.schedule_name in HEADLINE_SCHEDULES and lr is not None:
            schedule["max_lr"] = lr
        for field in self._active_fields():
            present, value = field.read()
            if present:
                (optimizer if field.section == "optimizer" else schedule)[field.key] = value
        return {"optimizer": optimizer, "schedule": schedule, "steps": self.level.steps}

    # -- checking -----------------------------------------------------

    def _revalidate(self) -> None:
        """Check the whole strategy and put every problem beside its field.

        :func:`read_strategy` reports each bad field once, by its tuple path;
        the form's own problems (text that is not a number) come first, since
        the engine never sees those fields.
        """
        if not self.is_mounted:
            return
        self._sync_cycle_momentum(OPTIMIZERS[self.optimizer_name].momentum is not None)
        active = self._active_fields()
        by_target: dict[FieldPath, ParamField] = {(f.section, f.key): f for f in active}
        for field in active:
            field.set_engine_error(None)
        strategy, found = read_strategy(self.strategy_data(), level_steps=self.level.steps)
        lr_error: str | None = None
        general: list[Problem] = []
        for problem in found:
            target = problem.path[:2]
            if target in LR_TARGETS:
                # One rate fills both: the first word on it is the one to show.
                lr_error = lr_error or problem.message
                continue
            culprit = by_target.get(target)
            if culprit is None:
                general.append(problem)
            elif culprit.error is None:
                culprit.set_engine_error(_inside_field(problem))
        control = self.lr_control
        control.set_error(lr_error)
        for field in active:
            field.show_error()
        problems: list[Problem] = []
        if control.error is not None:
            problems.append(Problem(("optimizer", "lr"), control.error))
        problems += [Problem((f.section, f.key), f.error) for f in active if f.error is not None]
        problems += general
        if strategy is not None and not problems:
            refusal = self.allowed.refusal(strategy)
            if refusal is not None:
                problems.append(Problem((), refusal))
        self.problems = problems
        self.strategy = strategy if not problems else None
        self._show_status()
        self._show_preview()

    def problem_text(self, problem: Problem) -> str:
        """A problem as the form shows it: the rate by its label, a field by its key."""
        if problem.path[:2] in LR_TARGETS:
            return f"{self._lr_label()}: {problem.message}"
        if len(problem.path) >= 2 and problem.path[0] in ("optimizer", "schedule"):
            message = problem.message
            # A field's own message may already name the place inside it (list items).
            if message.startswith(str(problem.path[1])):
                return message
            return f"{format_path(problem.path[1:])}: {message}"
        return problem.line()

    def _sync_cycle_momentum(self, has_momentum: bool) -> None:
        """Adagrad has no momentum to cycle (torch refuses): untick and lock the box."""
        for name in (n for n, d in SCHEDULES.items() if "cycle_momentum" in d.keys):
            for field in self._fields("schedule", name):
                if field.key != "cycle_momentum":
                    continue
                box = field.editor
                assert isinstance(box, Checkbox)
                if not has_momentum and box.value:
                    with box.prevent(Checkbox.Changed):
                        box.value = False
                box.disabled = not has_momentum

    def _lr_label(self) -> str:
        if self.schedule_name in HEADLINE_SCHEDULES:
            return _("Peak rate (max_lr)")
        return _("Learning rate (lr)")

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
        preview = self.query_one("#preview", SchedulePreview)
        title = self.query_one("#preview-title", Static)
        note = self.query_one("#preview-note", Static)
        formulas = self.query_one("#formulas", Static)
        side = self.query_one("#setup-side")
        # An invalid form keeps the last good picture, dimmed, rather than
        # drawing a strategy the player did not ask for.
        side.set_class(strategy is None, "-stale")
        if strategy is None:
            note.update(Text("✗ " + _("fix the marked fields to update the preview"), style="bold"))
            return
        schedule = strategy.schedule
        steps = strategy.steps
        k = np.arange(steps)
        lr0 = strategy.lr
        momentum_label = OPTIMIZERS[strategy.optimizer.name].momentum or "momentum"
        cls = SCHEDULER_CLASSES[schedule.name]
        name = f"{schedule.name} ({cls})" if cls else schedule.name
        title.update(
            Text.assemble(
                (_("Learning rate over {steps} steps", steps=steps), "bold"), "  ", (name, "italic")
            )
        )
        if is_pure(schedule):
            lrs = lr_values(schedule, np.array([lr0]), k)[0]
            momentum = momentum_values(schedule, k)
            preview.show(lrs, momentum, momentum_label)
            if momentum is not None:
                note.update(
                    Text.assemble(
                        ("━ lr", "bold cyan"),
                        " ",
                        _("(left axis)"),
                        "   ",
                        (f"━ {momentum_label}", "bold #ff8700"),
                        " ",
                        _("(right axis), cycled by the schedule"),
                    )
                )
            else:
                note.update(Text.assemble(("━ lr", "bold cyan")))
        else:
            preview.show(np.full(steps, lr0), flat=True)
            note.update(
                _(
                    "The rate depends on the losses: it starts at {lr} and drops when the "
                    "loss stops improving, so it cannot be drawn in advance.",
                    lr=rate(lr0, 4),
                )
            )
        rule = update_rule(strategy.optimizer)
        formula = describe(schedule, lr=lr0)
        opt_label = OPTIMIZER_LABELS[strategy.optimizer.name]
        formulas.update(
            Text.assemble(
                (_("Update rule ({name})", name=opt_label), "bold"),
                "\n",
                _indent(rule),
                "\n",
                (_("Schedule"), "bold"),
                "\n",
                _indent(formula),
                "\n",
                (_("g gradient · θ parameters · t, k step"), "italic"),
            )
        )

    def _show_groups(self) -> None:
        opt, sched = self.optimizer_name, self.schedule_name
        shown = {f"opt-{opt}", f"opt-more-{opt}", f"sched-{sched}", f"sched-more-{sched}"}
        for container in self.query(".groups"):
            for group in container.children:
                group.display = group.id in shown
        has_more = any(f.spec.more for f in self._active_fields())
        self.query_one("#more", Collapsible).display = has_more
        self.lr_control.set_label(self._lr_label())

    # -- events -------------------------------------------------------

    @on(Select.Changed, "#optimizer, #schedule")
    async def _choice_changed(self, event: Select.Changed) -> None:
        event.stop()
        section = "optimizer" if event.select.id == "optimizer" else "schedule"
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
            if field.error is not None:
                if field.spec.more:
                    self.query_one("#more", Collapsible).collapsed = False
                field.editor.focus()
                return


LR_TARGETS: tuple[FieldPath, ...] = (("optimizer", "lr"), ("schedule", "max_lr"))
"""Where the rate control's value goes: max_lr for onecycle and cyclic."""


def _inside_field(problem: Problem) -> str:
    """The engine's message, with the place inside the field when there is one:
    ``schedule.schedules[0].T_max`` -> ``schedules[0].T_max: ...``."""
    if len(problem.path) > 2:
        return f"{format_path(problem.path[1:])}: {problem.message}"
    return problem.message


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())
