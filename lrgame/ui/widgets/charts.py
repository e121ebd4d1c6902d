"""Progressive line charts: the loss and learning-rate curves of the descent screen.

A chart is drawn by plotext once per (data, size, theme) and kept as a grid of
cells (see :mod:`plotext_cells`). Playing a run back only moves a cursor:
columns right of the current step are masked out and a marker sits on the
current point, so a frame touches a few lines and never runs plotext.

The x axis may be logarithmic (``log_x``: learning rates), and vertical
markers with labels (``set_markers``: the LR finder's suggestions) are laid
over the cells, so adding, moving or highlighting one never runs plotext either.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from lrgame.engine.simulate import Run
from lrgame.ui.i18n import _

from .plotext_cells import (
    CellGrid,
    ChartTheme,
    Palette,
    as_cells,
    cells_to_strip,
    log_ticks,
    new_figure,
    nice_ticks,
    render_figure,
    tick_label,
)

DEFAULT_COLORS: tuple[str, ...] = ("accent", "secondary", "success", "warning", "error", "primary")
"""Theme roles for runs in order: the player's first, then ghosts."""

CURSOR = "●"
ABOVE = "▲"
BELOW = "▼"
LEGEND_LINE = "━"
MARKER_LINE = "┊"
"""A vertical marker: dotted, so it reads apart from the data's braille."""
MARKER_LINE_HIGHLIGHT = "┃"
"""The highlighted marker: heavy, so the choice reads without colour."""

LOG_SPAN_DECADES = 12.0
"""The log axis shows at most this many decades: a converged run's gap of 1e-30 must not flatten the rest."""
DIVERGENCE_HEADROOM_DECADES = 3.0
"""How far above the highest starting loss the log axis reaches; a diverging run shoots off the top."""
OFF_TOP = 0.6
"""Values above the axis are drawn this many axis heights above it, so their lines leave through the top."""
BRAILLE_COLS, BRAILLE_ROWS = 2, 4
"""Braille markers put 2 x 4 dots in a cell; cursor cells must round as plotext does."""
MIN_PLOT_WIDTH = 14
MIN_PLOT_HEIGHT = 4
LEGEND_ROOM = 3
"""Lines a plot keeps beyond its minimum before a legend may take lines below it."""
CROSSES = 1000
"""The cost of a label covering another label or marker line: it then goes below the plot."""


@dataclass(frozen=True)
class Series:
    """One line: a value per x (NaN where there is none), a legend label and a colour name.

    Colours are theme roles (``accent``, ``secondary``...), plotext or Rich names, or hex.
    """

    values: np.ndarray
    label: str = ""
    color: str = "accent"


@dataclass
class _Built:
    """A chart drawn for one (data, size, theme): the cells and everything a frame needs."""

    key: tuple[object, ...]
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


@dataclass
class _Overlay:
    """The markers drawn for one (chart, markers, highlight)."""

    key: tuple[object, ...]
    cells: dict[int, list[tuple[int, str, int, bool]]]
    """Cells per grid line, as (column, glyph, style, is_label)."""
    legend: list[Strip]
    """The labels listed below the plot (when they do not fit on it)."""


@dataclass(frozen=True)
class Marker:
    """A vertical line at data ``x`` with a label beside it at the top of the plot."""

    x: float
    label: str = ""


