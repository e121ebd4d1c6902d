"""Model levels against real torch: tools/torch_model_reference.py wrote the fixture.

torch was given lrgame's data, first point and batches; these tests check that
lrgame produced the same data, points and batches, and that its runs match
torch's to 1e-9 relative in float64 (trajectory, full training loss, held-out loss).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lrgame.engine.data import Dataset, batch_indices, from_spec
from lrgame.engine.lab import ModelLandscape
from lrgame.engine.mlp import MLP
from lrgame.engine.simulate import simulate
from lrgame.engine.strategy import parse_strategy

FIXTURE = Path(__file__).parent.parent / "fixtures" / "lab" / "torch_models.json"
CASES: list[dict[str, Any]] = json.loads(FIXTURE.read_text())["cases"]


def _mlp(case: dict[str, Any]) -> MLP:
    m = case["model"]
    return MLP(tuple(m["layers"]), m.get("activation", "tanh"), m["loss"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_engine_builds_the_inputs_torch_was_given(case: dict[str, Any]) -> None:
    data = from_spec(case["data"])
    np.testing.assert_array_equal(data.x, np.asarray(case["x"]))
    np.testing.assert_array_equal(data.y, np.asarray(case["y"]))
    m = case["model"]
    start = _mlp(case).init(m.get("init_seed", 0), m.get("init_scale", 1.0))
    np.testing.assert_array_equal(start, np.asarray(case["start"]))
    batches = batch_indices(
        data.n, case.get("batch_size"), case["steps"], case["data"].get("seed", 0)
    )
    if case["batches"] is None:
        assert batches is None
    else:
        np.testing.assert_array_equal(batches, np.asarray(case["batches"]))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_engine_reproduces_torch(case: dict[str, Any]) -> None:
    spec = from_spec(case["data"])
    # The fixture's own data and first point: the run is checked even if a generator changed.
    data = Dataset(np.asarray(case["x"]), np.asarray(case["y"]), spec.x_holdout, spec.y_holdout)
    landscape = ModelLandscape(
        _mlp(case), data, case.get("batch_size"), case["data"].get("seed", 0)
    )
    strategy = parse_strategy(case["strategy"], level_steps=case["steps"])
    run = simulate(landscape, case["start"], strategy)
    ref = case["torch"]
    expected = np.asarray(ref["trajectory"])
    assert run.trajectory.shape == expected.shape
    assert run.diverged == (len(expected) - 1 < case["steps"])
    finite = np.isfinite(expected)
    np.testing.assert_allclose(run.trajectory[finite], expected[finite], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(run.loss, np.asarray(ref["loss"]), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(run.lr, np.asarray(ref["lr"]), rtol=1e-12)
    holdout = landscape.holdout_loss(run.trajectory)
    if ref["holdout_loss"]:
        assert holdout is not None
        np.testing.assert_allclose(holdout, np.asarray(ref["holdout_loss"]), rtol=1e-9, atol=1e-12)
    else:
        assert holdout is None


def test_fixture_covers_every_loss_activation_and_batching() -> None:
    assert {c["model"]["loss"] for c in CASES} == {"mse", "bce", "cross_entropy"}
    assert {c["model"].get("activation", "tanh") for c in CASES} == {"tanh", "relu", "sigmoid"}
    assert any(c["batches"] is None for c in CASES)
    assert any(c["batches"] is not None for c in CASES)
    assert any(len(c["torch"]["loss"]) - 1 < c["steps"] for c in CASES)  # a divergence
