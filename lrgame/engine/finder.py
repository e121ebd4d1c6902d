"""The LR range test (Smith 2015; fastai's ``lr_find``).

The rate grows exponentially each step from ``lr_min`` to ``lr_max`` while the
walker descends with the strategy's optimizer (its schedule is ignored). The
loss gap above the global minimum is smoothed with a debiased exponential
moving average, so losses at or below zero work; the test stops once the
smoothed gap exceeds ``blowup`` times the best seen, or turns non-finite.

Suggestions, on the recorded curve without its first tenth and last five
points (as fastai trims it):

- ``steep``: the rate where the smoothed gap falls fastest against log(lr);
- ``valley``: fastai's rule: in the longest decreasing subsequence of the
  curve (from index s to e), the point at s + floor(L/3) + floor(L/6), L = e - s;
- ``minimum``: the rate at the lowest smoothed gap, divided by 10.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .landscape import Landscape
from .simulate import Noise, run_with_rates
from .strategy import Strategy

DEFAULT_LR_MIN = 1e-6
DEFAULT_LR_MAX = 1e2
DEFAULT_POINTS = 100
SMOOTHING = 0.9
BLOWUP = 4.0


@dataclass(frozen=True)
class FinderResult:
    lr: np.ndarray  # [n], the rate used at each recorded step
    loss: np.ndarray  # [n], the loss before each step
    smoothed_gap: np.ndarray  # [n]
    suggestions: dict[str, float]
    stopped_early: bool


def lr_ramp(lr_min: float, lr_max: float, points: int) -> np.ndarray:
    """The rates of the test: ``lr_min * (lr_max / lr_min) ** (t / (points - 1))``."""
    return np.geomspace(lr_min, lr_max, points)


def find_lr(
    landscape: Landscape,
    start: Sequence[float],
    strategy: Strategy,
    minimum_loss: float,
    *,
    lr_min: float = DEFAULT_LR_MIN,
    lr_max: float = DEFAULT_LR_MAX,
    points: int = DEFAULT_POINTS,
    noise: Noise | None = None,
) -> FinderResult:
    rates = lr_ramp(lr_min, lr_max, points)
    run = run_with_rates(landscape, start, strategy, rates[None, :], noise).row(0)
    losses = run.loss[: len(run.lr)]  # the loss at the point each rate stepped from
    gap = losses - minimum_loss
    smoothed = np.empty(len(gap))
    average = 0.0
    best = np.inf
    end = len(gap)
    with np.errstate(all="ignore"):
        for i, value in enumerate(gap):
            average = SMOOTHING * average + (1 - SMOOTHING) * value
            smoothed[i] = average / (1 - SMOOTHING ** (i + 1))
            if not np.isfinite(smoothed[i]) or (i > 0 and smoothed[i] > BLOWUP * best):
                end = i + 1
                break
            best = min(best, smoothed[i])
    stopped = end < len(rates)
    lr = rates[:end]
    return FinderResult(
        lr=lr,
        loss=losses[:end],
        smoothed_gap=smoothed[:end],
        suggestions=suggest(lr, smoothed[:end]),
        stopped_early=stopped,
    )


def suggest(lr: np.ndarray, gap: np.ndarray) -> dict[str, float]:
    """fastai's three suggestions on the trimmed curve."""
    finite = np.isfinite(gap)
    lr, gap = lr[finite], gap[finite]
    skip_start = len(lr) // 10
    skip_end = 5 if len(lr) - skip_start > 10 else 0
    lr_t = lr[skip_start : len(lr) - skip_end]
    gap_t = gap[skip_start : len(gap) - skip_end]
    if len(lr_t) < 2:
        lr_t, gap_t = lr, gap
    if len(lr_t) == 0:
        return {}
    minimum = float(lr_t[int(np.argmin(gap_t))] / 10)
    if len(lr_t) < 2:
        return {"steep": float(lr_t[0]), "valley": float(lr_t[0]), "minimum": minimum}
    slopes = np.diff(gap_t) / np.diff(np.log(lr_t))
    steep = float(lr_t[int(np.argmin(slopes))])
    return {"steep": steep, "valley": float(lr_t[_valley(gap_t)]), "minimum": minimum}


def _valley(losses: np.ndarray) -> int:
    """fastai's valley: the longest decreasing run of points; a point 1/3 + 1/6 along it."""
    n = len(losses)
    longest = [1] * n
    max_start = max_end = 0
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and longest[i] < longest[j] + 1:
                longest[i] = longest[j] + 1
            if longest[max_end] < longest[i]:
                max_end = i
                max_start = max_end - longest[max_end]
    sections = (max_end - max_start) / 3
    return max_start + int(sections) + int(sections / 2)
