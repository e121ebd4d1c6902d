"""Model levels in the level format: reading, limits and file:line:column problems."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lrgame.engine.lab import ModelLandscape
from lrgame.levels.lab import MAX_PARAMETERS, MAX_SAMPLES, ModelLevel
from lrgame.levels.loader import check_file, check_text

GOOD: dict[str, Any] = {
    "id": "lab-test",
    "title": "Lab test",
    "model": {"layers": [2, 8, 1], "activation": "tanh", "loss": "bce", "init_seed": 3},
    "data": {"generator": "moons", "n": 100, "noise": 0.1, "seed": 1, "holdout": 0.2},
    "batch_size": 16,
    "steps": 50,
    "goal": {"loss": 0.2},
}


def problems(level: dict[str, Any]) -> list[str]:
    return check_text(json.dumps(level, indent=2), "l.json").lines


def changed(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    level = json.loads(json.dumps(GOOD))
    node = level
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return level


_DELETE = object()


def test_a_model_level_reads_into_a_model_landscape() -> None:
    checked = check_text(json.dumps(GOOD), "l.json")
    assert checked.lines == []
    level = checked.level
    assert isinstance(level, ModelLevel)
    assert isinstance(level.landscape, ModelLandscape)
    assert level.dim == 2 * 8 + 8 + 8 + 1 == len(level.start)
    assert level.landscape.data.n == 80 and len(level.landscape.data.y_holdout) == 20
    assert level.goal.loss == 0.2 and level.par == 25
    np.testing.assert_array_equal(level.start, level.mlp.init(3))


def test_explicit_init_and_scale() -> None:
    level = check_text(json.dumps(changed(("model", "init_scale"), 2.0)), "l.json").level
    assert level is not None
    np.testing.assert_allclose(level.start, 2.0 * np.asarray(level.mlp.init(3)))
    init = [0.5, -0.25, 0.125]
    two = {**GOOD, "model": {"layers": [2, 1], "loss": "bce", "init": init}}
    level = check_text(json.dumps(two), "l.json").level
    assert level is not None and list(level.start) == init


@pytest.mark.parametrize(
    "path,value,where,message",
    [
        (("model", "loss"), "hinge", "model.loss", "expected one of mse, bce, cross_entropy"),
        (("model", "layers"), [3, 8, 1], "model.layers", "the data has 2"),
        (("model", "layers"), [2, 8, 2], "model.layers", "a bce model has one output"),
        (
            ("model", "layers"),
            [2, 200, 200, 1],
            "model.layers",
            f"over the limit of {MAX_PARAMETERS:,}",
        ),
        (("model", "layers", 1), 0, "model.layers[1]", "expected an integer from 1"),
        (("model", "init"), [1, 2], "model.init", "expected a list of 33 numbers"),
        (("model", "activation"), "gelu", "model.activation", "tanh, relu, sigmoid"),
        (("model", "init_scale"), -1, "model.init_scale", "expected a factor"),
        (("data", "n"), MAX_SAMPLES + 1, "data.n", f"from 2 to {MAX_SAMPLES}"),
        (("data", "generator"), "spirals", "data.generator", "linear, moons, circles, blobs"),
        (("data", "holdout"), 0.95, "data.holdout", "held-out share"),
        (("data", "classes"), 3, "data.classes", "the moons generator has no 'classes'"),
        (("data", "scale"), [1], "data.scale", "expected a list of 2 numbers"),
        (("goal",), {"tolerance": 0.1}, "goal", "a model level's goal is a training loss"),
        (("goal", "loss"), -1, "goal.loss", "expected a loss >= 0"),
        (("steps",), 10_001, "steps", "expected an integer from 1 to 10000"),
        (("batch_size",), 0, "batch_size", "expected an integer from 1"),
        (("start",), [1.0], "start", "a model level's loss is model.loss"),
    ],
)
def test_problems_point_at_the_field(
    path: tuple[str, ...], value: Any, where: str, message: str
) -> None:
    found = problems(changed(path, value))
    assert found, "expected a problem"
    assert any(f": {where}: " in line and message in line for line in found), found
    assert all(line.startswith("l.json:") for line in found)
    # line:column of the offending value in the indented text
    first = next(line for line in found if f": {where}: " in line)
    line_no = int(first.split(":")[1])
    assert line_no > 1


def test_the_run_budget_is_refused_before_running() -> None:
    big = changed(("model", "layers"), [2, 100, 100, 1])
    big["data"]["n"] = MAX_SAMPLES
    big["steps"] = 10_000
    found = problems(big)
    assert any(": steps: " in line and "over the limit" in line for line in found)


def test_inline_data_and_its_problems() -> None:
    inline = {
        **GOOD,
        "model": {"layers": [1, 1], "loss": "mse"},
        "data": {"x": [[0.0], [1.0], [2.0]], "y": [1.0, 3.0, 5.0]},
    }
    level = check_text(json.dumps(inline), "l.json").level
    assert level is not None
    np.testing.assert_array_equal(level.landscape.data.x[:, 0], [0.0, 1.0, 2.0])
    bad = {**inline, "data": {"x": [[0.0], [1.0, 2.0]], "y": [1.0, 3.0]}}
    assert any("data.x[1]: expected a list of 1 numbers" in line for line in problems(bad))
    bad = {**inline, "data": {"x": [[0.0], [1.0]], "y": [1.0]}}
    assert any("data.y: expected 2 targets" in line for line in problems(bad))
    labels = {**GOOD, "data": {"x": [[0.0, 1.0], [1.0, 0.0]], "y": [0, 2]}}
    assert any("needs targets 0 or 1" in line for line in problems(labels))


def test_csv_beside_the_level(tmp_path: Path) -> None:
    (tmp_path / "points.csv").write_text("x,target\n0,1\n1,3\n2,5.5\n", encoding="utf-8")
    level = {**GOOD, "model": {"layers": [1, 1], "loss": "mse"}, "data": {"csv": "points.csv"}}
    path = tmp_path / "level.json"
    path.write_text(json.dumps(level, indent=2), encoding="utf-8")
    checked = check_file(path)
    assert checked.lines == [] and checked.level is not None
    np.testing.assert_array_equal(checked.level.landscape.data.y, [1.0, 3.0, 5.5])
    (tmp_path / "points.csv").write_text("0,1\n1,oops\n", encoding="utf-8")
    found = check_file(path).lines
    assert len(found) == 1 and "data.csv: points.csv:2: expected numbers" in found[0]
    assert found[0].startswith(f"{path}:")
    for name in ("../points.csv", "missing.csv"):
        level["data"] = {"csv": name}
        path.write_text(json.dumps(level), encoding="utf-8")
        assert len(check_file(path).lines) == 1


def test_csv_must_be_a_regular_file(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.csv")
    level = {**GOOD, "model": {"layers": [1, 1], "loss": "mse"}, "data": {"csv": "pipe.csv"}}
    path = tmp_path / "level.json"
    path.write_text(json.dumps(level), encoding="utf-8")
    found = check_file(path).lines  # never blocks on the FIFO
    assert len(found) == 1 and "not a regular file" in found[0]


def test_winning_and_losing_demos_are_checked() -> None:
    level = {
        **GOOD,
        "steps": 150,
        "goal": {"loss": 0.3},
        "demos": {
            "win": [{"strategy": {"optimizer": {"name": "adam", "lr": 0.05}}}],
            "lose": [
                {"strategy": {"optimizer": {"name": "sgd", "lr": 1e-6}}, "outcome": "diverged"}
            ],
        },
    }
    found = check_text(json.dumps(level, indent=2), "l.json").lines
    assert (
        len(found) == 1 and "demos.lose[0].strategy" in found[0] and "ran out of steps" in found[0]
    )


def test_the_schemas_complete_model_level_reads() -> None:
    from lrgame.levels.reader import read_level
    from tests.levels.test_schema_files import COMPLETE_MODEL_LEVEL

    level, found = read_level(COMPLETE_MODEL_LEVEL)
    assert found == [] and isinstance(level, ModelLevel)
