"""Whole runs against real torch.optim + lr_scheduler (fixture written by tools/torch_reference.py).

Each case is a landscape, a strategy (optimizer + schedule) and sometimes
gradient noise; torch ran ``loss = f(p); loss.backward(); opt.step();
sched.step(); opt.zero_grad()`` in float64. The engine must agree to 1e-6
relative on every point, loss and rate, and stop (diverge) at the same step.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lrgame.engine.expr import Expression
from lrgame.engine.landscape import Landscape
from lrgame.engine.optimizers import OPTIMIZER_NAMES
from lrgame.engine.schedules import SCHEDULE_NAMES
from lrgame.engine.simulate import Noise, simulate
from lrgame.engine.strategy import parse_strategy

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "torch_runs.json").read_text())
CASES = FIXTURE["cases"]


def case_id(case: dict) -> str:
    strategy = case["strategy"]
    schedule = strategy.get("schedule", "constant")
    schedule = schedule if isinstance(schedule, str) else schedule["name"]
    return f"{case['landscape']}-{strategy['optimizer']['name']}-{schedule}"


def test_fixture_covers_every_optimizer_and_schedule() -> None:
    optimizers = {c["strategy"]["optimizer"]["name"] for c in CASES}
    schedules = {
        s if isinstance(s, str) else s["name"]
        for s in (c["strategy"].get("schedule", "constant") for c in CASES)
    }
    assert {"nesterov", *OPTIMIZER_NAMES} <= optimizers
    assert set(SCHEDULE_NAMES) <= schedules
    assert any("noise_std" in c for c in CASES)
    assert any(len(c["torch"]["lr"]) < c["steps"] for c in CASES), "a diverging case"


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_run_equals_torch(case: dict) -> None:
    land_spec = FIXTURE["landscapes"][case["landscape"]]
    dim = len(land_spec["start"])
    variables = ("x",) if dim == 1 else ("x", "y")
    land = Landscape(Expression.parse(land_spec["loss"], variables), np.array(land_spec["domain"]))
    strategy = parse_strategy(case["strategy"], level_steps=case["steps"])
    noise = Noise(case.get("noise_std", 0.0), case.get("noise_seed", 0))
    run = simulate(land, land_spec["start"], strategy, noise)
    ref = case["torch"]
    assert run.steps == len(ref["lr"])
    traj = np.array(ref["trajectory"], dtype=np.float64)
    scale = np.max(np.abs(traj[np.isfinite(traj)]), initial=1.0)
    np.testing.assert_allclose(run.trajectory, traj, rtol=1e-6, atol=1e-9 * scale)
    loss = np.array(ref["loss"], dtype=np.float64)
    np.testing.assert_allclose(
        run.loss, loss, rtol=1e-6, atol=1e-9 * np.max(np.abs(loss[np.isfinite(loss)]))
    )
    np.testing.assert_allclose(run.lr, ref["lr"], rtol=1e-6, atol=1e-15)
    if run.momentum is not None:
        np.testing.assert_allclose(run.momentum, ref["momentum"], rtol=1e-12)
