"""The 2-D landscape: a banded colour map of the loss in half-block cells, fog as a checker."""

from __future__ import annotations

import math

import numpy as np
from rich.style import Style
from textual.color import Color

from lrgame.engine.simulate import Run
from lrgame.ui.i18n import _

from .landscape_scene import ARROWS, HALF, TRAIL, LegendItem, Scene
from .plotext_cells import CellGrid, render_figure

MAP_COLORS: tuple[str, ...] = (
    # Low loss (valleys) dark, high loss bright: navy, blue, teal, green, yellow.
    # Every entry is an exact xterm-256 colour (cube indices 17, 18, 25, 31, 37,
    # 36, 35, 71, 107, 149, 185, 221), so a 256-colour terminal shows the same
    # twelve distinct bands as a true-colour one instead of collapsing a smooth ramp.
    "#00005f",
    "#000087",
    "#005faf",
    "#0087af",
    "#00afaf",
    "#00af87",
    "#00af5f",
    "#5faf5f",
    "#87af5f",
    "#afd75f",
    "#d7d75f",
    "#ffd75f",
)


def map_bands(values: np.ndarray, start_loss: float, k: int) -> np.ndarray:
    """The colour band (0 = lowest) of each loss on the map, by rank, split at the start's loss.

    A scale by value fails when walls are much higher than the floor: one steep
    gully spends every band and leaves a whole plain, with the goal's valley in it,
    in one colour. Ranks give each band an equal share of the map whatever the
    heights, so every valley and slope shows. The losses up to the start's get
    their own bands (at least three) below those above it, so the goal's valley
    and the ground the walker starts on never share a colour. Non-finite: the top band.
    """
    flat = np.asarray(values, dtype=np.float64)
    bands = np.full(flat.shape, k - 1, dtype=np.int64)
    finite = np.isfinite(flat)
    if not finite.any():
        return bands
    known = flat[finite]
    if not math.isfinite(start_loss):
        start_loss = float(known.max())
    low = np.sort(known[known <= start_loss])
    high = np.sort(known[known > start_loss])
    low_bands = min(max(round(k * len(low) / len(known)), 3), k - 2) if len(high) else k
    out = np.empty(known.shape, dtype=np.int64)
    below = known <= start_loss
    if len(low):
        rank = np.searchsorted(low, known[below], side="left") / len(low)
        out[below] = np.minimum((rank * low_bands).astype(np.int64), low_bands - 1)
    if len(high):
        rank = np.searchsorted(high, known[~below], side="left") / len(high)
        out[~below] = low_bands + np.minimum(
            (rank * (k - low_bands)).astype(np.int64), k - low_bands - 1
        )
    bands[finite] = out
    return bands


