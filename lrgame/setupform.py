"""The setup screen's form without the screen: its fields, their text, and what they add up to.

The fields come from the engine's declarations (``lrgame.engine.optim``,
``lrgame.engine.sched``), so the form offers exactly what the parser reads; every
check goes through :func:`read_strategy`, so the form never accepts what the engine
(or ``lrgame validate``) would refuse. Nothing here imports Textual: the screen
(``lrgame.ui.screens.setup``) shows what these functions return, and tests call
them directly.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

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
from lrgame.i18n import _
from lrgame.levels.model import DEFAULT_SETUP_LR, Level

DEFAULT_LR = DEFAULT_SETUP_LR
"""The rate a fresh setup starts from: a common first guess, never the level's answer."""

Kind = Literal["float", "int", "bool", "choice", "numbers", "json", "text"]
Section = Literal["optimizer", "schedule"]


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

    (lr and max_lr are not fields: the rate control sets them.)
    """
    shown = [p for p in params if p.field]
    return tuple(_field(p) for p in shown if not p.advanced) + tuple(
        _field(p) for p in shown if p.advanced
    )


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

LR_TARGETS: tuple[FieldPath, ...] = (("optimizer", "lr"), ("schedule", "max_lr"))
"""Where the rate control's value goes: max_lr for onecycle and cyclic."""


# --------------------------------------------------------------------------
# one field's text


