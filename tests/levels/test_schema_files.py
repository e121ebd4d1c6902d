"""The JSON Schema files for levels and strategies: valid, documented, and strict."""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from lrgame.engine.errors import SpecError
from lrgame.engine.optimizers import OPTIMIZER_NAMES
from lrgame.engine.schedules import SCHEDULE_NAMES
from lrgame.engine.strategy import parse_strategy

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import generate_schemas  # noqa: E402

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "lrgame" / "levels"
LEVEL_ID = "https://lrgame.dev/schema/level.schema.json"
STRATEGY_ID = "https://lrgame.dev/schema/strategy.schema.json"


def load(name: str) -> dict[str, Any]:
    with open(SCHEMA_DIR / name, encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


LEVEL = load("level.schema.json")
STRATEGY = load("strategy.schema.json")
REGISTRY: Registry = Registry().with_resources(
    [
        (LEVEL_ID, Resource.from_contents(LEVEL, default_specification=DRAFT202012)),
        (STRATEGY_ID, Resource.from_contents(STRATEGY, default_specification=DRAFT202012)),
    ]
)
LEVEL_VALIDATOR = Draft202012Validator(LEVEL, registry=REGISTRY)
STRATEGY_VALIDATOR = Draft202012Validator(STRATEGY, registry=REGISTRY)

COMPLETE_LEVEL: dict[str, Any] = {
    "$schema": LEVEL_ID,
    "id": "rosenbrock_valley-2",
    "title": {"en": "The banana valley", "fr": "La vallée banane", "pt-BR": "O vale banana"},
    "lesson": "momentum",
    "briefing": "A long curved valley. Plain SGD zig-zags; momentum carries you along it.",
    "hint": {"en": "Try momentum 0.9 and a smaller learning rate."},
    "author": "lrgame team",
    "loss": "(1 - x)^2 + 100*(y - x**2)**2 + 0.1*sin(3*x)*cos(y) - abs(tanh(x)) * 0",
    "domain": {"x": [-2, 2], "y": [-1, 3]},
    "start": [-1.5, 2.0],
    "steps": 2000,
    "goal": {"tolerance": 0.05, "minimum": [[1, 1]]},
    "par": 500,
    "allowed": {
        "optimizers": ["sgd", "adam", "adamw", "rmsprop", "adagrad"],
        "momentum": True,
        "schedules": ["constant", "step", "cosine", "warmup_cosine", "sequence"],
        "finder": False,
    },
    "setup": {"optimizer": {"name": "sgd", "lr": 0.01}, "schedule": "constant"},
    "noise": {"std": 0.01, "seed": 42},
    "fog": {"radius": 0.1, "enabled": True},
    "demos": {
        "lose": [
            {
                "strategy": {"optimizer": {"name": "sgd", "lr": 0.01}, "steps": 100},
                "outcome": "diverged",
                "note": "Too large for the steep walls.",
            },
            {
                "strategy": {"optimizer": {"name": "sgd", "lr": 1e-5}, "schedule": "constant"},
                "outcome": "out_of_steps",
                "note": {"en": "Far too small.", "fr": "Bien trop petit."},
            },
            {
                "strategy": {
                    "optimizer": {"name": "rmsprop", "lr": 0.001, "alpha": 0.9, "centered": True},
                    "schedule": {"name": "plateau", "factor": 0.5, "patience": 3},
                },
                "outcome": "stuck_local",
            },
        ],
        "win": [
            {
                "strategy": {
                    "optimizer": {"name": "momentum", "lr": 0.001, "momentum": 0.9},
                    "schedule": {"name": "cosine", "T_max": 1500, "eta_min": 0.0},
                    "steps": 1500,
                },
                "note": "Momentum rides the valley floor.",
            },
            {
                "strategy": {
                    "optimizer": {
                        "name": "adam",
                        "lr": 0.02,
                        "betas": [0.9, 0.99],
                        "eps": 1e-8,
                        "weight_decay": 0,
                        "amsgrad": True,
                    },
                    "schedule": {
                        "name": "sequence",
                        "schedules": [
                            {
                                "name": "linear",
                                "start_factor": 0.1,
                                "end_factor": 1.0,
                                "total_iters": 50,
                            },
                            "cosine",
                        ],
                        "milestones": [50],
                    },
                }
            },
            {
                "strategy": {
                    "optimizer": {
                        "name": "nesterov",
                        "lr": 0.001,
                        "dampening": 0,
                        "nesterov": True,
                    },
                    "schedule": {"name": "onecycle", "max_lr": 0.003, "anneal_strategy": "linear"},
                }
            },
        ],
    },
}

# Every optimizer and schedule with every one of its fields.
FULL_OPTIMIZERS: list[dict[str, Any]] = [
    {
        "name": "sgd",
        "lr": 0.1,
        "momentum": 0.5,
        "dampening": 0.1,
        "weight_decay": 0.01,
        "nesterov": False,
    },
    {
        "name": "momentum",
        "lr": 0.1,
        "momentum": 0.9,
        "dampening": 0,
        "weight_decay": 0,
        "nesterov": False,
    },
    {
        "name": "nesterov",
        "lr": 0.1,
        "momentum": 0.9,
        "dampening": 0,
        "weight_decay": 0,
        "nesterov": True,
    },
    {
        "name": "adam",
        "lr": 0.001,
        "betas": [0.9, 0.999],
        "eps": 1e-8,
        "weight_decay": 0,
        "amsgrad": False,
    },
    {
        "name": "adamw",
        "lr": 0.001,
        "betas": [0.8, 0.9],
        "eps": 1e-8,
        "weight_decay": 0.01,
        "amsgrad": True,
    },
    {
        "name": "rmsprop",
        "lr": 0.01,
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0,
        "momentum": 0.9,
        "centered": True,
    },
    {
        "name": "adagrad",
        "lr": 0.01,
        "lr_decay": 0.001,
        "weight_decay": 0,
        "initial_accumulator_value": 0.1,
        "eps": 1e-10,
    },
    {
        "name": "nadam",
        "lr": 0.002,
        "betas": [0.9, 0.999],
        "eps": 1e-8,
        "weight_decay": 0.01,
        "momentum_decay": 0.004,
        "decoupled_weight_decay": True,
    },
    {
        "name": "radam",
        "lr": 0.001,
        "betas": [0.9, 0.999],
        "eps": 1e-8,
        "weight_decay": 0.01,
        "decoupled_weight_decay": False,
    },
    {"name": "adamax", "lr": 0.002, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0},
    {"name": "adadelta", "lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0},
]
FULL_SCHEDULES: list[Any] = [
    "constant",
    {"name": "constant"},
    {"name": "step", "step_size": 30, "gamma": 0.1},
    {"name": "multistep", "milestones": [30, 80], "gamma": 0.5},
    {"name": "exponential", "gamma": 0.99},
    {"name": "cosine", "T_max": 100, "eta_min": 0.001},
    {"name": "cosine_restarts", "T_0": 10, "T_mult": 2, "eta_min": 0},
    {"name": "linear", "start_factor": 0.25, "end_factor": 1.0, "total_iters": 5},
    {
        "name": "onecycle",
        "max_lr": 0.1,
        "total_steps": 100,
        "pct_start": 0.3,
        "anneal_strategy": "cos",
        "cycle_momentum": True,
        "base_momentum": 0.85,
        "max_momentum": 0.95,
        "div_factor": 25,
        "final_div_factor": 1e4,
        "three_phase": False,
    },
    {
        "name": "cyclic",
        "base_lr": 0.001,
        "max_lr": 0.01,
        "step_size_up": 20,
        "step_size_down": None,
        "mode": "exp_range",
        "gamma": 0.99,
        "cycle_momentum": False,
        "base_momentum": 0.8,
        "max_momentum": 0.9,
    },
    {
        "name": "plateau",
        "mode": "min",
        "factor": 0.1,
        "patience": 10,
        "threshold": 1e-4,
        "threshold_mode": "rel",
        "cooldown": 0,
        "min_lr": 0,
        "eps": 1e-8,
    },
    {"name": "sequence", "schedules": [{"name": "constant"}, "exponential"], "milestones": [10]},
    {
        "name": "warmup_cosine",
        "warmup_steps": 10,
        "start_factor": 0.01,
        "eta_min": 0,
        "total_steps": 100,
    },
    "warmup_cosine",
    {"name": "polynomial", "total_iters": 50, "power": 2.0},
    {"name": "constant_factor", "factor": 0.5, "total_iters": 10},
    {"name": "lambda", "lr_lambda": "0.97^epoch"},
    {"name": "multiplicative", "lr_lambda": "1/(1 + 0.01*epoch)"},
    {
        "name": "chained",
        "schedules": [
            {"name": "linear", "start_factor": 0.1, "total_iters": 10},
            {"name": "multiplicative", "lr_lambda": "0.99"},
            "exponential",
        ],
    },
]


def errors(validator: Draft202012Validator, instance: Any) -> list[str]:
    return [error.message for error in validator.iter_errors(instance)]


def with_change(path: tuple[str | int, ...], value: Any, base: dict[str, Any] | None = None) -> Any:
    """A copy of the complete level with the value at ``path`` replaced (``DELETE`` removes it)."""
    level = copy.deepcopy(COMPLETE_LEVEL if base is None else base)
    target: Any = level
    for part in path[:-1]:
        target = target[part]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return level


DELETE = object()


def properties_of(schema: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (path, subschema) that declares a property, outside the if/then/else conditions.

    The conditions only add constraints (the name-dispatch, the start's dimension);
    the properties they mention are documented where they are declared.
    """
    if isinstance(schema, dict):
        for group in ("properties", "patternProperties"):
            for name, sub in schema.get(group, {}).items():
                yield f"{where}/{group}/{name}", sub
        for key, sub in schema.items():
            if key in ("if", "then", "else", "examples", "default", "enum", "const"):
                continue
            yield from properties_of(sub, f"{where}/{key}")
    elif isinstance(schema, list):
        for i, sub in enumerate(schema):
            yield from properties_of(sub, f"{where}/{i}")


# -- the schemas themselves ---------------------------------------------------


@pytest.mark.parametrize("schema", [LEVEL, STRATEGY], ids=["level", "strategy"])
def test_schema_is_valid_draft_2020_12(schema: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_ids() -> None:
    assert LEVEL["$id"] == LEVEL_ID
    assert STRATEGY["$id"] == STRATEGY_ID


@pytest.mark.parametrize("schema", [LEVEL, STRATEGY], ids=["level", "strategy"])
def test_every_property_is_described_with_a_default_or_examples(schema: dict[str, Any]) -> None:
    found = list(properties_of(schema))
    assert len(found) > 20
    for where, sub in found:
        assert isinstance(sub.get("description"), str) and sub["description"], (
            f"{where}: no description"
        )
        assert "default" in sub or sub.get("examples"), f"{where}: no default or examples"


@pytest.mark.parametrize("schema", [LEVEL, STRATEGY], ids=["level", "strategy"])
def test_every_object_with_properties_is_closed(schema: dict[str, Any]) -> None:
    def walk(node: Any, where: str) -> Iterator[str]:
        if isinstance(node, dict):
            if "properties" in node and where.rsplit("/", 1)[-1] not in ("if", "then", "else"):
                # Dispatching objects are closed by the per-name schema their if/then picks.
                if "allOf" not in node and node.get("additionalProperties") is not False:
                    yield where
            for key, sub in node.items():
                if key not in ("examples", "default"):
                    yield from walk(sub, f"{where}/{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                yield from walk(sub, f"{where}/{i}")

    open_objects = [
        w for w in walk(schema, "") if "/if" not in w and "/then" not in w and "/else" not in w
    ]
    assert open_objects == []


def test_level_schema_refers_to_the_strategy_schema_by_id() -> None:
    text = json.dumps(LEVEL)
    assert '"$ref": "strategy.schema.json"' in text
    # A relative reference resolves against the level schema's $id to the strategy's $id.
    resolver = REGISTRY.resolver(base_uri=LEVEL_ID)
    assert resolver.lookup("strategy.schema.json").contents is STRATEGY


def test_level_schema_lists_every_lesson_and_the_strategy_lists_every_schedule() -> None:
    lessons = LEVEL["properties"]["lesson"]["enum"]
    assert lessons == [
        "step_size",
        "divergence",
        "too_slow",
        "local_minimum",
        "momentum",
        "step_decay",
        "adaptive",
        "lr_finder",
        "warmup",
        "noise",
        "adaptive_finish",
        "mixed",
    ]
    schedules = STRATEGY["$defs"]["schedule"]["anyOf"][1]["properties"]["name"]["enum"]
    assert schedules == LEVEL["properties"]["allowed"]["properties"]["schedules"]["items"]["enum"]
    assert schedules == list(SCHEDULE_NAMES)
    optimizers = LEVEL["properties"]["allowed"]["properties"]["optimizers"]["items"]["enum"]
    assert optimizers == list(OPTIMIZER_NAMES)


def test_defaults_follow_torch() -> None:
    defs = STRATEGY["$defs"]

    def default(kind: str, field: str) -> Any:
        return defs[kind]["properties"][field]["default"]

    assert default("optimizer_sgd", "lr") == 1e-3
    assert default("optimizer_sgd", "momentum") == 0
    assert default("optimizer_momentum", "momentum") == 0.9
    assert default("optimizer_nesterov", "nesterov") is True
    assert default("optimizer_adam", "betas") == [0.9, 0.999]
    assert default("optimizer_adam", "weight_decay") == 0
    assert default("optimizer_adamw", "weight_decay") == 1e-2
    assert default("optimizer_rmsprop", "lr") == 1e-2
    assert default("optimizer_rmsprop", "alpha") == 0.99
    assert default("optimizer_adagrad", "eps") == 1e-10
    assert default("schedule_step", "gamma") == 0.1
    assert default("schedule_exponential", "gamma") == 0.99
    assert default("schedule_linear", "start_factor") == pytest.approx(1 / 3)
    assert default("schedule_onecycle", "final_div_factor") == 1e4
    assert default("schedule_cyclic", "step_size_up") == 2000
    assert default("schedule_cyclic", "step_size_down") is None
    assert default("schedule_plateau", "patience") == 10
    assert default("schedule_warmup_cosine", "start_factor") == 0.01


# -- good examples --------------------------------------------------------------


def test_complete_level_with_every_field_validates() -> None:
    top = set(LEVEL["properties"]) - MODEL_ONLY
    assert set(COMPLETE_LEVEL) == top, "the complete example must use every level field"
    assert errors(LEVEL_VALIDATOR, COMPLETE_LEVEL) == []


MODEL_ONLY = {"model", "data", "batch_size"}
COMPLETE_MODEL_LEVEL: dict[str, Any] = {
    **{k: v for k, v in COMPLETE_LEVEL.items() if k not in ("loss", "domain", "start", "noise")},
    "model": {
        "layers": [2, 8, 1],
        "activation": "relu",
        "loss": "bce",
        "init_seed": 4,
        "init_scale": 2.0,
    },
    "data": {"generator": "moons", "n": 200, "noise": 0.1, "seed": 0, "holdout": 0.25},
    "batch_size": 32,
    "goal": {"loss": 0.05},
}


def test_complete_model_level_validates_and_a_mixture_does_not() -> None:
    top = set(LEVEL["properties"]) - {"loss", "domain", "start", "noise"}
    assert set(COMPLETE_MODEL_LEVEL) == top, "the model example must use every model level field"
    assert errors(LEVEL_VALIDATOR, COMPLETE_MODEL_LEVEL) == []
    inline = {**COMPLETE_MODEL_LEVEL, "data": {"x": [[0, 1], [1, 0]], "y": [0, 1], "holdout": 0}}
    assert errors(LEVEL_VALIDATOR, inline) == []
    assert errors(LEVEL_VALIDATOR, {**COMPLETE_MODEL_LEVEL, "loss": "x^2"})
    assert errors(LEVEL_VALIDATOR, {**COMPLETE_MODEL_LEVEL, "goal": {"tolerance": 0.1}})
    assert errors(LEVEL_VALIDATOR, {**COMPLETE_LEVEL, "batch_size": 32})
    assert errors(LEVEL_VALIDATOR, {**COMPLETE_LEVEL, "goal": {"loss": 0.1}})
    no_model = {k: v for k, v in COMPLETE_MODEL_LEVEL.items() if k != "model"}
    assert errors(LEVEL_VALIDATOR, no_model)
    bad_csv = {**COMPLETE_MODEL_LEVEL, "data": {"csv": "../secret.csv"}}
    assert errors(LEVEL_VALIDATOR, bad_csv)


def test_minimal_levels_validate() -> None:
    one_d = {
        "id": "a",
        "title": "A",
        "loss": "x^2",
        "domain": {"x": [-1, 1]},
        "start": [0.5],
        "steps": 10,
    }
    assert errors(LEVEL_VALIDATOR, one_d) == []
    two_d = {
        **one_d,
        "loss": "x^2 + y^2",
        "domain": {"x": [-1, 1], "y": [-1, 1]},
        "start": [0.5, 0.5],
    }
    assert errors(LEVEL_VALIDATOR, two_d) == []


@pytest.mark.parametrize("optimizer", FULL_OPTIMIZERS, ids=lambda o: o["name"])
def test_every_optimizer_with_all_its_fields_validates(optimizer: dict[str, Any]) -> None:
    assert errors(STRATEGY_VALIDATOR, {"optimizer": optimizer}) == []
    assert errors(STRATEGY_VALIDATOR, {"optimizer": {"name": optimizer["name"]}}) == []


@pytest.mark.parametrize("schedule", FULL_SCHEDULES, ids=lambda s: json.dumps(s)[:24])
def test_every_schedule_with_all_its_fields_validates(schedule: Any) -> None:
    strategy = {"optimizer": {"name": "sgd", "lr": 0.1}, "schedule": schedule, "steps": 100}
    assert errors(STRATEGY_VALIDATOR, strategy) == []


def test_each_optimizer_schema_declares_exactly_its_fields() -> None:
    assert {o["name"] for o in FULL_OPTIMIZERS} >= set(OPTIMIZER_NAMES)
    for optimizer in FULL_OPTIMIZERS:
        declared = set(STRATEGY["$defs"][f"optimizer_{optimizer['name']}"]["properties"])
        assert declared == set(optimizer), optimizer["name"]


def test_each_schedule_schema_declares_exactly_its_fields() -> None:
    covered = set()
    for schedule in FULL_SCHEDULES:
        if isinstance(schedule, dict) and len(schedule) > 1:
            declared = set(STRATEGY["$defs"][f"schedule_{schedule['name']}"]["properties"])
            assert declared == set(schedule), schedule["name"]
            covered.add(schedule["name"])
    assert covered == set(
        STRATEGY["$defs"]["schedule"]["anyOf"][1]["properties"]["name"]["enum"]
    ) - {"constant"}


# -- bad examples ---------------------------------------------------------------

BAD_LEVELS = {
    "title is a number": (("title",), 5),
    "text without en": (("title",), {"fr": "Premiers pas"}),
    "text with a bad language code": (("briefing",), {"en": "x", "english": "x"}),
    "unknown top-level key": (("difficulty",), "hard"),
    "unknown key in goal": (("goal", "radius"), 0.1),
    "bad lesson": (("lesson",), "learning_rate"),
    "steps 20000": (("steps",), 20000),
    "steps not an integer": (("steps",), 10.5),
    "bad id": (("id",), "Has Spaces"),
    "empty loss": (("loss",), ""),
    "loss too long": (("loss",), "x+" * 2000 + "x"),
    "domain with z": (("domain", "z"), [0, 1]),
    "domain range of three": (("domain", "x"), [0, 1, 2]),
    "domain range of strings": (("domain", "x"), ["a", "b"]),
    "start of three numbers": (("start",), [1, 2, 3]),
    "1-D start in a 2-D level": (("start",), [1]),
    "tolerance 0": (("goal", "tolerance"), 0),
    "par 0": (("par",), 0),
    "optimizer not offered by name": (("allowed", "optimizers"), ["sgd", "lbfgs"]),
    "momentum is not an optimizer to allow": (("allowed", "optimizers"), ["momentum"]),
    "schedule unknown": (("allowed", "schedules"), ["warm"]),
    "negative noise": (("noise", "std"), -0.1),
    "fog radius over 1": (("fog", "radius"), 1.5),
    "fog radius 0": (("fog", "radius"), 0),
    "bad demo outcome": (("demos", "lose", 0, "outcome"), "won"),
    "losing demo without outcome": (("demos", "lose", 0, "outcome"), DELETE),
    "winning demo with an outcome": (("demos", "win", 0, "outcome"), "diverged"),
    "missing id": (("id",), DELETE),
    "missing steps": (("steps",), DELETE),
    "unknown optimizer": (("demos", "win", 0, "strategy", "optimizer", "name"), "lbfgs"),
    "adam with momentum": (("demos", "win", 1, "strategy", "optimizer", "momentum"), 0.9),
    "beta of 1": (("demos", "win", 1, "strategy", "optimizer", "betas"), [0.9, 1.0]),
    "three betas": (("demos", "win", 1, "strategy", "optimizer", "betas"), [0.9, 0.9, 0.9]),
    "negative learning rate": (("demos", "win", 0, "strategy", "optimizer", "lr"), -0.1),
    "strategy steps 20000": (("demos", "win", 0, "strategy", "steps"), 20000),
    "unknown strategy key": (("demos", "win", 0, "strategy", "speed"), 3),
    "schedule field of another schedule": (
        ("demos", "win", 0, "strategy", "schedule"),
        {"name": "cosine", "gamma": 0.5},
    ),
    "onecycle inside a sequence": (
        ("demos", "win", 1, "strategy", "schedule", "schedules", 1),
        {"name": "onecycle"},
    ),
    "multistep with a negative milestone": (
        ("demos", "win", 0, "strategy", "schedule"),
        {"name": "multistep", "milestones": [-1]},
    ),
    "unknown schedule name": (("demos", "win", 0, "strategy", "schedule"), "warm"),
    "setup without an optimizer": (("setup", "optimizer"), DELETE),
    "setup with a negative rate": (("setup", "optimizer", "lr"), -1),
}


@pytest.mark.parametrize("case", list(BAD_LEVELS), ids=list(BAD_LEVELS))
def test_bad_levels_are_rejected(case: str) -> None:
    path, value = BAD_LEVELS[case]
    level = with_change(path, value)
    found = list(LEVEL_VALIDATOR.iter_errors(level))
    assert found, f"{case} was accepted"
    # The complete level has no errors, so each one is about the change: it lies on the
    # path to the changed value, or inside the new value.
    for error in found:
        where = tuple(error.absolute_path)
        common = min(len(where), len(path))
        assert where[:common] == path[:common], (where, error.message)


@pytest.mark.parametrize(
    "bad",
    [
        [],
        "sgd",
        {"name": "sgd"},
        {"optimizer": "lbfgs"},
        {"optimizer": {"lr": 0.1}},
        {"optimizer": {"name": "sgd", "betas": [0.9, 0.999]}},
        {"optimizer": {"name": "rmsprop", "amsgrad": True}},
        {"optimizer": {"name": "adagrad", "momentum": 0.9}},
        {"optimizer": {"name": "sgd", "nesterov": "yes"}},
        {"optimizer": {"name": "sgd"}, "steps": 0},
        {"optimizer": {"name": "sgd"}, "schedule": {"name": "step", "step_size": 0}},
        {"optimizer": {"name": "sgd"}, "schedule": {"name": "cosine_restarts", "T_mult": 0}},
        {"optimizer": {"name": "sgd"}, "schedule": {"name": "linear", "start_factor": 0}},
        {"optimizer": {"name": "sgd"}, "schedule": {"name": "cyclic", "mode": "sawtooth"}},
        {"optimizer": {"name": "sgd"}, "schedule": {"name": "plateau", "factor": 1.0}},
        {"optimizer": {"name": "sgd"}, "schedule": {"name": "sequence", "schedules": []}},
        {"optimizer": {"name": "sgd"}, "schedule": "sequence"},
        {"optimizer": {"name": "sgd"}, "schedule": {"name": "onecycle", "max_momentum": 1.0}},
    ],
    ids=lambda b: json.dumps(b)[:60],
)
def test_bad_strategies_are_rejected(bad: Any) -> None:
    assert errors(STRATEGY_VALIDATOR, bad)
    # The parser refuses them too: the schema is generated from its declarations.
    with pytest.raises(SpecError):
        parse_strategy(bad, level_steps=100)


# -- the schema and the parser agree (the schema is generated from the registries) --


def test_committed_schemas_and_readme_tables_are_the_generated_ones() -> None:
    for path, text in generate_schemas.generated().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} is out of date: run python tools/generate_schemas.py"
        )


AGREEMENT = [
    # (strategy, accepted by both)
    ({"optimizer": "sgd", "schedule": "lambda"}, False),
    ({"optimizer": "sgd", "schedule": {"name": "lambda", "lr_lambda": ""}}, False),
    ({"optimizer": "sgd", "schedule": {"name": "chained", "schedules": ["cosine"]}}, False),
    ({"optimizer": "sgd", "schedule": {"name": "constant_factor", "factor": 0}}, False),
    ({"optimizer": {"name": "adadelta", "rho": 1.01}}, False),
    ({"optimizer": "sgd"}, True),
    ({"optimizer": "sgd", "schedule": {"name": "multistep", "milestones": [0, 5, 5]}}, True),
    ({"optimizer": "sgd", "schedule": "multistep"}, True),
    ({"optimizer": "sgd", "schedule": "cosine_restarts"}, True),
    ({"optimizer": "sgd", "schedule": {"name": "sequence", "schedules": ["constant"]}}, True),
    ({"optimizer": "sgd", "schedule": {"name": "onecycle", "base_momentum": 1.0}}, False),
    ({"optimizer": "sgd", "schedule": {"name": "cyclic", "max_momentum": 1.0}}, False),
    ({"optimizer": "sgd", "schedule": {"name": "multistep", "milestones": [-1]}}, False),
    ({"optimizer": {"name": "sgd", "dampening": 2.0}}, True),
    ({"optimizer": {"name": "adam", "betas": [0.9, 1.0]}}, False),
    (
        {
            "optimizer": "sgd",
            "schedule": {"name": "sequence", "schedules": ["onecycle"], "milestones": []},
        },
        False,
    ),
]


@pytest.mark.parametrize(
    ("strategy", "accepted"), AGREEMENT, ids=[json.dumps(s)[:70] for s, _ in AGREEMENT]
)
def test_schema_and_parser_agree(strategy: dict[str, Any], accepted: bool) -> None:
    assert (errors(STRATEGY_VALIDATOR, strategy) == []) is accepted
    if accepted:
        parse_strategy(strategy, level_steps=100)
    else:
        with pytest.raises(SpecError):
            parse_strategy(strategy, level_steps=100)


@pytest.mark.parametrize("schedule", FULL_SCHEDULES, ids=lambda s: json.dumps(s)[:24])
def test_every_full_schedule_parses(schedule: Any) -> None:
    strategy = {"optimizer": {"name": "sgd", "lr": 0.1}, "schedule": schedule, "steps": 100}
    parse_strategy(strategy, level_steps=100)


@pytest.mark.parametrize("optimizer", FULL_OPTIMIZERS, ids=lambda o: o["name"])
def test_every_full_optimizer_parses(optimizer: dict[str, Any]) -> None:
    parse_strategy({"optimizer": optimizer}, level_steps=100)


def test_level_json_files_load_with_the_json_module() -> None:
    # The schema files are themselves strict JSON, readable by our own reader too.
    from lrgame.levels.jsonpos import load_json_file

    for name in ("level.schema.json", "strategy.schema.json"):
        assert load_json_file(SCHEMA_DIR / name).value == load(name)
