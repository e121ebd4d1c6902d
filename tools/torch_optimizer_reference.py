"""Record real ``torch.optim`` trajectories in float64 for lrgame's optimizer tests.

Run with a Python that has torch (the project itself does not depend on it)::

    /work/torchenv/bin/python tools/torch_optimizer_reference.py

It writes ``tests/engine/fixtures/torch_optimizers.json``: for each case the
objective, the start point, the optimizer (as an lrgame strategy-file spec and
as the torch class + kwargs), the per-step learning rate and momentum/beta1
written into the param group before each ``opt.step()`` (``null`` = left
alone, as a run without a schedule does), the whole trajectory of parameters
and the first gradients autograd computed. Floats are written with ``repr``
(what :mod:`json` does), so they read back bit for bit.

The objectives are written directly in torch here and by hand in NumPy in the
test, so the two sides share nothing but the fixture.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

torch.set_default_dtype(torch.float64)

OUT = (
    Path(__file__).resolve().parent.parent
    / "tests"
    / "engine"
    / "fixtures"
    / "torch_optimizers.json"
)
GRADS_KEPT = 8  # the first gradients are stored, for the test to check its own

Objective = Callable[[torch.Tensor], torch.Tensor]


def rosenbrock(p: torch.Tensor) -> torch.Tensor:
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def quartic(p: torch.Tensor) -> torch.Tensor:
    return p[0] ** 4 - 3 * p[0] ** 2 + p[0]


def quadratic(p: torch.Tensor) -> torch.Tensor:
    # minimum at (3, -1, 2), away from the origin, so weight decay moves it
    return 0.5 * (p[0] - 3) ** 2 + 2.5 * (p[1] + 1) ** 2 + 0.125 * (p[2] - 2) ** 2


FUNCTIONS: dict[str, tuple[Objective, list[float], str]] = {
    "rosenbrock": (rosenbrock, [-1.5, 2.0], "(1 - x)**2 + 100*(y - x**2)**2"),
    "quartic": (quartic, [2.0], "x**4 - 3*x**2 + x"),
    "quadratic": (
        quadratic,
        [0.5, 2.0, -1.0],
        "0.5*(x - 3)**2 + 2.5*(y + 1)**2 + 0.125*(z - 2)**2",
    ),
}

TORCH_CLASSES: dict[str, type[torch.optim.Optimizer]] = {
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
ALIASES: dict[str, tuple[str, dict[str, Any]]] = {
    "momentum": ("sgd", {"momentum": 0.9}),
    "nesterov": ("sgd", {"momentum": 0.9, "nesterov": True}),
}


# ---- per-step sequences, as a scheduler would write them into the group ----


def one_cycle(
    steps: int,
    peak: float,
    pct: float = 0.3,
    div: float = 25.0,
    final: float = 1e4,
    lo: float = 0.85,
    hi: float = 0.95,
) -> tuple[list[float], list[float]]:
    """OneCycleLR-shaped lr and momentum (cos anneal), one value per step."""
    up_end = pct * steps - 1
    start, low = peak / div, peak / div / final
    lrs: list[float] = []
    moms: list[float] = []
    for k in range(steps):
        if k <= up_end:
            frac = k / up_end
            a, b, ma, mb = start, peak, hi, lo
        else:
            frac = (k - up_end) / (steps - 1 - up_end)
            a, b, ma, mb = peak, low, lo, hi
        cos = 1 + math.cos(math.pi * frac)
        lrs.append(b + (a - b) / 2 * cos)
        moms.append(mb + (ma - mb) / 2 * cos)
    return lrs, moms


def cosine(steps: int, base: float, floor: float = 0.0) -> list[float]:
    return [floor + (base - floor) * (1 + math.cos(math.pi * k / steps)) / 2 for k in range(steps)]


def triangle(steps: int, lo: float, hi: float, period: int) -> list[float]:
    out = []
    for k in range(steps):
        x = (k % period) / period
        out.append(lo + (hi - lo) * (1 - abs(2 * x - 1)))
    return out


def with_gaps(values: Sequence[float], gaps: Sequence[tuple[int, int]]) -> list[float]:
    """``values`` with momentum 0 on the half-open step ranges in ``gaps``."""
    out = list(values)
    for a, b in gaps:
        for k in range(a, min(b, len(out))):
            out[k] = 0.0
    return out


# ---- the cases ----

Case = dict[str, Any]


def case(
    cid: str,
    function: str,
    spec: dict[str, Any],
    steps: int,
    lr: list[float] | None = None,
    momentum: list[float] | None = None,
    scheduler: dict[str, Any] | None = None,
) -> Case:
    """``scheduler``: a real torch scheduler ({"class", "kwargs"}) writes the group
    instead; the values it wrote before each step land in ``lr`` and ``momentum``."""
    out = {
        "id": cid,
        "function": function,
        "spec": spec,
        "steps": steps,
        "lr": lr,
        "momentum": momentum,
    }
    if scheduler is not None:
        out["scheduler"] = scheduler
    return out


def cases() -> list[Case]:
    c: list[Case] = []
    # SGD
    c.append(case("sgd-rosen", "rosenbrock", {"name": "sgd", "lr": 1e-3}, 150))
    c.append(case("sgd-quartic", "quartic", {"name": "sgd", "lr": 0.01}, 120))
    c.append(
        case("sgd-wd-quad", "quadratic", {"name": "sgd", "lr": 0.05, "weight_decay": 0.1}, 100)
    )
    c.append(case("sgd-mom-rosen", "rosenbrock", {"name": "sgd", "lr": 5e-4, "momentum": 0.9}, 200))
    c.append(
        case(
            "sgd-mom-damp-rosen",
            "rosenbrock",
            {"name": "sgd", "lr": 1e-3, "momentum": 0.8, "dampening": 0.3},
            150,
        )
    )
    c.append(
        case(
            "sgd-nesterov-rosen",
            "rosenbrock",
            {"name": "sgd", "lr": 5e-4, "momentum": 0.9, "nesterov": True},
            200,
        )
    )
    c.append(
        case(
            "sgd-nesterov-wd-quad",
            "quadratic",
            {"name": "sgd", "lr": 0.03, "momentum": 0.7, "nesterov": True, "weight_decay": 0.05},
            100,
        )
    )
    c.append(
        case(
            "sgd-mom-wd-damp-quartic",
            "quartic",
            {"name": "sgd", "lr": 0.005, "momentum": 0.95, "dampening": 0.5, "weight_decay": 0.01},
            150,
        )
    )
    c.append(case("sgd-default-lr-quartic", "quartic", {"name": "sgd"}, 100))
    c.append(case("alias-momentum-quartic", "quartic", {"name": "momentum", "lr": 0.003}, 120))
    c.append(case("alias-nesterov-rosen", "rosenbrock", {"name": "nesterov", "lr": 2e-4}, 150))
    # Adam
    c.append(case("adam-rosen", "rosenbrock", {"name": "adam", "lr": 0.05}, 200))
    c.append(case("adam-default-quartic", "quartic", {"name": "adam"}, 100))
    c.append(
        case(
            "adam-betas-rosen",
            "rosenbrock",
            {"name": "adam", "lr": 0.02, "betas": [0.8, 0.99]},
            150,
        )
    )
    c.append(
        case(
            "adam-lowbeta1-quartic",
            "quartic",
            {"name": "adam", "lr": 0.1, "betas": [0.3, 0.99]},
            120,
        )
    )
    c.append(
        case(
            "adam-beta1-zero-quad",
            "quadratic",
            {"name": "adam", "lr": 0.05, "betas": [0.0, 0.999]},
            100,
        )
    )
    c.append(case("adam-eps-quartic", "quartic", {"name": "adam", "lr": 0.05, "eps": 0.5}, 120))
    c.append(
        case("adam-amsgrad-rosen", "rosenbrock", {"name": "adam", "lr": 0.05, "amsgrad": True}, 200)
    )
    c.append(
        case("adam-wd-quad", "quadratic", {"name": "adam", "lr": 0.1, "weight_decay": 0.1}, 120)
    )
    c.append(
        case(
            "adam-amsgrad-wd-betas-quartic",
            "quartic",
            {
                "name": "adam",
                "lr": 0.03,
                "betas": [0.8, 0.95],
                "weight_decay": 0.05,
                "amsgrad": True,
                "eps": 1e-6,
            },
            150,
        )
    )
    # AdamW
    c.append(case("adamw-rosen", "rosenbrock", {"name": "adamw", "lr": 0.05}, 200))
    c.append(
        case("adamw-wd-quad", "quadratic", {"name": "adamw", "lr": 0.1, "weight_decay": 0.5}, 120)
    )
    c.append(
        case(
            "adamw-amsgrad-quartic",
            "quartic",
            {
                "name": "adamw",
                "lr": 0.05,
                "amsgrad": True,
                "betas": [0.7, 0.9],
                "weight_decay": 0.2,
            },
            150,
        )
    )
    c.append(
        case(
            "adamw-nowd-eps-rosen",
            "rosenbrock",
            {"name": "adamw", "lr": 0.01, "weight_decay": 0, "eps": 1e-3},
            150,
        )
    )
    # RMSprop
    c.append(case("rmsprop-rosen", "rosenbrock", {"name": "rmsprop", "lr": 0.003}, 200))
    c.append(case("rmsprop-default-quartic", "quartic", {"name": "rmsprop"}, 100))
    c.append(
        case("rmsprop-alpha-quad", "quadratic", {"name": "rmsprop", "lr": 0.02, "alpha": 0.9}, 120)
    )
    c.append(
        case(
            "rmsprop-centered-rosen",
            "rosenbrock",
            {"name": "rmsprop", "lr": 0.002, "centered": True},
            150,
        )
    )
    c.append(
        case(
            "rmsprop-mom-quartic", "quartic", {"name": "rmsprop", "lr": 0.002, "momentum": 0.9}, 150
        )
    )
    c.append(
        case(
            "rmsprop-centered-mom-wd-quad",
            "quadratic",
            {
                "name": "rmsprop",
                "lr": 0.005,
                "momentum": 0.5,
                "centered": True,
                "weight_decay": 0.1,
                "alpha": 0.95,
                "eps": 1e-4,
            },
            150,
        )
    )
    c.append(
        case(
            "rmsprop-wd-rosen",
            "rosenbrock",
            {"name": "rmsprop", "lr": 0.001, "weight_decay": 0.01, "alpha": 0.5},
            150,
        )
    )
    # Adagrad
    c.append(case("adagrad-rosen", "rosenbrock", {"name": "adagrad", "lr": 0.2}, 200))
    c.append(case("adagrad-default-quartic", "quartic", {"name": "adagrad"}, 100))
    c.append(
        case(
            "adagrad-lrdecay-quartic",
            "quartic",
            {"name": "adagrad", "lr": 0.5, "lr_decay": 0.05},
            120,
        )
    )
    c.append(
        case(
            "adagrad-init-acc-quad",
            "quadratic",
            {"name": "adagrad", "lr": 0.5, "initial_accumulator_value": 0.1},
            120,
        )
    )
    c.append(
        case(
            "adagrad-wd-eps-quad",
            "quadratic",
            {
                "name": "adagrad",
                "lr": 0.3,
                "weight_decay": 0.1,
                "eps": 1e-3,
                "lr_decay": 0.01,
                "initial_accumulator_value": 1.0,
            },
            120,
        )
    )

    # ---- lr and momentum/beta1 written into the param group before each step ----
    n = 150
    lrs, moms = one_cycle(n, 2e-3)
    c.append(
        case("sched-sgd-m0-onecycle-rosen", "rosenbrock", {"name": "sgd", "lr": 1e-3}, n, lrs, moms)
    )
    lrs, moms = one_cycle(n, 0.02)
    # momentum 0 for the first steps (no buffer yet), then on, then off again (buffer kept)
    moms_gapped = with_gaps(moms, [(0, 5), (60, 70)])
    c.append(
        case(
            "sched-sgd-m0-gaps-quartic", "quartic", {"name": "sgd", "lr": 0.01}, n, lrs, moms_gapped
        )
    )
    c.append(
        case(
            "sched-sgd-nesterov-gaps-quad",
            "quadratic",
            {"name": "sgd", "lr": 0.02, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
            n,
            cosine(n, 0.05, 0.001),
            with_gaps(triangle(n, 0.5, 0.95, 40), [(30, 45)]),
        )
    )
    c.append(
        case(
            "sched-sgd-damp-rosen",
            "rosenbrock",
            {"name": "sgd", "lr": 1e-3, "momentum": 0.5, "dampening": 0.2},
            n,
            triangle(n, 1e-4, 2e-3, 50),
            triangle(n, 0.8, 0.9, 50),
        )
    )
    c.append(
        case(
            "sched-sgd-lr-only-rosen",
            "rosenbrock",
            {"name": "sgd", "lr": 1e-3, "momentum": 0.9},
            n,
            cosine(n, 1e-3),
            None,
        )
    )
    lrs, moms = one_cycle(n, 0.01)
    c.append(
        case(
            "sched-rmsprop-m0-onecycle-rosen",
            "rosenbrock",
            {"name": "rmsprop", "lr": 1e-3},
            n,
            lrs,
            moms,
        )
    )
    lrs, moms = one_cycle(n, 0.01)
    c.append(
        case(
            "sched-rmsprop-centered-gaps-quartic",
            "quartic",
            {"name": "rmsprop", "lr": 1e-3, "momentum": 0.5, "centered": True},
            n,
            lrs,
            with_gaps(moms, [(40, 60)]),
        )
    )
    lrs, moms = one_cycle(n, 0.1)
    c.append(
        case("sched-adam-onecycle-rosen", "rosenbrock", {"name": "adam", "lr": 1e-3}, n, lrs, moms)
    )
    c.append(
        case(
            "sched-adam-amsgrad-wd-quad",
            "quadratic",
            {"name": "adam", "lr": 1e-3, "amsgrad": True, "weight_decay": 0.05},
            n,
            triangle(n, 0.0, 0.2, 60),
            triangle(n, 0.95, 0.3, 60),
        )
    )
    lrs, moms = one_cycle(n, 0.05)
    c.append(
        case(
            "sched-adamw-onecycle-quartic",
            "quartic",
            {"name": "adamw", "lr": 1e-3, "weight_decay": 0.1},
            n,
            lrs,
            moms,
        )
    )
    c.append(
        case(
            "sched-adagrad-lr-only-quad",
            "quadratic",
            {"name": "adagrad", "lr": 0.1, "lr_decay": 0.02},
            n,
            triangle(n, 0.05, 0.8, 50),
            None,
        )
    )
    c.append(
        case(
            "sched-rmsprop-lr-only-wd-quad",
            "quadratic",
            {"name": "rmsprop", "lr": 0.01, "momentum": 0.3, "weight_decay": 0.02},
            n,
            cosine(n, 0.01),
            None,
        )
    )
    # torch's own schedulers writing the group (values recorded as they were written)
    m = 100
    c.append(
        case(
            "torch-onecycle-sgd-m0-rosen",
            "rosenbrock",
            {"name": "sgd", "lr": 1e-3},
            m,
            scheduler={"class": "OneCycleLR", "kwargs": {"max_lr": 2e-3, "total_steps": m}},
        )
    )
    c.append(
        case(
            "torch-onecycle-adam-quartic",
            "quartic",
            {"name": "adam", "lr": 1e-3},
            m,
            scheduler={
                "class": "OneCycleLR",
                "kwargs": {"max_lr": 0.05, "total_steps": m, "three_phase": True},
            },
        )
    )
    c.append(
        case(
            "torch-cyclic-rmsprop-m0-quad",
            "quadratic",
            {"name": "rmsprop", "lr": 1e-3},
            m,
            scheduler={
                "class": "CyclicLR",
                "kwargs": {
                    "base_lr": 1e-3,
                    "max_lr": 0.02,
                    "step_size_up": 20,
                    "mode": "triangular2",
                },
            },
        )
    )
    c += more_cases()
    return c


def more_cases() -> list[Case]:
    """NAdam, RAdam, Adamax and Adadelta: defaults, every option, β1 cycled by a schedule."""
    c: list[Case] = []
    n = 150
    c.append(case("nadam-rosen", "rosenbrock", {"name": "nadam", "lr": 2e-3}, 200))
    c.append(
        case(
            "nadam-wd-decay-quad",
            "quadratic",
            {"name": "nadam", "lr": 0.02, "weight_decay": 0.05, "momentum_decay": 0.01},
            120,
        )
    )
    c.append(
        case(
            "nadam-decoupled-betas-quartic",
            "quartic",
            {
                "name": "nadam",
                "lr": 0.01,
                "betas": [0.8, 0.99],
                "eps": 1e-6,
                "weight_decay": 0.1,
                "decoupled_weight_decay": True,
            },
            120,
        )
    )
    lrs, moms = one_cycle(n, 0.02)
    c.append(
        case("sched-nadam-onecycle-quartic", "quartic", {"name": "nadam", "lr": 1e-3}, n, lrs, moms)
    )
    c.append(case("radam-rosen", "rosenbrock", {"name": "radam", "lr": 5e-3}, 200))
    c.append(
        case(
            "radam-wd-quad",
            "quadratic",
            {"name": "radam", "lr": 0.05, "weight_decay": 0.05, "eps": 1e-6},
            120,
        )
    )
    c.append(
        case(
            "radam-decoupled-betas-quartic",
            "quartic",
            {
                "name": "radam",
                "lr": 0.01,
                "betas": [0.85, 0.9],
                "weight_decay": 0.1,
                "decoupled_weight_decay": True,
            },
            120,
        )
    )
    c.append(
        case(
            "sched-radam-quad",
            "quadratic",
            {"name": "radam", "lr": 1e-3},
            n,
            triangle(n, 0.0, 0.1, 50),
            triangle(n, 0.95, 0.5, 50),
        )
    )
    c.append(case("adamax-rosen", "rosenbrock", {"name": "adamax", "lr": 2e-3}, 200))
    c.append(
        case(
            "adamax-wd-betas-quad",
            "quadratic",
            {"name": "adamax", "lr": 0.05, "betas": [0.7, 0.95], "weight_decay": 0.05, "eps": 1e-4},
            120,
        )
    )
    lrs, moms = one_cycle(n, 0.05)
    c.append(
        case(
            "sched-adamax-onecycle-quartic", "quartic", {"name": "adamax", "lr": 1e-3}, n, lrs, moms
        )
    )
    c.append(case("adadelta-rosen", "rosenbrock", {"name": "adadelta"}, 200))
    c.append(
        case(
            "adadelta-rho-wd-quad",
            "quadratic",
            {"name": "adadelta", "lr": 2.0, "rho": 0.95, "eps": 1e-4, "weight_decay": 0.05},
            120,
        )
    )
    c.append(
        case(
            "sched-adadelta-lr-only-quartic",
            "quartic",
            {"name": "adadelta", "lr": 0.5},
            n,
            cosine(n, 0.5),
            None,
        )
    )
    m = 100
    c.append(
        case(
            "torch-onecycle-nadam-quartic",
            "quartic",
            {"name": "nadam", "lr": 1e-3},
            m,
            scheduler={"class": "OneCycleLR", "kwargs": {"max_lr": 0.02, "total_steps": m}},
        )
    )
    return c


# ---- running torch ----


def torch_setup(spec: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Torch class key and kwargs for an lrgame spec (defaults left to torch)."""
    name = spec["name"]
    kwargs = {k: v for k, v in spec.items() if k != "name"}
    if name in ALIASES:
        name, extra = ALIASES[name]
        kwargs = {**extra, **kwargs}
    if "betas" in kwargs:
        kwargs["betas"] = tuple(float(b) for b in kwargs["betas"])
    return name, kwargs


