"""The 1-D landscape: the loss curve drawn by plotext, a trail of recent steps, fog as hatching."""

from __future__ import annotations

import math

import numpy as np
from rich.style import Style
from textual.color import Color

from lrgame.engine.simulate import Run
from lrgame.ui.i18n import _

from .landscape_scene import ARROWS, HATCH, TRAIL, LegendItem, Scene
from .plotext_cells import CellGrid, render_figure

TRAIL_LENGTH = 8
"""Points of recent history drawn behind a 1-D walker."""


class CurveScene(Scene):
    """1-D: the loss curve drawn by plotext; fog hides whole columns of the canvas."""

    def draw(self) -> CellGrid:
        lo, hi = float(self.domain[0, 0]), float(self.domain[0, 1])
        xs = np.linspace(lo, hi, max(2, 2 * self.width + 1))
        with np.errstate(all="ignore"):
            ys = self.landscape.loss(xs[:, None])
        finite = np.isfinite(ys)
        if finite.any():
            y_lo, y_hi = float(ys[finite].min()), float(ys[finite].max())
        else:
            y_lo, y_hi = 0.0, 1.0
        pad = (y_hi - y_lo) * 0.06 or 1.0
        self.ylim = (y_lo - pad, y_hi + pad)
        self.xlim = (lo, hi)
        curve = self.theme.color("primary")
        # Marks sit on the curve's cells: braille puts 2 x 4 dots in a cell, the bare fallback one.
        self.sub = (2, 4) if self.axes else (1, 1)
        if self.axes:
            fig, _xt, _yt = self.axes_figure(self.xlim, self.ylim, self.plot_height)
            edges = np.flatnonzero(np.diff(np.concatenate([[0], finite.astype(np.int8), [0]])))
            for a, b in zip(edges[::2], edges[1::2], strict=True):
                fig.plot(xs[a:b].tolist(), ys[a:b].tolist(), marker="braille", color=0)
            grid = render_figure(
                fig,
                self.width,
                self.plot_height,
                theme=self.theme,
                colors={0: curve},
                palette=self.palette,
            )
        else:
            grid = self.bare_grid(self.xlim, self.ylim)
            style = self.palette.add(
                Style(color=curve.rich_color, bgcolor=self.theme.background.rich_color)
            )
            cols = np.arange(grid.width)
            lines = grid.line_of(np.interp(grid.x_of_cols(), xs, np.where(finite, ys, y_hi)))
            ok = (lines >= 0) & (lines < grid.height)
            grid.chars[lines[ok], cols[ok]] = "·"
            grid.styles[lines[ok], cols[ok]] = style
        self.hatch = self.palette.add(
            Style(color=self.theme.shade(0.3).rich_color, bgcolor=self.theme.background.rich_color)
        )
        return grid

    def fog_centers(self) -> np.ndarray:
        return self.grid.x_of_cols()[:, None]

    def fog_lines(self, changed: np.ndarray) -> set[int]:
        return set(self.grid.canvas_rows)

    def canvas_line(self, y: int) -> tuple[np.ndarray, np.ndarray]:
        grid = self.grid
        chars, styles = grid.chars[y].copy(), grid.styles[y].copy()
        if self.fog is not None and self.fog_active:
            cols = np.arange(grid.canvas_cols.start, grid.canvas_cols.stop)
            hidden = cols[~self.fog.revealed]
            # A sparse diagonal hatch: fog reads as "unknown", not as "flat ground".
            chars[hidden] = np.where((hidden + y) % 4 == 0, HATCH, " ")
            styles[hidden] = self.hatch
        return chars, styles

    def loss_at(self, x: float) -> float:
        with np.errstate(all="ignore"):
            return float(self.landscape.loss(np.array([[x]]))[0])

    def cell_of_point(self, point: np.ndarray) -> tuple[int, int] | None:
        x = float(point.reshape(-1)[0])
        if not math.isfinite(x) or not self.xlim[0] <= x <= self.xlim[1]:
            return None
        y = self.loss_at(x)
        if not math.isfinite(y) or not self.ylim[0] <= y <= self.ylim[1]:
            return None
        return int(self.grid.col_of(x, self.sub[0])[0]), int(self.grid.line_of(y, self.sub[1])[0])

    def walker_cell(self, run: Run, index: int) -> tuple[int, int, str] | None:
        x, loss, direction = _last_finite_1d(run, index)
        grid = self.grid
        left, right = grid.canvas_cols.start, grid.canvas_cols.stop - 1
        top, bottom = grid.canvas_rows.start, grid.canvas_rows.stop - 1
        if x is None or right < left or bottom < top:
            return None
        if direction is None and x < self.xlim[0]:
            direction = "left"
        elif direction is None and x > self.xlim[1]:
            direction = "right"
        glyph = ARROWS[direction] if direction else ""
        if direction == "left":
            col = left
        elif direction == "right":
            col = right
        else:
            col = int(np.clip(grid.col_of(x, self.sub[0])[0], left, right))
        if loss is None or not math.isfinite(loss) or loss > self.ylim[1]:
            # Off the top of the chart: pinned to the top edge, pointing up unless it flew sideways.
            line = top
            glyph = glyph or ARROWS["up"]
        else:
            line = int(np.clip(grid.line_of(max(loss, self.ylim[0]), self.sub[1])[0], top, bottom))
        return col, line, glyph

    def path_cells(self, run: Run, index: int) -> list[tuple[int, int]]:
        start = max(0, index - TRAIL_LENGTH)
        xs = run.trajectory[start:index, 0]
        ys = run.loss[start:index]
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(xs) & np.isfinite(ys) & (xs >= self.xlim[0]) & (xs <= self.xlim[1])
            ok &= (ys >= self.ylim[0]) & (ys <= self.ylim[1])
        cols = self.grid.col_of(xs[ok], self.sub[0])
        lines = self.grid.line_of(ys[ok], self.sub[1])
        return list(zip(cols.tolist(), lines.tolist(), strict=True))

    def legend_items(self) -> list[LegendItem]:
        items = self.common_legend()
        if self.runs:
            items.insert(1 + (len(self.runs) > 1), (TRAIL, self.colors[0], _("last steps"), None))
        return items

    def possible_labels(self, runs: int) -> list[str]:
        return [*super().possible_labels(runs), _("last steps")]

    def fog_swatch(self) -> tuple[str, Color, Color | None]:
        return HATCH, self.theme.shade(0.3), None


def _last_finite_1d(run: Run, index: int) -> tuple[float | None, float | None, str | None]:
    """The walker's x and loss at ``index``; for a blown-up point, the last finite one and its direction."""
    x = float(run.trajectory[index, 0])
    loss = float(run.loss[index])
    if math.isfinite(x):
        return x, loss, None
    xs = run.trajectory[: index + 1, 0]
    finite = np.flatnonzero(np.isfinite(xs))
    if len(finite) == 0:
        return None, None, None
    last = int(finite[-1])
    before = float(xs[finite[-2]]) if len(finite) > 1 else float(xs[last])
    direction = "left" if float(xs[last]) < before else "right"
    return float(xs[last]), math.inf, direction
