"""Train lrgame's model-level cases in real torch (float64) and write the fixture.

Writes ``tests/fixtures/lab/torch_models.json``: for each case the model, data
and strategy specs, the first point, the dataset as used, the mini-batches, and
what torch produced for::

    for t, idx in enumerate(batches):
        loss = loss_fn(model(x[idx]), y[idx]); opt.zero_grad(); loss.backward()
        opt.step(); sched.step()

(trajectory = ``parameters_to_vector(model.parameters())`` at every point, loss =
the full training-set loss there, and the held-out loss). The engine's tests
replay every case without torch. The data, the initial weights and the batches
come from lrgame's NumPy code: torch is given them, as the issue asks.

Run with a Python that has torch==2.13.0 (not a dependency of lrgame):
    python tools/torch_model_reference.py
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.optim import lr_scheduler as S  # noqa: E402
from torch_reference import OPTIMIZERS, _torch_params, make_scheduler  # noqa: E402

from lrgame.engine.data import batch_indices, from_spec  # noqa: E402
from lrgame.engine.lab import MAX_WEIGHT  # noqa: E402
from lrgame.engine.mlp import MLP  # noqa: E402
from lrgame.engine.strategy import parse_strategy  # noqa: E402

torch.set_default_dtype(torch.float64)

ACT = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}


def cases() -> list[dict[str, Any]]:
    moons = {"generator": "moons", "n": 120, "noise": 0.15, "seed": 3, "holdout": 0.25}
    return [
        {
            "name": "linear-regression-full-batch",
            "model": {"layers": [1, 1], "loss": "mse", "init_seed": 0},
            "data": {"generator": "linear", "n": 50, "a": 3.0, "b": -1.0, "noise": 0.2},
            "strategy": {"optimizer": {"name": "sgd", "lr": 0.3}},
            "steps": 60,
        },
        {
            "name": "unscaled-features-minibatch",
            "model": {"layers": [2, 1], "loss": "mse", "init_seed": 1},
            "data": {
                "generator": "linear",
                "n": 80,
                "a": [1.5, -0.02],
                "b": 0.3,
                "noise": 0.1,
                "seed": 2,
                "scale": [1, 100],
            },
            "batch_size": 16,
            "strategy": {"optimizer": {"name": "sgd", "lr": 1e-4, "momentum": 0.9}},
            "steps": 80,
        },
        {
            "name": "unscaled-features-diverge",
            "model": {"layers": [2, 1], "loss": "mse", "init_seed": 1},
            "data": {
                "generator": "linear",
                "n": 80,
                "a": [1.5, -0.02],
                "b": 0.3,
                "seed": 2,
                "scale": [1, 100],
            },
            "strategy": {"optimizer": {"name": "sgd", "lr": 0.01}},
            "steps": 60,
        },
        {
            "name": "logistic-moons-adam",
            "model": {"layers": [2, 1], "loss": "bce", "init_seed": 2},
            "data": moons,
            "strategy": {"optimizer": {"name": "adam", "lr": 0.05}},
            "steps": 60,
        },
        {
            "name": "mlp-moons-nesterov-step",
            "model": {"layers": [2, 8, 1], "activation": "tanh", "loss": "bce", "init_seed": 4},
            "data": moons,
            "batch_size": 32,
            "strategy": {
                "optimizer": {"name": "sgd", "lr": 0.2, "momentum": 0.9, "nesterov": True},
                "schedule": {"name": "step", "step_size": 30, "gamma": 0.5},
            },
            "steps": 90,
        },
        {
            "name": "mlp-blobs-relu-adamw-cosine",
            "model": {
                "layers": [2, 8, 8, 3],
                "activation": "relu",
                "loss": "cross_entropy",
                "init_seed": 5,
            },
            "data": {"generator": "blobs", "n": 90, "classes": 3, "noise": 0.6, "seed": 5},
            "batch_size": 20,
            "strategy": {
                "optimizer": {"name": "adamw", "lr": 0.01},
                "schedule": {"name": "cosine", "T_max": 60},
            },
            "steps": 60,
        },
        {
            "name": "mlp-circles-sigmoid-rmsprop-onecycle",
            "model": {"layers": [2, 16, 1], "activation": "sigmoid", "loss": "mse", "init_seed": 6},
            "data": {"generator": "circles", "n": 100, "noise": 0.05, "factor": 0.5, "seed": 6},
            "batch_size": 25,
            "strategy": {
                "optimizer": {"name": "rmsprop", "lr": 0.01},
                "schedule": {"name": "onecycle", "max_lr": 0.01, "total_steps": 50},
            },
            "steps": 50,
        },
        {
            "name": "deep-tanh-scaled-init-adam-warmup",
            "model": {
                "layers": [2, 16, 16, 16, 1],
                "activation": "tanh",
                "loss": "bce",
                "init_seed": 7,
                "init_scale": 2.0,
            },
            "data": moons,
            "batch_size": 32,
            "strategy": {
                "optimizer": {"name": "adam", "lr": 0.01},
                "schedule": {"name": "warmup_cosine", "warmup_steps": 20},
            },
            "steps": 60,
        },
        {
            "name": "inline-plateau-adagrad",
            "model": {"layers": [1, 4, 1], "activation": "tanh", "loss": "mse", "init_seed": 8},
            "data": {
                "x": [[-1.0], [-0.5], [0.0], [0.5], [1.0], [1.5], [2.0]],
                "y": [1.0, 0.2, 0.0, 0.3, 1.1, 2.2, 4.1],
                "holdout": 0.3,
            },
            "batch_size": 2,
            "strategy": {
                "optimizer": {"name": "adagrad", "lr": 0.3},
                "schedule": {"name": "plateau", "patience": 3, "factor": 0.5},
            },
            "steps": 60,
        },
    ]


def build(case: dict[str, Any]) -> tuple[MLP, Any, np.ndarray, np.ndarray | None, Any]:
    """The engine's view of a case: model, dataset, first point, batches, strategy."""
    m = case["model"]
    mlp = MLP(tuple(m["layers"]), m.get("activation", "tanh"), m["loss"])
    data = from_spec(case["data"])
    start = mlp.init(m.get("init_seed", 0), m.get("init_scale", 1.0))
    strategy = parse_strategy(case["strategy"], level_steps=case["steps"])
    batches = batch_indices(
        data.n, case.get("batch_size"), strategy.steps, case["data"].get("seed", 0)
    )
    return mlp, data, start, batches, strategy