def run(cs: Case) -> Case:
    """The case run in torch, with its trajectory and first gradients."""
    objective, x0, _ = FUNCTIONS[cs["function"]]
    name, kwargs = torch_setup(cs["spec"])
    traj, grads, opt = trajectory(cs, objective, x0, name, kwargs)
    flat = [v for row in traj for v in row]
    if not all(math.isfinite(v) for v in flat):
        raise SystemExit(f"case {cs['id']}: trajectory is not finite; pick tamer settings")
    # How far a 1-ulp nudge of the start moves the run: a chaotic case could
    # not tell an exact replay from one off in the last bit.
    nudged, _, _ = trajectory(cs, objective, [x * (1 + 2.0**-52) for x in x0], name, kwargs)
    scale = max(abs(v) for v in flat)
    spread = (
        max(
            abs(a - b)
            for ra, rb in zip(traj, nudged, strict=True)
            for a, b in zip(ra, rb, strict=True)
        )
        / scale
    )
    if spread > 1e-13:
        raise SystemExit(
            f"case {cs['id']}: a 1-ulp nudge moves the run by {spread:.1e}; too chaotic"
        )
    return {
        **cs,
        "x0": x0,
        "torch": {
            "class": type(opt).__name__,
            "kwargs": {k: (list(v) if isinstance(v, tuple) else v) for k, v in kwargs.items()},
        },
        "params": traj,
        "grads": grads,
    }


