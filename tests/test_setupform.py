"""The setup form's logic without a screen: fields, their text, the checks and the preview."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from lrgame.engine.optim import REGISTRY as OPTIMIZERS
from lrgame.engine.optimizers import OPTIMIZER_NAMES, update_rule
from lrgame.engine.problems import FieldPath, Problem
from lrgame.engine.sched import REGISTRY as SCHEDULES
from lrgame.engine.schedules import SCHEDULE_NAMES, describe, lr_values, momentum_values
from lrgame.engine.strategy import Strategy, parse_strategy
from lrgame.levels.loader import check_text
from lrgame.levels.model import Level
from lrgame.setupform import (
    DEFAULT_LR,
    FieldSpec,
    FormStart,
    Section,
    check_form,
    placeholder_text,
    preview,
    problem_text,
    read_field,
    strategy_data,
)

BOWL: dict[str, Any] = {
    "id": "bowl",
    "title": "A round bowl",
    "loss": "x**2",
    "domain": {"x": [-3, 3]},
    "start": [2.5],
    "steps": 40,
    "par": 10,
}
STEPS = BOWL["steps"]


def level_from(data: dict[str, Any]) -> Level:
    checked = check_text(json.dumps(data))
    assert checked.level is not None, checked.problems
    return checked.level


def expected(obj: dict[str, Any]) -> Strategy:
    return parse_strategy(obj, level_steps=STEPS)


def texts(start: FormStart, section: Section, name: str) -> dict[str, str]:
    """Each text field's starting text, as the form puts it in its editor."""
    values, _defaults = start.values(section, name)
    out = {}
    for spec in start.fields(section, name):
        value = values[spec.key]
        if spec.kind not in ("bool", "choice"):
            out[spec.key] = value if isinstance(value, str) else placeholder_text(value)
    return out


def form_data(
    start: FormStart,
    optimizer: str,
    schedule: str,
    lr: float | None,
    typed: dict[tuple[Section, str], str] | None = None,
) -> tuple[dict[str, Any], dict[FieldPath, str], list[FieldPath]]:
    """The strategy JSON, the form's own errors and the fields of a form left at its start
    values except ``typed`` (text typed into fields), read as the screen reads it."""
    typed = typed or {}
    values: list[tuple[Section, str, Any]] = []
    local: dict[FieldPath, str] = {}
    fields: list[FieldPath] = []
    chosen: list[tuple[Section, str]] = [("optimizer", optimizer), ("schedule", schedule)]
    for section, name in chosen:
        start_values, defaults = start.values(section, name)
        for spec in start.fields(section, name):
            target: tuple[Section, str] = (section, spec.key)
            fields.append(target)
            if spec.kind in ("bool", "choice") and target not in typed:
                values.append((section, spec.key, start_values[spec.key]))
                continue
            text = typed.get(target)
            if text is None:
                value = start_values[spec.key]
                text = value if isinstance(value, str) else placeholder_text(value)
            if spec.kind == "bool":
                values.append((section, spec.key, text == "true"))
                continue
            reading = read_field(spec, text, defaults[spec.key])
            if reading.error is not None:
                local[target] = reading.error
            elif reading.present:
                values.append((section, spec.key, reading.value))
    return strategy_data(optimizer, schedule, lr, values, start.level.steps), local, fields


def check(
    start: FormStart,
    optimizer: str,
    schedule: str,
    lr: float | None = 0.01,
    typed: dict[tuple[Section, str], str] | None = None,
) -> Any:
    data, local, fields = form_data(start, optimizer, schedule, lr, typed)
    return check_form(data, start.level, fields, local)


# --------------------------------------------------------------------------
# one field's text


def test_a_field_reads_numbers_lists_json_and_text() -> None:
    assert read_field(FieldSpec("step_size", "int"), " 3 ", 10).value == 3
    assert isinstance(read_field(FieldSpec("step_size", "int"), "3", 10).value, int)
    assert read_field(FieldSpec("gamma"), "5e-1", 0.1).value == 0.5
    assert read_field(FieldSpec("betas", "numbers"), "[0.8, 0.99]", (0.9, 0.999)).value == [
        0.8,
        0.99,
    ]
    assert read_field(FieldSpec("milestones", "numbers"), "10 20", [5]).value == [10, 20]
    assert read_field(FieldSpec("lr_lambda", "text"), "0.9^epoch", "1").value == "0.9^epoch"
    parts = read_field(FieldSpec("schedules", "json"), '[{"name": "cosine"}]', [])
    assert parts.present and parts.value == [{"name": "cosine"}]


def test_an_empty_field_or_the_default_as_shown_leaves_the_default_to_the_engine() -> None:
    # 1/3 shows as "0.3333333333": reading it back would not be the engine's exact third.
    third = read_field(FieldSpec("start_factor"), placeholder_text(1 / 3), 1 / 3)
    assert not third.present and third.error is None
    assert not read_field(FieldSpec("gamma"), "   ", 0.1).present
    assert read_field(FieldSpec("gamma"), "0.1", 0.2).value == 0.1


