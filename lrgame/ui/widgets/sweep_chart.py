"""The sweep's chart: a value over a log learning-rate axis, with named regions and markers.

The learning rate runs along a log axis (log10 of the rate, with decade ticks
labelled as rates), the regions are tinted and named in words on a strip under
the plot, and the player's rate and the cliff are vertical markers with labels,
so nothing is told by colour alone. What it draws is a
:class:`lrgame.analysis.sweep_view.SweepPlot`; the chart is built once per
size, theme and plot
(:class:`lrgame.ui.widgets.cached.CachedLines`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip

from lrgame.analysis.sweep import region_name
from lrgame.analysis.sweep_view import SweepPlot
from lrgame.engine.outcome import Outcome

from ..i18n import _
from .cached import CachedLines
from .chart_scale import finite_runs, log_ticks, nice_ticks, scale_values, tick_label
from .chart_theme import ChartTheme, Palette
from .plotext_cells import CellGrid, as_cells, cells_to_strip, new_figure
from .plotext_cells import render_figure as render_plotext

__all__ = ["OUTCOME_COLORS", "SweepChart", "SweepPicture"]

OUTCOME_COLORS = {
    Outcome.REACHED_GOAL: "success",
    Outcome.STUCK_LOCAL: "warning",
    Outcome.OUT_OF_STEPS: "secondary",
    Outcome.DIVERGED: "error",
}
"""The theme colour of each outcome's region (its glyph says it without colour)."""
YOU_LINE, CLIFF_LINE, PAR_LINE, YOU_POINT, OFF_TOP_POINT = "│", "┆", "┄", "●", "▲"
BRAILLE_COLS, BRAILLE_ROWS = 2, 4


# -- the chart -------------------------------------------------------------


@dataclass(eq=False)
class SweepPicture:
    """The chart as built for one (plot, size, theme): its lines, and what tests read back."""

    lines: list[Strip]
    grid: CellGrid | None = None
    region_row: str = ""