class SeriesChart(Widget):
    """A line chart revealed progressively: ``set_series`` once, ``set_cursor`` per frame.

    ``set_markers`` adds labelled vertical lines at given x values (one label
    per line of the plot, from the top, so close markers do not overwrite each
    other's words); ``highlight`` draws one heavy and its label in reverse.

    Nothing is cut or written over: a legend too long for the title's line, and
    marker labels that cannot lie whole on the plot without covering another
    label or marker, go below the plot (the markers then carry only their first
    word, ``1``, ``2``..., beside the line).
    """

    DEFAULT_CSS = """
    SeriesChart {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's keyword
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._x = np.zeros(0)
        self._series: list[Series] = []
        self._log_y = False
        self._log_x = False
        self._markers: list[Marker] = []
        self._highlight: int | None = None
        self._overlay: _Overlay | None = None
        self._title = ""
        self._x_label = ""
        self._y_label = ""
        self._version = 0
        self._cursor: int | None = None
        self._built: _Built | None = None
        self.render_count = 0
        """How many times plotext has drawn this chart (tests check playback never redraws)."""
        self.build_seconds = 0.0
        """Wall time of the latest plotext draw plus conversion, for the benchmark."""

    # -- public API ------------------------------------------------------

    def set_series(
        self,
        x: np.ndarray,
        series: list[Series],
        *,
        log_y: bool = False,
        log_x: bool = False,
        title: str = "",
        x_label: str = "",
        y_label: str = "",
    ) -> None:
        """Replace the data; the chart is redrawn by plotext on the next render.

        ``log_x`` draws x on a log10 axis with decade ticks; x values that are
        not positive and finite have no place on it and are left out.
        """
        self._x = np.asarray(x, dtype=np.float64).reshape(-1)
        n = len(self._x)
        fitted = []
        for s in series:
            values = np.asarray(s.values, dtype=np.float64).reshape(-1)
            if len(values) != n:
                padded = np.full(n, np.nan)
                padded[: min(n, len(values))] = values[:n]
                values = padded
            fitted.append(Series(values, s.label, s.color))
        self._series = fitted
        self._log_y = log_y
        self._log_x = log_x
        self._title, self._x_label, self._y_label = title, x_label, y_label
        self._version += 1
        self._built = None
        self.refresh()

    @property
    def cursor(self) -> int | None:
        return self._cursor

    @property
    def markers(self) -> list[Marker]:
        return list(self._markers)

    @property
    def highlight(self) -> int | None:
        return self._highlight

    def set_markers(
        self,
        markers: Sequence[tuple[float, str] | Marker],
        *,
        highlight: int | None = None,
    ) -> None:
        """Vertical lines at data x values, each labelled; ``highlight`` is the index of one to stress.

        Markers are laid over the drawn chart: changing them never runs plotext.
        A marker outside the x axis is not drawn.
        """
        self._markers = [m if isinstance(m, Marker) else Marker(float(m[0]), m[1]) for m in markers]
        self._highlight = highlight
        self._overlay = None
        built = self._built
        if built is not None and built.grid is not None:
            # Labels that stop or start fitting move the plot's bottom: draw it again.
            wanted = self._marker_legend_rows(built, built.grid)
            if wanted != built.marker_rows:
                self._version += 1
                self._built = None
        self.refresh()

    def set_highlight(self, index: int | None) -> None:
        """Stress marker ``index`` (None: none)."""
        if index != self._highlight:
            self._highlight = index
            self._overlay = None
            self.refresh()

    def set_cursor(self, index: int | None) -> None:
        """Reveal the series up to ``x[index]`` and mark that point; None shows everything unmarked."""
        if index is not None:
            index = max(0, int(index))
        if index == self._cursor:
            return
        before = self._cursor
        self._cursor = index
        built = self._built
        if built is None or built.key != self._key():
            self.refresh()
            return
        lines = self._changed_lines(built, before, index)
        if lines:
            width = self.size.width
            self.refresh(*(Region(0, y, width, 1) for y in lines))

    # -- Textual ---------------------------------------------------------

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._restyle())

    def on_resize(self) -> None:
        self.refresh()

    def render_line(self, y: int) -> Strip:
        built = self._ensure_built()
        width = self.size.width
        if built is None or y >= self.size.height:
            return Strip.blank(width)
        grid = built.grid
        if y < built.offset or (grid is None and y == 0):
            return built.header
        if grid is None:
            return Strip.blank(width, built.base)
        gy = y - built.offset
        if gy >= grid.height:
            below = gy - grid.height
            if below < len(built.legend):
                return built.legend[below]
            below -= len(built.legend)
            if below < built.marker_rows and self._markers:
                legend = self._overlay_for(built).legend
                if below < len(legend):
                    return legend[below]
            return Strip.blank(width, grid.palette[built.blank])
        overlay = self._overlay_for(built).cells.get(gy) if self._markers else None
        if (self._cursor is None and not overlay) or gy not in grid.canvas_rows:
            return grid.strips[gy]
        chars = grid.chars[gy].copy()
        styles = grid.styles[gy].copy()
        if self._cursor is not None:
            cut = self._cut(built, self._cursor)
            start = max(cut + 1, grid.canvas_cols.start)
            if start < grid.canvas_cols.stop:
                # Only cells holding data are hidden: a line with no data beyond the cursor
                # then renders the same wherever the cursor is, as _changed_lines assumes.
                hidden = slice(start, grid.canvas_cols.stop)
                data = chars[hidden] != " "
                chars[hidden] = np.where(data, " ", chars[hidden])
                styles[hidden] = np.where(data, built.blank, styles[hidden])
        for col, glyph, style, is_label in overlay or ():
            # A marker's line passes behind the data; its label is written over it.
            if is_label or chars[col] == " ":
                chars[col] = glyph
                styles[col] = style
        if self._cursor is not None:
            for col, glyph, style in self._marks_on(built, self._cursor, y):
                chars[col] = glyph
                styles[col] = style
        return cells_to_strip(chars, styles, grid.palette)

    # -- internals -------------------------------------------------------

    def _restyle(self) -> None:
        self._built = None
        self._overlay = None
        self.refresh()

    def _overlay_for(self, built: _Built) -> _Overlay:
        """The markers' cells by grid line (and their legend): built once per (chart, markers, highlight)."""
        key = (built.key, id(built), tuple(self._markers), self._highlight)
        if self._overlay is not None and self._overlay.key == key:
            return self._overlay
        cells: dict[int, list[tuple[int, str, int, bool]]] = {}
        legend: list[Strip] = []
        grid = built.grid
        if grid is not None and grid.canvas_width and grid.canvas_height:
            below = built.marker_rows > 0
            cells, _misfits = self._marker_cells(built, grid, tags_only=below)
            if below:
                legend = self._marker_legend(grid, built.width)
        self._overlay = _Overlay(key, cells, legend)
        return self._overlay

    def _placed_markers(self, grid: CellGrid) -> list[tuple[int, int]]:
        """(marker, column) of the markers on the axis, in marker order."""
        placed = []
        for i, marker in enumerate(self._markers):
            x = self._transform_x(np.array([marker.x]))
            # The data's rounding (braille): a marker at x[k] sits on the point drawn for x[k].
            col = int(grid.col_of(x, BRAILLE_COLS)[0])
            if col in grid.canvas_cols:
                placed.append((i, col))
        return placed

    def _marker_legend_rows(self, built: _Built, grid: CellGrid) -> int:
        """Lines the marker labels need below the plot: 0 when every label lies whole on it."""
        if not self._markers or not grid.canvas_width or not grid.canvas_height:
            return 0
        _cells, misfits = self._marker_cells(built, grid, tags_only=False)
        return len(self._marker_legend(grid, built.width)) if misfits else 0

    def _marker_legend(self, grid: CellGrid, width: int) -> list[Strip]:
        """Every marker's label (the highlighted one in reverse), wrapped into lines of ``width``."""
        theme = ChartTheme.from_widget(self)
        base = theme.base_style
        plain = Style(color=theme.foreground.rich_color, bgcolor=theme.background.rich_color)
        strong = plain + Style(bold=True, reverse=True)
        entries = [
            [Segment(self._markers[i].label, strong if i == self._highlight else plain)]
            for i, _col in self._placed_markers(grid)
            if self._markers[i].label
        ]
        return _wrap_entries(entries, width, base)

    def _marker_cells(
        self, built: _Built, grid: CellGrid, *, tags_only: bool
    ) -> tuple[dict[int, list[tuple[int, str, int, bool]]], list[int]]:
        """The markers' lines and labels (``tags_only``: only each label's first word).

        Also returns the markers whose label could not lie whole on the plot
        without covering another label or another marker's line.
        """
        theme = ChartTheme.from_widget(self)
        palette = grid.palette
        line_style = palette.add(
            Style(color=theme.muted.rich_color, bgcolor=theme.background.rich_color)
        )
        # The highlighted marker differs in shape (a heavy line, a label in reverse), not hue.
        fg, bg = theme.foreground.rich_color, theme.background.rich_color
        strong_style = palette.add(Style(color=fg, bgcolor=bg, bold=True))
        label_style = palette.add(Style(color=fg, bgcolor=bg))
        label_strong = palette.add(Style(color=fg, bgcolor=bg, bold=True, reverse=True))
        cols = grid.canvas_cols
        rows = list(grid.canvas_rows)
        placed = self._placed_markers(grid)
        lines = {col for _i, col in placed}
        misfits: list[int] = []
        taken = np.zeros((grid.height, grid.width), dtype=bool)
        """Cells already holding a label: labels never overwrite each other."""
        cells: dict[int, list[tuple[int, str, int, bool]]] = {}
        for i, col in placed:
            high = i == self._highlight
            glyph = MARKER_LINE_HIGHLIGHT if high else MARKER_LINE
            style = strong_style if high else line_style
            for gy in rows:
                cells.setdefault(gy, []).append((col, glyph, style, False))
            label = self._markers[i].label
            if tags_only:
                label = label.split(" ", 1)[0]
            if not label:
                continue
            room_right = cols.stop - (col + 1)
            room_left = col - cols.start
            # One item per cell: a Japanese label is twice as wide as it is long.
            text = as_cells(label, max(room_right, room_left))
            sides = [col + 1] if len(text) <= room_right else []
            if len(text) <= room_left:
                sides.append(col - len(text))
            # The line (from the top) and side where the label hides the least of the data;
            # covering another marker's line or label is a misfit, not a cost.
            best: tuple[int, int, int] | None = None
            for gy in rows:
                for first in sides:
                    span = slice(first, first + len(text))
                    cost = int((grid.chars[gy, span] != " ").sum())
                    cost += CROSSES * sum(1 for c in lines if first <= c < first + len(text))
                    cost += CROSSES * int(taken[gy, span].any())
                    if best is None or cost < best[0]:
                        best = (cost, gy, first)
            if best is None or best[0] >= CROSSES or len(text) < len(as_cells(label)):
                misfits.append(i)
            if best is None:
                continue
            _cost, gy, first = best
            taken[gy, first : first + len(text)] = True
            for k, ch in enumerate(text):
                cells.setdefault(gy, []).append(
                    (first + k, ch, label_strong if high else label_style, True)
                )
        return cells, misfits

    def _transform_x(self, x: np.ndarray) -> np.ndarray:
        """x as plotted: log10 on a log axis (NaN where x is not positive and finite)."""
        x = np.asarray(x, dtype=np.float64)
        if not self._log_x:
            return x
        with np.errstate(all="ignore"):
            return np.where(np.isfinite(x) & (x > 0), np.log10(np.where(x > 0, x, 1.0)), np.nan)

    def _key(self) -> tuple[object, ...]:
        return (self._version, self.size.width, self.size.height, self.app.theme, self.rich_style)

    def _ensure_built(self) -> _Built | None:
        width, height = self.size
        if width <= 0 or height <= 0:
            return None
        key = self._key()
        if self._built is None or self._built.key != key:
            started = time.perf_counter()
            self._built = self._build(key, width, height)
            self.build_seconds = time.perf_counter() - started
        return self._built

    def _build(self, key: tuple[object, ...], width: int, height: int) -> _Built:
        """The chart, with legends below the plot where they do not fit on or beside it."""
        theme = ChartTheme.from_widget(self)
        colors = [theme.color(s.color) for s in self._series]
        header, beside = self._header(theme, colors, width)
        offset = 1 if height >= 2 and self._title else 0
        plot_height = height - offset
        legend = [] if beside else self._series_legend(theme, colors, width)
        if plot_height - len(legend) < MIN_PLOT_HEIGHT + LEGEND_ROOM:
            legend = []  # no room below either: the colours go unnamed, the plot stays
        built = self._build_at(key, width, plot_height - len(legend), theme, colors, header, offset)
        built.legend = legend
        if self._markers and built.grid is not None:
            rows = self._marker_legend_rows(built, built.grid)
            if rows and plot_height - len(legend) - rows >= MIN_PLOT_HEIGHT + LEGEND_ROOM:
                built = self._build_at(
                    key, width, plot_height - len(legend) - rows, theme, colors, header, offset
                )
                built.legend, built.marker_rows = legend, rows
        return built

    def _build_at(
        self,
        key: tuple[object, ...],
        width: int,
        plot_height: int,
        theme: ChartTheme,
        colors: list[Color],
        header: Strip,
        offset: int,
    ) -> _Built:
        palette = Palette()
        blank = palette.add(theme.base_style)
        empty = np.zeros((0, 0), dtype=bool)
        if width < MIN_PLOT_WIDTH or plot_height < MIN_PLOT_HEIGHT or len(self._x) == 0:
            return _Built(
                key,
                None,
                header,
                offset,
                blank,
                theme.base_style,
                empty,
                np.zeros(0, dtype=np.int64),
                width=width,
            )
        ty, lo, hi = scale_values([s.values for s in self._series], log_y=self._log_y)
        fig = new_figure(width, plot_height)
        tx = self._transform_x(self._x)
        if self._log_x:
            known = tx[np.isfinite(tx)]
            xlo, xhi = (float(known.min()), float(known.max())) if len(known) else (0.0, 0.0)
            if xhi <= xlo:
                xlo, xhi = xlo - 0.5, xlo + 0.5
        else:
            xlo, xhi = float(self._x[0]), float(self._x[-1])
        if not math.isfinite(xlo) or not math.isfinite(xhi) or xhi <= xlo:
            xlo, xhi = 0.0, max(1.0, float(len(self._x) - 1))
        for i, values in enumerate(ty):
            drawn = np.where(np.isfinite(tx), values, np.nan) if self._log_x else values
            for a, b in _finite_runs(drawn):
                fig.plot(tx[a:b].tolist(), drawn[a:b].tolist(), marker="braille", color=i)
        if not ty or all(not _finite_runs(v) for v in ty):
            # plotext draws no axes without data: an invisible point keeps the frame.
            fig.scatter([xlo], [lo], marker=" ", color=len(ty))
        fig.xlim(xlo, xhi)
        fig.ylim(lo, hi)
        label_rows = 1 if (self._x_label or self._y_label) and plot_height >= 8 else 0
        canvas_height = plot_height - 3 - label_rows
        if self._log_x:
            xt, xl = log_ticks(xlo, xhi, max(2, (width - 8) // 7))
            if xt:
                fig.xticks(xt, xl)
        else:
            xt = nice_ticks(xlo, xhi, max(2, (width - 8) // 12))
            fig.xticks(xt, [tick_label(v) for v in xt])
        if self._log_y:
            yt, yl = _log_ticks_within_a_decade(lo, hi, max(2, canvas_height // 2))
        else:
            yt = nice_ticks(lo, hi, max(2, canvas_height // 2))
            yl = [tick_label(v) for v in yt]
        if yt:
            fig.yticks(yt, yl)
        if label_rows:
            if self._x_label:
                fig.xlabel(self._x_label)
            if self._y_label:
                fig.ylabel(self._y_label)
        tokens = {i: c for i, c in enumerate(colors)}
        grid = render_figure(fig, width, plot_height, theme=theme, colors=tokens, palette=palette)
        self.render_count += 1
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
        return _Built(
            key, grid, header, offset, blank, theme.base_style, canvas, x_cols, marks, width, tx
        )

    def _legend_entries(self, theme: ChartTheme, colors: Sequence[Color]) -> list[list[Segment]]:
        """A coloured line and a label per labelled series."""
        base = theme.base_style
        muted = Style(color=theme.muted.rich_color, bgcolor=theme.background.rich_color)
        return [
            [
                Segment(LEGEND_LINE + " ", base + Style(color=color.rich_color)),
                Segment(series.label, muted),
            ]
            for series, color in zip(self._series, colors, strict=True)
            if series.label
        ]

    def _header(self, theme: ChartTheme, colors: Sequence[Color], width: int) -> tuple[Strip, bool]:
        """The title on the left, the legend on the right if it fits there (and whether it did)."""
        base = theme.base_style
        title = Segment(self._title, base + Style(bold=True))
        strip = Strip([title])
        entries = self._legend_entries(theme, colors)
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

    def _series_legend(self, theme: ChartTheme, colors: Sequence[Color], width: int) -> list[Strip]:
        """The legend as lines below the plot, whole entries per line."""
        return _wrap_entries(self._legend_entries(theme, colors), width, theme.base_style)

    def _cut(self, built: _Built, index: int) -> int:
        if len(built.x_cols) == 0:
            return -1
        return int(built.x_cols[min(index, len(built.x_cols) - 1)])

    def _marks_on(
        self, built: _Built, index: int, y: int | None = None
    ) -> list[tuple[int, str, int]]:
        """The cursor markers at ``index`` (as column, glyph, style), only those on line ``y`` if given."""
        if built.grid is None or len(built.x_cols) == 0:
            return []
        i = min(index, len(built.x_cols) - 1)
        col = int(built.x_cols[i])
        if col not in built.grid.canvas_cols:
            return []
        out = []
        for lines, code, style in built.marks:
            kind = int(code[i])
            line = int(lines[i]) + built.offset
            if kind and (y is None or line == y):
                out.append((col, (CURSOR, CURSOR, ABOVE, BELOW)[kind], style))
        return out

    def _mark_lines(self, built: _Built, index: int | None) -> set[int]:
        if index is None or built.grid is None or len(built.x_cols) == 0:
            return set()
        i = min(index, len(built.x_cols) - 1)
        return {int(lines[i]) + built.offset for lines, code, _style in built.marks if code[i]}

    def _changed_lines(self, built: _Built, before: int | None, after: int | None) -> list[int]:
        grid = built.grid
        if grid is None:
            return []
        if before is None or after is None:
            # Switching between "all shown" and a cursor changes every canvas line.
            return [y + built.offset for y in grid.canvas_rows]
        a, b = sorted((self._cut(built, before), self._cut(built, after)))
        lines = set()
        if a != b:
            span = built.data_mask[:, max(a + 1, 0) : b + 1]
            lines = {int(y) + built.offset for y in np.flatnonzero(span.any(axis=1))}
        lines |= self._mark_lines(built, before) | self._mark_lines(built, after)
        return sorted(lines)


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


def _log_ticks_within_a_decade(lo: float, hi: float, count: int) -> tuple[list[float], list[str]]:
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


def _wrap_entries(entries: list[list[Segment]], width: int, base: Style) -> list[Strip]:
    """Legend entries laid out left to right, two spaces apart, a new line when one would not fit.

    An entry wider than a whole line is cut at the width (with an ellipsis), never mid-line.
    """
    lines: list[list[Segment]] = []
    used = width + 1
    for entry in entries:
        length = sum(seg.cell_length for seg in entry)
        if lines and used + 2 + length <= width:
            lines[-1].append(Segment("  ", base))
            used += 2
        else:
            lines.append([Segment(" ", base)])
            used = 1
        if used + length > width:
            entry = list(Strip(entry).crop(0, max(width - used - 1, 0))) + [Segment("…", base)]
            length = width - used
        lines[-1].extend(entry)
        used += length
    return [Strip(line).crop(0, width).extend_cell_length(width, base) for line in lines]


def _finite_runs(values: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index ranges where values are finite (a line is drawn per range)."""
    ok = np.isfinite(values)
    if not ok.any():
        return []
    edges = np.flatnonzero(np.diff(np.concatenate([[False], ok, [False]]).astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _labels_and_colors(
    count: int, labels: Sequence[str] | None, colors: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    names = list(labels) if labels is not None else []
    if len(names) < count:
        defaults = [_("you")] + [_("ghost {n}", n=i) for i in range(1, count)]
        names += defaults[len(names) :]
    palette = list(colors) if colors is not None else []
    palette += [DEFAULT_COLORS[i % len(DEFAULT_COLORS)] for i in range(len(palette), count)]
    # A single line needs no legend: the title says what it is.
    if count == 1 and labels is None:
        names = [""]
    return names[:count], palette[:count]


class LossChart(SeriesChart):
    """How far above the global minimum each run's loss is, per step, on a log scale."""

    def set_runs(
        self,
        runs: list[Run],
        minimum_loss: float,
        labels: Sequence[str] | None = None,
        colors: Sequence[str] | None = None,
    ) -> None:
        n = max((len(r.loss) for r in runs), default=0)
        with np.errstate(all="ignore"):
            floor = float(minimum_loss)
            if not math.isfinite(floor):
                finite = [r.loss[np.isfinite(r.loss)] for r in runs]
                pooled = np.concatenate(finite) if finite else np.zeros(0)
                floor = float(pooled.min()) if len(pooled) else 0.0
            names, palette = _labels_and_colors(len(runs), labels, colors)
            series = []
            for run, label, color in zip(runs, names, palette, strict=True):
                gap = np.full(n, np.nan)
                gap[: len(run.loss)] = run.loss - floor
                series.append(Series(gap, label, color))
        self.set_series(
            np.arange(n, dtype=np.float64),
            series,
            log_y=True,
            title=_("Loss above the minimum (log)"),
            x_label=_("step"),
        )


class LrChart(SeriesChart):
    """The learning rate used by each step (also the live schedule preview, without a cursor)."""

    def set_rates(
        self,
        rates: list[np.ndarray],
        labels: Sequence[str] | None = None,
        colors: Sequence[str] | None = None,
    ) -> None:
        n = max((len(r) for r in rates), default=0)
        names, palette = _labels_and_colors(len(rates), labels, colors)
        series = []
        for values, label, color in zip(rates, names, palette, strict=True):
            padded = np.full(n, np.nan)
            padded[: len(values)] = np.asarray(values, dtype=np.float64)
            series.append(Series(padded, label, color))
        self.set_series(
            np.arange(n, dtype=np.float64), series, title=_("Learning rate"), x_label=_("step")
        )
