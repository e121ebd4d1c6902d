"""Learning-rate schedules against PyTorch, by hand, and at their edges.

``fixtures/torch_schedules.json`` is written by ``tools/torch_schedule_reference.py``
with the real torch: the lr (and momentum / beta1) before each optimizer step.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrgame.engine.errors import SpecError
from lrgame.engine.problems import format_path
from lrgame.engine.schedules import (
    SCHEDULE_NAMES,
    PlateauState,
    ScheduleSpec,
    describe,
    headline_lr,
    is_pure,
    lr_values,
    momentum_values,
    parse_schedule,
    plateau_start,
    plateau_step,
    restart_position,
    with_headline_lr,
)

FIXTURE = Path(__file__).parent / "fixtures" / "torch_schedules.json"
DOC = json.loads(FIXTURE.read_text())
CASES: list[dict[str, Any]] = DOC["cases"]

# Closed forms equal torch's recursive updates to rounding; near zero (e.g. a
# LinearLR annealed to end_factor 0, where torch's recursion leaves -4.4e-19)
# only an absolute tolerance makes sense.
RTOL = 1e-12
ATOL = 1e-15

# The optimizers' momentum / beta1 when no schedule changes it.
DEFAULT_MOMENTUM = {"adam": 0.9, "adamw": 0.9}


def parse(obj: Any, steps: int = 100, optimizer: str = "sgd", lr: float = 0.1) -> ScheduleSpec:
    return parse_schedule(
        obj,
        steps=steps,
        optimizer_name=optimizer,
        optimizer_lr=lr,
        has_momentum=optimizer != "adagrad",
    )


def case_spec(case: dict[str, Any]) -> ScheduleSpec:
    opt = case["optimizer"]
    return parse(case["schedule"], case["steps"], opt["name"], opt["lr"])


def run_plateau(spec: ScheduleSpec, lr0: np.ndarray, losses: np.ndarray) -> np.ndarray:
    """The lr before each step, [B, N], for losses [B, N] (or [N])."""
    losses = np.broadcast_to(losses, (lr0.shape[0], losses.shape[-1]))
    state = plateau_start(spec, lr0)
    out = []
    for t in range(losses.shape[1]):
        out.append(state.lr)
        state = plateau_step(spec, state, losses[:, t])
    return np.stack(out, axis=1)


def k_range(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.int64)


# --------------------------------------------------------------------------
# Against torch
# --------------------------------------------------------------------------


def test_fixture_covers_every_schedule_and_is_small() -> None:
    names = set()
    for case in CASES:
        names.add(case_spec(case).name)
    assert names == set(SCHEDULE_NAMES)
    assert len(CASES) >= 60
    assert FIXTURE.stat().st_size < 300_000


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_torch(case: dict[str, Any]) -> None:
    spec = case_spec(case)
    opt = case["optimizer"]
    k = k_range(case["steps"])
    want = np.array(case["lr"], dtype=np.float64)
    lr0 = np.array([headline_lr(spec, opt["lr"])])
    if spec.name == "plateau":
        assert not is_pure(spec)
        losses = np.array([float(x) for x in case["losses"]])
        got = run_plateau(spec, lr0, losses)[0]
    else:
        assert is_pure(spec)
        got = lr_values(spec, lr0, k)[0]
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)

    mom = momentum_values(spec, k)
    recorded = case["momentum"]
    if mom is not None:
        assert recorded is not None
        np.testing.assert_allclose(mom, recorded, rtol=RTOL, atol=ATOL)
    elif recorded is not None:
        # The schedule leaves the optimizer's own momentum / beta1 alone.
        own = opt.get("momentum", DEFAULT_MOMENTUM.get(opt["name"]))
        assert recorded == [own] * case["steps"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_fixture_config_round_trips(case: dict[str, Any]) -> None:
    spec = case_spec(case)
    again = parse(spec.to_json(), case["steps"], case["optimizer"]["name"], case["optimizer"]["lr"])
    assert again == spec
    assert hash(again) == hash(spec)
    assert json.loads(json.dumps(spec.to_json())) == spec.to_json()
    text = describe(spec)
    assert text and "\n" not in text and len(text) < 160


# --------------------------------------------------------------------------
# First steps by hand
# --------------------------------------------------------------------------

C4 = (1 + math.cos(math.pi / 4)) / 2  # 0.853553...
C34 = (1 + math.cos(3 * math.pi / 4)) / 2  # 0.146446...

HAND = [
    ("constant", None, 0.1, [0.1, 0.1, 0.1]),
    ("step", {"name": "step", "step_size": 2, "gamma": 0.5}, 1.0, [1, 1, 0.5, 0.5, 0.25]),
    (
        "multistep",
        {"name": "multistep", "milestones": [1, 3, 3], "gamma": 0.5},
        1.0,
        [1, 0.5, 0.5, 0.125, 0.125],
    ),
    ("exponential", {"name": "exponential", "gamma": 0.5}, 2.0, [2, 1, 0.5, 0.25]),
    ("cosine", {"name": "cosine", "T_max": 4}, 1.0, [1, C4, 0.5, C34, 0, C34, 0.5, C4, 1]),
    (
        "cosine-eta-min",
        {"name": "cosine", "T_max": 2, "eta_min": 0.1},
        1.0,
        [1, 0.55, 0.1, 0.55, 1],
    ),
    (
        "cosine_restarts",
        {"name": "cosine_restarts", "T_0": 2, "T_mult": 2},
        1.0,
        [1, 0.5, 1, C4, 0.5, C34, 1],
    ),
    ("linear", "linear", 0.3, [0.1, 0.14, 0.18, 0.22, 0.26, 0.3, 0.3]),
    (
        "onecycle",
        {"name": "onecycle", "max_lr": 1.0, "total_steps": 10},
        1.0,
        [0.04, 0.52, 1.0, 0.5 * 0.999996 * (1 + math.cos(math.pi / 7)) + 4e-6],
    ),
    (
        "onecycle-linear",
        {"name": "onecycle", "max_lr": 1.0, "total_steps": 10, "anneal_strategy": "linear"},
        1.0,
        [0.04, 0.52, 1.0, 1 - 0.999996 / 7],
    ),
    (
        "onecycle-three-phase",
        {"name": "onecycle", "max_lr": 1.0, "total_steps": 10, "three_phase": True},
        1.0,
        [0.04, 0.52, 1.0, 0.52, 0.04],
    ),
    (
        "cyclic",
        {"name": "cyclic", "base_lr": 0.1, "max_lr": 1.0, "step_size_up": 2},
        1.0,
        [0.1, 0.55, 1.0, 0.55, 0.1, 0.55],
    ),
    (
        "cyclic-triangular2",
        {
            "name": "cyclic",
            "base_lr": 0.1,
            "max_lr": 1.0,
            "step_size_up": 2,
            "mode": "triangular2",
        },
        1.0,
        [0.1, 0.55, 1.0, 0.55, 0.1, 0.325, 0.55, 0.325, 0.1, 0.2125],
    ),
    (
        "cyclic-exp-range",
        {
            "name": "cyclic",
            "base_lr": 0.1,
            "max_lr": 1.0,
            "step_size_up": 1,
            "mode": "exp_range",
            "gamma": 0.5,
        },
        1.0,
        [0.1, 0.55, 0.1, 0.2125],
    ),
    (
        "sequence",
        {
            "name": "sequence",
            "schedules": ["constant", {"name": "exponential", "gamma": 0.5}],
            "milestones": [2],
        },
        1.0,
        [1, 1, 1, 0.5, 0.25],
    ),
    (
        "warmup_cosine",
        {"name": "warmup_cosine", "warmup_steps": 2, "start_factor": 0.5, "total_steps": 4},
        1.0,
        [0.5, 0.75, 1.0, 0.5, 0.0, 0.5],
    ),
]


@pytest.mark.parametrize(("obj", "lr", "want"), [h[1:] for h in HAND], ids=[h[0] for h in HAND])
def test_first_steps_by_hand(obj: Any, lr: float, want: list[float]) -> None:
    spec = parse(obj, steps=10, lr=lr)
    got = lr_values(spec, np.array([headline_lr(spec, lr)]), k_range(len(want)))[0]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_onecycle_momentum_by_hand() -> None:
    spec = parse({"name": "onecycle", "total_steps": 10}, steps=10)
    got = momentum_values(spec, k_range(10))
    assert got is not None
    np.testing.assert_allclose(got[[0, 1, 2, 9]], [0.95, 0.9, 0.85, 0.95], rtol=1e-12)
    three = parse({"name": "onecycle", "total_steps": 10, "three_phase": True}, steps=10)
    got3 = momentum_values(three, k_range(10))
    assert got3 is not None
    np.testing.assert_allclose(got3, [0.95, 0.9, 0.85, 0.9] + [0.95] * 6, rtol=1e-12)


def test_cyclic_momentum_by_hand() -> None:
    spec = parse({"name": "cyclic", "step_size_up": 2, "mode": "triangular2"}, steps=10)
    got = momentum_values(spec, k_range(8))
    assert got is not None
    np.testing.assert_allclose(got, [0.9, 0.85, 0.8, 0.85, 0.9, 0.875, 0.85, 0.875], rtol=1e-12)


def test_plateau_by_hand() -> None:
    spec = parse({"name": "plateau", "patience": 1, "factor": 0.5}, lr=1.0)
    got = run_plateau(spec, np.array([1.0]), np.ones(6))[0]
    np.testing.assert_array_equal(got, [1, 1, 1, 0.5, 0.5, 0.25])


def test_plateau_cooldown_and_min_lr_by_hand() -> None:
    spec = parse(
        {"name": "plateau", "patience": 0, "factor": 0.5, "cooldown": 2, "min_lr": 0.3}, lr=1.0
    )
    # step 1 sets best; 2 is bad -> 0.5, cooldown 2; 3, 4 in cooldown; 5 bad -> 0.3 (min_lr);
    # 6, 7 cooldown; 8 bad but 0.3 - 0.3 is not > eps.
    got = run_plateau(spec, np.array([1.0]), np.ones(9))[0]
    np.testing.assert_array_equal(got, [1, 1, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3, 0.3])


def test_plateau_nan_counts_as_bad_and_never_becomes_best() -> None:
    spec = parse({"name": "plateau", "patience": 5})
    state = plateau_start(spec, np.array([0.1, 0.1]))
    state = plateau_step(spec, state, np.array([1.0, np.nan]))
    state = plateau_step(spec, state, np.array([np.nan, np.nan]))
    np.testing.assert_array_equal(state.best, [1.0, np.inf])
    np.testing.assert_array_equal(state.num_bad, [1, 2])


def test_plateau_negative_best_is_literal() -> None:
    # rel, min: better means loss < best * (1 - threshold); for best = -2 that is
    # loss < -1.9998, so -1.9999 counts as better although it is higher.
    spec = parse({"name": "plateau", "threshold": 1e-4})
    state = plateau_start(spec, np.array([0.1]))
    state = plateau_step(spec, state, np.array([-2.0]))
    state = plateau_step(spec, state, np.array([-1.9999]))
    assert state.best[0] == -1.9999 and state.num_bad[0] == 0


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------

ERRORS = [
    ("unknown-name", "warp", {}, "schedule", "'warp'"),
    ("unknown-name-obj", {"name": "warp"}, {}, "schedule.name", "'warp'"),
    ("unknown-key", {"name": "step", "gama": 0.5}, {}, "schedule.gama", "'gama'"),
    ("negative-gamma", {"name": "exponential", "gamma": -0.5}, {}, "schedule.gamma", "-0.5"),
    ("zero-step-gamma", {"name": "step", "gamma": 0}, {}, "schedule.gamma", "0.0"),
    ("tmax-zero", {"name": "cosine", "T_max": 0}, {}, "schedule.T_max", "0"),
    ("tmax-float", {"name": "cosine", "T_max": 2.5}, {}, "schedule.T_max", "2.5"),
    (
        "multistep-not-increasing",
        {"name": "multistep", "milestones": [10, 5]},
        {},
        "schedule.milestones[1]",
        "5",
    ),
    (
        "multistep-negative",
        {"name": "multistep", "milestones": [-1]},
        {},
        "schedule.milestones[0]",
        "-1",
    ),
    (
        "sequence-milestones-not-increasing",
        {"name": "sequence", "schedules": ["step", "cosine", "linear"], "milestones": [10, 10]},
        {},
        "schedule.milestones[1]",
        "10",
    ),
    (
        "sequence-milestone-count",
        {"name": "sequence", "schedules": ["step", "cosine"], "milestones": [3, 6]},
        {},
        "schedule.milestones",
        "2",
    ),
    (
        "sequence-milestone-zero",
        {"name": "sequence", "schedules": ["step", "cosine"], "milestones": [0]},
        {},
        "schedule.milestones[0]",
        "0",
    ),
    (
        "onecycle-adagrad",
        "onecycle",
        {"optimizer": "adagrad"},
        "schedule.cycle_momentum",
        "'adagrad'",
    ),
    (
        "cyclic-adagrad",
        {"name": "cyclic"},
        {"optimizer": "adagrad"},
        "schedule.cycle_momentum",
        "'adagrad'",
    ),
    (
        "plateau-in-sequence",
        {"name": "sequence", "schedules": ["cosine", {"name": "plateau"}], "milestones": [5]},
        {},
        "schedule.schedules[1].name",
        "'plateau'",
    ),
    (
        "onecycle-in-sequence",
        {"name": "sequence", "schedules": ["onecycle"]},
        {},
        "schedule.schedules[0]",
        "'onecycle'",
    ),
    (
        "sequence-in-sequence",
        {"name": "sequence", "schedules": [{"name": "sequence", "schedules": ["step"]}]},
        {},
        "schedule.schedules[0].name",
        "'sequence'",
    ),
    (
        "total-steps-below-steps",
        {"name": "onecycle", "total_steps": 50},
        {"steps": 100},
        "schedule.total_steps",
        "50",
    ),
    (
        "onecycle-empty-phase",
        {"name": "onecycle", "total_steps": 10, "pct_start": 0.1},
        {"steps": 10},
        "schedule.pct_start",
        "0.1",
    ),
    (
        "onecycle-pct-start-1",
        {"name": "onecycle", "pct_start": 1.0},
        {"steps": 10},
        "schedule.pct_start",
        "1.0",
    ),
    ("linear-start-zero", {"name": "linear", "start_factor": 0}, {}, "schedule.start_factor", "0"),
    ("linear-end-big", {"name": "linear", "end_factor": 1.5}, {}, "schedule.end_factor", "1.5"),
    ("plateau-factor-1", {"name": "plateau", "factor": 1.0}, {}, "schedule.factor", "1.0"),
    ("plateau-bad-mode", {"name": "plateau", "mode": "up"}, {}, "schedule.mode", "'up'"),
    (
        "cyclic-base-above-max",
        {"name": "cyclic", "base_lr": 0.5, "max_lr": 0.1},
        {},
        "schedule.base_lr",
        "0.5",
    ),
    (
        "warmup-too-long",
        {"name": "warmup_cosine", "warmup_steps": 100},
        {},
        "schedule.warmup_steps",
        "100",
    ),
    ("not-an-object", 3, {}, "schedule", "3"),
    ("missing-name", {"gamma": 0.5}, {}, "schedule.name", "missing"),
    (
        "bool-cycle",
        {"name": "cyclic", "cycle_momentum": "yes"},
        {},
        "schedule.cycle_momentum",
        "'yes'",
    ),
]


@pytest.mark.parametrize(
    ("obj", "kwargs", "path", "needle"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_validation_errors(obj: Any, kwargs: dict[str, Any], path: str, needle: str) -> None:
    with pytest.raises(SpecError) as info:
        parse(obj, **kwargs)
    assert format_path(info.value.path) == path
    assert needle in info.value.message


def test_adagrad_without_momentum_cycling_is_fine() -> None:
    for name in ("onecycle", "cyclic"):
        spec = parse({"name": name, "cycle_momentum": False}, optimizer="adagrad")
        assert momentum_values(spec, k_range(5)) is None


def test_onecycle_pct_start_1_is_fine_when_the_run_stops_short() -> None:
    spec = parse({"name": "onecycle", "pct_start": 1.0, "total_steps": 20}, steps=10)
    values = lr_values(spec, np.array([0.1]), k_range(10))
    assert np.all(np.isfinite(values))


def test_defaults() -> None:
    assert parse(None) == ScheduleSpec("constant", {})
    assert parse("step", steps=100).params == {"step_size": 33, "gamma": 0.1}
    assert parse("multistep", steps=100).params == {"milestones": (50, 75), "gamma": 0.1}
    assert parse("cosine", steps=7).params == {"T_max": 7, "eta_min": 0.0}
    assert parse("cosine_restarts", steps=3).params["T_0"] == 1
    cyclic = parse("cyclic", lr=0.2)
    assert cyclic.params["max_lr"] == 0.2 and cyclic.params["base_lr"] == 0.2 / 10
    assert cyclic.params["step_size_down"] is None
    onecycle = parse("onecycle", steps=40, lr=0.3)
    assert onecycle.params["max_lr"] == 0.3 and onecycle.params["total_steps"] == 40
    warm = parse("warmup_cosine", steps=50)
    assert warm.params == {
        "warmup_steps": 5,
        "start_factor": 0.01,
        "eta_min": 0.0,
        "total_steps": 50,
    }
    # Parts of a sequence take their step-count defaults from their own segment.
    seq = parse(
        {"name": "sequence", "schedules": ["step", "cosine"], "milestones": [30]}, steps=100
    )
    assert seq.params["schedules"][0].params["step_size"] == 10
    assert seq.params["schedules"][1].params["T_max"] == 70


def test_to_json_has_every_parameter() -> None:
    assert parse("cyclic").to_json() == {
        "name": "cyclic",
        "base_lr": 0.1 / 10,
        "max_lr": 0.1,
        "step_size_up": 2000,
        "step_size_down": None,
        "mode": "triangular",
        "gamma": 1.0,
        "cycle_momentum": True,
        "base_momentum": 0.8,
        "max_momentum": 0.9,
    }
    seq = parse({"name": "sequence", "schedules": ["constant", "linear"], "milestones": [4]})
    assert seq.to_json() == {
        "name": "sequence",
        "schedules": [
            {"name": "constant"},
            {"name": "linear", "start_factor": 1 / 3, "end_factor": 1.0, "total_iters": 5},
        ],
        "milestones": [4],
    }


# --------------------------------------------------------------------------
# Batches, headline lr, purity
# --------------------------------------------------------------------------

PURE_CASES = [c for c in CASES if case_spec(c).name != "plateau"]


@pytest.mark.parametrize("case", PURE_CASES, ids=[c["id"] for c in PURE_CASES])
def test_batch_rows_equal_single_runs(case: dict[str, Any]) -> None:
    spec = case_spec(case)
    k = k_range(case["steps"])
    lrs = np.array([1e-3, 0.0173, 0.1, 0.77, 3.0])
    batch = lr_values(spec, lrs, k)
    assert batch.shape == (5, case["steps"]) and batch.dtype == np.float64
    for i, lr in enumerate(lrs):
        single = lr_values(with_headline_lr(spec, float(lr)), np.array([lr]), k)
        np.testing.assert_array_equal(batch[i], single[0])
        np.testing.assert_array_equal(batch[i], lr_values(spec, lrs[i : i + 1], k)[0])


def test_lr_values_any_k_order() -> None:
    spec = parse({"name": "cosine_restarts", "T_0": 3, "T_mult": 2})
    k = np.array([40, 0, 7, 7, 2, 100])
    full = lr_values(spec, np.array([0.1]), k_range(101))[0]
    np.testing.assert_array_equal(lr_values(spec, np.array([0.1]), k)[0], full[k])
    assert lr_values(spec, np.array([0.1, 0.2]), np.array([], dtype=np.int64)).shape == (2, 0)


def test_lr_values_rejects_plateau_and_bad_k() -> None:
    with pytest.raises(ValueError):
        lr_values(parse("plateau"), np.array([0.1]), k_range(3))
    with pytest.raises(ValueError):
        lr_values(parse("step"), np.array([0.1]), np.array([-1]))
    with pytest.raises(ValueError):
        lr_values(parse("step"), np.array([0.1]), np.array([0.5]))


def test_headline_lr() -> None:
    assert headline_lr(parse("cosine"), 0.3) == 0.3
    assert headline_lr(parse({"name": "onecycle", "max_lr": 0.7}), 0.3) == 0.7
    assert headline_lr(parse({"name": "cyclic", "max_lr": 0.5}), 0.3) == 0.5
    cyclic = parse({"name": "cyclic", "base_lr": 0.03, "max_lr": 0.7})
    moved = with_headline_lr(cyclic, 0.2)
    assert moved.params["max_lr"] == 0.2
    assert moved.params["base_lr"] == 0.03 * (0.2 / 0.7)
    assert with_headline_lr(parse({"name": "onecycle"}), 0.4).params["max_lr"] == 0.4
    cos = parse("cosine")
    assert with_headline_lr(cos, 0.4) is cos


def test_momentum_values_none_unless_cycling() -> None:
    for obj in ("constant", "step", "cosine", "warmup_cosine", "linear"):
        assert momentum_values(parse(obj), k_range(4)) is None
    assert momentum_values(parse({"name": "cyclic", "cycle_momentum": False}), k_range(4)) is None
    assert momentum_values(parse("onecycle"), k_range(4)) is not None


def test_plateau_batch_rows_equal_single_runs() -> None:
    spec = parse({"name": "plateau", "patience": 1, "cooldown": 1, "threshold_mode": "abs"})
    rng = np.random.default_rng(0)
    losses = np.cumsum(rng.normal(-0.01, 0.1, size=(4, 50)), axis=1)
    lrs = np.array([0.01, 0.1, 0.5, 1.0])
    batch = run_plateau(spec, lrs, losses)
    for i in range(4):
        np.testing.assert_array_equal(batch[i], run_plateau(spec, lrs[i : i + 1], losses[i])[0])
    state = plateau_start(spec, lrs)
    assert isinstance(state, PlateauState)
    assert state.num_bad.shape == state.cooldown.shape == state.best.shape == (4,)


def test_describe() -> None:
    assert describe(parse({"name": "step", "step_size": 30}), 0.1) == "lr = 0.1 · 0.1^floor(k/30)"
    assert describe(parse("exponential")) == "lr = lr0 · 0.99^k"
    seq = parse({"name": "sequence", "schedules": ["constant", "cosine"], "milestones": [10]})
    assert "k=10" in describe(seq)
    needs = {"sequence", "chained", "lambda", "multiplicative"}  # a field without a default
    for name in SCHEDULE_NAMES:
        if name not in needs:
            assert describe(parse(name), 0.1)


def test_describe_a_sequence_names_the_step_counted_from_the_milestone() -> None:
    seq = parse(
        {
            "name": "sequence",
            "schedules": [{"name": "linear", "total_iters": 15}, {"name": "cosine", "T_max": 135}],
            "milestones": [15],
        },
        steps=150,
    )
    first, later = describe(seq, 0.1).split("; from ")
    assert "min(k, 15)" in first
    # torch restarts the cosine's count at the milestone: its step is the run's k − 15.
    assert later.startswith("k=15: ")
    assert "cos(π·(k−15)/135)" in later and "π·k/" not in later
    # The formula as shown, with k − 15 for its step, gives the rates the schedule runs at.
    j = np.arange(135)
    shown = 0.1 * (1 + np.cos(math.pi * j / 135)) / 2
    np.testing.assert_allclose(lr_values(seq, np.array([0.1]), 15 + j)[0], shown, rtol=1e-12)


def test_describe_a_sequence_names_no_shift_for_a_constant_part() -> None:
    seq = parse({"name": "sequence", "schedules": ["cosine", "constant"], "milestones": [10]})
    assert describe(seq, 0.1).endswith("; from k=10: lr = 0.1")


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------


def _torch_restarts(n: int, t_0: int, t_mult: int) -> list[tuple[int, int]]:
    """CosineAnnealingWarmRestarts.step() as torch writes it, step by step."""
    t_cur, t_i, out = 0, t_0, []
    for _ in range(n):
        out.append((t_cur, t_i))
        t_cur += 1
        if t_cur >= t_i:
            t_cur = t_cur % t_i
            t_i = t_i * t_mult
    return out


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12), st.integers(1, 4), st.integers(1, 300))
def test_restart_position_matches_torch_recursion(t_0: int, t_mult: int, n: int) -> None:
    t_cur, t_i = restart_position(k_range(n), t_0, t_mult)
    assert list(zip(t_cur.tolist(), t_i.tolist(), strict=True)) == _torch_restarts(n, t_0, t_mult)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["triangular", "triangular2", "exp_range"]),
    st.integers(1, 9),
    st.one_of(st.none(), st.integers(0, 9)),
    st.floats(1e-4, 1.0),
)
def test_cyclic_between_bounds(mode: str, up: int, down: int | None, max_lr: float) -> None:
    obj = {
        "name": "cyclic",
        "max_lr": max_lr,
        "step_size_up": up,
        "step_size_down": down,
        "mode": mode,
        "gamma": 0.95,
    }
    spec = parse(obj)
    lr = lr_values(spec, np.array([max_lr]), k_range(60))[0]
    base = spec.params["base_lr"]
    assert lr[0] == base
    assert np.all(lr >= base * (1 - 1e-12)) and np.all(lr <= max_lr * (1 + 1e-12))
    mom = momentum_values(spec, k_range(60))
    assert mom is not None
    assert np.all(mom >= 0.8 - 1e-12) and np.all(mom <= 0.9 + 1e-12)


# --------------------------------------------------------------------------
# The families added with the registry
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "path", "words"),
    [
        ({"name": "lambda"}, "schedule.lr_lambda", "missing"),
        ({"name": "lambda", "lr_lambda": "__import__('os')"}, "schedule.lr_lambda", "unknown"),
        ({"name": "lambda", "lr_lambda": "lambda e: 1"}, "schedule.lr_lambda", "column"),
        ({"name": "lambda", "lr_lambda": "x^2"}, "schedule.lr_lambda", "unknown name 'x'"),
        ({"name": "lambda", "lr_lambda": 0.9}, "schedule.lr_lambda", "expected an expression"),
        ({"name": "multiplicative", "lr_lambda": "1/0"}, "schedule.lr_lambda", "column"),
        ({"name": "polynomial", "power": -1}, "schedule.power", ">= 0"),
        ({"name": "polynomial", "total_iters": 0}, "schedule.total_iters", ">= 1"),
        ({"name": "constant_factor", "factor": 0}, "schedule.factor", "> 0"),
        ({"name": "constant_factor", "factor": 1.5}, "schedule.factor", "<= 1"),
        ({"name": "chained"}, "schedule.schedules", "missing"),
        ({"name": "chained", "schedules": []}, "schedule.schedules", "at least 1"),
        ({"name": "chained", "schedules": ["cosine"]}, "schedule.schedules[0]", "chained"),
        ({"name": "chained", "schedules": ["lambda"]}, "schedule.schedules[0]", "chained"),
        (
            {"name": "sequence", "schedules": ["multiplicative", "step"], "milestones": [5]},
            "schedule.schedules[0]",
            "sequence",
        ),
    ],
)
def test_new_schedules_refuse_what_torch_cannot_run(obj: Any, path: str, words: str) -> None:
    with pytest.raises(SpecError) as err:
        parse(obj)
    assert format_path(err.value.path) == path
    assert words in str(err.value)


def test_lambda_is_lr0_times_the_expression_of_epoch() -> None:
    spec = parse({"name": "lambda", "lr_lambda": "1/(1 + 0.5*epoch)"})
    got = lr_values(spec, np.array([0.2, 1.0]), k_range(5))
    want = np.array([[0.2], [1.0]]) / (1 + 0.5 * np.arange(5))
    np.testing.assert_allclose(got, want, rtol=1e-15)
    assert describe(spec) == "lr = lr0 · f(k), f(epoch) = 1/(1 + 0.5*epoch)"


def test_multiplicative_multiplies_step_after_step_as_torch_does() -> None:
    spec = parse({"name": "multiplicative", "lr_lambda": "0.9 + 0.01*epoch"})
    got = lr_values(spec, np.array([0.3]), k_range(30))[0]
    lr, want = 0.3, [0.3]
    for k in range(1, 30):
        lr = lr * (0.9 + 0.01 * k)
        want.append(lr)
    assert got.tolist() == want  # the same running product, bit for bit
    # any subset of steps, in any order, reads the same table
    k = np.array([29, 0, 7, 7])
    assert lr_values(spec, np.array([0.3]), k)[0].tolist() == [want[29], 0.3, want[7], want[7]]


def test_chained_multiplies_its_parts() -> None:
    parts = [
        {"name": "linear", "start_factor": 0.5, "total_iters": 4},
        {"name": "step", "step_size": 3, "gamma": 0.5},
        {"name": "constant_factor", "factor": 0.25, "total_iters": 2},
    ]
    chained = parse({"name": "chained", "schedules": parts})
    k = k_range(12)
    lr0 = np.array([0.1])
    want = lr0[:, None] * np.prod([lr_values(parse(p), np.ones(1), k)[0] for p in parts], axis=0)
    np.testing.assert_allclose(lr_values(chained, lr0, k), want, rtol=1e-15)
    text = describe(chained, 0.1)
    assert text.startswith("lr = 0.1 · (") and "floor(k/3)" in text


def test_polynomial_and_constant_factor_reach_their_end() -> None:
    poly = parse({"name": "polynomial", "total_iters": 4, "power": 2.0})
    np.testing.assert_allclose(
        lr_values(poly, np.array([1.0]), k_range(6))[0], [1, 0.5625, 0.25, 0.0625, 0, 0]
    )
    const = parse({"name": "constant_factor", "factor": 0.5, "total_iters": 2})
    assert lr_values(const, np.array([1.0]), k_range(4))[0].tolist() == [0.5, 0.5, 1.0, 1.0]


def test_a_lambda_that_blows_up_is_an_outcome_not_a_warning() -> None:
    spec = parse({"name": "lambda", "lr_lambda": "1/epoch + exp(epoch*100)"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = lr_values(spec, np.array([0.1]), k_range(12))[0]
    assert np.isinf(got[0]) and np.isinf(got[-1])
