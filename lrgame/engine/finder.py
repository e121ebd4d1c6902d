"""The LR range test (Smith 2015), exactly as fastai's ``Learner.lr_find`` runs it.

The walker descends with the strategy's optimizer (its schedule is ignored) while
the rate grows: step i (0-based) uses ``lr_min * (lr_max / lr_min) ** (i / num_it)``
(fastai's ``SchedExp`` at ``pos = train_iter / num_it``), so ``lr_max`` itself is
never reached; ``num_it`` below 6 is raised to 6, as fastai does.

What is recorded at step i is fastai's ``AvgSmoothLoss(beta=0.98)``: an
exponential moving average ``avg = beta * avg + (1 - beta) * value`` started at 0
and debiased, ``avg / (1 - beta ** (i + 1))``, of the value measured before the
step. lrgame's one extension: the value is the loss *gap* above the global
minimum, not the loss, so landscapes whose minimum is at or below zero work.
The smoothing and the suggestions are unchanged by that shift, but fastai's stop
rule is not shift-invariant (4 × a gap is not 4 × a loss): a curve that sits high
above zero stops later in fastai than the same curve shifted down here.

The test stops, keeping the point that triggered the stop, as fastai's
``LRFinder.after_batch`` does: the best smoothed value is updated first, then the
test stops if the smoothed value exceeds ``4 × best``, or once ``num_it`` steps are
recorded. lrgame also stops when the walk itself ends (a loss that is not finite,
or a walker that left the map): fastai would record NaN from a NaN onwards, which
its suggestions drop, so the suggestions are computed as if it had.

Suggestions, as ``lr_find`` computes them: the recorded rates and smoothed values
``[num_it // 10 : -5]`` (the skip counts the *planned* steps, not the recorded
ones), cut at the first NaN, then

- ``valley`` (fastai's default): with e the last index and L the length of the
  longest decreasing subsequence of the curve and s = e - L, the point at
  ``s + int((e - s) / 3) + int((e - s) / 6)``;
- ``steep``: the rate at the left end of the steepest fall of the smoothed value
  against log(lr);
- ``minimum``: the rate at the lowest smoothed value, divided by 10;
- ``gradient``: pytorch-lr-finder's suggestion, the rate where ``np.gradient`` of
  the smoothed curve is lowest, on the curve without its first 10 and last 5
  recorded points (cut at the first NaN as above).

A suggestion that needs more points than the curve has is left out (fastai
raises instead).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .landscape import Landscape
from .simulate import Noise, run_with_rates
from .strategy import Strategy

DEFAULT_LR_MIN = 1e-6
DEFAULT_LR_MAX = 1e2
DEFAULT_POINTS = 100
MIN_POINTS = 6
"""fastai raises a smaller ``num_it`` to 6."""
BETA = 0.98
"""fastai's ``Recorder(beta=0.98)``: the ``AvgSmoothLoss`` factor."""
BLOWUP = 4.0
"""fastai's stop rule: the smoothed value above 4 × the best seen."""
SKIP_END = 5
"""fastai (and pytorch-lr-finder) leave out the last 5 recorded points."""
GRADIENT_SKIP_START = 10
"""pytorch-lr-finder's ``plot(skip_start=10)``."""
SUGGESTION_NAMES: tuple[str, ...] = ("steep", "valley", "minimum", "gradient")

Stop = Literal["blowup", "walk_ended"]


@dataclass(frozen=True)
class FinderResult:
    lr: np.ndarray  # [n], the rate used at each recorded step
    loss: np.ndarray  # [n], the loss before each recorded step
    smoothed_gap: np.ndarray  # [n], what fastai's recorder holds, shifted by the minimum
    suggestions: dict[str, float]
    stopped_early: bool
    num_it: int = DEFAULT_POINTS
    """The planned steps (after fastai's floor of 6)."""
    stop: Stop | None = None
    """Why the test ended before ``num_it`` steps: the 4× rule, or the walk itself ended."""


def planned_steps(points: int) -> int:
    return max(int(points), MIN_POINTS)


def lr_ramp(lr_min: float, lr_max: float, points: int) -> np.ndarray:
    """The rates of the planned steps: ``lr_min * (lr_max / lr_min) ** (i / num_it)``, i < num_it."""
    num_it = planned_steps(points)
    return lr_min * (lr_max / lr_min) ** (np.arange(num_it) / num_it)


