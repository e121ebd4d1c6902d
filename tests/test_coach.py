"""The coach's diagnoses, computed from the engine: thresholds, where a run settled, what would win."""

from __future__ import annotations

import json

import pytest

from lrgame.coach import diagnose, explain, stability_limit
from lrgame.engine.simulate import run_batch
from lrgame.levels.loader import check_text
from lrgame.levels.model import Level

# A quadratic valley with curvature 16 at its minimum (x = 0.8).
GORGE = {
    "id": "gorge",
    "title": "Gorge",
    "loss": "8*(x - 0.8)**2",
    "domain": {"x": [-3, 3]},
    "start": [-2],
    "steps": 70,
    "par": 8,
    "demos": {"win": [{"strategy": {"optimizer": {"name": "sgd", "lr": 0.06}}}]},
}
DIP = {
    "id": "dip",
    "title": "Dip",
    "loss": "x**4 - 3*x**2 + x",
    "domain": {"x": [-2.5, 2.5]},
    "start": [2.2],
    "steps": 60,
    "par": 20,
}


def level_of(data: dict) -> Level:
    checked = check_text(json.dumps(data))
    assert checked.level is not None, checked.problems
    return checked.level


def coach(data: dict, strategy: dict):  # type: ignore[no-untyped-def]
    level = level_of(data)
    s = level.strategy(strategy)
    batch = run_batch(level.landscape, level.start, [s], level.noise)
    verdict = level.judge(batch)[0]
    return diagnose(level, s, batch.row(0), verdict), verdict


@pytest.mark.parametrize(
    "optimizer, limit",
    [
        ({"name": "sgd", "lr": 0.13}, 2 / 16),
        ({"name": "sgd", "lr": 0.3, "momentum": 0.9}, 2 * 1.9 / 16),
        ({"name": "sgd", "lr": 0.45, "momentum": 0.5, "dampening": 0.5}, 2 * 1.5 / (0.5 * 16)),
        ({"name": "sgd", "lr": 0.2, "momentum": 0.9, "nesterov": True}, 2 * 1.9 / (2.8 * 16)),
    ],
)
def test_diverged_sgd_names_the_threshold(optimizer: dict, limit: float) -> None:
    d, verdict = coach(GORGE, {"optimizer": optimizer})
    assert verdict.outcome == "diverged" and d.kind == "diverged"
    assert d.curvature == pytest.approx(16.0, rel=1e-9)
    assert d.stability_limit == pytest.approx(limit, rel=1e-9)
    assert d.lr == pytest.approx(optimizer["lr"])
    assert d.lr > d.stability_limit
    text = explain(d)
    assert f"{limit:.3g}" in text and "16" in text


def test_just_below_the_threshold_does_not_diverge() -> None:
    _, verdict = coach(GORGE, {"optimizer": {"name": "sgd", "lr": 0.97 * 2 / 16}})
    assert verdict.outcome != "diverged"


def test_adaptive_divergence_is_explained_in_words() -> None:
    d, verdict = coach(GORGE, {"optimizer": {"name": "adam", "lr": 1e6}})
    assert verdict.outcome == "diverged"
    assert d.stability_limit is None
    assert "adam" in explain(d)


def test_stuck_names_where_and_what_would_carry_it_over() -> None:
    d, verdict = coach(DIP, {"optimizer": {"name": "sgd", "lr": 0.01}})
    assert verdict.outcome == "stuck_local"
    assert d.settled_at is not None and d.settled_at[0] == pytest.approx(1.13, abs=0.01)
    assert d.final_loss is not None and d.global_loss is not None and d.final_loss > d.global_loss
    assert d.winning_lrs is not None and d.winning_lrs[0] > 0.01
    assert "larger_lr" in d.suggestions and "momentum" in d.suggestions


def test_out_of_steps_says_how_far_and_how_fast() -> None:
    d, verdict = coach(GORGE, {"optimizer": {"name": "sgd", "lr": 1e-4}})
    assert verdict.outcome == "out_of_steps"
    assert d.distance is not None and 2.0 < d.distance < 2.8
    assert d.fall_per_step is not None and 0 < d.fall_per_step < 0.01
    assert d.winning_lrs is not None and d.winning_lrs[1] < 2 / 16
    assert "ran out of steps" in explain(d)


def test_reached_goal_compares_with_par_and_demos() -> None:
    d, verdict = coach(GORGE, {"optimizer": {"name": "sgd", "lr": 0.06}})
    assert verdict.outcome == "reached_goal"
    assert d.step == verdict.steps_to_goal
    assert d.demo_steps == verdict.steps_to_goal
    assert "par" in explain(d)


def test_stability_limit_is_none_for_adaptive_optimizers() -> None:
    level = level_of(GORGE)
    assert stability_limit(level.strategy({"optimizer": {"name": "rmsprop"}}), 16.0) is None
