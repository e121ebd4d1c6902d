"""Ghost races without a terminal: the racers offered, the standings, the finish order."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lrgame.analysis.race import (
    GHOST_RATES,
    MAX_RACERS,
    RaceCandidate,
    arrived,
    default_picks,
    finish_order,
    race_candidates,
    standing,
    standings,
)
from lrgame.engine.outcome import Verdict
from lrgame.engine.simulate import Run, run_batch, run_sweep
from lrgame.levels.loader import load_level
from lrgame.levels.model import Level

LEVELS = Path(__file__).resolve().parents[1] / "levels"
CAMPAIGN = Path(__file__).resolve().parent / "fixtures" / "campaign"


def bowl() -> Level:
    """x**2 on [-3, 3] from 2.5, 40 steps: every optimizer and schedule allowed."""
    return load_level(CAMPAIGN / "01-bowl.json")


def test_candidates_are_allowed_distinct_and_offer_your_best_only_when_given() -> None:
    level = bowl()  # every optimizer and schedule allowed
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 0.3}})
    plain = race_candidates(level, strategy)
    keys = [c.key for c in plain]
    assert keys[0] == "yours" and "best" not in keys
    assert {"sgd", "momentum", "adam", "step", "warmup_cosine", "slower", "faster"} <= set(keys)
    strategies = [level.strategy(c.strategy_json) for c in plain]
    assert all(level.allowed.refusal(s) is None for s in strategies)
    best = {"optimizer": {"name": "sgd", "lr": 0.5}}
    with_best = race_candidates(level, strategy, best)
    assert [c.key for c in with_best][:2] == ["yours", "best"]
    assert with_best[1].label == "your best"

    strict = load_level(LEVELS / "01-first-steps.json")
    only_sgd = race_candidates(strict, strict.strategy({"optimizer": {"name": "sgd", "lr": 0.1}}))
    assert [c.key for c in only_sgd] == ["yours", "sgd", "slower", "faster"]


def test_each_ghost_runs_at_the_best_rate_of_its_own_sweep() -> None:
    level = load_level(LEVELS / "07-the-ravine.json")
    # The player's Adam rate would make SGD diverge at once: the SGD ghost must not use it.
    strategy = level.strategy({"optimizer": {"name": "adam", "lr": 0.5}})
    ghosts = {c.key: c for c in race_candidates(level, strategy)}
    sgd = level.strategy(ghosts["sgd"].strategy_json)
    assert sgd.optimizer.name == "sgd" and sgd.lr != 0.5
    batch = run_sweep(level.landscape, level.start, sgd, GHOST_RATES, level.noise)
    scores = [v.score for v in level.judge(batch)]
    assert max(scores) == level.judge(run_batch(level.landscape, level.start, [sgd]))[0].score
    assert f"{sgd.lr:g}" in ghosts["sgd"].label


def test_finish_order_rules() -> None:
    def v(outcome: str, steps_to_goal: int | None, final: float | None, steps: int = 50) -> Verdict:
        return Verdict(outcome, steps, steps_to_goal, final, 0.5, 0, 0)

    verdicts = [
        v("out_of_steps", None, 0.5),
        v("diverged", None, None, steps=7),
        v("reached_goal", 30, 1e-6),
        v("stuck_local", None, 0.2),
        v("reached_goal", 12, 1e-3),
        v("diverged", None, 1e9, steps=20),
    ]
    # Goal by steps to goal; then stuck and out of steps by final loss; then diverged, longest first.
    assert finish_order(verdicts) == [4, 2, 3, 0, 5, 1]


def candidate(key: str) -> RaceCandidate:
    return RaceCandidate(key, key, {}, "")


def test_default_picks_tick_yours_your_best_and_fill_up_to_four() -> None:
    assert default_picks([]) == set()
    assert default_picks([candidate("yours"), candidate("sgd")]) == {0, 1}
    many = [candidate(k) for k in ("yours", "sgd", "adam", "step", "slower", "best")]
    picked = default_picks(many)
    assert len(picked) == MAX_RACERS and {0, 5} <= picked
    assert picked == {0, 5, 1, 2}, "after yours and your best, the first in order"


def fake_run(losses: list[float]) -> Run:
    """A 1-D run whose losses are given (points and rates do not matter to the standings)."""
    level = bowl()
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 0.1}, "steps": len(losses) - 1})
    run = run_batch(level.landscape, level.start, [strategy]).row(0)
    run.loss[: len(losses)] = losses
    return run


def test_standings_place_only_what_has_happened_by_the_step() -> None:
    fast = Verdict("reached_goal", 4, 2, 0.0, 1.0, 900, 3)
    slow = Verdict("out_of_steps", 4, None, 0.5, 0.5, 100, 0)
    blown = Verdict("diverged", 2, None, None, 0.0, 0, 0)
    runs = [fake_run([4.0, 3.0, 0.1, 0.0, 0.0]), fake_run([4.0, 2.0, 1.0, 0.7, 0.5])]
    runs.append(fake_run([4.0, 1.0, np.inf]))
    verdicts = [fast, slow, blown]
    # Step 1: nobody has arrived; by current loss (the diverging one is lowest so far).
    assert standings(runs, verdicts, 1) == [2, 1, 0]
    assert not arrived(fast, 1) and arrived(fast, 2)
    # Step 2: the goal reached comes first, the diverged last.
    assert standings(runs, verdicts, 2) == [0, 1, 2]
    assert standing(runs[0], fast, 1) == "loss 3"
    assert standing(runs[0], fast, 3) == "goal at step 2"
    assert standing(runs[2], blown, 2) == "diverged at step 2"
    assert standing(runs[1], slow, 4) == "out of steps, loss 0.5"
    assert finish_order(verdicts) == [0, 1, 2]