def trajectory(
    cs: Case, objective: Objective, x0: list[float], name: str, kwargs: dict[str, Any]
) -> tuple[list[list[float]], list[list[float]], torch.optim.Optimizer]:
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = TORCH_CLASSES[name]([p], foreach=False, **kwargs)
    group = opt.param_groups[0]
    traj = [p.detach().tolist()]
    grads: list[list[float]] = []
    sched = None
    if "scheduler" in cs:
        sched_cls = getattr(torch.optim.lr_scheduler, cs["scheduler"]["class"])
        sched = sched_cls(opt, **cs["scheduler"]["kwargs"])
        cs["lr"], cs["momentum"] = [], []  # filled with what the scheduler writes
    for k in range(cs["steps"]):
        if sched is not None:
            cs["lr"].append(group["lr"])
            cs["momentum"].append(group["betas"][0] if "betas" in group else group["momentum"])
        else:
            if cs["lr"] is not None:
                group["lr"] = cs["lr"][k]
            if cs["momentum"] is not None:
                if "betas" in group:
                    group["betas"] = (cs["momentum"][k], *group["betas"][1:])
                else:
                    group["momentum"] = cs["momentum"][k]
        opt.zero_grad()
        loss = objective(p)
        loss.backward()
        assert p.grad is not None
        if k < GRADS_KEPT:
            grads.append(p.grad.tolist())
        opt.step()
        if sched is not None:
            sched.step()
        traj.append(p.detach().tolist())
    return traj, grads, opt


