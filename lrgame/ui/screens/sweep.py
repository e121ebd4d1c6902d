"""The learning-rate sweep: the same optimizer and schedule at 200 headline rates.

After a run, the player sees the whole rate axis at once: which rates reach the
goal (the sweet spot), which get stuck or run out of steps, the divergence
cliff (the smallest rate from which every larger rate flies apart) and where
their own rate landed. All rates, plus the player's own, are one engine batch
computed in a worker thread (:mod:`lrgame.analysis.sweep`); what is drawn and
said about them comes from :mod:`lrgame.analysis.sweep_view`, the chart from
:class:`lrgame.ui.widgets.sweep_chart.SweepChart`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from lrgame.analysis.sweep import SWEEP_POINTS, SweepResult, compute_sweep
from lrgame.analysis.sweep_view import SweepPlot, View, region_lines, sweep_plot
from lrgame.engine.strategy import Strategy
from lrgame.levels.model import Level

from ..i18n import N_, _
from ..i18n import language as current_language
from ..widgets.chart_theme import readable, style_hex
from ..widgets.header import SafeHeader
from ..widgets.lr_control import translate_bindings
from ..widgets.sweep_chart import OUTCOME_COLORS, SweepChart
from .guarded import GuardedScreen

__all__ = ["SweepScreen"]


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
        language: str | None = None,
    ) -> None:
        """``result``: the sweep the coach already ran for this strategy, shown as it is;
        ``language``: the level texts' language (the catalog's by default)."""
        super().__init__()
        translate_bindings(self)
        self.level = level
        self.language = language or current_language()
        self.strategy = (
            strategy if isinstance(strategy, Strategy) else level.strategy(dict(strategy))
        )
        self._shared = result
        self.result: SweepResult | None = None
        self.mode: View = "loss"
        """``loss`` (final loss above the minimum, log) or ``steps`` (steps to the goal)."""

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        yield Static(_("Sweeping {count} learning rates…", count=SWEEP_POINTS), id="sweep-summary")
        yield SweepChart(id="sweep-chart")
        yield Static("", id="sweep-regions")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = _(
            "Learning-rate sweep · {title}", title=self.level.title.get(self.language)
        )
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
        if self.result is None:
            return None
        return sweep_plot(self.result, self.level, self.strategy.steps, self.mode)

    def show(self) -> None:
        self.query_one(SweepChart).set_plot(self.plot())

    def regions_text(self) -> Text:
        """The regions in words, low rates first: range, glyph, name."""
        text = Text()
        if self.result is None:
            return text
        lines, more = region_lines(self.result)
        for i, line in enumerate(lines):
            if i:
                text.append("\n")
            color = OUTCOME_COLORS.get(line.outcome, "foreground")
            text.append(f"{line.outcome.glyph} ", style=_rich_theme_color(self, color))
            text.append(f"{line.span:<18}", style="bold")
            text.append(line.words)
        if more:
            text.append("\n")
            text.append(_("… and {count} more changes of outcome", count=more))
        return text

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
