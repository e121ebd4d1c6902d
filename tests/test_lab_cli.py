"""Model levels headless: simulate --json, sweep, find-lr, export and new --model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lrgame.__main__ import main
from lrgame.engine.mlp import MLP

LEVEL: dict[str, Any] = {
    "id": "cli-moons",
    "title": "CLI moons",
    "model": {"layers": [2, 6, 1], "activation": "tanh", "loss": "bce", "init_seed": 2},
    "data": {"generator": "moons", "n": 60, "noise": 0.1, "seed": 4, "holdout": 0.25},
    "batch_size": 16,
    "steps": 40,
    "goal": {"loss": 0.3},
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def level_file(tmp_path: Path) -> Path:
    path = tmp_path / "level.json"
    path.write_text(json.dumps(LEVEL), encoding="utf-8")
    return path


def test_simulate_json_holds_what_torch_needs_to_replay(
    level_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "simulate", str(level_file), "--optimizer", "adam", "--lr", "0.05", "--json"
    )
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["parameters"] == [
        {"name": "0.weight", "shape": [6, 2]},
        {"name": "0.bias", "shape": [6]},
        {"name": "2.weight", "shape": [1, 6]},
        {"name": "2.bias", "shape": [1]},
    ]
    trajectory = np.asarray(data["trajectory"])
    assert trajectory.shape == (41, 25)
    x, y = np.asarray(data["dataset"]["x"]), np.asarray(data["dataset"]["y"])
    assert x.shape == (45, 2) and len(data["dataset"]["holdout_y"]) == 15
    assert len(data["batches"]) == 40
    # An epoch is 45 samples in batches of 16, 16 and 13, each sample once.
    epoch = sorted(i for b in data["batches"][:3] for i in b)
    assert epoch == list(range(45))
    assert [len(b) for b in data["batches"][:3]] == [16, 16, 13]
    # loss is the full training loss at every point, holdout_loss the held-out one.
    mlp = MLP((2, 6, 1), "tanh", "bce")
    np.testing.assert_allclose(data["loss"], mlp.loss_value(trajectory, x, y), rtol=1e-12)
    hx, hy = np.asarray(data["dataset"]["holdout_x"]), np.asarray(data["dataset"]["holdout_y"])
    np.testing.assert_allclose(data["holdout_loss"], mlp.loss_value(trajectory, hx, hy), rtol=1e-12)
    # Each step is one Adam step on its batch's gradient, replayed here by hand.
    m = v = np.zeros(25)
    p = trajectory[0]
    for t, batch in enumerate(data["batches"], start=1):
        g = mlp.value_and_grad(p[None], x[batch], y[batch])[1][0]
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        p = p - 0.05 / (1 - 0.9**t) * m / (np.sqrt(v) / np.sqrt(1 - 0.999**t) + 1e-8)
        np.testing.assert_allclose(p, trajectory[t], rtol=1e-9, atol=1e-12)
    assert data["coach"]["kind"] == data["outcome"]
    assert isinstance(data["coach"]["text"], str) and data["coach"]["text"]


def test_full_batch_has_no_batches_and_no_holdout_without_a_share(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    level = {**LEVEL, "data": {**LEVEL["data"], "holdout": 0}}
    del level["batch_size"]
    path = tmp_path / "full.json"
    path.write_text(json.dumps(level), encoding="utf-8")
    code, out, _ = run(capsys, "simulate", str(path), "--optimizer", "sgd", "--lr", "1", "--json")
    data = json.loads(out)
    assert code == 0 and "batches" not in data and "holdout_loss" not in data
    assert "holdout_x" not in data["dataset"] and len(data["dataset"]["y"]) == 60


def test_linear_regression_divergence_names_two_over_lambda_max(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    level = {
        "id": "unscaled",
        "title": "Unscaled",
        "model": {"layers": [2, 1], "loss": "mse"},
        "data": {"generator": "linear", "n": 50, "a": [1, 1], "scale": [1, 100]},
        "steps": 50,
        "goal": {"loss": 0.02},
    }
    path = tmp_path / "lin.json"
    path.write_text(json.dumps(level), encoding="utf-8")
    code, out, _ = run(capsys, "simulate", str(path), "--optimizer", "sgd", "--lr", "0.1", "--json")
    data = json.loads(out)
    assert data["outcome"] == "diverged"
    coach = data["coach"]
    x = np.hstack([np.asarray(data["dataset"]["x"]), np.ones((50, 1))])
    lam = np.linalg.eigvalsh(2 * x.T @ x / 50)[-1]
    assert coach["curvature"] == pytest.approx(lam, rel=1e-12)
    assert coach["stability_limit"] == pytest.approx(2 / lam, rel=1e-12)
    assert coach["blowup_lr"] == 0.1 > coach["stability_limit"]
    assert "unstable" in coach["text"]


def test_sweep_and_find_lr_on_a_model_level(
    level_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "sweep",
        str(level_file),
        "--optimizer",
        "sgd",
        "--lr-min",
        "0.01",
        "--lr-max",
        "1e8",
        "--points",
        "8",
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and len(data["outcome"]) == 8
    assert data["outcome"][-1] == "diverged" and "diverged" not in data["outcome"][:2]
    code, out, _ = run(capsys, "find-lr", str(level_file), "--optimizer", "sgd", "--json")
    data = json.loads(out)
    assert code == 0 and set(data["suggestions"]) >= {"valley", "steep"}


def test_export_prints_a_script_that_replays_the_run(
    level_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    strategy = tmp_path / "s.json"
    strategy.write_text(
        json.dumps(
            {
                "optimizer": {"name": "sgd", "lr": 0.5, "momentum": 0.9},
                "schedule": {"name": "step", "step_size": 10, "gamma": 0.5},
            }
        ),
        encoding="utf-8",
    )
    code, script, _ = run(capsys, "export", str(strategy), "--level", str(level_file))
    assert code == 0
    compile(script, "export.py", "exec")
    assert "nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 1))" in script
    assert "nn.BCEWithLogitsLoss()" in script and "StepLR(optimizer" in script
    _, out, _ = run(capsys, "simulate", str(level_file), "--strategy", str(strategy), "--json")
    expected = json.loads(out)["loss"][-1]
    pytest.importorskip("torch")
    path = tmp_path / "export.py"
    path.write_text(script, encoding="utf-8")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, check=True)
    assert float(done.stdout) == pytest.approx(expected, rel=1e-9)


def test_new_model_writes_a_valid_model_level(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "new", "05-my-net", "--model")
    assert code == 0
    data = json.loads((tmp_path / "05-my-net.json").read_text(encoding="utf-8"))
    assert data["id"] == "my-net" and data["model"]["layers"] == [2, 8, 1]
    code, out, _ = run(capsys, "validate", "05-my-net.json")
    assert code == 0, out
