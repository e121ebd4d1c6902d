"""What the sweep screen shows, computed without a terminal: the chart's data per view and
the regions in words.

:mod:`lrgame.analysis.sweep` runs and reads the sweep; this module turns a
:class:`SweepResult` into what the player reads: the plotted values with the
player's point, the cliff and par (:func:`sweep_plot`), and one line per region
with its range and meaning (:func:`region_lines`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from lrgame.engine.outcome import Outcome
from lrgame.i18n import _
from lrgame.levels.model import Level
from lrgame.numfmt import rate_bound

from .sweep import RateRange, SweepResult, lr_text

View = Literal["loss", "steps"]
"""``loss``: final loss above the minimum (log scale); ``steps``: steps to the goal."""

MAX_REGION_LINES = 7


@dataclass(frozen=True)
class SweepPlot:
    """What the chart draws: y over log10(lr), the outcome per rate, and the markers."""

    log_lr: np.ndarray
    values: np.ndarray
    outcomes: list[Outcome]
    log_y: bool
    title: str
    y_label: str = ""
    you_log_lr: float | None = None
    you_value: float = math.nan
    cliff_log_lr: float | None = None
    reference: float | None = None
    """A horizontal reference line (par, in the steps view)."""
    reference_label: str = ""
    y_max: float | None = None


def sweep_plot(result: SweepResult, level: Level, steps: int, view: View) -> SweepPlot:
    """The chart's data for ``view``, with the player's point where their own run ended.

    ``steps`` is the strategy's budget: the steps view's axis reaches it even when
    every winning rate arrives early.
    """
    with np.errstate(divide="ignore"):
        log_lr = np.log10(result.lrs)
    cliff = None if result.cliff is None else math.log10(result.cliff)
    you = math.log10(result.your_lr) if result.your_lr > 0 else None
    yours = result.yours
    if view == "steps":
        value = (
            float(yours.steps_to_goal)
            if yours.outcome == Outcome.REACHED_GOAL and yours.steps_to_goal is not None
            else math.nan
        )
        return SweepPlot(
            log_lr,
            result.steps_to_goal,
            result.outcomes,
            log_y=False,
            title=_("Steps to the goal, by learning rate (gaps: the goal was not reached)"),
            y_label=_("steps"),
            you_log_lr=you,
            you_value=value,
            cliff_log_lr=cliff,
            reference=float(level.par),
            reference_label=_("par"),
            y_max=float(steps),
        )
    floor = level.goal.loss if math.isfinite(level.goal.loss) else 0.0
    if yours.outcome == Outcome.DIVERGED or yours.final_loss is None:
        value = math.inf
    else:
        value = max(yours.final_loss - floor, 0.0)
    return SweepPlot(
        log_lr,
        result.final_gap,
        result.outcomes,
        log_y=True,
        title=_("Final loss above the minimum (log), by learning rate"),
        y_label=_("loss gap"),
        you_log_lr=you,
        you_value=value,
        cliff_log_lr=cliff,
    )


def region_words(result: SweepResult, seg: RateRange) -> str:
    """What a region of the rate axis means, in words."""
    first_band = result.bands[0].start if result.bands else None
    if seg.outcome == Outcome.REACHED_GOAL:
        return _("sweet spot: reaches the goal")
    if seg.outcome == Outcome.DIVERGED:
        if result.cliff_index is not None and seg.start == result.cliff_index:
            return _("divergence cliff: everything from here up flies apart")
        return _("diverges")
    too_small = first_band is not None and seg.stop <= first_band
    if seg.outcome == Outcome.STUCK_LOCAL:
        return _("gets stuck in a local minimum")
    if too_small or (first_band is None and seg.start == 0):
        return _("runs out of steps: too small to get there in time")
    return _("runs out of steps: bounces around without settling")


def region_span(seg: RateRange) -> str:
    """The region's rates, rounded inwards as the summary and the coach round their ranges,
    so one range reads with one pair of numbers; a single rate when they meet."""
    low, high = rate_bound(seg.low, "low"), rate_bound(seg.high, "high")
    if seg.low == seg.high or float(low) > float(high):
        low = high = lr_text(seg.low)
    return low if low == high else _("{low} – {high}", low=low, high=high)


@dataclass(frozen=True)
class RegionLine:
    outcome: Outcome
    span: str
    words: str


def region_lines(result: SweepResult, most: int = MAX_REGION_LINES) -> tuple[list[RegionLine], int]:
    """The regions low rates first, at most ``most`` of them, and how many more were left out."""
    segments = result.segments
    shown = [
        RegionLine(seg.outcome, region_span(seg), region_words(result, seg))
        for seg in segments[:most]
    ]
    return shown, len(segments) - len(shown)