def probe_rmsprop_late_momentum() -> str:
    """What torch does when RMSprop's momentum goes from 0 at step 1 to > 0 later."""
    p = torch.tensor([1.0], requires_grad=True)
    opt = torch.optim.RMSprop([p], lr=0.01, foreach=False)
    for k in range(2):
        opt.param_groups[0]["momentum"] = 0.0 if k == 0 else 0.9
        opt.zero_grad()
        (p**2).sum().backward()
        try:
            opt.step()
        except KeyError as exc:
            return f"KeyError {exc} at step {k + 1}"
    return "no error"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    records = [run(cs) for cs in cases()]
    doc = {
        "generated_by": "tools/torch_optimizer_reference.py",
        "torch_version": torch.__version__,
        "dtype": "float64",
        "note": (
            "lr/momentum: value written into the param group before each opt.step() "
            "(momentum = beta1 for adam/adamw), null = untouched; params: steps+1 points; "
            f"grads: autograd's gradient for the first {GRADS_KEPT} steps"
        ),
        "functions": {k: {"expr": v[2], "x0": v[1]} for k, v in FUNCTIONS.items()},
        "cases": records,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # one case a line: compact, yet a diff shows which cases changed
    head = json.dumps({k: v for k, v in doc.items() if k != "cases"}, indent=1)
    lines = [json.dumps(r, separators=(",", ":"), allow_nan=False) for r in records]
    text = head[:-2] + ',\n "cases": [\n' + ",\n".join(lines) + "\n ]\n}"
    json.loads(text)  # well-formed
    args.out.write_text(text + "\n")
    print(f"{len(records)} cases, {len(text) / 1024:.0f} KiB -> {args.out}")
    print("torch RMSprop, momentum 0 at step 1 then 0.9:", probe_rmsprop_late_momentum())
    return 0


if __name__ == "__main__":
    sys.exit(main())
