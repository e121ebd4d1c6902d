"""`lrgame export`: the strategy as PyTorch code, checked through Python's parser."""

from __future__ import annotations

import ast
import builtins
import json
import math
import re
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import numpy as np
import pytest

from lrgame.__main__ import main
from lrgame.engine.expr import FUNCTIONS, Expression
from lrgame.engine.optim import REGISTRY as OPTIMIZERS
from lrgame.engine.sched import REGISTRY as SCHEDULE_DEFS
from lrgame.engine.sched.export import python_expression
from lrgame.engine.strategy import parse_strategy
from lrgame.export import loss_source, torch_code
from lrgame.levels.loader import load_level
from lrgame.levels.model import Level

ROOT = Path(__file__).resolve().parents[1]
LEVEL = ROOT / "tests" / "fixtures" / "levels" / "valley2d.json"

SCHEDULES = [
    "constant",
    {"name": "step", "step_size": 10, "gamma": 0.5},
    {"name": "multistep", "milestones": [10, 20]},
    {"name": "exponential", "gamma": 0.9},
    {"name": "cosine", "T_max": 50},
    {"name": "cosine_restarts", "T_0": 10, "T_mult": 2},
    {"name": "linear", "total_iters": 10},
    {"name": "onecycle", "max_lr": 0.1},
    {"name": "cyclic", "base_lr": 0.001, "max_lr": 0.1, "step_size_up": 10},
    {"name": "plateau", "patience": 3},
    {
        "name": "sequence",
        "schedules": [{"name": "linear", "total_iters": 5}, "constant"],
        "milestones": [5],
    },
    {"name": "warmup_cosine", "warmup_steps": 10},
]


def calls(tree: ast.AST) -> dict[str, ast.Call]:
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            found.setdefault(name, node)
    return found


@pytest.mark.parametrize(
    "schedule", SCHEDULES, ids=lambda s: s if isinstance(s, str) else s["name"]
)
@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop", "adamw"])
def test_export_parses_and_matches_the_strategy(optimizer: str, schedule: object) -> None:
    strategy = parse_strategy(
        {"optimizer": {"name": optimizer, "lr": 0.01}, "schedule": schedule}, level_steps=60
    )
    code = torch_code(strategy, load_level(LEVEL))
    tree = ast.parse(code)
    found = calls(tree)
    torch_class = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop", "adamw": "AdamW"}[optimizer]
    assert torch_class in found
    kwargs = {k.arg: ast.literal_eval(k.value) for k in found[torch_class].keywords}
    assert kwargs["lr"] == 0.01
    for key, value in strategy.optimizer.params.items():
        assert kwargs[key] == (tuple(value) if isinstance(value, (list, tuple)) else value)
    loop = next(n for n in ast.walk(tree) if isinstance(n, ast.For))
    body = [ast.unparse(stmt) for stmt in loop.body]
    assert body.index("optimizer.step()") < body.index("optimizer.zero_grad()")
    name = schedule if isinstance(schedule, str) else schedule["name"]
    if name == "constant":
        assert "scheduler =" not in code
    elif name == "plateau":
        assert "scheduler.step(loss.item())" in body
        assert "ReduceLROnPlateau" in found
    else:
        assert body.index("optimizer.step()") < body.index("scheduler.step()")
    assert "for step in range(60)" in code


def test_export_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = tmp_path / "s.json"
    s.write_text(
        json.dumps(
            {
                "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9},
                "schedule": "cosine",
                "steps": 30,
            }
        )
    )
    assert main(["export", str(s)]) == 0
    code = capsys.readouterr().out
    ast.parse(code)
    assert "CosineAnnealingLR(optimizer, T_max=30" in code
    assert "momentum=0.9" in code
    assert main(["export", str(s), "--level", str(LEVEL)]) == 0
    code = capsys.readouterr().out
    assert "def loss_fn(p):" in code and "x, y = p[0], p[1]" in code
    ast.parse(code)


