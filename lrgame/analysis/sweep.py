"""The learning-rate sweep, judged: one computation for the sweep screen and the coach.

A sweep runs the player's strategy at 200 log-spaced headline rates (1e-6 to
1e2, widened to keep the player's rate inside) plus the player's exact rate, as
one engine batch, and judges every row by the level's rules. From it come the
outcome regions the sweep screen draws and the **winning intervals** the coach
quotes: the maximal runs of consecutive winning rates, each checked so that
its two ends as quoted (rounded inwards) and its geometric middle win, and
the player's rate, if it lost, lies in none (a run is split around any rate that lost). A claim such as
"rates from 0.08 to 1 reach the goal" is then a measured fact, not a guess
from a coarse grid.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lrgame.engine.outcome import Outcome, Verdict
from lrgame.engine.simulate import run_sweep, run_sweeps
from lrgame.engine.strategy import Strategy
from lrgame.i18n import _
from lrgame.levels.model import Level
from lrgame.numfmt import rate, rate_bound

SWEEP_POINTS = 200
LR_LOW, LR_HIGH = 1e-6, 1e2
"""The default sweep: 200 log-spaced headline rates over eight decades."""
MAX_RUNS = 3
"""Winners in more separate runs than this are scattered: winning there is luck."""
REFINE_ROUNDS = 12
MAX_WIDEN_DECADES = 4.0
"""The sweep reaches at most this far beyond 1e-6 and 1e2 toward an extreme player's rate."""
"""At most this many rounds of checking the intervals' middles (each one small batch)."""

Interval = tuple[float, float]


def sweep_rates(lr: float, points: int = SWEEP_POINTS) -> np.ndarray:
    """Log-spaced headline rates: 1e-6 to 1e2, widened toward the player's rate at the same density.

    The grid keeps one spacing everywhere, so "no rate from a to b wins" is as
    true at its ends as in its middle: it widens to keep the player's rate well
    inside (four decades below, two above), by at most :data:`MAX_WIDEN_DECADES`
    on each side; a rate further out rides along in the sweep on its own.
    """
    per_decade = (points - 1) / math.log10(LR_HIGH / LR_LOW)
    low, high = math.log10(LR_LOW), math.log10(LR_HIGH)
    if math.isfinite(lr) and lr > 0:
        low = max(min(low, math.log10(lr) - 4), low - MAX_WIDEN_DECADES)
        high = min(max(high, math.log10(lr) + 2), high + MAX_WIDEN_DECADES)
    count = int(round((high - low) * per_decade)) + 1
    return np.logspace(low, high, max(count, 2))


def lr_text(value: float) -> str:
    """A rate in two significant digits, for chart ticks and region lists: ``0.0042``, ``1e-6``."""
    return rate(value, 2)


def outcome_phrase(verdict: Verdict) -> str:
    if verdict.outcome == Outcome.REACHED_GOAL:
        return _("reaches the goal in {steps} steps", steps=verdict.steps_to_goal)
    return {
        Outcome.STUCK_LOCAL: _("gets stuck in a local minimum"),
        Outcome.OUT_OF_STEPS: _("runs out of steps"),
        Outcome.DIVERGED: _("diverges"),
    }[verdict.outcome]


def region_name(outcome: Outcome) -> str:
    return {
        Outcome.REACHED_GOAL: _("sweet spot"),
        Outcome.STUCK_LOCAL: _("stuck"),
        Outcome.OUT_OF_STEPS: _("out of steps"),
        Outcome.DIVERGED: _("diverges"),
    }[outcome]


@dataclass(frozen=True)
class RateRange:
    """A run of consecutive sampled rates with one outcome: rates ``lrs[start:stop]``."""

    outcome: Outcome
    start: int
    stop: int
    low: float
    high: float


