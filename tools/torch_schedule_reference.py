"""Record PyTorch's learning-rate schedules as a test fixture.

Run with a Python that has torch (it does not import lrgame or numpy)::

    /work/torchenv/bin/python tools/torch_schedule_reference.py

For each case it builds the real torch optimizer and scheduler on one float64
parameter, runs the real loop ``loss = f(p); loss.backward(); opt.step();
sched.step(); opt.zero_grad()`` for ``steps`` steps and records, before each
``opt.step()``, ``group["lr"]`` and the group's momentum (SGD/RMSprop
``momentum``, Adam/AdamW ``betas[0]``). ReduceLROnPlateau is fed a made-up loss
sequence instead of the real loss. The schedule configs are lrgame's strategy
form (``lrgame.engine.schedules.parse_schedule``); parameters torch has no
default for get lrgame's defaults here. Writes
``tests/engine/fixtures/torch_schedules.json``.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import torch
from torch.optim import lr_scheduler as S

OUT = (
    Path(__file__).resolve().parent.parent
    / "tests"
    / "engine"
    / "fixtures"
    / "torch_schedules.json"
)

SGD = {"name": "sgd", "lr": 0.1, "momentum": 0.0}


def _plateau_losses(kind: str) -> list[float]:
    """Made-up loss sequences: improvements, plateaus, tiny gains, negatives, NaN."""
    if kind == "mixed":
        seq = [5.0, 4.0, 3.0] + [3.0] * 6 + [2.9999] + [3.1] * 5 + [2.0, 1.5]
        seq += [1.5] * 8 + [1.4999, 1.4] + [1.6] * 12 + [0.5] + [0.5] * 20
        return seq
    if kind == "negative":
        # Rel mode with a negative best: better means loss < best * (1 - threshold),
        # literally, i.e. it must beat best by |best| * threshold.
        seq = [1.0, 0.0, -1.0, -2.0, -2.0001, -2.0003, -2.0, -2.1, -2.1] + [-2.1] * 6
        seq += [-3.0, -2.9999, -3.0002] + [-3.0] * 10 + [-5.0, -5.0]
        return seq
    if kind == "rising":
        seq = [0.1, 0.2, 0.3, 0.3, 0.30001, 0.3, 0.35, 0.35, 0.35, 0.35, 0.5, 0.4]
        seq += [0.45] * 8 + [0.6, 0.61, 0.62, 0.62, 0.62, 0.62, 0.7] + [0.7] * 10
        return seq
    if kind == "nan":
        seq = [2.0, 1.0, float("nan"), float("nan"), 1.0, 0.5, float("nan"), float("inf")]
        seq += [0.5] * 6 + [float("-inf"), 0.0, -1.0] + [float("nan")] * 8 + [-2.0] * 5
        return seq
    if kind == "flat":
        return [1.0] * 80
    if kind == "slow":
        # Improves by a shrinking amount: some steps count as better, some not.
        return [1.0 / (1.0 + 0.05 * i) + (0.02 if i % 7 == 3 else 0.0) for i in range(90)]
    raise ValueError(kind)


def _case(
    case_id: str,
    steps: int,
    schedule: Any,
    optimizer: dict[str, Any] | None = None,
    losses: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": case_id,
        "steps": steps,
        "optimizer": dict(optimizer or SGD),
        "schedule": schedule,
    }
    if losses is not None:
        out["loss_kind"] = losses
    return out


def cases() -> list[dict[str, Any]]:
    adam = {"name": "adam", "lr": 0.01}
    adamw = {"name": "adamw", "lr": 0.003}
    rms = {"name": "rmsprop", "lr": 0.01, "momentum": 0.0}
    sgd_m = {"name": "sgd", "lr": 0.05, "momentum": 0.9}
    adagrad = {"name": "adagrad", "lr": 0.2}
    return [
        # constant: no scheduler
        _case("constant-name", 20, "constant"),
        _case("constant-null", 15, None, adam),
        # StepLR
        _case("step", 40, {"name": "step", "step_size": 7, "gamma": 0.5}),
        _case("step-defaults", 30, "step"),
        _case("step-size1", 20, {"name": "step", "step_size": 1, "gamma": 0.8}, adam),
        # MultiStepLR
        _case("multistep", 50, {"name": "multistep", "milestones": [10, 20, 35], "gamma": 0.5}),
        _case(
            "multistep-repeated",
            30,
            {"name": "multistep", "milestones": [5, 5, 12, 12, 12], "gamma": 0.5},
        ),
        _case("multistep-zero", 20, {"name": "multistep", "milestones": [0, 8], "gamma": 0.3}),
        _case("multistep-defaults", 40, "multistep"),
        # ExponentialLR
        _case("exponential", 80, {"name": "exponential", "gamma": 0.95}),
        _case("exponential-defaults", 50, "exponential", adam),
        # CosineAnnealingLR, also past T_max
        _case("cosine-past-tmax", 100, {"name": "cosine", "T_max": 20}),
        _case("cosine-eta-min", 90, {"name": "cosine", "T_max": 25, "eta_min": 0.001}),
        _case("cosine-defaults", 60, "cosine"),
        _case("cosine-tmax1", 10, {"name": "cosine", "T_max": 1, "eta_min": 0.01}),
        # CosineAnnealingWarmRestarts
        _case("restarts-mult1", 50, {"name": "cosine_restarts", "T_0": 10}),
        _case(
            "restarts-mult2",
            100,
            {"name": "cosine_restarts", "T_0": 3, "T_mult": 2, "eta_min": 0.002},
        ),
        _case("restarts-mult3", 120, {"name": "cosine_restarts", "T_0": 2, "T_mult": 3}),
        _case("restarts-defaults", 40, "cosine_restarts"),
        _case("restarts-t0-1", 12, {"name": "cosine_restarts", "T_0": 1, "T_mult": 2}),
        # LinearLR
        _case("linear-defaults", 12, "linear"),
        _case(
            "linear-warmup",
            30,
            {"name": "linear", "start_factor": 0.1, "end_factor": 1.0, "total_iters": 20},
        ),
        _case(
            "linear-to-zero",
            25,
            {"name": "linear", "start_factor": 1.0, "end_factor": 0.0, "total_iters": 15},
        ),
        _case(
            "linear-down",
            15,
            {"name": "linear", "start_factor": 0.5, "end_factor": 0.25, "total_iters": 8},
        ),
        # OneCycleLR
        _case("onecycle-defaults-sgd", 100, "onecycle"),
        _case("onecycle-adam", 80, {"name": "onecycle", "max_lr": 0.02, "total_steps": 80}, adam),
        _case(
            "onecycle-linear-sgd-momentum",
            60,
            {"name": "onecycle", "max_lr": 0.3, "anneal_strategy": "linear"},
            sgd_m,
        ),
        _case("onecycle-3phase-rmsprop", 90, {"name": "onecycle", "three_phase": True}, rms),
        _case(
            "onecycle-3phase-linear-adamw",
            50,
            {
                "name": "onecycle",
                "three_phase": True,
                "anneal_strategy": "linear",
                "pct_start": 0.25,
            },
            adamw,
        ),
        _case(
            "onecycle-no-momentum",
            40,
            {"name": "onecycle", "cycle_momentum": False},
            {"name": "sgd", "lr": 0.1, "momentum": 0.5},
        ),
        _case("onecycle-adagrad", 40, {"name": "onecycle", "cycle_momentum": False}, adagrad),
        _case(
            "onecycle-custom",
            50,
            {
                "name": "onecycle",
                "max_lr": 0.5,
                "total_steps": 70,
                "pct_start": 0.4,
                "div_factor": 10.0,
                "final_div_factor": 100.0,
                "base_momentum": 0.8,
                "max_momentum": 0.9,
            },
        ),
        _case(
            "onecycle-short-warmup",
            10,
            {"name": "onecycle", "total_steps": 10, "pct_start": 0.05},
        ),
        _case(
            "onecycle-3phase-late-peak",
            20,
            {"name": "onecycle", "three_phase": True, "pct_start": 0.7},
            adam,
        ),
        # CyclicLR
        _case("cyclic-triangular", 60, {"name": "cyclic", "step_size_up": 10}),
        _case(
            "cyclic-triangular-down",
            70,
            {"name": "cyclic", "step_size_up": 15, "step_size_down": 5},
        ),
        _case(
            "cyclic-triangular2", 60, {"name": "cyclic", "step_size_up": 6, "mode": "triangular2"}
        ),
        _case(
            "cyclic-triangular2-adam",
            72,
            {"name": "cyclic", "step_size_up": 4, "step_size_down": 8, "mode": "triangular2"},
            adam,
        ),
        _case(
            "cyclic-exp-range-rmsprop",
            60,
            {"name": "cyclic", "step_size_up": 5, "mode": "exp_range", "gamma": 0.97},
            rms,
        ),
        _case(
            "cyclic-exp-range-adamw",
            50,
            {
                "name": "cyclic",
                "step_size_up": 7,
                "step_size_down": 3,
                "mode": "exp_range",
                "gamma": 0.99,
            },
            adamw,
        ),
        _case(
            "cyclic-adagrad",
            30,
            {"name": "cyclic", "step_size_up": 5, "cycle_momentum": False},
            adagrad,
        ),
        _case("cyclic-defaults", 40, "cyclic", sgd_m),
        _case(
            "cyclic-sawtooth",
            30,
            {
                "name": "cyclic",
                "base_lr": 0.001,
                "max_lr": 0.05,
                "step_size_up": 3,
                "step_size_down": 0,
                "base_momentum": 0.5,
                "max_momentum": 0.95,
            },
        ),
        # ReduceLROnPlateau, fed made-up losses
        _case("plateau-mixed", 60, {"name": "plateau", "patience": 3}, losses="mixed"),
        _case(
            "plateau-abs-cooldown",
            60,
            {
                "name": "plateau",
                "threshold_mode": "abs",
                "threshold": 0.05,
                "patience": 2,
                "cooldown": 3,
            },
            losses="mixed",
        ),
        _case(
            "plateau-max-rel",
            37,
            {"name": "plateau", "mode": "max", "patience": 2, "factor": 0.5},
            losses="rising",
        ),
        _case(
            "plateau-max-abs",
            37,
            {
                "name": "plateau",
                "mode": "max",
                "threshold_mode": "abs",
                "threshold": 0.01,
                "patience": 1,
                "cooldown": 2,
            },
            losses="rising",
        ),
        _case(
            "plateau-negative-rel",
            30,
            {"name": "plateau", "patience": 2, "threshold": 1e-3},
            losses="negative",
        ),
        _case(
            "plateau-negative-abs",
            30,
            {"name": "plateau", "patience": 1, "threshold_mode": "abs", "threshold": 0.05},
            losses="negative",
        ),
        _case(
            "plateau-min-lr",
            80,
            {"name": "plateau", "patience": 1, "factor": 0.5, "min_lr": 0.002},
            losses="flat",
        ),
        _case(
            "plateau-eps",
            80,
            {"name": "plateau", "patience": 0, "factor": 0.3, "eps": 0.001},
            losses="flat",
        ),
        _case("plateau-nan", 30, {"name": "plateau", "patience": 2}, adam, losses="nan"),
        _case("plateau-defaults", 90, "plateau", losses="slow"),
        # SequentialLR
        _case(
            "sequence-linear-cosine",
            60,
            {
                "name": "sequence",
                "schedules": [
                    {"name": "linear", "start_factor": 0.1, "total_iters": 10},
                    {"name": "cosine", "T_max": 50},
                ],
                "milestones": [10],
            },
        ),
        _case(
            "sequence-constant-step-exponential",
            50,
            {
                "name": "sequence",
                "schedules": [
                    "constant",
                    {"name": "step", "step_size": 4, "gamma": 0.5},
                    {"name": "exponential", "gamma": 0.9},
                ],
                "milestones": [5, 20],
            },
        ),
        _case(
            "sequence-exp-restarts-multistep",
            80,
            {
                "name": "sequence",
                "schedules": [
                    {"name": "exponential", "gamma": 0.97},
                    {"name": "cosine_restarts", "T_0": 3, "T_mult": 2},
                    {"name": "multistep", "milestones": [3, 3, 10], "gamma": 0.5},
                ],
                "milestones": [15, 40],
            },
            adam,
        ),
        _case(
            "sequence-cosine-cosine-linear",
            45,
            {
                "name": "sequence",
                "schedules": [
                    {"name": "cosine", "T_max": 10},
                    {"name": "cosine", "T_max": 10, "eta_min": 0.01},
                    {"name": "linear", "start_factor": 0.2, "end_factor": 0.0, "total_iters": 10},
                ],
                "milestones": [10, 25],
            },
        ),
        _case(
            "sequence-defaults",
            40,
            {"name": "sequence", "schedules": ["step", "linear", "cosine"], "milestones": [20, 30]},
        ),
        _case("sequence-single", 30, {"name": "sequence", "schedules": [{"name": "cosine"}]}),
        _case(
            "sequence-multistep-zero",
            20,
            {
                "name": "sequence",
                "schedules": [
                    {"name": "linear", "total_iters": 3},
                    {"name": "multistep", "milestones": [0, 5], "gamma": 0.5},
                ],
                "milestones": [6],
            },
        ),
        _case(
            "sequence-restarts-first",
            40,
            {
                "name": "sequence",
                "schedules": [
                    {"name": "cosine_restarts", "T_0": 4, "T_mult": 2},
                    {"name": "linear", "start_factor": 0.5, "total_iters": 4},
                ],
                "milestones": [25],
            },
        ),
        _case(
            "sequence-milestone-past-run",
            20,
            {
                "name": "sequence",
                "schedules": [{"name": "exponential", "gamma": 0.9}, "constant"],
                "milestones": [50],
            },
        ),
        # warmup_cosine = SequentialLR([LinearLR, CosineAnnealingLR])
        _case("warmup-cosine-defaults", 100, "warmup_cosine"),
        _case(
            "warmup-cosine",
            40,
            {"name": "warmup_cosine", "warmup_steps": 5, "start_factor": 0.1, "eta_min": 0.001},
            adam,
        ),
        _case(
            "warmup-cosine-total",
            20,
            {"name": "warmup_cosine", "warmup_steps": 3, "total_steps": 30},
        ),
        # PolynomialLR, also past total_iters
        _case("polynomial-defaults", 12, "polynomial"),
        _case("polynomial-square", 40, {"name": "polynomial", "total_iters": 30, "power": 2.0}),
        _case("polynomial-root", 30, {"name": "polynomial", "total_iters": 25, "power": 0.5}, adam),
        # ConstantLR
        _case("constant-factor-defaults", 12, "constant_factor"),
        _case("constant-factor", 30, {"name": "constant_factor", "factor": 0.1, "total_iters": 10}),
        # LambdaLR and MultiplicativeLR with lr_lambda in the expression language
        _case("lambda-power", 60, {"name": "lambda", "lr_lambda": "0.97^epoch"}),
        _case("lambda-inverse", 50, {"name": "lambda", "lr_lambda": "1/(1 + 0.1*epoch)"}, adam),
        _case("lambda-cos", 45, {"name": "lambda", "lr_lambda": "0.5 + 0.5*cos(pi*epoch/20)"}),
        _case("multiplicative-const", 60, {"name": "multiplicative", "lr_lambda": "0.95"}),
        _case(
            "multiplicative-linear", 80, {"name": "multiplicative", "lr_lambda": "1 - 0.01*epoch"}
        ),
        _case(
            "multiplicative-exp", 50, {"name": "multiplicative", "lr_lambda": "exp(-0.02*epoch)"}
        ),
        # the new families inside a SequentialLR
        _case(
            "sequence-new-parts",
            60,
            {
                "name": "sequence",
                "schedules": [
                    {"name": "constant_factor", "factor": 0.2, "total_iters": 5},
                    {"name": "lambda", "lr_lambda": "0.97^epoch"},
                    {"name": "polynomial", "total_iters": 15},
                ],
                "milestones": [10, 40],
            },
        ),
        # ChainedScheduler: every step of every part multiplies the rate
        _case(
            "chained-warmup-exp",
            60,
            {
                "name": "chained",
                "schedules": [
                    {"name": "linear", "start_factor": 0.1, "total_iters": 10},
                    {"name": "exponential", "gamma": 0.97},
                ],
            },
        ),
        _case(
            "chained-four",
            70,
            {
                "name": "chained",
                "schedules": [
                    {"name": "constant_factor", "factor": 0.5, "total_iters": 8},
                    {"name": "step", "step_size": 15, "gamma": 0.5},
                    {"name": "multistep", "milestones": [0, 20, 20, 50], "gamma": 0.8},
                    {"name": "polynomial", "total_iters": 60, "power": 1.5},
                ],
            },
            adam,
        ),
        _case(
            "chained-multiplicative",
            50,
            {
                "name": "chained",
                "schedules": [
                    {"name": "multiplicative", "lr_lambda": "0.95"},
                    {"name": "exponential", "gamma": 0.99},
                ],
            },
        ),
    ]


# --------------------------------------------------------------------------
# Building torch objects from the configs
# --------------------------------------------------------------------------


def make_optimizer(param: torch.Tensor, cfg: dict[str, Any]) -> torch.optim.Optimizer:
    name, lr = cfg["name"], cfg["lr"]
    if name == "sgd":
        return torch.optim.SGD([param], lr=lr, momentum=cfg.get("momentum", 0.0))
    if name == "adam":
        return torch.optim.Adam([param], lr=lr)
    if name == "adamw":
        return torch.optim.AdamW([param], lr=lr)
    if name == "rmsprop":
        return torch.optim.RMSprop([param], lr=lr, momentum=cfg.get("momentum", 0.0))
    if name == "adagrad":
        return torch.optim.Adagrad([param], lr=lr)
    raise ValueError(name)


def _body(cfg: Any) -> tuple[str, dict[str, Any]]:
    if cfg is None:
        return "constant", {}
    if isinstance(cfg, str):
        return cfg, {}
    body = dict(cfg)
    return body.pop("name"), body


def build(opt: torch.optim.Optimizer, cfg: Any, steps: int, opt_lr: float) -> Any:
    """The torch scheduler for an lrgame schedule config (None for constant)."""
    name, kw = _body(cfg)
    if name == "constant":
        return None
    if name == "step":
        kw.setdefault("step_size", max(1, steps // 3))
        return S.StepLR(opt, **kw)
    if name == "multistep":
        kw.setdefault("milestones", [steps // 2, (3 * steps) // 4])
        return S.MultiStepLR(opt, **kw)
    if name == "exponential":
        kw.setdefault("gamma", 0.99)
        return S.ExponentialLR(opt, **kw)
    if name == "cosine":
        kw.setdefault("T_max", steps)
        return S.CosineAnnealingLR(opt, **kw)
    if name == "cosine_restarts":
        kw.setdefault("T_0", max(1, steps // 4))
        return S.CosineAnnealingWarmRestarts(opt, **kw)
    if name == "linear":
        return S.LinearLR(opt, **kw)
    if name == "onecycle":
        kw.setdefault("max_lr", opt_lr)
        kw.setdefault("total_steps", steps)
        return S.OneCycleLR(opt, **kw)
    if name == "cyclic":
        kw.setdefault("max_lr", opt_lr)
        kw.setdefault("base_lr", kw["max_lr"] / 10)
        return S.CyclicLR(opt, **kw)
    if name == "plateau":
        return S.ReduceLROnPlateau(opt, **kw)
    if name == "sequence":
        milestones = kw.get("milestones", [])
        bounds = [0, *milestones, steps]
        parts = []
        for i, part in enumerate(kw["schedules"]):
            seg = max(1, bounds[i + 1] - bounds[i])
            sched = build(opt, part, seg, opt_lr)
            # lrgame's "constant" inside a sequence is a factor-1 schedule.
            parts.append(sched if sched is not None else S.ConstantLR(opt, factor=1.0))
        return S.SequentialLR(opt, parts, milestones=milestones)
    if name == "warmup_cosine":
        total = kw.get("total_steps", steps)
        warmup = kw.get("warmup_steps", max(1, total // 10))
        linear = S.LinearLR(
            opt, start_factor=kw.get("start_factor", 0.01), end_factor=1.0, total_iters=warmup
        )
        cosine = S.CosineAnnealingLR(opt, T_max=total - warmup, eta_min=kw.get("eta_min", 0.0))
        return S.SequentialLR(opt, [linear, cosine], milestones=[warmup])
    if name == "polynomial":
        return S.PolynomialLR(opt, **kw)
    if name == "constant_factor":
        return S.ConstantLR(opt, **kw)
    if name == "lambda":
        return S.LambdaLR(opt, lr_lambda=LAMBDAS[kw["lr_lambda"]])
    if name == "multiplicative":
        return S.MultiplicativeLR(opt, lr_lambda=LAMBDAS[kw["lr_lambda"]])
    if name == "chained":
        return S.ChainedScheduler([build(opt, part, steps, opt_lr) for part in kw["schedules"]])
    raise ValueError(name)


# lr_lambda: lrgame reads the expression language; torch is given these Python functions.
LAMBDAS: dict[str, Any] = {
    "0.97^epoch": lambda epoch: 0.97**epoch,
    "1/(1 + 0.1*epoch)": lambda epoch: 1 / (1 + 0.1 * epoch),
    "0.5 + 0.5*cos(pi*epoch/20)": lambda epoch: 0.5 + 0.5 * math.cos(math.pi * epoch / 20),
    "0.95": lambda epoch: 0.95,
    "1 - 0.01*epoch": lambda epoch: 1 - 0.01 * epoch,
    "exp(-0.02*epoch)": lambda epoch: math.exp(-0.02 * epoch),
}


def _momentum(opt: torch.optim.Optimizer) -> float | None:
    group = opt.param_groups[0]
    if "betas" in group:
        return float(group["betas"][0])
    if "momentum" in group:
        return float(group["momentum"])
    return None


def _json_float(x: float) -> float | str:
    return x if math.isfinite(x) else repr(x)  # "nan", "inf", "-inf"


def run(case: dict[str, Any]) -> dict[str, Any]:
    steps = case["steps"]
    param = torch.tensor([0.5], dtype=torch.float64, requires_grad=True)
    opt = make_optimizer(param, case["optimizer"])
    sched = build(opt, case["schedule"], steps, case["optimizer"]["lr"])
    losses = _plateau_losses(case["loss_kind"]) if "loss_kind" in case else None
    if losses is not None and len(losses) < steps:
        raise ValueError(f"{case['id']}: {len(losses)} losses for {steps} steps")
    lrs: list[float] = []
    moms: list[float | None] = []
    for t in range(steps):
        loss = (param * param).sum()
        loss.backward()
        lrs.append(float(opt.param_groups[0]["lr"]))
        moms.append(_momentum(opt))
        opt.step()
        if sched is not None:
            if losses is not None:
                sched.step(losses[t])
            else:
                sched.step()
        opt.zero_grad()
    out = dict(case)
    if losses is not None:
        out["losses"] = [_json_float(x) for x in losses[:steps]]
    out["lr"] = lrs
    out["momentum"] = None if moms[0] is None else moms
    return out


def main() -> int:
    torch.set_default_dtype(torch.float64)
    records = [run(case) for case in cases()]
    ids = [r["id"] for r in records]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate case ids")
    doc = {
        "about": "PyTorch lr schedules recorded by tools/torch_schedule_reference.py: lr and "
        "momentum (beta1 for Adam) before each optimizer step, k = 0..steps-1",
        "torch_version": torch.__version__,
        "cases": records,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, separators=(",", ":"), allow_nan=False) + "\n")
    print(f"wrote {len(records)} cases, {OUT.stat().st_size} bytes to {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