def run_torch(case: dict[str, Any]) -> dict[str, Any]:
    mlp, data, start, batches, strategy = build(case)
    modules: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(zip(mlp.layers, mlp.layers[1:], strict=False)):
        if i:
            modules.append(ACT[mlp.activation]())
        modules.append(nn.Linear(fan_in, fan_out))
    model = nn.Sequential(*modules)
    with torch.no_grad():
        nn.utils.vector_to_parameters(torch.from_numpy(start.copy()), model.parameters())
    x = torch.from_numpy(data.x)
    y = torch.from_numpy(data.y)
    xh = torch.from_numpy(data.x_holdout)
    yh = torch.from_numpy(data.y_holdout)

    def loss_fn(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if mlp.loss == "mse":
            return nn.functional.mse_loss(out[:, 0], target)
        if mlp.loss == "bce":
            return nn.functional.binary_cross_entropy_with_logits(out[:, 0], target)
        return nn.functional.cross_entropy(out, target.long())

    steps = strategy.steps
    params = dict(strategy.optimizer.params)
    opt = OPTIMIZERS[strategy.optimizer.name](
        model.parameters(), lr=strategy.optimizer.lr, **params
    )
    sched = make_scheduler(opt, strategy.schedule.name, _torch_params(strategy.schedule), steps)
    traj, losses, holdout, lrs = [], [], [], []
    for t in range(steps + 1):
        point = nn.utils.parameters_to_vector(model.parameters()).detach().numpy().copy()
        with torch.no_grad():
            full = loss_fn(model(x), y).item()
            if len(yh):
                holdout.append(loss_fn(model(xh), yh).item())
        traj.append(point.tolist())
        losses.append(full)
        if (
            not math.isfinite(full)
            or not np.all(np.isfinite(point))
            or np.max(np.abs(point)) > MAX_WEIGHT
            or t == steps
        ):
            break
        if batches is None:
            xb, yb = x, y
        else:
            idx = torch.from_numpy(batches[t][batches[t] >= 0])
            xb, yb = x[idx], y[idx]
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        lrs.append(float(opt.param_groups[0]["lr"]))
        opt.step()
        if sched is not None:
            if isinstance(sched, S.ReduceLROnPlateau):
                sched.step(full)
            else:
                sched.step()
    return {"trajectory": traj, "loss": losses, "holdout_loss": holdout, "lr": lrs}


def main() -> None:
    results = []
    for case in cases():
        mlp, data, start, batches, _ = build(case)
        results.append(
            {
                **case,
                "start": start.tolist(),
                "x": data.x.tolist(),
                "y": data.y.tolist(),
                "batches": None if batches is None else batches.tolist(),
                "torch": run_torch(case),
            }
        )
    path = ROOT / "tests" / "fixtures" / "lab" / "torch_models.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"torch_version": torch.__version__, "cases": results}
    path.write_text(json.dumps(payload, allow_nan=True) + "\n")
    print(f"wrote {len(results)} cases to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
