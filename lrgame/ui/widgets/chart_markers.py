"""Labelled vertical markers laid over a drawn chart (the LR finder's suggestions).

Markers never run plotext: their lines and labels are cells written over the
chart's :class:`CellGrid`. A label goes where it hides the least of the data and
never covers another label or marker line; labels that cannot lie whole on the
plot are listed below it instead (the markers then carry only their first word).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from .chart_theme import ChartTheme
from .plotext_cells import CellGrid, as_cells

MARKER_LINE = "┊"
"""A vertical marker: dotted, so it reads apart from the data's braille."""
MARKER_LINE_HIGHLIGHT = "┃"
"""The highlighted marker: heavy, so the choice reads without colour."""
CROSSES = 1000
"""The cost of a label covering another label or marker line: it then goes below the plot."""
BRAILLE_COLS = 2
"""Braille markers put 2 dots across a cell: a marker at x[k] must round as the data's point does."""

Cells = dict[int, list[tuple[int, str, int, bool]]]
"""Cells per grid line, as (column, glyph, style, is_label)."""


@dataclass(frozen=True)
class Marker:
    """A vertical line at data ``x`` with a label beside it at the top of the plot."""

    x: float
    label: str = ""


@dataclass
class MarkerOverlay:
    """The markers drawn for one (chart, markers, highlight)."""

    key: tuple[object, ...]
    cells: Cells
    legend: list[Strip]
    """The labels listed below the plot (when they do not fit on it)."""


@dataclass(frozen=True)
class MarkerLayer:
    """Markers over one drawn grid: where they go, and what they look like."""

    markers: Sequence[Marker]
    highlight: int | None
    grid: CellGrid
    theme: ChartTheme
    transform_x: Callable[[np.ndarray], np.ndarray]
    """Data x to plotted x (log10 on a log axis)."""

    def placed(self) -> list[tuple[int, int]]:
        """(marker, column) of the markers on the axis, in marker order."""
        placed = []
        for i, marker in enumerate(self.markers):
            x = self.transform_x(np.array([marker.x]))
            # The data's rounding (braille): a marker at x[k] sits on the point drawn for x[k].
            col = int(self.grid.col_of(x, BRAILLE_COLS)[0])
            if col in self.grid.canvas_cols:
                placed.append((i, col))
        return placed

    def legend_rows(self, width: int) -> int:
        """Lines the labels need below the plot: 0 when every label lies whole on it."""
        grid = self.grid
        if not self.markers or not grid.canvas_width or not grid.canvas_height:
            return 0
        _cells, misfits = self.cells(tags_only=False)
        return len(self.legend(width)) if misfits else 0

    def legend(self, width: int) -> list[Strip]:
        """Every marker's label (the highlighted one in reverse), wrapped into lines of ``width``."""
        theme = self.theme
        plain = Style(color=theme.foreground.rich_color, bgcolor=theme.background.rich_color)
        strong = plain + Style(bold=True, reverse=True)
        entries = [
            [Segment(self.markers[i].label, strong if i == self.highlight else plain)]
            for i, _col in self.placed()
            if self.markers[i].label
        ]
        return wrap_entries(entries, width, theme.base_style)

    def cells(self, *, tags_only: bool) -> tuple[Cells, list[int]]:
        """The markers' lines and labels (``tags_only``: only each label's first word).

        Also returns the markers whose label could not lie whole on the plot
        without covering another label or another marker's line.
        """
        theme, grid = self.theme, self.grid
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
        placed = self.placed()
        lines = {col for _i, col in placed}
        misfits: list[int] = []
        taken = np.zeros((grid.height, grid.width), dtype=bool)
        """Cells already holding a label: labels never overwrite each other."""
        cells: Cells = {}
        for i, col in placed:
            high = i == self.highlight
            glyph = MARKER_LINE_HIGHLIGHT if high else MARKER_LINE
            style = strong_style if high else line_style
            for gy in rows:
                cells.setdefault(gy, []).append((col, glyph, style, False))
            label = self.markers[i].label
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


def wrap_entries(entries: list[list[Segment]], width: int, base: Style) -> list[Strip]:
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
