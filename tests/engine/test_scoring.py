"""The help's price, without a terminal: practice halves, the LR finder costs points."""

from __future__ import annotations

import pytest

from lrgame.engine.outcome import Verdict
from lrgame.engine.scoring import (
    FINDER_COST,
    PRACTICE_SCORE_FACTOR,
    Modifiers,
    apply_modifiers,
    finder_verdict,
    practice_verdict,
)


def won(score: int, stars: int) -> Verdict:
    return Verdict("reached_goal", 40, 20, 0.0, 1.0, score, stars)


def test_the_finder_costs_points_but_never_stars() -> None:
    paid = finder_verdict(won(820, 3))
    assert FINDER_COST == 50
    assert paid.score == 770 and paid.stars == 3 and paid.outcome == "reached_goal"
    poor = Verdict("diverged", 10, None, None, 0.0, 30, 0)
    assert finder_verdict(poor).score == 0
    assert finder_verdict(Verdict("diverged", 10, None, None, 0.0, 0, 0)).score == 0


@pytest.mark.parametrize(("stars", "kept"), [(3, 2), (2, 1), (1, 1)])
def test_practice_halves_the_score_and_takes_a_star_but_never_the_last(
    stars: int, kept: int
) -> None:
    practised = practice_verdict(won(820, stars))
    assert PRACTICE_SCORE_FACTOR == 0.5
    assert practised.score == 410 and practised.stars == kept
    assert practised.outcome == "reached_goal" and practised.steps_to_goal == 20


def test_a_lost_practice_run_has_no_star() -> None:
    lost = Verdict("out_of_steps", 40, None, 0.5, 0.6, 300, 0)
    assert practice_verdict(lost).score == 150 and practice_verdict(lost).stars == 0


def test_modifiers_apply_practice_then_the_finder() -> None:
    verdict = won(820, 3)
    assert apply_modifiers(verdict, Modifiers()) == verdict
    assert apply_modifiers(verdict, Modifiers(practice=True)).score == 410
    assert apply_modifiers(verdict, Modifiers(used_finder=True)).score == 770
    both = apply_modifiers(verdict, Modifiers(practice=True, used_finder=True))
    # Half first (410), then 50 off; the other order would give 385.
    assert both.score == 360 and both.stars == 2
    assert Modifiers(practice=True).to_json() == {"practice": True, "used_finder": False}
    assert not Modifiers().any and Modifiers(used_finder=True).any
