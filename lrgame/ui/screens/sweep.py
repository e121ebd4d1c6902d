"""The learning-rate sweep: the same optimizer and schedule at 200 headline rates.

After a run, the player sees the whole rate axis at once: which rates reach the
goal (the sweet spot), which get stuck or run out of steps, the divergence
cliff (the smallest rate from which every larger rate flies apart) and where
their own rate landed. All rates, plus the player's own, are one engine batch
computed in a worker thread; the chart is drawn once per size and mode.

The chart is this module's own small widget: the learning rate runs along a
log axis (log10 of the rate, with decade ticks labelled as rates), the regions
are tinted and named in words on a strip under the plot, and the player's rate
and the cliff are vertical markers with labels, so nothing is told by colour
alone.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Static

from lrgame.analysis.sweep import (
    SWEEP_POINTS,
    RateRange,
    SweepResult,
    analyse_sweep,
    compute_sweep,
    lr_text,
    outcome_phrase,
    region_name,
    sweep_rates,
)
from lrgame.engine.outcome import Outcome
from lrgame.engine.strategy import Strategy
from lrgame.levels.model import Level
from lrgame.numfmt import rate_bound

from ..i18n import N_, _
from ..widgets.charts import scale_values
from ..widgets.header import SafeHeader
from ..widgets.lr_control import translate_bindings
from ..widgets.plotext_cells import (
    CellGrid,
    ChartTheme,
    Palette,
    as_cells,
    cells_to_strip,
    log_ticks,
    new_figure,
    nice_ticks,
    readable,
    style_hex,
    tick_label,
)
from ..widgets.plotext_cells import (
    render_figure as render_plotext,
)
from .guarded import GuardedScreen

__all__ = [
    "SWEEP_POINTS",
    "RateRange",
    "SweepChart",
    "SweepPlot",
    "SweepResult",
    "SweepScreen",
    "analyse_sweep",
    "compute_sweep",
    "lr_text",
    "outcome_phrase",
    "region_name",
    "sweep_rates",
]

OUTCOME_COLORS = {
    Outcome.REACHED_GOAL: "success",
    Outcome.STUCK_LOCAL: "warning",
    Outcome.OUT_OF_STEPS: "secondary",
    Outcome.DIVERGED: "error",
}
"""The theme colour of each outcome's region (its glyph says it without colour)."""
YOU_LINE, CLIFF_LINE, PAR_LINE, YOU_POINT, OFF_TOP_POINT = "│", "┆", "┄", "●", "▲"
BRAILLE_COLS, BRAILLE_ROWS = 2, 4
MAX_REGION_LINES = 7


# -- the chart -------------------------------------------------------------


@dataclass(frozen=True)
class SweepPlot:
    """What the chart draws: y over log10(lr), the outcome per rate, and the markers."""

    log_lr: np.ndarray
    values: np.ndarray
    outcomes: list[Outcome]
    log_y: bool
    title: str
    y_label: str = ""
    you_log_lr: float | None = None
    you_value: float = math.nan
    cliff_log_lr: float | None = None
    reference: float | None = None
    """A horizontal reference line (par, in the steps view)."""
    reference_label: str = ""
    y_max: float | None = None


