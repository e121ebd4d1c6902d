"""The headless commands as a user runs them: output shapes, exit codes, one-line errors."""

from __future__ import annotations

import argparse
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lrgame.__main__ import main

FIXTURES = Path(__file__).parent / "fixtures" / "levels"
BOWL = str(FIXTURES / "bowl.json")
VALLEY = str(FIXTURES / "valley2d.json")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_simulate_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "simulate", BOWL, "--optimizer", "sgd", "--lr", "0.3", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["level"] == "test-bowl"
    assert data["outcome"] == "reached_goal"
    assert data["steps"] == 40
    assert len(data["trajectory"]) == 41 and len(data["loss"]) == 41 and len(data["lr"]) == 40
    assert data["trajectory"][0] == [2.5]
    assert data["trajectory"][1][0] == pytest.approx(2.5 - 0.3 * 5.0)
    assert 0 <= data["stars"] <= 3 and data["score"] > 0


def test_simulate_with_strategy_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = tmp_path / "s.json"
    s.write_text(
        json.dumps(
            {"optimizer": {"name": "adam", "lr": 0.1}, "schedule": {"name": "cosine"}, "steps": 80}
        )
    )
    code, out, err = run(capsys, "simulate", VALLEY, "--strategy", str(s), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["steps"] == 80 and len(data["trajectory"][0]) == 2
    assert data["lr"][0] == pytest.approx(0.1)
    assert data["strategy"]["schedule"]["T_max"] == 80


def test_diverged_run_writes_null_for_non_finite(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "simulate", BOWL, "--optimizer", "sgd", "--lr", "1e9", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["outcome"] == "diverged"
    assert len(data["lr"]) == data["steps"] == len(data["trajectory"]) - 1


def test_readable_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "simulate", BOWL, "--optimizer", "sgd", "--lr", "0.001")
    assert code == 0
    assert "ran out of steps" in out


def test_sweep_matches_simulate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "sweep",
        VALLEY,
        "--optimizer",
        "momentum",
        "--lr-min",
        "1e-4",
        "--lr-max",
        "10",
        "--points",
        "9",
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["lr"] == np.geomspace(1e-4, 10, 9).tolist()
    for lr, final, outcome in zip(data["lr"], data["final_loss"], data["outcome"], strict=True):
        code, out, _ = run(
            capsys, "simulate", VALLEY, "--optimizer", "momentum", "--lr", repr(lr), "--json"
        )
        single = json.loads(out)
        assert single["outcome"] == outcome
        if final is None:
            assert single["final_loss"] is None
        else:
            assert single["final_loss"] == pytest.approx(final, rel=1e-12, abs=0)
    assert {"diverged", "reached_goal"} <= set(data["outcome"])


def test_find_lr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "find-lr", VALLEY, "--optimizer", "sgd", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert list(data["suggestions"]) == ["steep", "valley", "minimum", "gradient"]
    assert len(data["lr"]) == len(data["loss"]) == len(data["smoothed_gap"]) > 10
    assert all(b > a for a, b in zip(data["lr"], data["lr"][1:], strict=False))
    assert data["num_it"] == 100 and data["stopped_early"] == (data["stop"] is not None)
    # fastai's ramp: step i at 1e-6 * (100 / 1e-6) ** (i / num_it), never reaching 100.
    assert data["lr"][1] == pytest.approx(1e-6 * 1e8 ** (1 / 100), rel=1e-12)


def test_find_lr_needs_fastais_six_points(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "find-lr", VALLEY, "--optimizer", "sgd", "--points", "5")
    assert code == 2 and out == ""
    assert "expected 6 to 10000 --points, got 5" in err


@pytest.mark.parametrize(
    "args, needle",
    [
        (["simulate", "missing.json", "--optimizer", "sgd"], "missing.json"),
        (["simulate", BOWL, "--optimizer", "sgdd"], "sgdd"),
        (["simulate", BOWL, "--optimizer", "sgd", "--lr", "-1"], "-1"),
        (["simulate", BOWL, "--optimizer", "adam", "--schedule", "bogus"], "bogus"),
        (["simulate", BOWL, "--schedule", "bogus"], "bogus"),
        (["sweep", BOWL, "--optimizer", "sgd", "--lr-min", "0"], "lr-min"),
        (["simulate", BOWL, "--optimizer", "sgd", "--steps", "20000"], "20000"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err
    assert "Traceback" not in err


def test_broken_strategy_file_points_at_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = tmp_path / "s.json"
    s.write_text('{\n  "optimizer": {"name": "adam",\n                "betas": [0.9, 1.5]}\n}\n')
    code, _, err = run(capsys, "simulate", BOWL, "--strategy", str(s))
    assert code == 2
    assert f"{s}:3:32:" in err and "1.5" in err
    s.write_text('{"optimizer": ')
    code, _, err = run(capsys, "simulate", BOWL, "--strategy", str(s))
    assert code == 2 and f"{s}:1:" in err


@pytest.mark.parametrize("command", ["simulate", "export"])
def test_every_problem_of_a_strategy_file_gets_its_own_line(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = tmp_path / "s.json"
    s.write_text(
        '{"optimizer": {"name": "adam", "lr": -1,\n'
        '               "betas": [0.9, 1.5]},\n'
        ' "schedule": {"name": "step", "step_size": 0}}\n'
    )
    args = ["simulate", BOWL, "--strategy", str(s)] if command == "simulate" else ["export", str(s)]
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 3, err
    assert lines[0].startswith(f"lrgame: {s}:1:") and "optimizer.lr" in lines[0]
    assert lines[1].startswith(f"lrgame: {s}:2:") and "optimizer.betas[1]" in lines[1]
    assert lines[2].startswith(f"lrgame: {s}:3:") and "schedule.step_size" in lines[2]


def test_strict_applies_the_level_limits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    level = json.loads(Path(BOWL).read_text())
    level["allowed"] = {
        "optimizers": ["sgd"],
        "momentum": False,
        "schedules": ["constant"],
        "finder": False,
    }
    path = tmp_path / "strict.json"
    path.write_text(json.dumps(level))
    assert run(capsys, "simulate", str(path), "--optimizer", "adam")[0] == 0
    code, _, err = run(capsys, "simulate", str(path), "--optimizer", "adam", "--strict")
    assert code == 2 and "adam" in err
    code, _, err = run(capsys, "simulate", str(path), "--optimizer", "momentum", "--strict")
    assert code == 2 and "momentum" in err


def test_misuse_exits_2_with_one_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lrgame", "simulate"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1


def test_version() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lrgame", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and proc.stdout.startswith("lrgame ")


def test_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    assert code == 0 and json.loads(out)["$id"].endswith("level.schema.json")
    code, out, _ = run(capsys, "schema", "--strategy")
    assert code == 0 and json.loads(out)["$id"].endswith("strategy.schema.json")


def test_simulate_without_strategy_flags_runs_the_starting_setup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "simulate", BOWL, "--json")
    assert code == 0, err
    assert json.loads(out)["strategy"]["optimizer"]["lr"] == 0.01
    assert json.loads(out)["strategy"]["schedule"] == {"name": "constant"}
    level = json.loads(Path(BOWL).read_text(encoding="utf-8"))
    level["setup"] = {"optimizer": {"name": "sgd", "lr": 0.2, "momentum": 0.5}}
    path = tmp_path / "l.json"
    path.write_text(json.dumps(level), encoding="utf-8")
    code, out, err = run(capsys, "simulate", str(path), "--json")
    assert code == 0, err
    optimizer = json.loads(out)["strategy"]["optimizer"]
    assert optimizer["lr"] == 0.2 and optimizer["momentum"] == 0.5
    # other flags still apply on top of it
    code, out, err = run(capsys, "simulate", str(path), "--steps", "7", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["steps"] == 7 and data["strategy"]["optimizer"]["lr"] == 0.2


@pytest.mark.parametrize("command", ["simulate", "sweep", "find-lr"])
def test_optimizer_help_names_every_registered_optimizer(command: str) -> None:
    from lrgame.__main__ import build_parser
    from lrgame.engine.optim import ALIAS_OF, REGISTRY

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    text = sub.choices[command].format_help()
    entry = text.split("\n  --optimizer OPTIMIZER", 1)[1].split("\n  --lr LR", 1)[0]
    assert set(re.findall(r"[a-z]+", entry)) - {"also"} == {*REGISTRY, *ALIAS_OF}


def test_every_command_handler_is_a_function_once_all_groups_are_loaded() -> None:
    """A group module named like a handler would shadow it once imported."""
    import importlib

    from lrgame import commands

    groups = set(commands._GROUP_OF.values())
    for group in groups:
        importlib.import_module(f"lrgame.commands.{group}")
    for name in commands._GROUP_OF:
        assert inspect.isfunction(getattr(commands, name)), name


def test_simulate_applies_and_names_the_scoring_modifiers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    plain_args = ["simulate", BOWL, "--optimizer", "sgd", "--lr", "0.3", "--json"]
    code, out, err = run(capsys, *plain_args)
    assert code == 0, err
    plain = json.loads(out)
    assert plain["modifiers"] == {"practice": False, "used_finder": False}
    assert plain["judged"] == {"score": plain["score"], "stars": plain["stars"]}
    assert plain["stars"] == 3, "the fixture run wins with three stars"

    code, out, err = run(capsys, *plain_args, "--practice", "--used-finder")
    assert code == 0, err
    helped = json.loads(out)
    assert helped["modifiers"] == {"practice": True, "used_finder": True}
    assert helped["judged"] == plain["judged"]
    assert helped["score"] == max(0, round(plain["score"] / 2) - 50)
    assert helped["stars"] == 2
    assert helped["trajectory"] == plain["trajectory"], "the help changes the score, not the walk"

    code, out, err = run(
        capsys, "simulate", BOWL, "--optimizer", "sgd", "--lr", "0.3", "--practice"
    )
    assert code == 0, err
    assert f"{round(plain['score'] / 2)}  **." in out and "(practice: judged" in out
