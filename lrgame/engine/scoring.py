"""What the help a player had costs: practice mode and the LR finder.

The judge (:func:`lrgame.engine.outcome.judge_batch`) scores the walk itself;
these rules price the help on top of it. The game applies them to the run it
records and shows, and ``lrgame simulate --practice --used-finder`` applies the
same ones, so a score quoted by either is the same number.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .outcome import Outcome, Verdict

PRACTICE_SCORE_FACTOR = 0.5
"""A practice run (the landscape shown from the start) scores this share of its points."""
FINDER_COST = 50
"""Points a run loses when the LR finder was used for it: a real range test costs compute."""


@dataclass(frozen=True)
class Modifiers:
    """The help a run had, each of which changes its score."""

    practice: bool = False
    used_finder: bool = False

    @property
    def any(self) -> bool:
        return self.practice or self.used_finder

    def to_json(self) -> dict[str, bool]:
        return {"practice": self.practice, "used_finder": self.used_finder}


def practice_verdict(verdict: Verdict) -> Verdict:
    """Practice runs score half, and one star fewer (at least one on a win)."""
    stars = max(1, verdict.stars - 1) if verdict.outcome == Outcome.REACHED_GOAL else 0
    return replace(verdict, score=round(verdict.score * PRACTICE_SCORE_FACTOR), stars=stars)


def finder_verdict(verdict: Verdict) -> Verdict:
    """A run set up with the LR finder's help scores ``FINDER_COST`` less (never below 0); stars stay."""
    return replace(verdict, score=max(0, verdict.score - FINDER_COST))


def apply_modifiers(verdict: Verdict, modifiers: Modifiers) -> Verdict:
    """The verdict as recorded: practice halves first, then the finder's price is paid
    (the order the game has always used, so saved best scores stay comparable)."""
    if modifiers.practice:
        verdict = practice_verdict(verdict)
    if modifiers.used_finder:
        verdict = finder_verdict(verdict)
    return verdict
