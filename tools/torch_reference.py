"""Run lrgame strategies through real torch.optim and torch.optim.lr_scheduler.

Writes ``tests/engine/fixtures/torch_runs.json``: for each case, the level's
loss, start and domain, the strategy, and what torch produced for the loop
``loss = f(p); loss.backward(); opt.step(); sched.step(); opt.zero_grad()``
in float64 (trajectory, losses, the lr each step used). The engine's tests
replay every case without torch.

Run with a Python that has torch (not a dependency of lrgame):
    /path/to/torch-venv/bin/python tools/torch_reference.py
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch.optim import lr_scheduler as S  # noqa: E402

from lrgame.engine.expr import Expression  # noqa: E402
from lrgame.engine.simulate import ESCAPE_WIDTHS, Noise  # noqa: E402
from lrgame.engine.strategy import parse_strategy  # noqa: E402

torch.set_default_dtype(torch.float64)

LANDSCAPES: dict[str, dict[str, Any]] = {
    "rosenbrock": {
        "loss": "(1 - x)**2 + 100*(y - x**2)**2",
        "domain": [[-2, 2], [-1, 3]],
        "start": [-1.5, 2.0],
    },
    "quartic": {"loss": "x**4 - 3*x**2 + x", "domain": [[-3, 3]], "start": [2.5]},
    "himmelblau": {
        "loss": "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
        "domain": [[-5, 5], [-5, 5]],
        "start": [0.5, -4.0],
    },
    "wavy": {
        "loss": "0.1*x**2 + sin(3*x) + 0.5*cos(x*y) + 0.2*y**2 + abs(y - 1)*0.05",
        "domain": [[-6, 6], [-6, 6]],
        "start": [4.0, -3.0],
    },
    "bowl1d": {
        "loss": "sqrt(1 + x**2) + 0.1*exp(-x) + atan(x)**2",
        "domain": [[-5, 5]],
        "start": [-4.0],
    },
}


class TorchOps:
    def const(self, v: float) -> Any:
        return torch.tensor(v)

    def add(self, a: Any, b: Any) -> Any:
        return a + b

    def sub(self, a: Any, b: Any) -> Any:
        return a - b

    def mul(self, a: Any, b: Any) -> Any:
        return a * b

    def div(self, a: Any, b: Any) -> Any:
        return a / b

    def pow(self, a: Any, b: Any) -> Any:
        return torch.pow(a, b)

    def neg(self, a: Any) -> Any:
        return -a

    def func(self, name: str, a: Any) -> Any:
        return getattr(torch, {"arctan": "atan"}.get(name, name))(a)


OPTIMIZERS = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
    "nadam": torch.optim.NAdam,
    "radam": torch.optim.RAdam,
    "adamax": torch.optim.Adamax,
    "adadelta": torch.optim.Adadelta,
}

# lr_lambda: lrgame reads the expression language; torch is given these Python functions.
LAMBDAS: dict[str, Any] = {
    "0.98^epoch": lambda epoch: 0.98**epoch,
    "1/(1 + 0.05*epoch)": lambda epoch: 1 / (1 + 0.05 * epoch),
    "0.99": lambda epoch: 0.99,
}


def make_scheduler(opt: torch.optim.Optimizer, name: str, p: dict[str, Any], steps: int) -> Any:
    if name == "constant":
        return None
    if name == "step":
        return S.StepLR(opt, step_size=p["step_size"], gamma=p["gamma"])
    if name == "multistep":
        return S.MultiStepLR(opt, milestones=list(p["milestones"]), gamma=p["gamma"])
    if name == "exponential":
        return S.ExponentialLR(opt, gamma=p["gamma"])
    if name == "cosine":
        return S.CosineAnnealingLR(opt, T_max=p["T_max"], eta_min=p["eta_min"])
    if name == "cosine_restarts":
        return S.CosineAnnealingWarmRestarts(
            opt, T_0=p["T_0"], T_mult=p["T_mult"], eta_min=p["eta_min"]
        )
    if name == "linear":
        return S.LinearLR(
            opt,
            start_factor=p["start_factor"],
            end_factor=p["end_factor"],
            total_iters=p["total_iters"],
        )
    if name == "onecycle":
        return S.OneCycleLR(opt, **p)
    if name == "cyclic":
        return S.CyclicLR(opt, **p)
    if name == "plateau":
        return S.ReduceLROnPlateau(opt, **p)
    if name == "sequence":
        subs = [make_sub(opt, sub, steps) for sub in p["schedules"]]
        return S.SequentialLR(opt, subs, milestones=list(p["milestones"]))
    if name == "warmup_cosine":
        k = p["warmup_steps"]
        return S.SequentialLR(
            opt,
            [
                S.LinearLR(opt, start_factor=p["start_factor"], end_factor=1.0, total_iters=k),
                S.CosineAnnealingLR(opt, T_max=steps - k, eta_min=p["eta_min"]),
            ],
            milestones=[k],
        )
    if name == "polynomial":
        return S.PolynomialLR(opt, total_iters=p["total_iters"], power=p["power"])
    if name == "constant_factor":
        return S.ConstantLR(opt, factor=p["factor"], total_iters=p["total_iters"])
    if name == "lambda":
        return S.LambdaLR(opt, lr_lambda=LAMBDAS[p["lr_lambda"]])
    if name == "multiplicative":
        return S.MultiplicativeLR(opt, lr_lambda=LAMBDAS[p["lr_lambda"]])
    if name == "chained":
        return S.ChainedScheduler([make_sub(opt, sub, steps) for sub in p["schedules"]])
    raise ValueError(name)


def make_sub(opt: torch.optim.Optimizer, spec: Any, steps: int) -> Any:
    if spec.name == "constant":
        return S.LambdaLR(opt, lambda k: 1.0)
    return make_scheduler(opt, spec.name, dict(spec.params), steps)


def run_torch(case: dict[str, Any]) -> dict[str, Any]:
    land = LANDSCAPES[case["landscape"]]
    dim = len(land["start"])
    variables = ("x",) if dim == 1 else ("x", "y")
    expr = Expression.parse(land["loss"], variables)
    strategy = parse_strategy(case["strategy"], level_steps=case["steps"])
    steps = strategy.steps
    p = torch.tensor(land["start"], dtype=torch.float64, requires_grad=True)
    params = dict(strategy.optimizer.params)
    opt = OPTIMIZERS[strategy.optimizer.name]([p], lr=strategy.optimizer.lr, **params)
    sched = make_scheduler(opt, strategy.schedule.name, _torch_params(strategy.schedule), steps)
    domain = np.asarray(land["domain"], dtype=np.float64)
    widths = domain[:, 1] - domain[:, 0]
    lo = domain[:, 0] - ESCAPE_WIDTHS * widths
    hi = domain[:, 1] + ESCAPE_WIDTHS * widths
    noise = Noise(case.get("noise_std", 0.0), case.get("noise_seed", 0)).sample(steps, dim)
    traj, losses, lrs, momenta = [], [], [], []
    for t in range(steps + 1):
        values = {v: p[i] for i, v in enumerate(variables)}
        loss = expr.evaluate_with(TorchOps(), values)
        point = p.detach().numpy().copy()
        traj.append(point.tolist())
        losses.append(loss.item())
        if (
            not math.isfinite(losses[-1])
            or not np.all(np.isfinite(point))
            or np.any((point < lo) | (point > hi))
        ):
            break
        if t == steps:
            break
        loss.backward()
        if noise is not None:
            with torch.no_grad():
                p.grad += torch.from_numpy(noise[t])
        group = opt.param_groups[0]
        lrs.append(float(group["lr"]))
        momenta.append(
            float(group["betas"][0]) if "betas" in group else float(group.get("momentum", 0.0))
        )
        opt.step()
        if sched is not None:
            if isinstance(sched, S.ReduceLROnPlateau):
                sched.step(losses[-1])
            else:
                sched.step()
        opt.zero_grad()
    return {"trajectory": traj, "loss": losses, "lr": lrs, "momentum": momenta}


def _torch_params(spec: Any) -> dict[str, Any]:
    params = dict(spec.params)
    if spec.name in ("sequence", "chained"):
        params["schedules"] = list(params["schedules"])
    return params


def cases() -> list[dict[str, Any]]:
    rng = np.random.default_rng(2026)
    out: list[dict[str, Any]] = []
    optimizers = [
        {"name": "sgd", "lr": 1e-3},
        {"name": "sgd", "lr": 2e-3, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01},
        {"name": "nesterov", "lr": 1e-3, "momentum": 0.8},
        {"name": "adam", "lr": 0.05},
        {
            "name": "adam",
            "lr": 0.02,
            "betas": [0.8, 0.99],
            "amsgrad": True,
            "weight_decay": 0.1,
            "eps": 1e-6,
        },
        {"name": "adamw", "lr": 0.03, "weight_decay": 0.05},
        {"name": "rmsprop", "lr": 0.01},
        {
            "name": "rmsprop",
            "lr": 0.005,
            "momentum": 0.5,
            "centered": True,
            "alpha": 0.9,
            "weight_decay": 0.01,
        },
        {"name": "adagrad", "lr": 0.3, "lr_decay": 0.01, "initial_accumulator_value": 0.1},
    ]
    schedules: list[Any] = [
        "constant",
        {"name": "step", "step_size": 17, "gamma": 0.5},
        {"name": "multistep", "milestones": [10, 30, 30, 55], "gamma": 0.3},
        {"name": "exponential", "gamma": 0.97},
        {"name": "cosine", "T_max": 37, "eta_min": 1e-4},
        {"name": "cosine_restarts", "T_0": 9, "T_mult": 2, "eta_min": 1e-5},
        {"name": "linear", "start_factor": 0.1, "end_factor": 0.9, "total_iters": 25},
        {"name": "onecycle", "pct_start": 0.25},
        {
            "name": "onecycle",
            "three_phase": True,
            "anneal_strategy": "linear",
            "cycle_momentum": True,
        },
        {"name": "cyclic", "step_size_up": 7, "step_size_down": 12, "mode": "triangular2"},
        {"name": "cyclic", "step_size_up": 10, "mode": "exp_range", "gamma": 0.98},
        {"name": "plateau", "patience": 3, "factor": 0.5, "cooldown": 2, "threshold": 0.01},
        {
            "name": "plateau",
            "patience": 2,
            "threshold_mode": "abs",
            "threshold": 0.5,
            "min_lr": 1e-4,
        },
        {
            "name": "sequence",
            "schedules": [
                {"name": "linear", "start_factor": 0.2, "total_iters": 10},
                "constant",
                {"name": "exponential", "gamma": 0.95},
            ],
            "milestones": [10, 40],
        },
        {"name": "warmup_cosine", "warmup_steps": 15},
    ]
    names = list(LANDSCAPES)
    for i, schedule in enumerate(schedules):
        for j, opt in enumerate(optimizers):
            if (
                opt["name"] == "adagrad"
                and isinstance(schedule, dict)
                and schedule["name"] in ("onecycle", "cyclic")
            ):
                continue
            if (i + j) % 3 and not (
                isinstance(schedule, dict) and schedule["name"] in ("onecycle", "cyclic", "plateau")
            ):
                continue
            landscape = names[(i * 7 + j) % len(names)]
            steps = int(rng.integers(60, 121))
            case: dict[str, Any] = {
                "landscape": landscape,
                "steps": steps,
                "strategy": {"optimizer": opt, "schedule": schedule},
            }
            if (i + j) % 5 == 0:
                case["noise_std"] = 0.5
                case["noise_seed"] = int(rng.integers(0, 1000))
            out.append(case)
    # Rates far too large: the divergence rule must agree point for point.
    out.append(
        {
            "landscape": "rosenbrock",
            "steps": 50,
            "strategy": {"optimizer": {"name": "sgd", "lr": 0.01}},
        }
    )
    out.append(
        {"landscape": "quartic", "steps": 50, "strategy": {"optimizer": {"name": "sgd", "lr": 2.0}}}
    )
    return out + more_cases()


def more_cases() -> list[dict[str, Any]]:
    """The optimizers and schedules added with the registry, on every landscape.

    Drawn from their own generator, so the cases above stay as they were.
    """
    rng = np.random.default_rng(2027)
    optimizers = [
        {"name": "nadam", "lr": 0.03},
        {"name": "nadam", "lr": 0.02, "weight_decay": 0.05, "decoupled_weight_decay": True},
        {"name": "radam", "lr": 0.05},
        {"name": "radam", "lr": 0.03, "weight_decay": 0.1, "decoupled_weight_decay": True},
        {"name": "adamax", "lr": 0.05, "betas": [0.85, 0.99]},
        {"name": "adadelta", "lr": 1.0},
        {"name": "adadelta", "lr": 3.0, "rho": 0.8, "weight_decay": 0.01},
    ]
    schedules: list[Any] = [
        "constant",
        {"name": "polynomial", "total_iters": 40, "power": 2.0},
        {"name": "constant_factor", "factor": 0.2, "total_iters": 12},
        {"name": "lambda", "lr_lambda": "0.98^epoch"},
        {"name": "multiplicative", "lr_lambda": "0.99"},
        {
            "name": "chained",
            "schedules": [
                {"name": "linear", "start_factor": 0.1, "total_iters": 10},
                {"name": "multiplicative", "lr_lambda": "0.99"},
            ],
        },
        {"name": "onecycle", "pct_start": 0.3},
        {"name": "cyclic", "step_size_up": 8, "mode": "triangular2"},
    ]
    sgd_like = [
        {"name": "sgd", "lr": 2e-3, "momentum": 0.9},
        {"name": "adam", "lr": 0.05},
    ]
    names = list(LANDSCAPES)
    out: list[dict[str, Any]] = []
    for i, schedule in enumerate(schedules):
        for j, opt in enumerate(optimizers + (sgd_like if i in (1, 2, 3, 4, 5) else [])):
            momentum_cycling = isinstance(schedule, dict) and schedule["name"] in (
                "onecycle",
                "cyclic",
            )
            if opt["name"] == "adadelta" and momentum_cycling:
                continue
            if (i + j) % 2 and not momentum_cycling:
                continue
            steps = int(rng.integers(60, 121))
            case: dict[str, Any] = {
                "landscape": names[(i * 5 + j) % len(names)],
                "steps": steps,
                "strategy": {"optimizer": opt, "schedule": schedule},
            }
            if (i + j) % 4 == 0:
                case["noise_std"] = 0.5
                case["noise_seed"] = int(rng.integers(0, 1000))
            out.append(case)
    return out


def main() -> None:
    results = []
    for case in cases():
        results.append({**case, "torch": run_torch(case)})
    path = ROOT / "tests" / "engine" / "fixtures" / "torch_runs.json"
    payload = {"torch_version": torch.__version__, "landscapes": LANDSCAPES, "cases": results}
    path.write_text(json.dumps(payload, allow_nan=True) + "\n")
    print(f"wrote {len(results)} cases to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