def record(values: np.ndarray, num_it: int) -> tuple[np.ndarray, Stop | None]:
    """fastai's recorder and stop rule on the values measured before each step.

    Returns the smoothed values recorded and why the test stopped early (None
    when it ran all ``num_it`` steps). ``values`` shorter than ``num_it`` means the
    walk ended there.
    """
    num_it = planned_steps(num_it)
    values = np.asarray(values, dtype=np.float64)
    smoothed: list[float] = []
    average = 0.0
    best = np.inf
    with np.errstate(all="ignore"):
        for i, value in enumerate(values[:num_it]):
            average = BETA * average + (1 - BETA) * float(value)
            smooth = average / (1 - BETA ** (i + 1))
            smoothed.append(smooth)
            if smooth < best:
                best = smooth
            if smooth > BLOWUP * best:
                return np.asarray(smoothed), "blowup"
            if i + 1 >= num_it:
                return np.asarray(smoothed), None
            if not np.isfinite(smooth):
                # lrgame's extension: no walk goes on from here (see the module docstring).
                return np.asarray(smoothed), "walk_ended"
    return np.asarray(smoothed), ("walk_ended" if len(smoothed) < num_it else None)


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
    num_it = planned_steps(points)
    rates = lr_ramp(lr_min, lr_max, num_it)
    run = run_with_rates(landscape, start, strategy, rates[None, :], noise).row(0)
    # Step i is measured at the point it steps from; a walk that ended early ends on
    # the point where it broke off, which is measured too (fastai would see that loss).
    losses = run.loss[:num_it]
    with np.errstate(all="ignore"):
        gap = losses - minimum_loss
    smoothed, stop = record(gap, num_it)
    n = len(smoothed)
    lr = rates[:n]
    return FinderResult(
        lr=lr,
        loss=losses[:n],
        smoothed_gap=smoothed,
        suggestions=suggest(lr, smoothed, num_it),
        stopped_early=stop is not None,
        num_it=num_it,
        stop=stop,
    )


def fastai_curve(
    lr: np.ndarray, smoothed: np.ndarray, num_it: int
) -> tuple[np.ndarray, np.ndarray]:
    """The recorded curve as ``lr_find`` hands it to the suggestion functions.

    From a NaN on, fastai's moving average stays NaN and its test runs on to
    ``num_it`` (NaN never passes the 4× rule), so the curve is padded with NaN to
    ``num_it`` before the trim, then cut at its first NaN.
    """
    lr, smoothed = _fastai_recording(lr, smoothed, num_it)
    lr, smoothed = (
        lr[planned_steps(num_it) // 10 : -SKIP_END],
        smoothed[planned_steps(num_it) // 10 : -SKIP_END],
    )
    return _cut_at_nan(lr, smoothed)


def suggest(lr: np.ndarray, smoothed: np.ndarray, num_it: int) -> dict[str, float]:
    """fastai's ``valley``, ``steep`` and ``minimum`` and pytorch-lr-finder's ``gradient``."""
    out: dict[str, float] = {}
    lrs, losses = fastai_curve(np.asarray(lr, float), np.asarray(smoothed, float), num_it)
    if len(lrs) >= 2:
        with np.errstate(all="ignore"):
            slopes = np.diff(losses) / np.diff(np.log(lrs))
        out["steep"] = float(lrs[int(np.argmin(slopes))])
    if len(lrs) >= 1:
        out["valley"] = float(lrs[valley_index(losses)])
        out["minimum"] = float(lrs[int(np.argmin(losses))] / 10)
    recorded_lr, recorded = _fastai_recording(
        np.asarray(lr, float), np.asarray(smoothed, float), num_it
    )
    g_lr, g_loss = _cut_at_nan(
        recorded_lr[GRADIENT_SKIP_START:-SKIP_END], recorded[GRADIENT_SKIP_START:-SKIP_END]
    )
    if len(g_lr) >= 2:  # np.gradient needs two points
        with np.errstate(all="ignore"):
            out["gradient"] = float(g_lr[int(np.argmin(np.gradient(g_loss)))])
    return {name: out[name] for name in SUGGESTION_NAMES if name in out}


def valley_index(losses: np.ndarray) -> int:
    """fastai's ``valley``: the longest decreasing subsequence, a point 1/3 + 1/6 along it.

    Kept as fastai writes it, quirks included: its start is taken as its end
    minus its length (one before its first point when it is contiguous), so on
    a short curve falling throughout the index can be -1 (Python's last point).
    """
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


def _fastai_recording(
    lr: np.ndarray, smoothed: np.ndarray, num_it: int
) -> tuple[np.ndarray, np.ndarray]:
    nan = np.flatnonzero(np.isnan(smoothed))
    num_it = planned_steps(num_it)
    if len(nan) == 0 or len(smoothed) >= num_it:
        return lr, smoothed
    pad = num_it - len(smoothed)
    return np.concatenate([lr, np.full(pad, np.nan)]), np.concatenate(
        [smoothed, np.full(pad, np.nan)]
    )


def _cut_at_nan(lr: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    nan = np.flatnonzero(np.isnan(values))
    if len(nan) == 0:
        return lr, values
    return lr[: nan[0]], values[: nan[0]]