class SweepChart(Widget):
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
        self._version = 0
        self._key: tuple[object, ...] | None = None
        self._lines: list[Strip] = []
        self.grid: CellGrid | None = None
        """The plotext figure as drawn last, with the overlays (tests read columns from it)."""
        self.region_row: str = ""
        """The text of the region strip as drawn last."""
        self.render_count = 0
        self.build_seconds = 0.0

    @property
    def plot(self) -> SweepPlot | None:
        return self._plot

    @property
    def text(self) -> list[str]:
        """The chart's lines as plain text, as drawn last (what a reader of the screen sees)."""
        return [line.text for line in self._lines]

    def set_plot(self, plot: SweepPlot | None) -> None:
        self._plot = plot
        self._version += 1
        self.refresh()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._restyle())

    def _restyle(self) -> None:
        self._key = None
        self.refresh()

    def on_resize(self) -> None:
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        key = (self._version, width, height, self.app.theme, self.rich_style)
        if key != self._key:
            started = time.perf_counter()
            self._lines = self._build(width, height)
            self._key = key
            self.build_seconds = time.perf_counter() - started
        if y < len(self._lines):
            return self._lines[y]
        return Strip.blank(width, self.rich_style)

    # -- drawing -----------------------------------------------------------

    def _build(self, width: int, height: int) -> list[Strip]:
        theme = ChartTheme.from_widget(self)
        base = theme.base_style
        plot = self._plot
        self.grid = None
        self.region_row = ""
        if plot is None or width < 20 or height < 1:
            return []
        title = Strip([Segment(plot.title, base + Style(bold=True))])
        title = title.crop(0, width).extend_cell_length(width, base)
        plot_height = height - 3
        if plot_height < 6 or width < 30 or len(plot.log_lr) < 2:
            return [title]
        self.render_count += 1
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
        for a, b in _finite_runs(drawn):
            fig.plot(plot.log_lr[a:b].tolist(), drawn[a:b].tolist(), marker="braille", color=0)
        if not _finite_runs(drawn):
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
        self.grid = grid
        chars, styles = grid.chars, grid.styles
        rows = range(grid.canvas_rows.start, grid.canvas_rows.stop)
        cols = np.arange(grid.canvas_cols.start, grid.canvas_cols.stop)
        if len(cols) == 0 or len(rows) == 0:
            return [title, *grid.strips]
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
        lines.append(self._region_strip(theme, grid, cols, col_outcome, width))
        lines.append(self._legend(theme, set(plot.outcomes), width))
        return lines[:height]

    def _region_strip(
        self,
        theme: ChartTheme,
        grid: CellGrid,
        cols: np.ndarray,
        outcomes: list[Outcome],
        width: int,
    ) -> Strip:
        """A glyph per column, and each region's name written over its glyphs where it fits."""
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
        self.region_row = "".join(chars.tolist())
        return cells_to_strip(chars, styles, palette)

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


