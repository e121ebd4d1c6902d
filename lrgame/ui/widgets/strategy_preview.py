"""The setup screen's right half: the schedule's rates over the budget and the formulas."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from lrgame.numfmt import rate
from lrgame.setupform import Preview
from lrgame.ui.i18n import _

from .schedule_preview import SchedulePreview

__all__ = ["StrategyPreview"]


class StrategyPreview(VerticalScroll):
    """What the strategy on the form means: its learning rate step by step, its update rule
    and its schedule's formula, with the values filled in."""

    def compose(self) -> ComposeResult:
        yield Static("", id="preview-title")
        yield SchedulePreview(id="preview")
        yield Static("", id="preview-note")
        yield Static("", id="formulas")

    def show(self, shown: Preview | None) -> None:
        """Draw ``shown``; None (the form is invalid) keeps the last picture, dimmed."""
        note = self.query_one("#preview-note", Static)
        # An invalid form keeps the last good picture, dimmed, rather than
        # drawing a strategy the player did not ask for.
        self.set_class(shown is None, "-stale")
        if shown is None:
            note.update(Text("✗ " + _("fix the marked fields to update the preview"), style="bold"))
            return
        self.query_one("#preview-title", Static).update(
            Text.assemble(
                (_("Learning rate over {steps} steps", steps=shown.steps), "bold"),
                "  ",
                (shown.schedule, "italic"),
            )
        )
        chart = self.query_one("#preview", SchedulePreview)
        if not shown.drawn:
            chart.show(shown.lr, flat=True)
            note.update(
                _(
                    "The rate depends on the losses: it starts at {lr} and drops when the "
                    "loss stops improving, so it cannot be drawn in advance.",
                    lr=rate(shown.start_lr, 4),
                )
            )
        elif shown.momentum is not None:
            chart.show(shown.lr, shown.momentum, shown.momentum_label)
            note.update(
                Text.assemble(
                    ("━ lr", "bold cyan"),
                    " ",
                    _("(left axis)"),
                    "   ",
                    (f"━ {shown.momentum_label}", "bold #ff8700"),
                    " ",
                    _("(right axis), cycled by the schedule"),
                )
            )
        else:
            chart.show(shown.lr, None, shown.momentum_label)
            note.update(Text.assemble(("━ lr", "bold cyan")))
        self.query_one("#formulas", Static).update(
            Text.assemble(
                (_("Update rule ({name})", name=shown.optimizer_label), "bold"),
                "\n",
                _indent(shown.update_rule),
                "\n",
                (_("Schedule"), "bold"),
                "\n",
                _indent(shown.formula),
                "\n",
                (_("g gradient · θ parameters · t, k step"), "italic"),
            )
        )


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())
