"""The setup screen's preview: the schedule's learning rate over the step budget."""

from __future__ import annotations

import math

import numpy as np
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from lrgame.numfmt import num
from lrgame.ui.i18n import _

__all__ = ["SchedulePreview"]


class SchedulePreview(PlotextPlot):
    """The schedule's learning rate over the step budget (and the momentum it cycles).

    The data is kept on the widget and re-added on every render: plotext 5
    turns log-scale data into logs in place, so a redraw (a resize) without
    fresh data fails with a math domain error.

    It stays a textual-plotext ``PlotextPlot`` rather than a ``CachedLines`` drawn
    from :mod:`.plotext_cells`: drawn that way (the app theme's surface and
    foreground, plotext's ANSI cyan and yellow) every cell has the same character
    and colours, but the lines split into different segments and blank cells carry
    a different (invisible) foreground, which changes the setup screen's snapshots.
    """

    DEFAULT_CSS = """
    SchedulePreview { height: 1fr; min-height: 8; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.steps_axis: np.ndarray = np.zeros(0)
        self.lr_series: np.ndarray = np.zeros(0)
        """The rates shown, one per step (what a test can compare)."""
        self.momentum_series: np.ndarray | None = None
        self.momentum_label = "momentum"
        self.flat = False
        """True for plateau: the line is only the starting rate."""

    def show(
        self,
        lr: np.ndarray,
        momentum: np.ndarray | None = None,
        momentum_label: str = "momentum",
        *,
        flat: bool = False,
    ) -> None:
        self.steps_axis = np.arange(lr.shape[0])
        self.lr_series = lr
        self.momentum_series = momentum
        self.momentum_label = momentum_label
        self.flat = flat
        self.refresh()

    def render(self) -> RenderResult:
        plt = self.plt
        plt.clear_figure()
        lr = self.lr_series
        keep = np.isfinite(lr)  # a rate that overflowed (gamma 1e5) has no place on an axis
        if keep.any():
            x = self.steps_axis[keep].tolist()
            finite = lr[keep]
            positive = finite[finite > 0]
            # Log scale when the rate spans a decade or more (a step decay, a
            # one-cycle's 1e4 fall); otherwise the shape reads better linear.
            log = (
                positive.size == finite.size
                and positive.size > 0
                and positive.max() / positive.min() >= 10
            )
            plt.plot(x, finite.tolist(), marker="braille", color="cyan+")
            if log:
                plt.yscale("log")
                ticks = _decade_ticks(float(positive.min()), float(positive.max()))
                plt.yticks(ticks, [num(t, 1) for t in ticks])
            else:
                ticks = _linear_ticks(float(finite.min()), float(finite.max()))
                plt.yticks(ticks, [num(t) for t in ticks])
            if self.momentum_series is not None:
                m = self.momentum_series
                m = m[keep]
                plt.plot(x, m.tolist(), marker="braille", color="orange+", yside="right")
                mt = _linear_ticks(float(m.min()), float(m.max()))
                # plotext's stubs type yside as a number; its code takes "right".
                plt.yticks(mt, [num(t) for t in mt], yside="right")  # type: ignore[arg-type]
            last = max(len(lr) - 1, 1)
            xt = sorted({0, last // 2, last})
            plt.xticks([float(t) for t in xt], [str(t) for t in xt])
            plt.xlabel(_("step"))
        return super().render()


def _decade_ticks(low: float, high: float) -> list[float]:
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    exps = list(range(first, last + 1))
    while len(exps) > 5:
        exps = exps[::2]
    return [10.0**e for e in exps if low / 1.0001 <= 10.0**e <= high * 1.0001] or [low, high]


def _linear_ticks(low: float, high: float) -> list[float]:
    if not high > low:
        return [low]
    return [low, (low + high) / 2, high]
