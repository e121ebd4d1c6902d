"""How values become a chart's axes: limits, log scales, ticks and the runs of drawable points.

Pure NumPy on the values; shared by the series charts and the sweep's chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from lrgame.numfmt import num

LOG_SPAN_DECADES = 12.0
"""The log axis shows at most this many decades: a converged run's gap of 1e-30 must not flatten the rest."""
DIVERGENCE_HEADROOM_DECADES = 3.0
"""How far above the highest starting loss the log axis reaches; a diverging run shoots off the top."""
OFF_TOP = 0.6
"""Values above the axis are drawn this many axis heights above it, so their lines leave through the top."""


def scale_values(
    values: Sequence[np.ndarray], *, log_y: bool
) -> tuple[list[np.ndarray], float, float]:
    """The values as drawn (log10 when ``log_y``) and the axis limits ``(lo, hi)``.

    Non-finite values never reach plotext: NaN stays NaN (a gap in the line);
    +inf and values far above the axis are pinned a little above it, so the line
    leaves through the top; on a log axis zero and negative values (a run that hit
    the minimum exactly) sit on the floor.
    """
    arrays = [np.asarray(v, dtype=np.float64) for v in values]
    with np.errstate(all="ignore"):
        if log_y:
            positive = [v[np.isfinite(v) & (v > 0)] for v in arrays]
            pooled = np.concatenate(positive) if positive else np.zeros(0)
            if len(pooled) == 0:
                lo, hi = -1.0, 1.0
            else:
                lo, hi = float(np.log10(pooled.min())), float(np.log10(pooled.max()))
                starts = [p[0] for p in positive if len(p)]
                if starts:
                    hi = min(hi, float(np.log10(max(starts))) + DIVERGENCE_HEADROOM_DECADES)
                lo = max(lo, hi - LOG_SPAN_DECADES)
            lo, hi = math.floor(lo * 2) / 2, math.ceil(hi * 2) / 2
            if hi - lo < 1:
                lo, hi = lo - 0.5, hi + 0.5
            drawn = []
            for v in arrays:
                # Gaps below the axis (or exactly zero) rest on its floor rather than vanish.
                t = np.maximum(np.log10(np.where(v > 0, v, 1.0)), lo)
                t = np.where(v > 0, t, lo)
                t = np.where(np.isnan(v), np.nan, t)
                drawn.append(t)
        else:
            finite = [v[np.isfinite(v)] for v in arrays]
            pooled = np.concatenate(finite) if finite else np.zeros(0)
            if len(pooled) == 0:
                lo, hi = 0.0, 1.0
            else:
                lo, hi = float(pooled.min()), float(pooled.max())
                # Rates and losses are read from zero: a schedule from 0.1 to 0.09 is nearly flat.
                lo = min(lo, 0.0)
                hi = max(hi, 0.0)
                if hi == lo:
                    hi = lo + (abs(lo) or 1.0)
                hi += (hi - lo) * 0.05
            drawn = [v.copy() for v in arrays]
        top = hi + (hi - lo) * OFF_TOP
        bottom = lo - (hi - lo) * OFF_TOP
        drawn = [np.where(np.isnan(t), np.nan, np.clip(t, bottom, top)) for t in drawn]
    return drawn, lo, hi


def log_ticks_within_a_decade(lo: float, hi: float, count: int) -> tuple[list[float], list[str]]:
    """Decade ticks (see ``log_ticks``); 1-2-5 ticks when fewer than two decades fall on the axis.

    A curve that stays between 40 and 130 would otherwise get one label, or none.
    """
    ticks, labels = log_ticks(lo, hi, count)
    if len(ticks) >= 2:
        return ticks, labels
    out: list[float] = []
    for decade in range(math.floor(lo) - 1, math.ceil(hi) + 1):
        for factor in (1, 2, 5):
            t = decade + math.log10(factor)
            if lo - 1e-9 <= t <= hi + 1e-9:
                out.append(t)
    if len(out) > count:
        out = out[:: math.ceil(len(out) / count)]
    if len(out) < 2:
        return ticks, labels
    return out, [tick_label(10.0**t) for t in out]


def finite_runs(values: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index ranges where values are finite (a line is drawn per range)."""
    ok = np.isfinite(values)
    if not ok.any():
        return []
    edges = np.flatnonzero(np.diff(np.concatenate([[False], ok, [False]]).astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def nice_ticks(lo: float, hi: float, count: int) -> list[float]:
    """At most ``count`` round values (1, 2, 2.5, 5 x 10^k steps) inside ``[lo, hi]``."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or count < 1:
        return []
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        return [lo]
    raw = (hi - lo) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if (hi - lo) / step <= count:
            break
    first = math.ceil(lo / step - 1e-9) * step
    ticks: list[float] = []
    value = first
    while value <= hi + step * 1e-9 and len(ticks) <= count + 1:
        ticks.append(0.0 if abs(value) < step * 1e-9 else value)
        value += step
    return ticks


def tick_label(value: float) -> str:
    """A short label: ``0.001``, ``2.5``, ``300``, ``1.2e5`` (the game's number format)."""
    return num(value, 3)


def log_ticks(lo: float, hi: float, count: int) -> tuple[list[float], list[str]]:
    """Decade ticks for a log10 axis spanning ``[lo, hi]`` (in decades), at most ``count``."""
    first, last = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
    decades = list(range(first, last + 1))
    if not decades:
        return [], []
    stride = max(1, math.ceil(len(decades) / max(count, 1)))
    # Keep the top decade so the scale of the worst loss always reads.
    chosen = decades[::-1][::stride][::-1]
    labels = []
    for d in chosen:
        if d == 0:
            labels.append("1")
        elif d in (1, 2, 3):
            labels.append(str(10**d))
        elif d == -1:
            labels.append("0.1")
        else:
            labels.append(f"1e{d}")
    return [float(d) for d in chosen], labels
