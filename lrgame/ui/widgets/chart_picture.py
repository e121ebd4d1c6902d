"""What a series chart draws once per (data, size, theme): plotext's plot as cells.

:class:`ChartData` is what ``SeriesChart.set_series`` was given; :meth:`ChartData.draw`
runs plotext at one size and keeps, beside the cells, what playback needs to move
a cursor without drawing again (each point's column and line, which cells hold data).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip

from .chart_markers import wrap_entries
from .chart_scale import (
    finite_runs,
    log_ticks,
    log_ticks_within_a_decade,
    nice_ticks,
    scale_values,
    tick_label,
)
from .chart_theme import ChartTheme, Palette
from .plotext_cells import CellGrid, new_figure, render_figure

LEGEND_LINE = "━"
BRAILLE_COLS, BRAILLE_ROWS = 2, 4
"""Braille markers put 2 x 4 dots in a cell; cursor cells must round as plotext does."""
MIN_PLOT_WIDTH = 14
MIN_PLOT_HEIGHT = 4


@dataclass(frozen=True)
class Series:
    """One line: a value per x (NaN where there is none), a legend label and a colour name.

    Colours are theme roles (``accent``, ``secondary``...), plotext or Rich names, or hex.
    """

    values: np.ndarray
    label: str = ""
    color: str = "accent"


@dataclass(eq=False)
class ChartPicture:
    """A chart drawn for one (data, size, theme): the cells and everything a frame needs.

    Compared by identity (``eq=False``): marker overlays are kept per picture."""

    grid: CellGrid | None
    header: Strip
    offset: int
    """Lines above the plotext figure (the header)."""
    blank: int
    """Palette index of an empty canvas cell."""
    base: Style
    """Plain cells: the chart's foreground on its background."""
    data_mask: np.ndarray
    """[lines, cols]: canvas cells that show data (masked right of the cursor)."""
    x_cols: np.ndarray
    """Column of each x value."""
    marks: list[tuple[np.ndarray, np.ndarray, int]] = field(default_factory=list)
    """Per series: the line of each point, the glyph code (0 none, 1 point, 2 above, 3 below), style."""
    width: int = 0
    x_drawn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """The x values as plotted (log10 of x on a log axis, NaN where there is none)."""
    legend: list[Strip] = field(default_factory=list)
    """The series legend, below the plot, when it does not fit beside the title."""
    marker_rows: int = 0
    """Lines below the plot (and the legend) for the markers' labels, when they do not fit on it."""


