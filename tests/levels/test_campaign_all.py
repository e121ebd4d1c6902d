"""The whole campaign: its order, its start, no luck, and divergence you can see.

- The first thing a player runs (the level's starting setup) loses on every level.
- No luck: on every level, for every optimizer setting it offers at a constant rate,
  the winners of the 1,000-rate sweep over 1e-6..1e2 form at most three runs of
  consecutive rates, the widest holding at least 80% of them (noisy levels: for each of
  ten noise seeds).
- On the levels about divergence, a typical diverging walk bounces inside the view.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from claims import (
    CAMPAIGN_ORDER,
    LEVELS_DIR,
    SWEEP_LRS,
    every_constant_setting,
    level_of,
    luck_problem,
    play,
    swept,
    win_runs,
    with_noise_seed,
)

from lrgame.engine.simulate import simulate
from lrgame.levels.model import LESSONS

NOISE_SEEDS = range(10)


def seeds_of(level_id: str) -> list[int | None]:
    """The seeds a claim must hold for: the level's own, or ten when its gradients are noisy."""
    return list(NOISE_SEEDS) if level_of(level_id).noise.std > 0 else [None]


# -- order -------------------------------------------------------------------------


def test_the_campaign_is_numbered_in_order_and_ends_with_the_boss() -> None:
    files = sorted(p.name for p in LEVELS_DIR.glob("*.json"))
    assert [int(name[:2]) for name in files] == list(range(1, len(CAMPAIGN_ORDER) + 1))
    assert all(re.fullmatch(r"\d\d-[a-z0-9-]+\.json", name) for name in files)
    assert tuple(name[3:-5] for name in files) == CAMPAIGN_ORDER
    lessons = [level_of(level_id).lesson for level_id in CAMPAIGN_ORDER]
    assert lessons[-1] == "mixed" and lessons.count("mixed") == 1, "the boss is the last level"
    adaptive = lessons.index("adaptive")
    assert lessons[adaptive + 1] == "adaptive_finish", "Adam's loose finish follows Adam"
    assert set(lessons) == set(LESSONS), "every lesson is taught"


# -- the starting strategy loses -----------------------------------------------------


@pytest.mark.parametrize("level_id", CAMPAIGN_ORDER)
def test_the_starting_strategy_does_not_win(level_id: str) -> None:
    # A default that wins teaches nothing: the first run shows the problem.
    level = level_of(level_id)
    start = level.starting_strategy()
    assert level.allowed.refusal(start) is None
    for seed in seeds_of(level_id):
        played = level if seed is None else with_noise_seed(level, seed)
        assert play(played, start.to_json()).outcome != "reached_goal", (level_id, seed)


# -- no luck -----------------------------------------------------------------------


def _luck_cases() -> list[Any]:
    cases = []
    for level_id in CAMPAIGN_ORDER:
        for setting in every_constant_setting(level_of(level_id)):
            for seed in seeds_of(level_id):
                name = "+".join(f"{k}={v}" for k, v in setting["optimizer"].items())
                suffix = "" if seed is None else f"-seed{seed}"
                cases.append(pytest.param(level_id, setting, seed, id=f"{level_id}-{name}{suffix}"))
    return cases


@pytest.mark.parametrize(("level_id", "setting", "seed"), _luck_cases())
def test_winning_at_a_constant_rate_is_never_luck(
    level_id: str, setting: dict[str, Any], seed: int | None
) -> None:
    outcome = swept(level_id, setting, seed)
    assert len(outcome) == len(SWEEP_LRS) == 1000
    assert luck_problem(outcome) is None, luck_problem(outcome)


def test_every_level_offers_a_constant_rate_to_sweep() -> None:
    # So the rule above covers every level, not only those that happen to offer one.
    for level_id in CAMPAIGN_ORDER:
        assert every_constant_setting(level_of(level_id)), level_id


@pytest.mark.parametrize(
    ("won", "runs", "lucky"),
    [
        ("", [], False),
        ("...WWWWWW...", [(3, 8)], False),
        ("WWWWWWWWW.W.W", [(0, 8), (10, 10), (12, 12)], False),
        ("WWWWWWWW.W.W.W", [(0, 7), (9, 9), (11, 11), (13, 13)], True),
        ("WWW.WW..", [(0, 2), (4, 5)], True),
    ],
)
def test_the_luck_rule_counts_runs_and_the_widest_share(
    won: str, runs: list[tuple[int, int]], lucky: bool
) -> None:
    outcome = np.array(["reached_goal" if c == "W" else "out_of_steps" for c in won])
    assert win_runs(outcome) == runs
    assert (luck_problem(outcome) is not None) is lucky


# -- divergence you can see -------------------------------------------------------------

DIVERGENCE_LEVELS = [i for i in CAMPAIGN_ORDER if level_of(i).lesson == "divergence"]


def _typical_divergence(level_id: str) -> float:
    """1.2 times the smallest rate of the sweep that diverges with plain SGD."""
    outcome = swept(level_id, {"optimizer": {"name": "sgd"}})
    return 1.2 * float(SWEEP_LRS[outcome == "diverged"].min())


@pytest.mark.parametrize("level_id", DIVERGENCE_LEVELS)
def test_the_first_bounces_of_a_diverging_walk_are_inside_the_view(level_id: str) -> None:
    level = level_of(level_id)
    assert "the-gorge" in DIVERGENCE_LEVELS
    lrs = [_typical_divergence(level_id)]
    if level.dim == 1:
        (minimum,) = level.landscape.global_minima
        lrs.append(1.2 * 2 / minimum.curvature)  # 1.2 times the stability limit
    lo, hi = level.domain[:, 0], level.domain[:, 1]
    for lr in lrs:
        run = simulate(
            level.landscape, level.start, level.strategy({"optimizer": {"name": "sgd", "lr": lr}})
        )
        assert run.diverged, lr
        bounces = run.trajectory[1:4]
        assert len(bounces) == 3
        assert np.all((lo <= bounces) & (bounces <= hi)), (lr, bounces.tolist())
