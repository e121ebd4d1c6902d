"""The ending: the campaign is complete. Lessons learnt, stars per lesson, total score, and
what to read next (the three pointers of the article the game follows)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from lrgame.analysis.campaign import CampaignSummary

from ..i18n import N_, _
from ..lessons import lesson_name, lesson_takeaway
from ..widgets.header import SafeHeader
from .guarded import GuardedScreen


def reading_list() -> list[tuple[str, str]]:
    """(topic, where to read) for the three directions the article points to."""
    return [
        (
            _("Optimizers such as SGD and Adam"),
            _(
                "PyTorch's torch.optim documentation; Kingma and Ba, "
                "“Adam: A Method for Stochastic Optimization” (2014)."
            ),
        ),
        (
            _("Step decay and other schedules"),
            _(
                "PyTorch's torch.optim.lr_scheduler (StepLR, CosineAnnealingLR); Loshchilov "
                "and Hutter, “SGDR: Stochastic Gradient Descent with Warm Restarts” (2016)."
            ),
        ),
        (
            _("Why large models warm up"),
            _(
                "Goyal et al., “Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour” "
                "(2017); Liu et al., “On the Variance of the Adaptive Learning Rate and "
                "Beyond” (2019)."
            ),
        ),
    ]


def lessons_table(summary: CampaignSummary) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", expand=True, pad_edge=False)
    table.add_column(_("Lesson"), no_wrap=True)
    table.add_column(_("Stars"), no_wrap=True)
    table.add_column(_("What it taught"), ratio=1)
    for result in summary.lessons:
        stars = "★" * result.stars + "☆" * (3 * result.levels - result.stars)
        table.add_row(lesson_name(result.lesson), stars, lesson_takeaway(result.lesson))
    return table


class EndingScreen(GuardedScreen[None]):
    """Shown when the last level is passed; the map then shows the campaign as complete."""

    CSS_PATH = "ending.tcss"
    BINDINGS = [
        Binding("escape", "close", N_("Map")),
        Binding("enter", "close", N_("Map"), show=False),
        Binding("m", "close", N_("Map"), show=False),
    ]

    def __init__(self, summary: CampaignSummary) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        summary = self.summary
        yield SafeHeader()
        with VerticalScroll(id="ending-box"):
            yield Static(_("Campaign complete"), classes="heading", id="ending-title")
            yield Static(
                _(
                    "You walked all {count} landscapes down to their valleys: {stars} of "
                    "{max_stars} stars, total score {score} of {max_score}.",
                    count=len(summary.levels),
                    stars=summary.stars,
                    max_stars=3 * len(summary.levels),
                    score=summary.total_score,
                    max_score=summary.max_score,
                ),
                id="ending-total",
            )
            yield Static(_("Lessons learnt"), classes="subheading")
            yield Static(lessons_table(summary), id="ending-lessons")
            yield Static(_("What to read next"), classes="subheading")
            reading = Text()
            for i, (topic, where) in enumerate(reading_list()):
                if i:
                    reading.append("\n")
                reading.append(f"• {topic}: ", style="bold")
                reading.append(where)
            yield Static(reading, id="ending-reading")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = _("The end of the walk")
        self.query_one("#ending-box").focus()

    def action_close(self) -> None:
        self.dismiss(None)