@dataclass(frozen=True)
class SweepResult:
    """The sweep judged: everything the chart, the words and the coach need."""

    lrs: np.ndarray
    verdicts: list[Verdict]
    your_lr: float
    yours: Verdict
    segments: list[RateRange]
    bands: list[RateRange]
    """The segments that reach the goal, as sampled."""
    cliff: float | None
    """The smallest sampled rate from which every larger sampled rate diverges."""
    cliff_index: int | None
    intervals: list[Interval] = field(default_factory=list)
    """The winning intervals, checked (see the module's docstring), low rates first."""
    seconds: float = 0.0
    final_gap: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Final loss above the global minimum per rate (inf where the run diverged)."""
    steps_to_goal: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Steps to the goal per rate (NaN where the goal was not reached)."""

    @property
    def outcomes(self) -> list[Outcome]:
        return [v.outcome for v in self.verdicts]

    @property
    def scattered(self) -> bool:
        """A win is luck: winners in more than :data:`MAX_RUNS` runs, or only at isolated rates."""
        return is_scattered(self.intervals)

    @property
    def wins_above(self) -> bool:
        return any(high > self.your_lr for _, high in self.intervals)

    @property
    def wins_below(self) -> bool:
        return any(low < self.your_lr for low, _ in self.intervals)

    @property
    def position(self) -> str:
        """Where the player's rate sits: ``past_cliff``, ``sweet_spot``, ``too_small``, ``too_large``, ``between`` or ``no_band``."""
        lr = self.your_lr
        if self.yours.outcome == Outcome.DIVERGED and self.cliff is not None and lr >= self.cliff:
            return "past_cliff"
        if not self.intervals:
            return "no_band"
        if self.yours.outcome == Outcome.REACHED_GOAL:
            return "sweet_spot"
        if lr < self.intervals[0][0]:
            return "too_small"
        if lr > self.intervals[-1][1]:
            return "too_large"
        return "between"

    def summary(self) -> str:
        """One plain-words line: the winning rates, the cliff, and the player's rate."""
        parts = []
        if self.scattered:
            parts.append(
                _(
                    "Winning rates are scattered over {count} separate ranges between {low} and "
                    "{high}: a win here is a matter of luck",
                    count=len(self.intervals),
                    # Rounded outwards: every winner lies between the two numbers.
                    low=rate_bound(self.intervals[0][0], "high"),
                    high=rate_bound(self.intervals[-1][1], "low"),
                )
            )
        elif self.intervals:
            quoted = regions(self.intervals)
            parts.append(_("Rates {ranges} reach the goal", ranges=ranges_text(quoted)))
            lone = len(self.intervals) - len(quoted)
            if lone:
                parts.append(_("{count} more rates win alone, by luck", count=lone))
        else:
            parts.append(
                _(
                    "No rate from {low} to {high} reaches the goal with this optimizer and schedule",
                    low=rate_bound(float(self.lrs[0]), "low"),
                    high=rate_bound(float(self.lrs[-1]), "high"),
                )
            )
        if self.cliff is not None:
            # Rounded up: the rates between the last survivor and the cliff were not run.
            cliff = rate_bound(self.cliff, "low")
            parts.append(_("from {cliff} up the walk flies apart", cliff=cliff))
        else:
            high = rate_bound(float(self.lrs[-1]), "high")
            parts.append(_("no rate up to {high} diverges", high=high))
        where = {
            "past_cliff": _("past the cliff"),
            "sweet_spot": _("inside the sweet spot"),
            "too_small": _("below the sweet spot (too small)"),
            "too_large": _("above the sweet spot (too large)"),
            "between": _("between two winning ranges"),
            "no_band": "",
        }[self.position]
        mine = _(
            "yours, {lr}, {outcome}", lr=rate(self.your_lr), outcome=outcome_phrase(self.yours)
        )
        if where:
            mine = _("{mine}, {where}", mine=mine, where=where)
        parts.append(mine)
        return _("{sentence}.", sentence=_("; ").join(parts))


def is_scattered(intervals: Sequence[Interval]) -> bool:
    """More than :data:`MAX_RUNS` runs of winners, or winners only at single isolated rates."""
    return len(intervals) > MAX_RUNS or (
        bool(intervals) and all(low == high for low, high in intervals)
    )


def regions(intervals: Sequence[Interval]) -> list[Interval]:
    """The intervals that span more than one sampled rate (a lone winning rate is no region)."""
    return [(low, high) for low, high in intervals if high > low]


def interval_text(interval: Interval) -> str:
    """``from 0.08 to 1``, rounded inwards; a single sampled rate reads ``only 0.891``."""
    low, high = interval
    a, b = rate_bound(low, "low"), rate_bound(high, "high")
    if float(a) > float(b) or low == high:
        return _("only {rate}", rate=rate(low))
    if a == b:
        return _("around {rate}", rate=a)
    return _("from {low} to {high}", low=a, high=b)


def ranges_text(intervals: Sequence[Interval]) -> str:
    """Intervals in words: ``from 0.08 to 1``, ``from 0.001 to 0.002 and from 3 to 4``."""
    texts = [interval_text(i) for i in intervals]
    if len(texts) <= 1:
        return "".join(texts)
    return _("{first} and {last}", first=_(", ").join(texts[:-1]), last=texts[-1])


def analyse_sweep(
    lrs: np.ndarray, verdicts: Sequence[Verdict]
) -> tuple[list[RateRange], list[RateRange], int | None]:
    """Runs of equal outcome, the goal-reaching runs, and the index where the cliff starts."""
    segments: list[RateRange] = []
    start = 0
    outcomes = [v.outcome for v in verdicts]
    for i in range(1, len(outcomes) + 1):
        if i == len(outcomes) or outcomes[i] != outcomes[start]:
            segments.append(
                RateRange(outcomes[start], start, i, float(lrs[start]), float(lrs[i - 1]))
            )
            start = i
    bands = [s for s in segments if s.outcome == Outcome.REACHED_GOAL]
    cliff = segments[-1].start if segments and segments[-1].outcome == Outcome.DIVERGED else None
    return segments, bands, cliff