class MapScene(Scene):
    """2-D: a banded colour map of the loss (see :func:`map_bands`) in half-block cells."""

    def draw(self) -> CellGrid:
        (x_lo, x_hi), (y_lo, y_hi) = (
            (float(v) for v in self.domain[0]),
            (float(v) for v in self.domain[1]),
        )
        self.xlim, self.ylim = (x_lo, x_hi), (y_lo, y_hi)
        if self.axes:
            fig, _xt, _yt = self.axes_figure(self.xlim, self.ylim, self.plot_height)
            # plotext draws no axes around an empty plot: two invisible corner points.
            fig.scatter([x_lo, x_hi], [y_lo, y_hi], marker=" ")
            grid = render_figure(
                fig, self.width, self.plot_height, theme=self.theme, palette=self.palette
            )
        else:
            grid = self.bare_grid(self.xlim, self.ylim)
        cw, ch = len(grid.canvas_cols), len(grid.canvas_rows)
        self.pixel_rows = 2 * ch
        # Pixels follow plotext's convention, which the tick labels use: the domain's
        # edges are the centres of the outer cells, so the two pixels of a cell sit a
        # quarter cell above and below its centre.
        xs = np.linspace(x_lo, x_hi, cw) if cw > 1 else np.array([(x_lo + x_hi) / 2])
        if ch > 1:
            ys = y_hi - (np.arange(self.pixel_rows) - 0.5) / 2 / (ch - 1) * (y_hi - y_lo)
        else:
            ys = np.linspace(y_hi, y_lo, max(self.pixel_rows, 1))
        self.xs, self.ys = xs, ys
        mesh = np.stack(np.meshgrid(xs, ys, indexing="xy"), axis=-1)  # [P, W, 2]
        self.centers = mesh
        self.bands = self._bands(mesh) if cw and ch else np.zeros((0, 0), dtype=np.int64)
        self._colors = [Color.parse(c) for c in MAP_COLORS]
        fog_a, fog_b = self.theme.shade(0.08), self.theme.shade(0.14)
        self._colors += [fog_a, fog_b]
        self.fog_a, self.fog_b = len(MAP_COLORS), len(MAP_COLORS) + 1
        n = len(self._colors)
        self.pair_base = len(self.palette)
        for up in range(n):
            for low in range(n):
                self.palette.add(
                    Style(color=self._colors[up].rich_color, bgcolor=self._colors[low].rich_color)
                )
        rows = np.arange(self.pixel_rows)[:, None]
        cols = np.arange(max(cw, 0))[None, :]
        # Fog texture: a fine checker of two neutrals, so the unknown reads as a surface, not a hole.
        self.fog_pattern = np.where((rows + cols) % 2 == 0, self.fog_a, self.fog_b)
        grid.blank_canvas(self.base)
        return grid

    def _bands(self, mesh: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            values = self.landscape.loss(mesh)
            start = float(self.landscape.loss(np.asarray([self.level.start]))[0])
        return map_bands(values, start, len(MAP_COLORS))

    def color_at(self, point: np.ndarray) -> Color | None:
        p = point.reshape(1, -1)
        if p.shape[1] != 2 or not self._inside(p)[0] or self.bands.size == 0:
            return None
        col = int(np.abs(self.xs - p[0, 0]).argmin())
        row = int(np.abs(self.ys - p[0, 1]).argmin())
        return self._colors[int(self.bands[row, col])]

    def fog_centers(self) -> np.ndarray:
        return self.centers

    def fog_lines(self, changed: np.ndarray) -> set[int]:
        rows = np.flatnonzero(changed.any(axis=1))
        return {self.grid.canvas_rows.start + int(r) // 2 for r in rows}

    def pixels(self, rows: slice) -> np.ndarray:
        bands = self.bands[rows]
        if self.fog is not None and self.fog_active:
            return np.where(self.fog.revealed[rows], bands, self.fog_pattern[rows])
        return bands

    def canvas_line(self, y: int) -> tuple[np.ndarray, np.ndarray]:
        grid = self.grid
        chars, styles = grid.chars[y].copy(), grid.styles[y].copy()
        r = 2 * (y - grid.canvas_rows.start)
        pix = self.pixels(slice(r, r + 2))
        if pix.shape[0] == 2 and pix.shape[1]:
            cols = slice(grid.canvas_cols.start, grid.canvas_cols.stop)
            chars[cols] = HALF
            styles[cols] = self.pair_base + pix[0] * len(self._colors) + pix[1]
        return chars, styles

    def cell_bg(self, y: int, x: int) -> Color:
        grid = self.grid
        if y not in grid.canvas_rows or x not in grid.canvas_cols:
            return self.theme.background
        r = 2 * (y - grid.canvas_rows.start) + 1
        pix = self.pixels(slice(r, r + 1))
        return self._colors[int(pix[0, x - grid.canvas_cols.start])]

    def _cells(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cells of points (plotext's rounding, so marks line up with the tick labels)."""
        return self.grid.col_of(points[:, 0]), self.grid.line_of(points[:, 1])

    def _inside(self, points: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return (
                np.all(np.isfinite(points), axis=1)
                & (points[:, 0] >= self.xlim[0])
                & (points[:, 0] <= self.xlim[1])
                & (points[:, 1] >= self.ylim[0])
                & (points[:, 1] <= self.ylim[1])
            )

    def cell_of_point(self, point: np.ndarray) -> tuple[int, int] | None:
        p = point.reshape(1, -1)
        if (
            p.shape[1] != 2
            or not self._inside(p)[0]
            or not self.grid.canvas_cols
            or not self.grid.canvas_rows
        ):
            return None
        cols, lines = self._cells(p)
        return int(cols[0]), int(lines[0])

    def walker_cell(self, run: Run, index: int) -> tuple[int, int, str] | None:
        grid = self.grid
        if not grid.canvas_cols or not grid.canvas_rows:
            return None
        point, direction = _last_finite_2d(run, index)
        if point is None:
            return None
        (x_lo, x_hi), (y_lo, y_hi) = self.xlim, self.ylim
        glyph = ""
        if direction is None:
            # How far outside the view, per side, in view widths: the largest excess names the arrow.
            excess = {
                "left": (x_lo - point[0]) / (x_hi - x_lo),
                "right": (point[0] - x_hi) / (x_hi - x_lo),
                "down": (y_lo - point[1]) / (y_hi - y_lo),
                "up": (point[1] - y_hi) / (y_hi - y_lo),
            }
            side, amount = max(excess.items(), key=lambda kv: kv[1])
            if amount > 0:
                direction = side
        if direction is not None:
            glyph = ARROWS[direction]
        clamped = np.array([[np.clip(point[0], x_lo, x_hi), np.clip(point[1], y_lo, y_hi)]])
        cols, lines = self._cells(clamped)
        col = int(np.clip(cols[0], grid.canvas_cols.start, grid.canvas_cols.stop - 1))
        line = int(np.clip(lines[0], grid.canvas_rows.start, grid.canvas_rows.stop - 1))
        if direction == "left":
            col = grid.canvas_cols.start
        elif direction == "right":
            col = grid.canvas_cols.stop - 1
        elif direction == "up":
            line = grid.canvas_rows.start
        elif direction == "down":
            line = grid.canvas_rows.stop - 1
        return col, line, glyph

    def path_cells(self, run: Run, index: int) -> list[tuple[int, int]]:
        points = run.trajectory[: index + 1]
        points = points[self._inside(points)]
        if len(points) == 0:
            return []
        cols, lines = self._cells(points)
        return list(zip(cols.tolist(), lines.tolist(), strict=True))

    def possible_labels(self, runs: int) -> list[str]:
        extra = [_("low"), _("high loss")] if self.width >= 60 else []
        return [*super().possible_labels(runs), _("path"), *extra]

    def legend_items(self) -> list[LegendItem]:
        items = self.common_legend()
        if self.runs:
            items.insert(1 + (len(self.runs) > 1), (TRAIL, self.colors[0], _("path"), None))
        if self.width >= 60:
            items.append((HALF, self._colors[1], _("low"), self._colors[0]))
            items.append(
                (
                    HALF,
                    self._colors[len(MAP_COLORS) - 1],
                    _("high loss"),
                    self._colors[len(MAP_COLORS) - 2],
                )
            )
        return items

    def fog_swatch(self) -> tuple[str, Color, Color | None]:
        return HALF, self._colors[self.fog_a], self._colors[self.fog_b]


def _last_finite_2d(run: Run, index: int) -> tuple[np.ndarray | None, str | None]:
    point = run.trajectory[index]
    if np.all(np.isfinite(point)):
        return point, None
    points = run.trajectory[: index + 1]
    finite = np.flatnonzero(np.all(np.isfinite(points), axis=1))
    if len(finite) == 0:
        return None, None
    last = points[finite[-1]]
    before = points[finite[-2]] if len(finite) > 1 else last
    step = last - before
    if abs(step[0]) >= abs(step[1]):
        direction = "right" if step[0] >= 0 else "left"
    else:
        direction = "up" if step[1] >= 0 else "down"
    return last, direction