def number_text(value: Any) -> str:
    """A parameter as the player would type it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(number_text(v) for v in value)
    return "" if value is None else str(value)


def read_number(text: str) -> int | float:
    """``3`` stays an int (the engine's integer fields accept 3.0, not 3.5)."""
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    return float(text)


def placeholder_text(default: Any) -> str:
    """The default as a text field shows it while empty."""
    return default if isinstance(default, str) else number_text(default)


@dataclass(frozen=True)
class FieldReading:
    """What a text field says for the strategy JSON.

    Not ``present``: the key is left out, so the engine's default stands (an
    empty field, or text that could not be read: then ``error`` says why).
    """

    present: bool
    value: Any = None
    error: str | None = None


def read_field(spec: FieldSpec, text: str, default: Any) -> FieldReading:
    """Read a text field of ``spec`` whose default (shown as its placeholder) is ``default``."""
    text = text.strip()
    kind = spec.kind
    if not text:
        return FieldReading(False)
    if kind in ("float", "int") and text == placeholder_text(default):
        # The default as shown (1/3 reads "0.3333333333"): let the engine
        # fill in its exact value rather than the rounded text.
        return FieldReading(False)
    try:
        if kind == "text":
            return FieldReading(True, text)
        if kind == "json":
            return FieldReading(True, json.loads(text))
        if kind == "numbers":
            parts = [p for p in re.split(r"[,\s]+", text.strip("[]() ")) if p]
            return FieldReading(True, [read_number(p) for p in parts])
        return FieldReading(True, read_number(text))
    except ValueError as error:
        if kind == "json":
            message = _("not valid JSON: {error}", error=str(error))
        elif kind == "numbers":
            message = _(
                "expected numbers separated by commas, e.g. {example}",
                example=number_text(default) or "10, 20",
            )
        else:
            message = _("not a number: {text!r}", text=text)
        return FieldReading(False, error=message)


# --------------------------------------------------------------------------
# where the form starts


def _plain(value: Any) -> Any:
    """Parsed schedules (a chain's parts) back in their strategy-file form."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value.to_json() if hasattr(value, "to_json") else value


def sequence_default(steps: int) -> list[dict[str, Any]]:
    """A warm-up then a cosine: a sequence needs parts, and this is the common one."""
    warmup = max(1, steps // 10)
    return [
        {"name": "linear", "start_factor": 0.1, "total_iters": warmup},
        {"name": "cosine"},
    ]


def restore(level: Level, obj: Mapping[str, Any] | None) -> Strategy | None:
    """The previous strategy if it still parses and the level offers it."""
    if obj is None:
        return None
    try:
        strategy = parse_strategy(obj, level_steps=level.steps)
    except SpecError:
        return None
    if strategy.steps != level.steps or level.allowed.refusal(strategy) is not None:
        return None
    return strategy


class FormStart:
    """What the form offers on ``level`` and the values it starts from.

    ``strategy_json`` restores the previous settings on a retry; without it (or
    when it no longer fits the level) the level's starting strategy, which is
    what ``lrgame simulate LEVEL`` runs with no strategy flags, so the two never
    disagree.
    """

    def __init__(self, level: Level, strategy_json: Mapping[str, Any] | None = None) -> None:
        self.level = level
        allowed = level.allowed
        self.optimizers = tuple(n for n in OPTIMIZER_NAMES if n in allowed.optimizers)
        self.schedules = tuple(n for n in SCHEDULE_NAMES if n in allowed.schedules)
        self.restored: Strategy | None = restore(level, strategy_json) or level.starting_strategy()

    @property
    def optimizer(self) -> str:
        if self.restored is not None:
            return self.restored.optimizer.name
        return self.optimizers[0]

    @property
    def schedule(self) -> str:
        if self.restored is not None:
            return self.restored.schedule.name
        return "constant" if "constant" in self.schedules else self.schedules[0]

    @property
    def lr(self) -> float:
        return self.restored.lr if self.restored is not None else DEFAULT_LR

    def fields(self, section: Section, name: str) -> list[FieldSpec]:
        if section == "schedule":
            return list(SCHEDULE_FIELDS[name])
        fields = list(OPTIMIZER_FIELDS[name])
        if name == "sgd" and not self.level.allowed.momentum:
            fields = [f for f in fields if f.key not in SGD_MOMENTUM_KEYS]
        return fields

    def values(self, section: Section, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(starting values, defaults) for the fields of an optimizer or a schedule."""
        if section == "optimizer":
            return self._optimizer_values(name)
        return self._schedule_values(name)

    def _optimizer_values(self, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
        defaults = dict(DEFAULTS[name])
        values = dict(defaults)
        restored = self.restored
        if restored is not None and restored.optimizer.name == name:
            values.update(restored.optimizer.params)
        return values, defaults

    def _schedule_values(self, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Defaults from the engine, parsed as a strategy file would be."""
        steps = self.level.steps
        defaults: dict[str, Any]
        if name == "sequence":
            defaults = {"schedules": sequence_default(steps), "milestones": [max(1, steps // 10)]}
        else:
            # A field torch has no default for (lr_lambda, a chain's schedules)
            # starts from its declared example.
            body: dict[str, Any] = {"name": name}
            for param in SCHEDULES[name].params:
                if param.required and param.examples:
                    body[param.name] = param.examples[0]
            spec = parse_schedule(
                body,
                steps=steps,
                optimizer_name=self.optimizer,
                optimizer_lr=self.lr,
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
        restored = self.restored
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


# --------------------------------------------------------------------------
# what the form says


def strategy_data(
    optimizer: str,
    schedule: str,
    lr: float | None,
    values: Iterable[tuple[Section, str, Any]],
    steps: int,
) -> dict[str, Any]:
    """The strategy JSON of a form: the rate (None: unreadable, left out) and each read field.

    ``values`` holds ``(section, key, value)`` for the fields that are present.
    """
    opt: dict[str, Any] = {"name": optimizer}
    if lr is not None:
        opt["lr"] = lr
    sched: dict[str, Any] = {"name": schedule}
    if schedule in HEADLINE_SCHEDULES and lr is not None:
        sched["max_lr"] = lr
    for section, key, value in values:
        (opt if section == "optimizer" else sched)[key] = value
    return {"optimizer": opt, "schedule": sched, "steps": steps}


@dataclass(frozen=True)
class FormCheck:
    """The engine's word on a form: the strategy, or every problem, each by its field."""

    strategy: Strategy | None
    """The strategy to launch, or None while anything is invalid."""
    problems: tuple[Problem, ...]
    """What stops the launch: the rate's, each field's (in form order), the rest."""
    lr_error: str | None = None
    """The engine's first word on the rate (one rate fills both lr and max_lr)."""
    field_errors: Mapping[FieldPath, str] = field(default_factory=dict)
    """The engine's message for each field that has no problem of its own."""


def check_form(
    data: Mapping[str, Any],
    level: Level,
    fields: Sequence[FieldPath],
    local_errors: Mapping[FieldPath, str] | None = None,
    lr_local_error: str | None = None,
) -> FormCheck:
    """Check the form's strategy JSON ``data`` and put every problem beside its field.

    ``fields`` are the shown fields in form order; ``local_errors`` the form's own
    problems (text that is not a number), which come first since the engine never
    sees those fields; ``lr_local_error`` likewise for the rate's text.
    """
    local = dict(local_errors or {})
    strategy, found = read_strategy(data, level_steps=level.steps)
    lr_error: str | None = None
    engine: dict[FieldPath, str] = {}
    general: list[Problem] = []
    shown = set(fields)
    for problem in found:
        target = problem.path[:2]
        if target in LR_TARGETS:
            lr_error = lr_error or problem.message
        elif target not in shown:
            general.append(problem)
        elif target not in local and target not in engine:
            engine[target] = inside_field(problem)
    problems: list[Problem] = []
    lr_shown = lr_local_error or lr_error
    if lr_shown is not None:
        problems.append(Problem(("optimizer", "lr"), lr_shown))
    for target in fields:
        message = local.get(target) or engine.get(target)
        if message is not None:
            problems.append(Problem(target, message))
    problems += general
    if strategy is not None and not problems:
        refusal = level.allowed.refusal(strategy)
        if refusal is not None:
            problems.append(Problem((), refusal))
    return FormCheck(None if problems else strategy, tuple(problems), lr_error, engine)


def inside_field(problem: Problem) -> str:
    """The engine's message, with the place inside the field when there is one:
    ``schedule.schedules[0].T_max`` -> ``schedules[0].T_max: ...``."""
    if len(problem.path) > 2:
        return f"{format_path(problem.path[1:])}: {problem.message}"
    return problem.message


def lr_label(schedule: str) -> str:
    """What the rate control is called: the peak rate for the schedules that cycle to it."""
    if schedule in HEADLINE_SCHEDULES:
        return _("Peak rate (max_lr)")
    return _("Learning rate (lr)")


def problem_text(problem: Problem, schedule: str) -> str:
    """A problem as the form shows it: the rate by its label, a field by its key."""
    if problem.path[:2] in LR_TARGETS:
        return f"{lr_label(schedule)}: {problem.message}"
    if len(problem.path) >= 2 and problem.path[0] in ("optimizer", "schedule"):
        message = problem.message
        # A field's own message may already name the place inside it (list items).
        if message.startswith(str(problem.path[1])):
            return message
        return f"{format_path(problem.path[1:])}: {message}"
    return problem.line()


# --------------------------------------------------------------------------
# what the strategy means


@dataclass(frozen=True)
class Preview:
    """What the side of the form shows for a valid strategy: its rates and its formulas."""

    steps: int
    schedule: str
    """The schedule by its name and torch's class: ``step (StepLR)``."""
    lr: np.ndarray
    """The rate at each step; for a schedule that reads the losses, the starting rate."""
    momentum: np.ndarray | None
    """The momentum (or beta1) a schedule cycles, else None."""
    momentum_label: str
    drawn: bool
    """False when the rate depends on the losses and cannot be drawn in advance."""
    start_lr: float
    optimizer_label: str
    """torch's class: ``Adam``."""
    update_rule: str
    """The update rule with the values filled in."""
    formula: str
    """The schedule's formula with the values filled in."""


def preview(strategy: Strategy) -> Preview:
    schedule = strategy.schedule
    steps = strategy.steps
    lr0 = strategy.lr
    cls = SCHEDULER_CLASSES[schedule.name]
    name = f"{schedule.name} ({cls})" if cls else schedule.name
    momentum_label = OPTIMIZERS[strategy.optimizer.name].momentum or "momentum"
    drawn = is_pure(schedule)
    if drawn:
        k = np.arange(steps)
        lrs = lr_values(schedule, np.array([lr0]), k)[0]
        momentum = momentum_values(schedule, k)
    else:
        lrs, momentum = np.full(steps, lr0), None
    return Preview(
        steps=steps,
        schedule=name,
        lr=lrs,
        momentum=momentum,
        momentum_label=momentum_label,
        drawn=drawn,
        start_lr=lr0,
        optimizer_label=OPTIMIZER_LABELS[strategy.optimizer.name],
        update_rule=update_rule(strategy.optimizer),
        formula=describe(schedule, lr=lr0),
    )