@pytest.mark.parametrize(
    ("spec", "text", "default", "words"),
    [
        (FieldSpec("gamma"), "abc", 0.1, "not a number: 'abc'"),
        (FieldSpec("betas", "numbers"), "0.9, x", (0.9, 0.999), "e.g. 0.9, 0.999"),
        (FieldSpec("milestones", "numbers"), "a", None, "e.g. 10, 20"),
        (FieldSpec("schedules", "json"), '[{"name": ', [], "not valid JSON"),
    ],
)
def test_unreadable_text_says_what_was_expected(
    spec: FieldSpec, text: str, default: Any, words: str
) -> None:
    reading = read_field(spec, text, default)
    assert not reading.present and reading.error is not None and words in reading.error


# --------------------------------------------------------------------------
# where the form starts


def test_a_fresh_form_starts_from_sgd_at_the_default_rate() -> None:
    start = FormStart(level_from(BOWL))
    assert (start.optimizer, start.schedule, start.lr) == ("sgd", "constant", DEFAULT_LR)
    assert start.optimizers == tuple(OPTIMIZER_NAMES)
    assert start.schedules == tuple(SCHEDULE_NAMES)
    assert texts(start, "optimizer", "sgd")["momentum"] == "0"
    assert texts(start, "optimizer", "adam")["betas"] == "0.9, 0.999"
    assert texts(start, "schedule", "step") == {"step_size": "13", "gamma": "0.1"}
    assert texts(start, "schedule", "linear")["start_factor"] == "0.3333333333"


def test_a_retry_restores_an_alias_and_a_one_cycle() -> None:
    previous = {
        "optimizer": {"name": "nesterov", "lr": 0.02},
        "schedule": {"name": "onecycle", "max_lr": 0.5, "pct_start": 0.25},
    }
    start = FormStart(level_from(BOWL), previous)
    assert (start.optimizer, start.schedule, start.lr) == ("sgd", "onecycle", 0.5)
    values, _defaults = start.values("optimizer", "sgd")
    assert values["momentum"] == 0.9 and values["nesterov"] is True
    assert start.values("schedule", "onecycle")[0]["pct_start"] == 0.25


def test_a_previous_strategy_the_level_refuses_is_not_restored() -> None:
    level = level_from({**BOWL, "allowed": {"optimizers": ["sgd"], "momentum": False}})
    start = FormStart(level, {"optimizer": {"name": "adam", "lr": 0.3}})
    assert (start.optimizer, start.lr) == ("sgd", DEFAULT_LR)
    # No momentum on this level: SGD's momentum fields are not offered at all.
    keys = [f.key for f in start.fields("optimizer", "sgd")]
    assert not {"momentum", "nesterov", "dampening"} & set(keys)
    assert start.optimizers == ("sgd",)