def _finite_runs(values: np.ndarray) -> list[tuple[int, int]]:
    ok = np.isfinite(values)
    if not ok.any():
        return []
    edges = np.flatnonzero(np.diff(np.concatenate([[False], ok, [False]]).astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


# -- the screen ------------------------------------------------------------


class SweepScreen(GuardedScreen[None]):
    """The final loss (or steps to goal) across a log sweep of the player's headline rate."""

    DEFAULT_CSS = """
    SweepScreen {
        layout: vertical;
    }
    SweepScreen #sweep-summary {
        height: auto;
        padding: 0 1;
        background: $panel;
    }
    SweepScreen #sweep-chart {
        height: 1fr;
        min-height: 9;
        padding: 0 1;
    }
    SweepScreen #sweep-regions {
        height: auto;
        max-height: 8;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("y", "toggle_y", N_("Loss/steps")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(
        self,
        level: Level,
        strategy: Strategy | Mapping[str, Any],
        *,
        result: SweepResult | None = None,
    ) -> None:
        """``result``: the sweep the coach already ran for this strategy, shown as it is."""
        super().__init__()
        translate_bindings(self)
        self.level = level
        self.strategy = (
            strategy if isinstance(strategy, Strategy) else level.strategy(dict(strategy))
        )
        self._shared = result
        self.result: SweepResult | None = None
        self.mode = "loss"
        """``loss`` (final loss above the minimum, log) or ``steps`` (steps to the goal)."""

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        yield Static(_("Sweeping {count} learning rates…", count=SWEEP_POINTS), id="sweep-summary")
        yield SweepChart(id="sweep-chart")
        yield Static("", id="sweep-regions")
        yield Footer()

    def on_mount(self) -> None:
        language = getattr(self.app, "language", "en")
        self.sub_title = _("Learning-rate sweep · {title}", title=self.level.title.get(language))
        self.compute()

    @work(thread=True, exclusive=True)
    def compute(self) -> None:
        result = self._shared or compute_sweep(self.level, self.strategy)
        self.app.call_from_thread(self._ready, result)

    def _ready(self, result: SweepResult) -> None:
        if not self.is_attached:
            return
        self.result = result
        self.query_one("#sweep-summary", Static).update(result.summary())
        self.query_one("#sweep-regions", Static).update(self.regions_text())
        self.show()

    def plot(self) -> SweepPlot | None:
        """The chart's data for the current mode."""
        result = self.result
        if result is None:
            return None
        with np.errstate(divide="ignore"):
            log_lr = np.log10(result.lrs)
        cliff = None if result.cliff is None else math.log10(result.cliff)
        you = math.log10(result.your_lr) if result.your_lr > 0 else None
        yours = result.yours
        if self.mode == "steps":
            value = (
                float(yours.steps_to_goal)
                if yours.outcome == Outcome.REACHED_GOAL and yours.steps_to_goal is not None
                else math.nan
            )
            return SweepPlot(
                log_lr,
                result.steps_to_goal,
                result.outcomes,
                log_y=False,
                title=_("Steps to the goal, by learning rate (gaps: the goal was not reached)"),
                y_label=_("steps"),
                you_log_lr=you,
                you_value=value,
                cliff_log_lr=cliff,
                reference=float(self.level.par),
                reference_label=_("par"),
                y_max=float(self.strategy.steps),
            )
        floor = self.level.goal.loss if math.isfinite(self.level.goal.loss) else 0.0
        if yours.outcome == Outcome.DIVERGED or yours.final_loss is None:
            value = math.inf
        else:
            value = max(yours.final_loss - floor, 0.0)
        return SweepPlot(
            log_lr,
            result.final_gap,
            result.outcomes,
            log_y=True,
            title=_("Final loss above the minimum (log), by learning rate"),
            y_label=_("loss gap"),
            you_log_lr=you,
            you_value=value,
            cliff_log_lr=cliff,
        )

    def show(self) -> None:
        self.query_one(SweepChart).set_plot(self.plot())

    def regions_text(self) -> Text:
        """The regions in words, low rates first: range, glyph, name."""
        result = self.result
        text = Text()
        if result is None:
            return text
        segments = result.segments
        shown = segments[:MAX_REGION_LINES]
        for i, seg in enumerate(shown):
            if i:
                text.append("\n")
            color = OUTCOME_COLORS.get(seg.outcome, "foreground")
            text.append(f"{seg.outcome.glyph} ", style=_rich_theme_color(self, color))
            # Rounded inwards, as the summary and the coach round their ranges: one number each.
            low, high = rate_bound(seg.low, "low"), rate_bound(seg.high, "high")
            if seg.low == seg.high or float(low) > float(high):
                low = high = lr_text(seg.low)
            span = low if low == high else _("{low} – {high}", low=low, high=high)
            text.append(f"{span:<18}", style="bold")
            text.append(self.region_words(seg))
        if len(segments) > len(shown):
            text.append("\n")
            text.append(
                _("… and {count} more changes of outcome", count=len(segments) - len(shown))
            )
        return text

    def region_words(self, seg: RateRange) -> str:
        result = self.result
        assert result is not None
        first_band = result.bands[0].start if result.bands else None
        if seg.outcome == Outcome.REACHED_GOAL:
            return _("sweet spot: reaches the goal")
        if seg.outcome == Outcome.DIVERGED:
            if result.cliff_index is not None and seg.start == result.cliff_index:
                return _("divergence cliff: everything from here up flies apart")
            return _("diverges")
        too_small = first_band is not None and seg.stop <= first_band
        if seg.outcome == Outcome.STUCK_LOCAL:
            return _("gets stuck in a local minimum")
        if too_small or (first_band is None and seg.start == 0):
            return _("runs out of steps: too small to get there in time")
        return _("runs out of steps: bounces around without settling")

    # -- controls -----------------------------------------------------------

    def action_toggle_y(self) -> None:
        self.mode = "steps" if self.mode == "loss" else "loss"
        self.show()

    def action_back(self) -> None:
        self.dismiss(None)


def _rich_theme_color(node: Widget | Screen[Any], role: str) -> str:
    """A theme role as hex, nudged to stand out from the background as the charts do."""
    variables = node.app.theme_variables
    try:
        color = Color.parse(variables.get(role, role))
        background = Color.parse(variables.get("background", "#000000"))
    except Exception:  # noqa: BLE001 - an odd theme value: no colour, the glyph still says it
        return ""
    return style_hex(readable(color, background))