class SweepChart(CachedLines[SweepPicture]):
    """A static chart over a log learning-rate axis, with named regions and markers."""

    DEFAULT_CSS = """
    SweepChart {
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
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._plot: SweepPlot | None = None
        self._drawn = SweepPicture([])

    @property
    def plot(self) -> SweepPlot | None:
        return self._plot

    @property
    def grid(self) -> CellGrid | None:
        """The plotext figure as drawn last, with the overlays (tests read columns from it)."""
        return self._drawn.grid

    @property
    def region_row(self) -> str:
        """The text of the region strip as drawn last."""
        return self._drawn.region_row

    @property
    def text(self) -> list[str]:
        """The chart's lines as plain text, as drawn last (what a reader of the screen sees)."""
        return [line.text for line in self._drawn.lines]

    def set_plot(self, plot: SweepPlot | None) -> None:
        self._plot = plot
        self.data_changed()

    def build_picture(self, width: int, height: int) -> SweepPicture:
        self._drawn = self._build(width, height)
        return self._drawn

    def picture_line(self, picture: SweepPicture, y: int) -> Strip:
        if y < len(picture.lines):
            return picture.lines[y]
        return Strip.blank(self.size.width, self.rich_style)

    # -- drawing -----------------------------------------------------------

    def _build(self, width: int, height: int) -> SweepPicture:
        plot = self._plot
        if plot is None or width < 20 or height < 1:
            return SweepPicture([])
        theme = ChartTheme.from_widget(self)
        base = theme.base_style
        title = Strip([Segment(plot.title, base + Style(bold=True))])
        title = title.crop(0, width).extend_cell_length(width, base)
        plot_height = height - 3
        if plot_height < 6 or width < 30 or len(plot.log_lr) < 2:
            return SweepPicture([title])
        palette = Palette()
        line_color = theme.color("primary")
        ref_color = theme.muted
        fig = new_figure(width, plot_height)
        xlo, xhi = float(plot.log_lr[0]), float(plot.log_lr[-1])
        values = np.asarray(plot.values, dtype=np.float64)
        with np.errstate(all="ignore"):
            if plot.log_y:
                (drawn,), lo, hi = scale_values([values], log_y=True)
            else:
                finite = values[np.isfinite(values)]
                top = float(finite.max()) if len(finite) else 1.0
                if plot.y_max is not None:
                    top = max(top, plot.y_max)
                if plot.reference is not None:
                    top = max(top, plot.reference)
                lo, hi = 0.0, max(top, 1.0) * 1.05
                drawn = values
        runs = finite_runs(drawn)
        for a, b in runs:
            fig.plot(plot.log_lr[a:b].tolist(), drawn[a:b].tolist(), marker="braille", color=0)
        if not runs:
            fig.scatter([xlo], [lo], marker=" ", color=1)
        fig.xlim(xlo, xhi)
        fig.ylim(lo, hi)
        label_rows = 1 if plot_height >= 10 else 0
        canvas_height = plot_height - 3 - label_rows
        xt, xl = log_ticks(xlo, xhi, max(2, (width - 10) // 7))
        fig.xticks(xt, [_rate_label(v, s) for v, s in zip(xt, xl, strict=True)])
        if plot.log_y:
            yt, yl = log_ticks(lo, hi, max(2, canvas_height // 2))
        else:
            yt = nice_ticks(lo, hi, max(2, canvas_height // 2))
            yl = [tick_label(v) for v in yt]
        if yt:
            fig.yticks(yt, yl)
        if label_rows:
            fig.xlabel(_("learning rate (log scale)"))
            if plot.y_label:
                fig.ylabel(plot.y_label)
        grid = render_plotext(
            fig,
            width,
            plot_height,
            theme=theme,
            colors={0: line_color, 1: line_color},
            palette=palette,
        )
        chars, styles = grid.chars, grid.styles
        rows = range(grid.canvas_rows.start, grid.canvas_rows.stop)
        cols = np.arange(grid.canvas_cols.start, grid.canvas_cols.stop)
        if len(cols) == 0 or len(rows) == 0:
            return SweepPicture([title, *grid.strips], grid)
        # The outcome under each canvas column: the nearest sampled rate.
        col_x = grid.x_of_cols()
        nearest = np.clip(np.searchsorted(plot.log_lr, col_x), 1, len(plot.log_lr) - 1)
        left = plot.log_lr[nearest - 1]
        nearest = np.where(col_x - left < plot.log_lr[nearest] - col_x, nearest - 1, nearest)
        col_outcome = [plot.outcomes[i] for i in nearest]

        # Tint the sweet spot's columns and the cliff's (the strip below names them in words).
        tints = {
            Outcome.REACHED_GOAL: theme.background.blend(theme.color("success"), 0.16),
            Outcome.DIVERGED: theme.background.blend(theme.color("error"), 0.10),
        }

        def on_tint(index: int, outcome: Outcome) -> int:
            def make() -> Style:
                return palette[index] + Style(bgcolor=tints[outcome].rich_color)

            return palette.index(("tint", outcome, index), make)

        cliff_from = math.inf if plot.cliff_log_lr is None else plot.cliff_log_lr
        for j, c in enumerate(cols):
            outcome = col_outcome[j]
            if outcome == Outcome.REACHED_GOAL or (
                outcome == Outcome.DIVERGED and col_x[j] >= cliff_from
            ):
                for r in rows:
                    styles[r, c] = on_tint(int(styles[r, c]), outcome)

        def mark_style(color: Color, *, bold: bool = False, on: int | None = None) -> int:
            bg = palette[on].bgcolor if on is not None else theme.background.rich_color
            style = Style(color=color.rich_color, bgcolor=bg, bold=bold)
            return palette.add(style)

        def put_text(r: int, c: int, text: str, color: Color) -> None:
            """Write a label on the canvas, left to right from column c, inside the canvas."""
            cells = as_cells(text)
            c = max(cols[0], min(c, cols[-1] - len(cells) + 1))
            for k, ch in enumerate(cells):
                if c + k in grid.canvas_cols:
                    styles[r, c + k] = mark_style(color, bold=True, on=int(styles[r, c + k]))
                    chars[r, c + k] = ch

        def vline(c: int, glyph: str, color: Color) -> None:
            for r in rows:
                if chars[r, c] == " ":
                    chars[r, c] = glyph
                    styles[r, c] = mark_style(color, on=int(styles[r, c]))

        if plot.reference is not None and lo <= plot.reference <= hi:
            r = int(grid.line_of(plot.reference, BRAILLE_ROWS)[0])
            if r in rows:
                for c in cols:
                    if chars[r, c] == " ":
                        chars[r, c] = PAR_LINE
                        styles[r, c] = mark_style(ref_color, on=int(styles[r, c]))
                if plot.reference_label:
                    put_text(r, cols[-1], plot.reference_label, ref_color)

        you_color = theme.color("accent")
        cliff_color = theme.color("error")
        cliff_col = you_col = None
        if plot.cliff_log_lr is not None:
            cliff_col = int(grid.col_of(plot.cliff_log_lr, BRAILLE_COLS)[0])
            if cliff_col in grid.canvas_cols:
                vline(cliff_col, CLIFF_LINE, cliff_color)
        if plot.you_log_lr is not None:
            you_col = int(grid.col_of(plot.you_log_lr, BRAILLE_COLS)[0])
            if you_col in grid.canvas_cols:
                vline(you_col, YOU_LINE, you_color)
                # The player's point on the curve (▲ at the top when it flew off).
                value = plot.you_value
                with np.errstate(all="ignore"):
                    if plot.log_y:
                        shown = math.log10(value) if value > 0 else -math.inf
                    else:
                        shown = value
                if math.isfinite(shown) or shown == math.inf:
                    glyph = YOU_POINT
                    if shown >= hi:
                        r, glyph = rows[0], OFF_TOP_POINT
                    elif shown <= lo:
                        r = rows[-1]
                    else:
                        r = int(grid.line_of(shown, BRAILLE_ROWS)[0])
                    if r in rows:
                        chars[r, you_col] = glyph
                        styles[r, you_col] = mark_style(
                            you_color, bold=True, on=int(styles[r, you_col])
                        )
        # Labels beside their lines on the top canvas lines, never over a marker or each other.
        markers = {c for c in (you_col, cliff_col) if c is not None}
        taken: set[tuple[int, int]] = set()

        def label(col: int, text: str, color: Color, first_row: int) -> None:
            n = len(as_cells(text))
            for r in (rows[first_row], rows[first_row ^ 1]) if len(rows) > 1 else (rows[0],):
                for at in (col + 1, col - n):
                    span = range(at, at + n)
                    if (
                        at >= cols[0]
                        and at + n <= cols[-1] + 1
                        and not markers.intersection(span)
                        and not any((r, c) in taken for c in span)
                        and all(chars[r, c] in (" ", YOU_LINE, CLIFF_LINE) for c in span)
                    ):
                        put_text(r, at, text, color)
                        taken.update((r, c) for c in span)
                        return

        if cliff_col is not None and cliff_col in grid.canvas_cols:
            label(cliff_col, _("cliff"), cliff_color, 0)
        if you_col is not None and you_col in grid.canvas_cols:
            label(you_col, _("you"), you_color, 1)
        grid.__dict__.pop("strips", None)
        lines = [title, *grid.strips]
        region_strip, region_row = self._region_strip(theme, grid, cols, col_outcome, width)
        lines.append(region_strip)
        lines.append(self._legend(theme, set(plot.outcomes), width))
        return SweepPicture(lines[:height], grid, region_row)

    def _region_strip(
        self,
        theme: ChartTheme,
        grid: CellGrid,
        cols: np.ndarray,
        outcomes: list[Outcome],
        width: int,
    ) -> tuple[Strip, str]:
        """A glyph per column, and each region's name written over its glyphs where it fits
        (as a Strip and as plain text)."""
        base = theme.base_style
        chars = np.full(width, " ", dtype="<U1")
        styles = np.zeros(width, dtype=np.int32)
        palette = Palette()
        palette.add(base)
        label = as_cells(_("outcome"))
        margin = int(cols[0])
        if len(label) < margin:
            for k, ch in enumerate([" "] * (margin - 1 - len(label)) + label):
                chars[k] = ch
        muted = palette.add(
            Style(color=theme.muted.rich_color, bgcolor=theme.background.rich_color)
        )
        styles[:margin] = muted
        start = 0
        for j in range(1, len(cols) + 1):
            if j < len(cols) and outcomes[j] == outcomes[start]:
                continue
            outcome = outcomes[start]
            color = theme.color(OUTCOME_COLORS.get(outcome, "foreground"))
            style = palette.add(Style(color=color.rich_color, bgcolor=theme.background.rich_color))
            bold = palette.add(
                Style(color=color.rich_color, bgcolor=theme.background.rich_color, bold=True)
            )
            a, b = int(cols[start]), int(cols[j - 1]) + 1
            chars[a:b] = outcome.glyph
            styles[a:b] = style
            # The name, padded if there is room, always with a glyph left on each side.
            long, short = region_name(outcome), _("goal") if outcome == Outcome.REACHED_GOAL else ""
            for name in (f" {long} ", long, f" {short} ", short):
                if not name.strip():
                    continue
                cells = as_cells(name)
                if b - a >= len(cells) + 2:
                    at = a + (b - a - len(cells)) // 2
                    chars[at : at + len(cells)] = cells
                    styles[at : at + len(cells)] = bold
                    break
            start = j
        return cells_to_strip(chars, styles, palette), "".join(chars.tolist())

    def _legend(self, theme: ChartTheme, present: set[Outcome], width: int) -> Strip:
        base = theme.base_style
        muted = Style(color=theme.muted.rich_color, bgcolor=theme.background.rich_color)
        words = {
            Outcome.REACHED_GOAL: _("goal"),
            Outcome.STUCK_LOCAL: _("stuck"),
            Outcome.OUT_OF_STEPS: _("out of steps"),
            Outcome.DIVERGED: _("diverges"),
        }
        segments: list[Segment] = []
        for outcome in Outcome:
            if outcome in present:
                color = theme.color(OUTCOME_COLORS[outcome])
                segments.append(Segment(outcome.glyph, base + Style(color=color.rich_color)))
                segments.append(Segment(f" {words[outcome]}  ", muted))
        for glyph, word, role in (
            (YOU_LINE, _("you"), "accent"),
            (CLIFF_LINE, _("cliff"), "error"),
        ):
            segments.append(Segment(glyph, base + Style(color=theme.color(role).rich_color)))
            segments.append(Segment(f" {word}  ", muted))
        return Strip(segments).crop(0, width).extend_cell_length(width, base)


def _rate_label(decade: float, label: str) -> str:
    """Decade ticks as rates: 1e-6 ... 0.001, 0.01, 0.1, 1, 10, 100."""
    d = round(decade)
    if -3 <= d <= 2:
        return f"{10.0**d:g}"
    return label