def test_a_cyclic_base_rate_left_at_a_tenth_follows_the_peak() -> None:
    start = FormStart(
        level_from(BOWL),
        {"optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9}, "schedule": "cyclic"},
    )
    values, defaults = start.values("schedule", "cyclic")
    assert values["base_lr"] == "" and defaults["base_lr"] == "max_lr / 10"


@pytest.mark.parametrize(("section", "names"), [("optimizer", OPTIMIZERS), ("schedule", SCHEDULES)])
def test_every_registered_choice_starts_valid_with_a_field_per_parameter(
    section: Section, names: Any
) -> None:
    start = FormStart(level_from(BOWL))
    for name, declared in names.items():
        keys = {f.key for f in start.fields(section, name)}
        assert keys == {p.name for p in declared.params if p.field}, name
        optimizer = name if section == "optimizer" else "sgd"
        schedule = name if section == "schedule" else "constant"
        result = check(start, optimizer, schedule)
        assert result.problems == (), (name, result.problems)
        assert result.strategy is not None
        assert getattr(result.strategy, section).name == name


# --------------------------------------------------------------------------
# checking


def test_the_form_says_what_the_engine_parses() -> None:
    start = FormStart(level_from(BOWL))
    result = check(
        start,
        "adam",
        "step",
        3e-4,
        {("optimizer", "betas"): "0.8, 0.99", ("schedule", "gamma"): "0.5"},
    )
    assert result.strategy == expected(
        {
            "optimizer": {"name": "adam", "lr": 3e-4, "betas": [0.8, 0.99]},
            "schedule": {"name": "step", "gamma": 0.5},
        }
    )
    # A headline schedule's rate is its max_lr: one rate fills both.
    data = strategy_data("sgd", "onecycle", 0.5, [], STEPS)
    assert data["optimizer"]["lr"] == data["schedule"]["max_lr"] == 0.5


def test_every_problem_is_put_beside_its_field_once() -> None:
    start = FormStart(level_from(BOWL))
    result = check(
        start,
        "adam",
        "constant",
        -1,
        {("optimizer", "betas"): "1.5, 0.999", ("optimizer", "eps"): "-1"},
    )
    assert result.strategy is None
    assert [p.path for p in result.problems] == [
        ("optimizer", "lr"),
        ("optimizer", "betas"),
        ("optimizer", "eps"),
    ]
    assert result.lr_error == "invalid value -1.0: must be >= 0"
    assert result.field_errors[("optimizer", "betas")] == "betas[0]: invalid value 1.5: must be < 1"
    shown = [problem_text(p, "constant") for p in result.problems]
    assert shown == [
        "Learning rate (lr): invalid value -1.0: must be >= 0",
        "betas[0]: invalid value 1.5: must be < 1",
        "eps: invalid value -1.0: must be >= 0",
    ]
    assert problem_text(Problem(("schedule", "max_lr"), "too big"), "onecycle") == (
        "Peak rate (max_lr): too big"
    )
    assert problem_text(Problem((), "not offered"), "constant") == "not offered"


def test_the_forms_own_problems_are_problems_of_the_form() -> None:
    # Unreadable text never reaches the engine (its key is left out): the form's word stands.
    start = FormStart(level_from(BOWL))
    result = check(start, "adam", "constant", 0.01, {("optimizer", "betas"): "0.9, x"})
    assert result.strategy is None
    assert [p.path for p in result.problems] == [("optimizer", "betas")]
    assert ("optimizer", "betas") not in result.field_errors
    assert "numbers separated by commas" in result.problems[0].message
    data, local, fields = form_data(start, "sgd", "constant", None)
    unreadable = check_form(data, start.level, fields, local, "not a number: 'x'")
    assert unreadable.problems[0] == Problem(("optimizer", "lr"), "not a number: 'x'")


def test_an_error_inside_a_list_says_where() -> None:
    start = FormStart(level_from(BOWL))
    parts = '[{"name": "cosine", "T_max": -1}, "constant"]'
    result = check(start, "sgd", "sequence", 0.01, {("schedule", "schedules"): parts})
    [problem] = result.problems
    assert problem.path == ("schedule", "schedules")
    assert problem.message.startswith("schedules[0].T_max: invalid value -1")


def test_a_strategy_the_level_refuses_is_one_problem_for_the_whole_form() -> None:
    level = level_from({**BOWL, "allowed": {"momentum": False}})
    start = FormStart(level)
    result = check(start, "sgd", "onecycle")
    assert result.strategy is None
    [problem] = result.problems
    assert problem.path == () and "momentum" in problem.message


def test_a_nesterov_tick_without_momentum_is_the_tick_s_problem() -> None:
    start = FormStart(level_from(BOWL))
    result = check(start, "sgd", "constant", 0.01, {("optimizer", "nesterov"): "true"})
    assert [p.path for p in result.problems] == [("optimizer", "nesterov")]
    assert "Nesterov momentum requires a momentum > 0" in result.problems[0].message


# --------------------------------------------------------------------------
# the preview


def test_the_preview_draws_the_schedule_and_fills_in_the_formulas() -> None:
    strategy = expected(
        {"optimizer": {"name": "adam", "lr": 0.01}, "schedule": {"name": "step", "gamma": 0.5}}
    )
    shown = preview(strategy)
    np.testing.assert_array_equal(
        shown.lr, lr_values(strategy.schedule, np.array([0.01]), np.arange(STEPS))[0]
    )
    assert shown.drawn and shown.momentum is None and shown.steps == STEPS
    assert shown.schedule == "step (StepLR)" and shown.optimizer_label == "Adam"
    assert shown.update_rule == update_rule(strategy.optimizer)
    assert shown.formula == describe(strategy.schedule, lr=0.01)
    assert "0.5^floor(k/13)" in shown.formula


def test_a_one_cycle_preview_has_the_momentum_it_cycles() -> None:
    strategy = expected({"optimizer": {"name": "adam", "lr": 0.1}, "schedule": "onecycle"})
    shown = preview(strategy)
    momentum = momentum_values(strategy.schedule, np.arange(STEPS))
    assert shown.momentum is not None and momentum is not None
    np.testing.assert_array_equal(shown.momentum, momentum)
    assert shown.momentum_label == "β1"


def test_a_plateau_preview_is_only_its_starting_rate() -> None:
    shown = preview(expected({"optimizer": {"name": "sgd", "lr": 0.03}, "schedule": "plateau"}))
    assert not shown.drawn and shown.momentum is None
    np.testing.assert_array_equal(shown.lr, np.full(STEPS, 0.03))
    assert shown.start_lr == 0.03
