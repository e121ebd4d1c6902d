"""plotext figures turned straight into Textual Strips, without an ANSI round trip.

plotext 5 builds every figure into a cell matrix (``figure.monitor.matrix``:
``marker``/``fullground``/``background``/``style`` grids, bottom row first,
plus the canvas area ``Cols_canvas``/``Rows_canvas``) and then serialises it
to ANSI text, which textual-plotext parses back into Rich text. Both halves of
that round trip cost as much as the plot itself, so here the matrix is read
directly into two NumPy grids (characters and palette indices) and a palette
of Rich styles. Widgets keep the grids, mask or overlay a few cells per frame,
and turn only the lines that changed into Strips.

Colours resolve through a :class:`lrgame.ui.widgets.chart_theme.ChartTheme`
taken from the widget; axis ticks come from :mod:`.chart_scale`.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from plotext._figure import _figure_class as Figure
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip

from .chart_theme import NO_COLOR, ChartTheme, Palette, readable

__all__ = [
    "CellGrid",
    "Figure",
    "as_cells",
    "cells_to_strip",
    "new_figure",
    "render_figure",
]

_OFF_CANVAS = -1
"""Cell coordinate given to non-finite data: never inside a canvas."""


def new_figure(width: int, height: int) -> Figure:
    """A fresh plotext figure of exactly ``width`` x ``height`` cells.

    A new figure per render, because plotext 5 mutates a figure while building it
    (log scales are applied to the stored data in place, tick settings are
    rewritten), so a figure built twice is not the figure built once.
    plotext clamps figures to the terminal size (80x24 without a terminal):
    lifting the limit and setting the size directly, as textual-plotext does.
    """
    fig = Figure()
    fig._limit_size(False, False)
    fig.plotsize(width, height)
    fig._set_size(width, height)
    fig.theme("clear")
    return fig


@dataclass
class CellGrid:
    """A rendered figure: one character and one palette index per cell.

    ``chars`` and ``styles`` are ``[height, width]`` arrays with line 0 at the
    top (plotext stores its matrix bottom row first). ``canvas_cols`` and
    ``canvas_rows`` are the data area in those same coordinates. ``xlim`` and
    ``ylim`` are the limits the figure was drawn with, read back from plotext
    after the build, so :meth:`col_of` and :meth:`line_of` place data exactly
    where plotext put it when the limits were set explicitly.
    """

    width: int
    height: int
    chars: np.ndarray
    styles: np.ndarray
    palette: Palette
    canvas_cols: range
    canvas_rows: range
    xlim: tuple[float, float] | None = None
    ylim: tuple[float, float] | None = None

    @cached_property
    def strips(self) -> list[Strip]:
        """Every line as a Strip (built once, on first use)."""
        return [self.strip(y) for y in range(self.height)]

    def strip(self, y: int) -> Strip:
        return cells_to_strip(self.chars[y], self.styles[y], self.palette)

    @property
    def canvas_width(self) -> int:
        return len(self.canvas_cols)

    @property
    def canvas_height(self) -> int:
        return len(self.canvas_rows)

    def col_of(self, x: Any, sub: int = 1) -> np.ndarray:
        """Absolute columns of data x values (plotext's rounding); may lie outside the canvas.

        ``sub`` is the marker's sub-cells per column (2 for ``braille`` and ``hd``):
        plotext places those markers on a finer grid, so the rounding differs.
        Non-finite values map to -1, never on a canvas: clip them first if they
        should pin to an edge.
        """
        return _to_cells(x, self.xlim, self.canvas_width, sub, self.canvas_cols.start, flip=False)

    def line_of(self, y: Any, sub: int = 1) -> np.ndarray:
        """Display lines (0 = top) of data y values (``sub``: 4 for braille, 2 for hd); see col_of."""
        return _to_cells(
            y, self.ylim, self.canvas_height, sub, self.canvas_rows.stop - 1, flip=True
        )

    def x_of_cols(self) -> np.ndarray:
        """The data x at the centre of each canvas column (the inverse of col_of)."""
        if self.xlim is None or self.canvas_width == 0:
            return np.zeros(self.canvas_width)
        lo, hi = self.xlim
        if self.canvas_width == 1:
            return np.array([(lo + hi) / 2])
        return np.linspace(lo, hi, self.canvas_width)

    def blank_canvas(self, style: int) -> None:
        """Clear the data area to spaces of one style (for widgets that draw their own canvas)."""
        if self.canvas_width and self.canvas_height:
            rows = slice(self.canvas_rows.start, self.canvas_rows.stop)
            cols = slice(self.canvas_cols.start, self.canvas_cols.stop)
            self.chars[rows, cols] = " "
            self.styles[rows, cols] = style
            self.__dict__.pop("strips", None)


def _to_cells(
    values: Any, lim: tuple[float, float] | None, cells: int, sub: int, origin: int, *, flip: bool
) -> np.ndarray:
    data = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if lim is None or cells <= 0:
        return np.full(data.shape, _OFF_CANVAS, dtype=np.int64)
    lo, hi = lim
    span = hi - lo if hi != lo else 1.0
    bins = cells * max(1, sub)
    with np.errstate(all="ignore"):
        # plotext: floor(round(0.5 + (bins - 1) * (v - lo) / (hi - lo), 8)), then // sub-cells.
        pos = np.floor(np.round(0.5 + (bins - 1) * (data - lo) / span, 8))
        finite = np.isfinite(pos)
        pos = np.clip(np.where(finite, pos, 0.0), -1e9, 1e9).astype(np.int64) // max(1, sub)
    placed = origin - pos if flip else origin + pos
    return np.where(finite, placed, _OFF_CANVAS)


def as_cells(text: str, limit: int | None = None) -> list[str]:
    """``text`` as one item per terminal cell, at most ``limit`` cells.

    A wide (CJK) character takes two cells: it is followed by ``""`` for its
    second one, so a label written into a grid of cells keeps the row's width.
    A wide character that would be cut in half at the limit becomes a space.
    """
    cells: list[str] = []
    for ch in text:
        cells += [ch, ""] if cell_len(ch) == 2 else [ch]
    if limit is not None and len(cells) > limit:
        cells = cells[: max(limit, 0)]
        if cells and cell_len(cells[-1]) == 2:
            cells[-1] = " "
    return cells


def cells_to_strip(
    chars: np.ndarray, styles: np.ndarray, palette: Palette | Sequence[Style]
) -> Strip:
    """One line of cells as a Strip: one Segment per run of equal style.

    Every cell holds a one-cell character, or a wide character followed by an
    empty cell (see :func:`as_cells`).
    """
    n = len(styles)
    if n == 0:
        return Strip([], 0)
    cells = chars.tolist()
    cuts = (np.flatnonzero(styles[1:] != styles[:-1]) + 1).tolist()
    bounds = [0, *cuts, n]
    lookup = palette.styles if isinstance(palette, Palette) else palette
    index = styles.tolist()
    segments = [
        Segment("".join(cells[a:b]), lookup[index[a]])
        for a, b in zip(bounds, bounds[1:], strict=False)
    ]
    return Strip(segments, n)


def render_figure(
    fig: Figure,
    width: int,
    height: int,
    *,
    theme: ChartTheme | None = None,
    colors: Mapping[Any, Color] | None = None,
    palette: Palette | None = None,
) -> CellGrid:
    """Build ``fig`` at ``width`` x ``height`` and read its cell matrix into a CellGrid.

    ``colors`` maps plotext colour values used as tokens (say the integers
    0, 1, 2 given as series colours) to theme colours, so the plotext build does
    not depend on the theme; other plotext colours resolve through ``theme``.
    plotext's ANSI serialisation (``set_canvas``) is skipped entirely.
    """
    width, height = max(0, int(width)), max(0, int(height))
    theme = theme or ChartTheme(Color(224, 224, 224), Color(0, 0, 0))
    palette = palette if palette is not None else Palette()
    base = theme.base_style
    palette.add(base)
    if width == 0 or height == 0:
        return CellGrid(
            width,
            height,
            np.full((height, width), " ", dtype="<U1"),
            np.zeros((height, width), dtype=np.int32),
            palette,
            range(0),
            range(0),
        )
    fig.plotsize(width, height)
    fig._set_size(width, height)
    fig._set_sizes()
    fig._build_matrix()
    monitor = fig.monitor
    matrix = monitor.matrix
    rows, cols = matrix.rows, matrix.cols
    chars = np.full((height, width), " ", dtype="<U1")
    styles = np.zeros((height, width), dtype=np.int32)
    colors = colors or {}

    def resolve(value: Any, *, background: bool) -> Color | None:
        token = _hashable(value)
        if token in colors:
            return colors[token]
        if value is None or value == NO_COLOR:
            return None
        found = theme.plotext_color(value)
        if found is not None and not background:
            found = readable(found, theme.background)
        return found

    cache: dict[tuple[Any, Any, Any], int] = {}

    def style_index(fg: Any, st: Any, bg: Any) -> int:
        key = (_hashable(fg), st, _hashable(bg))
        found = cache.get(key)
        if found is None:
            fg_color = resolve(fg, background=False)
            bg_color = resolve(bg, background=True)
            style = Style(
                color=(fg_color or theme.muted).rich_color,
                bgcolor=(bg_color or theme.background).rich_color,
                bold=st == "bold",
                italic=st == "italic",
                dim=st == "dim",
                underline=st == "underline",
            )
            found = palette.index(("plotext", key), lambda: style)
            cache[key] = found
        return found

    for r in range(min(rows, height)):
        line = height - 1 - r
        markers = matrix.marker[r]
        fgs, sts, bgs = matrix.fullground[r], matrix.style[r], matrix.background[r]
        for c in range(min(cols, width)):
            chars[line, c] = markers[c][:1] or " "
            styles[line, c] = style_index(fgs[c], sts[c], bgs[c])
        row = chars[line].tolist()
        if cell_len("".join(row)) != len(row):
            # plotext counts a wide character (a Japanese axis label) as one cell.
            fixed, fixed_styles = _widen(row, styles[line].tolist(), width)
            chars[line] = fixed
            styles[line] = fixed_styles

    canvas_cols = range(
        max(0, matrix.Cols_canvas.start), min(width, max(0, matrix.Cols_canvas.stop))
    )
    top = height - matrix.Rows_canvas.stop
    bottom = height - matrix.Rows_canvas.start
    canvas_rows = range(max(0, top), min(height, max(0, bottom)))
    if canvas_cols.stop < canvas_cols.start:
        canvas_cols = range(canvas_cols.start, canvas_cols.start)
    if canvas_rows.stop < canvas_rows.start:
        canvas_rows = range(canvas_rows.start, canvas_rows.start)
    xlim = _limits(monitor.xlim[0])
    ylim = _limits(monitor.ylim[0])
    return CellGrid(width, height, chars, styles, palette, canvas_cols, canvas_rows, xlim, ylim)


def _widen(cells: list[str], styles: list[int], width: int) -> tuple[list[str], list[int]]:
    """A row with each wide character given its second cell, still ``width`` cells long.

    The cells are taken from the blanks after the wide characters (the rest of the
    row keeps its columns), else from blanks before them, else from the row's end.
    """
    out: list[str] = []
    out_styles: list[int] = []
    owed = 0
    for ch, style in zip(cells, styles, strict=True):
        if ch == " " and owed:
            owed -= 1
            continue
        out.append(ch)
        out_styles.append(style)
        if cell_len(ch) == 2:
            out.append("")
            out_styles.append(style)
            owed += 1
    first_wide = next((i for i, ch in enumerate(out) if cell_len(ch) == 2), len(out))
    while len(out) > width:
        blanks = [i for i in range(first_wide) if out[i] == " "]
        if not blanks:
            break
        del out[blanks[-1]], out_styles[blanks[-1]]
        first_wide -= 1
    out, out_styles = out[:width], out_styles[:width]
    if out and cell_len(out[-1]) == 2:
        out[-1] = " "
    return out, out_styles


def _hashable(value: Any) -> Hashable:
    return tuple(value) if isinstance(value, list) else value


def _limits(lim: Sequence[Any]) -> tuple[float, float] | None:
    try:
        lo, hi = float(lim[0]), float(lim[1])
    except (TypeError, ValueError, IndexError):
        return None
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo == hi:
        return None
    return lo, hi