@pytest.mark.parametrize("schedule", ["constant", "cosine", "plateau"])
def test_without_a_level_the_export_trains_the_readers_model(schedule: str) -> None:
    strategy = parse_strategy(
        {"optimizer": {"name": "adam", "lr": 0.01}, "schedule": schedule}, level_steps=40
    )
    code = torch_code(strategy)
    tree = ast.parse(code)
    found = calls(tree)
    # The optimizer works on the model's parameters, not on a made-up point that
    # already sits at the minimum of a made-up loss.
    assert [ast.unparse(a) for a in found["Adam"].args] == ["model.parameters()"]
    assert "requires_grad" not in code and "p ** 2" not in code
    assert "# No level given" in code and "your own model" in code
    loop = next(n for n in ast.walk(tree) if isinstance(n, ast.For))
    body = [ast.unparse(stmt) for stmt in loop.body]
    assert body.index("loss.backward()") < body.index("optimizer.step()")
    if schedule == "plateau":
        assert body.index("optimizer.step()") < body.index("scheduler.step(loss.item())")
    elif schedule == "cosine":
        assert body.index("optimizer.step()") < body.index("scheduler.step()")
    else:
        assert "scheduler =" not in code and "scheduler.step" not in code
    assert "steps = 40" in code


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_exports_its_torch_class_and_keywords(name: str) -> None:
    code = torch_code(parse_strategy({"optimizer": name}, level_steps=10))
    ast.parse(code)
    definition = OPTIMIZERS[name]
    line = next(text for text in code.splitlines() if text.startswith("optimizer = "))
    assert f"torch.optim.{definition.torch_class}(" in line
    for param in definition.params:
        assert f"{param.name}=" in line


@pytest.mark.parametrize("name", [n for n in SCHEDULE_DEFS if n != "sequence"])
def test_every_schedule_exports_its_torch_classes(name: str) -> None:
    definition = SCHEDULE_DEFS[name]
    schedule = {"name": name}
    for param in definition.params:
        if param.required:  # no default: its declared example
            schedule[param.name] = param.examples[0]
    strategy = parse_strategy(
        {"optimizer": "sgd", "schedule": schedule, "steps": 40}, level_steps=40
    )
    code = torch_code(strategy)
    ast.parse(code)
    if definition.torch_class:
        assert f"{definition.torch_class}(" in code
        assert "import" in code and definition.torch_class in code.splitlines()[2]
    else:
        assert "scheduler =" not in code


def test_an_lr_lambda_is_exported_as_a_python_lambda() -> None:
    strategy = parse_strategy(
        {
            "optimizer": "sgd",
            "schedule": {"name": "lambda", "lr_lambda": "0.5 + 0.5*cos(pi*epoch/20)^2"},
        },
        level_steps=30,
    )
    for code in (torch_code(strategy), torch_code(strategy, load_level(LEVEL))):
        ast.parse(code)
        assert code.startswith("import math\n")
        assert "LambdaLR(optimizer, lr_lambda=lambda epoch: 0.5 + 0.5 * math.cos(" in code
    chained = parse_strategy(
        {
            "optimizer": "sgd",
            "schedule": {
                "name": "chained",
                "schedules": [{"name": "multiplicative", "lr_lambda": "0.99"}, "exponential"],
            },
        },
        level_steps=30,
    )
    code = torch_code(chained)
    ast.parse(code)
    assert "import math" not in code
    assert (
        "ChainedScheduler(" in code
        and "MultiplicativeLR(optimizer, lr_lambda=lambda epoch: 0.99)" in code
    )
    assert (
        "from torch.optim.lr_scheduler import ChainedScheduler, ExponentialLR, MultiplicativeLR"
        in code
    )


@pytest.mark.parametrize("function", FUNCTIONS)
def test_python_and_torch_exports_name_each_function_alike(function: str) -> None:
    """The lambda export (``math``) and the loss export (``torch``) share one function table."""
    text = f"{function}(epoch/7 + 0.5)"
    expression = Expression.parse(text, ("epoch",))
    source = python_expression(expression)
    called = re.match(r"(math\.)?(\w+)\(epoch / 7\.0 \+ 0\.5\)$", source)
    assert called is not None, source
    python_function = getattr(math if called.group(1) else builtins, called.group(2))
    want = float(expression.value(np.array([[3.0]]))[0])
    assert python_function(3.0 / 7 + 0.5) == pytest.approx(want)
    level = SimpleNamespace(dim=1, expression=Expression.parse(text.replace("epoch", "x"), ("x",)))
    assert f"torch.{called.group(2)}(" in loss_source(cast(Level, level))
