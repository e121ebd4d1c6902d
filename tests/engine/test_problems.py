"""Problems as data: one type with tuple paths, and every strategy problem at once."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from lrgame.engine.errors import SpecError
from lrgame.engine.problems import Position, Problem, format_path
from lrgame.engine.strategy import parse_strategy
from lrgame.engine.strategy_problems import read_strategy


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("steps",), "steps"),
        (("optimizer", "betas", 0), "optimizer.betas[0]"),
        (("demos", "win", 0, "strategy", "optimizer", "lr"), "demos.win[0].strategy.optimizer.lr"),
        (("data", 3, 1), "data[3][1]"),
    ],
)
def test_paths_print(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text


@pytest.mark.parametrize("key", ["a.b", "c[0]", "lr]"])
def test_a_spec_error_keeps_its_path_as_data(key: str) -> None:
    """A key with dots or brackets stays one key: the path is never read back from text."""
    with pytest.raises(SpecError) as caught:
        parse_strategy({"optimizer": {"name": "sgd", key: 1}}, level_steps=10)
    assert caught.value.path == ("optimizer", key)
    assert caught.value.problem.path == ("optimizer", key)


def test_a_problem_prints_what_is_known() -> None:
    bare = Problem(("optimizer", "lr"), "invalid value -1.0: must be >= 0")
    assert bare.line() == "optimizer.lr: invalid value -1.0: must be >= 0"
    assert bare.line("s.json") == "s.json: optimizer.lr: invalid value -1.0: must be >= 0"
    placed = Problem(("steps",), "too many", Position(4, 12, 80))
    assert placed.line("l.json") == "l.json:4:12: steps: too many"
    assert Problem((), "empty input", Position(1, 1, 0)).line("l.json") == "l.json:1:1: empty input"


def test_a_problem_moves_under_a_prefix() -> None:
    problem = Problem(("optimizer", "lr"), "bad").under(("demos", "win", 0, "strategy"))
    assert problem.path == ("demos", "win", 0, "strategy", "optimizer", "lr")
    assert problem.relative_to(("demos", "win", 0)) == ("strategy", "optimizer", "lr")
    assert problem.relative_to(("demos", "lose")) is None


def test_a_spec_error_becomes_a_problem_with_a_tuple_path() -> None:
    with pytest.raises(SpecError) as caught:
        parse_strategy({"optimizer": {"name": "adam", "betas": [0.9, 2]}}, level_steps=10)
    assert caught.value.problem == Problem(
        ("optimizer", "betas", 1), "invalid value 2.0: must be < 1"
    )


BAD: dict[str, Any] = {
    "optimizer": {"name": "adam", "lr": -1, "betas": [2, 0.9], "eps": "x", "colour": 1},
    "schedule": {"name": "step", "step_size": 0, "gamma": -1},
    "steps": 0,
}


def test_every_bad_field_of_a_strategy_is_reported_once() -> None:
    strategy, problems = read_strategy(copy.deepcopy(BAD), level_steps=50)
    assert strategy is None
    assert sorted(p.path for p in problems) == sorted(
        [
            ("steps",),
            ("optimizer", "colour"),
            ("optimizer", "lr"),
            ("optimizer", "betas", 0),
            ("optimizer", "eps"),
            ("schedule", "step_size"),
            ("schedule", "gamma"),
        ]
    )
    # What parse_strategy says first is among them, word for word.
    with pytest.raises(SpecError) as caught:
        parse_strategy(copy.deepcopy(BAD), level_steps=50)
    assert caught.value.problem in problems


def test_reading_leaves_the_callers_data_alone() -> None:
    data = copy.deepcopy(BAD)
    read_strategy(data, level_steps=50)
    assert data == BAD


def test_problems_go_under_the_prefix_given() -> None:
    _strategy, problems = read_strategy(
        {"optimizer": {"name": "sgd", "lr": -1}, "extra": 1}, level_steps=5, prefix=("setup",)
    )
    assert [p.path for p in problems] == [("setup", "extra"), ("setup", "optimizer", "lr")]


@pytest.mark.parametrize(
    ("obj", "paths"),
    [
        (3, [()]),
        ({"schedule": "constant"}, [("optimizer",)]),
        ({"optimizer": {"name": "sgdx", "lr": 0.1}}, [("optimizer", "name")]),
        # A required field's default cannot stand in: said once, not once per round.
        (
            {"optimizer": "sgd", "schedule": {"name": "step", "step_size": 0}},
            [("schedule", "step_size")],
        ),
    ],
)
def test_a_problem_with_no_default_to_fall_back_on_ends_the_reading(
    obj: Any, paths: list[tuple[str | int, ...]]
) -> None:
    strategy, problems = read_strategy(obj, level_steps=5)
    assert strategy is None and [p.path for p in problems] == paths


def test_a_valid_strategy_has_no_problems() -> None:
    data = {"optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9}, "schedule": "cosine"}
    strategy, problems = read_strategy(data, level_steps=30)
    assert problems == [] and strategy == parse_strategy(data, level_steps=30)


@pytest.mark.parametrize(
    ("obj", "paths"),
    [
        # Every item of a list.
        (
            {"optimizer": {"name": "adam", "betas": [2, -1]}},
            [("optimizer", "betas", 0), ("optimizer", "betas", 1)],
        ),
        # Every part of a chained schedule, and every key inside a part.
        (
            {
                "optimizer": "sgd",
                "schedule": {
                    "name": "chained",
                    "schedules": [
                        {"name": "exponential", "gamma": -1},
                        {"name": "step", "step_size": 0, "gamma": "x"},
                    ],
                },
            },
            [
                ("schedule", "schedules", 0, "gamma"),
                ("schedule", "schedules", 1, "step_size"),
                ("schedule", "schedules", 1, "gamma"),
            ],
        ),
        # Every part of a sequence.
        (
            {
                "optimizer": "sgd",
                "schedule": {
                    "name": "sequence",
                    "schedules": [
                        {"name": "linear", "start_factor": 0},
                        {"name": "cosine", "eta_min": -1},
                    ],
                    "milestones": [5],
                },
            },
            [("schedule", "schedules", 0, "start_factor"), ("schedule", "schedules", 1, "eta_min")],
        ),
    ],
)
def test_every_problem_inside_a_field_is_reported(
    obj: Any, paths: list[tuple[str | int, ...]]
) -> None:
    strategy, problems = read_strategy(copy.deepcopy(obj), level_steps=20)
    assert strategy is None and sorted(p.path for p in problems) == sorted(paths)
    # One reading finds them all: parse_strategy raises one error carrying every problem.
    with pytest.raises(SpecError) as caught:
        parse_strategy(copy.deepcopy(obj), level_steps=20)
    assert [p.path for p in caught.value.problems] == paths
