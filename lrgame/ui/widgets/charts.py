"""Progressive line charts: the loss and learning-rate curves of the descent screen.

A chart is drawn by plotext once per (data, size, theme) and kept as a grid of
cells (:mod:`chart_picture`, through the :class:`CachedLines` base). Playing a
run back only moves a cursor:
columns right of the current step are masked out and a marker sits on the
current point, so a frame touches a few lines and never runs plotext.

The x axis may be logarithmic (``log_x``: learning rates), and vertical
markers with labels (``set_markers``: the LR finder's suggestions, see
:mod:`chart_markers`) are laid over the cells, so adding, moving or highlighting
one never runs plotext either.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from textual.strip import Strip

from lrgame.ui.i18n import _

from .cached import CachedLines
from .chart_markers import Marker, MarkerLayer, MarkerOverlay
from .chart_picture import LEGEND_LINE, MIN_PLOT_HEIGHT, ChartData, ChartPicture, Series
from .chart_theme import ChartTheme
from .plotext_cells import CellGrid, cells_to_strip

if TYPE_CHECKING:
    from lrgame.engine.simulate import Run

DEFAULT_COLORS: tuple[str, ...] = ("accent", "secondary", "success", "warning", "error", "primary")
"""Theme roles for runs in order: the player's first, then ghosts."""

__all__ = ["DEFAULT_COLORS", "LEGEND_LINE", "LossChart", "LrChart", "Series", "SeriesChart"]

CURSOR = "●"
ABOVE = "▲"
BELOW = "▼"
LEGEND_ROOM = 3
"""Lines a plot keeps beyond its minimum before a legend may take lines below it."""


class SeriesChart(CachedLines[ChartPicture]):
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
        self._data = ChartData(np.zeros(0), [])
        self._markers: list[Marker] = []
        self._highlight: int | None = None
        self._overlay: MarkerOverlay | None = None
        self._cursor: int | None = None

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
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        n = len(x)
        fitted = []
        for s in series:
            values = np.asarray(s.values, dtype=np.float64).reshape(-1)
            if len(values) != n:
                padded = np.full(n, np.nan)
                padded[: min(n, len(values))] = values[:n]
                values = padded
            fitted.append(Series(values, s.label, s.color))
        self._data = ChartData(x, fitted, log_y, log_x, title, x_label, y_label)
        self.data_changed()

    @property
    def cursor(self) -> int | None:
        return self._cursor

    @property
    def series(self) -> list[Series]:
        """The lines drawn, as given to ``set_series`` (padded to the x values)."""
        return list(self._data.series)

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
        built = self.current_picture
        if built is not None and built.grid is not None:
            # Labels that stop or start fitting move the plot's bottom: draw it again.
            wanted = self._marker_layer(built.grid).legend_rows(built.width)
            if wanted != built.marker_rows:
                self.data_changed()
                return
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
        built = self.current_picture
        if built is None:
            self.refresh()
            return
        self.refresh_lines(self._changed_lines(built, before, index))

    # -- the cached picture ----------------------------------------------

    def picture_line(self, built: ChartPicture, y: int) -> Strip:
        width = self.size.width
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

    def _marker_layer(self, grid: CellGrid) -> MarkerLayer:
        return MarkerLayer(
            self._markers,
            self._highlight,
            grid,
            ChartTheme.from_widget(self),
            self._data.transform_x,
        )

    def _overlay_for(self, built: ChartPicture) -> MarkerOverlay:
        """The markers' cells by grid line (and their legend): built once per (chart, markers, highlight)."""
        # The picture by identity (eq=False): a rebuilt chart needs its markers placed again.
        key = (built, tuple(self._markers), self._highlight)
        if self._overlay is not None and self._overlay.key == key:
            return self._overlay
        cells: dict[int, list[tuple[int, str, int, bool]]] = {}
        legend: list[Strip] = []
        grid = built.grid
        if grid is not None and grid.canvas_width and grid.canvas_height:
            below = built.marker_rows > 0
            layer = self._marker_layer(grid)
            cells, _misfits = layer.cells(tags_only=below)
            if below:
                legend = layer.legend(built.width)
        self._overlay = MarkerOverlay(key, cells, legend)
        return self._overlay

    def build_picture(self, width: int, height: int) -> ChartPicture:
        """The chart, with legends below the plot where they do not fit on or beside it."""
        theme = ChartTheme.from_widget(self)
        data = self._data
        colors = [theme.color(s.color) for s in data.series]
        header, beside = data.header(theme, colors, width)
        offset = 1 if height >= 2 and data.title else 0
        plot_height = height - offset
        legend = [] if beside else data.series_legend(theme, colors, width)
        if plot_height - len(legend) < MIN_PLOT_HEIGHT + LEGEND_ROOM:
            legend = []  # no room below either: the colours go unnamed, the plot stays
        built = data.draw(width, plot_height - len(legend), theme, colors, header, offset)
        built.legend = legend
        if self._markers and built.grid is not None:
            rows = self._marker_layer(built.grid).legend_rows(built.width)
            if rows and plot_height - len(legend) - rows >= MIN_PLOT_HEIGHT + LEGEND_ROOM:
                built = data.draw(
                    width, plot_height - len(legend) - rows, theme, colors, header, offset
                )
                built.legend, built.marker_rows = legend, rows
        return built

    def _cut(self, built: ChartPicture, index: int) -> int:
        if len(built.x_cols) == 0:
            return -1
        return int(built.x_cols[min(index, len(built.x_cols) - 1)])

    def _marks_on(
        self, built: ChartPicture, index: int, y: int | None = None
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

    def _mark_lines(self, built: ChartPicture, index: int | None) -> set[int]:
        if index is None or built.grid is None or len(built.x_cols) == 0:
            return set()
        i = min(index, len(built.x_cols) - 1)
        return {int(lines[i]) + built.offset for lines, code, _style in built.marks if code[i]}

    def _changed_lines(
        self, built: ChartPicture, before: int | None, after: int | None
    ) -> list[int]:
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