@dataclass(frozen=True, eq=False)
class ChartData:
    """The series of a chart and how to draw them (axes, titles)."""

    x: np.ndarray
    series: list[Series]
    log_y: bool = False
    log_x: bool = False
    title: str = ""
    x_label: str = ""
    y_label: str = ""

    def transform_x(self, x: np.ndarray) -> np.ndarray:
        """x as plotted: log10 on a log axis (NaN where x is not positive and finite)."""
        x = np.asarray(x, dtype=np.float64)
        if not self.log_x:
            return x
        with np.errstate(all="ignore"):
            return np.where(np.isfinite(x) & (x > 0), np.log10(np.where(x > 0, x, 1.0)), np.nan)

    def legend_entries(self, theme: ChartTheme, colors: Sequence[Color]) -> list[list[Segment]]:
        """A coloured line and a label per labelled series."""
        base = theme.base_style
        muted = Style(color=theme.muted.rich_color, bgcolor=theme.background.rich_color)
        return [
            [
                Segment(LEGEND_LINE + " ", base + Style(color=color.rich_color)),
                Segment(series.label, muted),
            ]
            for series, color in zip(self.series, colors, strict=True)
            if series.label
        ]

    def header(self, theme: ChartTheme, colors: Sequence[Color], width: int) -> tuple[Strip, bool]:
        """The title on the left, the legend on the right if it fits there (and whether it did)."""
        base = theme.base_style
        title = Segment(self.title, base + Style(bold=True))
        strip = Strip([title])
        entries = self.legend_entries(theme, colors)
        # " ━ label " per series, as the legend always read beside the title.
        legend_strip = Strip(
            [
                part
                for line, label in entries
                for part in (
                    Segment(" " + line.text, line.style),
                    Segment(label.text + " ", label.style),
                )
            ]
        )
        beside = not entries or title.cell_length + 1 + legend_strip.cell_length <= width
        if entries and beside:
            gap = width - title.cell_length - legend_strip.cell_length
            strip = Strip.join([strip, Strip.blank(gap, base), legend_strip])
        return strip.crop(0, width).extend_cell_length(width, base), beside

    def series_legend(self, theme: ChartTheme, colors: Sequence[Color], width: int) -> list[Strip]:
        """The legend as lines below the plot, whole entries per line."""
        return wrap_entries(self.legend_entries(theme, colors), width, theme.base_style)

    def draw(
        self,
        width: int,
        plot_height: int,
        theme: ChartTheme,
        colors: list[Color],
        header: Strip,
        offset: int,
    ) -> ChartPicture:
        palette = Palette()
        blank = palette.add(theme.base_style)
        empty = np.zeros((0, 0), dtype=bool)
        if width < MIN_PLOT_WIDTH or plot_height < MIN_PLOT_HEIGHT or len(self.x) == 0:
            return ChartPicture(
                None,
                header,
                offset,
                blank,
                theme.base_style,
                empty,
                np.zeros(0, dtype=np.int64),
                width=width,
            )
        ty, lo, hi = scale_values([s.values for s in self.series], log_y=self.log_y)
        fig = new_figure(width, plot_height)
        tx = self.transform_x(self.x)
        if self.log_x:
            known = tx[np.isfinite(tx)]
            xlo, xhi = (float(known.min()), float(known.max())) if len(known) else (0.0, 0.0)
            if xhi <= xlo:
                xlo, xhi = xlo - 0.5, xlo + 0.5
        else:
            xlo, xhi = float(self.x[0]), float(self.x[-1])
        if not math.isfinite(xlo) or not math.isfinite(xhi) or xhi <= xlo:
            xlo, xhi = 0.0, max(1.0, float(len(self.x) - 1))
        for i, values in enumerate(ty):
            drawn = np.where(np.isfinite(tx), values, np.nan) if self.log_x else values
            for a, b in finite_runs(drawn):
                fig.plot(tx[a:b].tolist(), drawn[a:b].tolist(), marker="braille", color=i)
        if not ty or all(not finite_runs(v) for v in ty):
            # plotext draws no axes without data: an invisible point keeps the frame.
            fig.scatter([xlo], [lo], marker=" ", color=len(ty))
        fig.xlim(xlo, xhi)
        fig.ylim(lo, hi)
        label_rows = 1 if (self.x_label or self.y_label) and plot_height >= 8 else 0
        canvas_height = plot_height - 3 - label_rows
        if self.log_x:
            xt, xl = log_ticks(xlo, xhi, max(2, (width - 8) // 7))
            if xt:
                fig.xticks(xt, xl)
        else:
            xt = nice_ticks(xlo, xhi, max(2, (width - 8) // 12))
            fig.xticks(xt, [tick_label(v) for v in xt])
        if self.log_y:
            yt, yl = log_ticks_within_a_decade(lo, hi, max(2, canvas_height // 2))
        else:
            yt = nice_ticks(lo, hi, max(2, canvas_height // 2))
            yl = [tick_label(v) for v in yt]
        if yt:
            fig.yticks(yt, yl)
        if label_rows:
            if self.x_label:
                fig.xlabel(self.x_label)
            if self.y_label:
                fig.ylabel(self.y_label)
        tokens = {i: c for i, c in enumerate(colors)}
        grid = render_figure(fig, width, plot_height, theme=theme, colors=tokens, palette=palette)
        canvas = np.zeros((grid.height, grid.width), dtype=bool)
        rows = slice(grid.canvas_rows.start, grid.canvas_rows.stop)
        cols = slice(grid.canvas_cols.start, grid.canvas_cols.stop)
        canvas[rows, cols] = grid.chars[rows, cols] != " "
        x_cols = grid.col_of(tx, BRAILLE_COLS)
        marks = []
        top, bottom = grid.canvas_rows.start, grid.canvas_rows.stop - 1
        for i, values in enumerate(ty):
            lines = grid.line_of(np.clip(np.nan_to_num(values, nan=lo), lo, hi), BRAILLE_ROWS)
            code = np.where(np.isnan(values), 0, 1)
            with np.errstate(invalid="ignore"):
                code = np.where(values > hi, 2, code)
                code = np.where(values < lo, 3, code)
            lines = np.where(code == 2, top, np.where(code == 3, bottom, lines))
            style = palette.add(
                Style(color=colors[i].rich_color, bgcolor=theme.background.rich_color, bold=True)
            )
            marks.append((lines, code, style))
        return ChartPicture(
            grid, header, offset, blank, theme.base_style, canvas, x_cols, marks, width, tx
        )