def _split(runs: list[tuple[int, int]], lrs: np.ndarray, losing: float) -> list[tuple[int, int]]:
    """Cut every run of winning indices that straddles a rate known to lose."""
    out: list[tuple[int, int]] = []
    for i, j in runs:
        if lrs[i] < losing < lrs[j]:
            k = int(np.searchsorted(lrs, losing)) - 1  # the last sampled rate below it
            out.extend([(i, k), (k + 1, j)])
        else:
            out.append((i, j))
    return out


def _probes(lrs: np.ndarray, i: int, j: int) -> list[float]:
    """The rates that check a run of winners ``lrs[i..j]``: its geometric middle, and the ends
    as :func:`interval_text` will quote them (rounded inwards), where they were not sampled.
    A quoted end lies between two sampled rates, where an outcome that flips back and forth
    (a noisy level's edge) can lose although both neighbours won."""
    rates = [math.sqrt(lrs[i] * lrs[j])]
    low, high = float(rate_bound(lrs[i], "low")), float(rate_bound(lrs[j], "high"))
    return rates + [end for end in (low, high) if lrs[i] < end < lrs[j]]


def winning_intervals(
    level: Level,
    strategy: Strategy,
    lrs: np.ndarray,
    wins: np.ndarray,
    losing: Sequence[float] = (),
) -> list[Interval]:
    """The checked winning intervals of a sweep (see the module's docstring).

    ``wins`` marks the sampled rates that won; ``losing`` holds other rates
    known to lose (the player's). Middles that lose split their interval, and
    the new middles are checked in turn, one small batch per round. Winners in
    more than :data:`MAX_RUNS` runs are returned unchecked: they are scattered,
    and nothing quotes them as ranges.
    """
    runs: list[tuple[int, int]] = []
    i = 0
    n = len(wins)
    while i < n:
        if wins[i]:
            j = i
            while j + 1 < n and wins[j + 1]:
                j += 1
            runs.append((i, j))
            i = j + 1
        else:
            i += 1
    for value in losing:
        runs = _split(runs, lrs, value)
    if len(runs) > MAX_RUNS:
        # Scattered: splitting can only add runs, so no check could make these a quotable range.
        return [(float(lrs[i]), float(lrs[j])) for i, j in runs]
    checked: set[tuple[int, int]] = set()
    for _round in range(REFINE_ROUNDS):
        todo = [(i, j) for i, j in runs if i < j and (i, j) not in checked]
        if not todo:
            break
        probes = [_probes(lrs, i, j) for i, j in todo]
        flat = np.array([lr for rates in probes for lr in rates])
        batch = run_sweep(level.landscape, level.start, strategy, flat, level.noise)
        won = iter(v.outcome == Outcome.REACHED_GOAL for v in level.judge(batch))
        for run, rates in zip(todo, probes, strict=True):
            lost = [lr for lr in rates if not next(won)]
            if not lost:
                checked.add(run)
            for lr in lost:
                runs = _split(runs, lrs, lr)
    else:
        # Still unchecked after every round: keep only what is proven (single rates).
        runs = [(i, j) for i, j in runs if i == j or (i, j) in checked]
    return [(float(lrs[i]), float(lrs[j])) for i, j in runs]


def compute_sweep(level: Level, strategy: Strategy, lrs: np.ndarray | None = None) -> SweepResult:
    """Run every rate and the player's own as one batch, and judge them (no UI: call from a worker)."""
    started = time.perf_counter()
    if lrs is None:
        lrs = sweep_rates(strategy.lr)
    lrs = np.asarray(lrs, dtype=np.float64)
    # The player's exact rate rides along as the last row: its verdict is the real one.
    batch = run_sweeps(
        level.landscape, level.start, [(strategy, np.append(lrs, strategy.lr))], level.noise
    )
    verdicts = level.judge(batch)
    yours, verdicts = verdicts[-1], verdicts[:-1]
    segments, bands, cliff_index = analyse_sweep(lrs, verdicts)
    wins = np.array([v.outcome == Outcome.REACHED_GOAL for v in verdicts])
    losing = [] if yours.outcome == Outcome.REACHED_GOAL else [float(strategy.lr)]
    intervals = winning_intervals(level, strategy, lrs, wins, losing)
    floor = level.goal.loss if math.isfinite(level.goal.loss) else 0.0
    gap = np.array(
        [
            np.inf
            if v.outcome == Outcome.DIVERGED or v.final_loss is None
            else max(v.final_loss - floor, 0.0)
            for v in verdicts
        ]
    )
    steps = np.array(
        [
            float(v.steps_to_goal)
            if v.outcome == Outcome.REACHED_GOAL and v.steps_to_goal is not None
            else np.nan
            for v in verdicts
        ]
    )
    return SweepResult(
        lrs=lrs,
        verdicts=verdicts,
        your_lr=float(strategy.lr),
        yours=yours,
        segments=segments,
        bands=bands,
        cliff=None if cliff_index is None else float(lrs[cliff_index]),
        cliff_index=cliff_index,
        intervals=intervals,
        seconds=time.perf_counter() - started,
        final_gap=gap,
        steps_to_goal=steps,
    )
