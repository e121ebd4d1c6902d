"""Help: the controls, and the ideas behind the game in a few lines each."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from ..i18n import N_, _
from .guarded import GuardedModalScreen


def help_text() -> str:
    return "\n".join(
        [
            _("# How to play"),
            "",
            _(
                "Each level is a landscape you cannot see: you are blindfolded on a mountain and must "
                "walk down to the lowest valley. You choose how to walk, then watch."
            ),
            "",
            _("## Controls"),
            "",
            _(
                "- **Map**: arrows choose a level, Enter plays it, `u` unlocks every level, `l` shows the leaderboard, Ctrl+R resets progress."
            ),
            _("- **Briefing**: Enter goes on, `h` shows the hint, Escape goes back."),
            _(
                "- **Setup**: the learning rate's field has focus: type a rate (`0.5`, `3e-4`) and press Ctrl+R, "
                "or change it with Left/Right a little (×10^0.1) and Up/Down a lot (×10). Tab moves between fields. "
                "Ctrl+R or F5 starts the walk; `p` toggles practice mode; `f` runs the LR finder where the level "
                "offers it (it costs 50 points)."
            ),
            _(
                "- **Descent**: Space pauses, `n` takes a single step, `+`/`-` speed up or slow down, "
                "`e` skips to the end, `r` restarts the replay, Escape goes back to the setup."
            ),
            _(
                "- **Result**: `r` retries with the same settings, `n` goes to the next level, `w` watches the walk "
                "again (and stays on it: Escape goes to the setup), "
                "`s` shows a sweep of learning rates with yours marked, `g` races ghosts (your best, SGD, "
                "momentum, Adam…), `x` shows the walk as PyTorch code and saves the strategy, `m` goes to the map."
            ),
            _(
                "- **Level editor** (`lrgame edit FILE.json`): Ctrl+S saves, F8 jumps to the next problem, "
                "F5 play-tests the current text, F9 runs the level's demos."
            ),
            _(
                "- Anywhere: `?` or F1 shows this help; Ctrl+P opens the command palette; Ctrl+Q quits."
            ),
            "",
            _("## The ideas"),
            "",
            _(
                "**Learning rate.** The gradient points uphill; each step moves against it by the learning rate "
                "times the gradient. Too small and you never arrive; too large and each stride overshoots the "
                "valley, further each time, until you fly off: divergence. On a valley whose curvature is λ, "
                "plain gradient descent is stable only while lr < 2/λ."
            ),
            "",
            _(
                "**Schedule.** The learning rate may change as you go: large strides to travel, small ones to "
                "settle. Step decay cuts it by a factor every few steps; cosine lowers it smoothly."
            ),
            "",
            _(
                "**Momentum.** Keep some of the previous stride: like a ball rolling downhill, you build up speed "
                "on long slopes and roll over small bumps."
            ),
            "",
            _(
                "**Adam, RMSprop, Adagrad.** Each parameter gets its own stride, scaled by how large its "
                "gradients have been: a steep narrow direction and a flat long one can both be walked well."
            ),
            "",
            _(
                "**LR finder.** A short test walk that raises the learning rate step by step and watches the "
                "smoothed loss, as fastai's lr_find does: good rates lie on its way down, well before it "
                "blows up. The valley suggestion, fastai's default, picks one."
            ),
            "",
            _(
                "**Warmup.** Start with small strides while the ground is steep and uncertain, then take big ones: "
                "large language models are trained this way."
            ),
            "",
            _(
                "**Stability meter.** During the walk, |1 − lr·λ| for each direction of the ground under you "
                "(λ its curvature): below 1 each stride lands closer to the bottom of the valley; above 1 it "
                "overshoots further each time, and the walk is about to fly apart. For Adam and its kin the "
                "stride each parameter really took stands in for lr."
            ),
            "",
            _(
                "**Score.** Reach the goal and settle there. Three stars for arriving within par; practice mode "
                "(the landscape shown from the start) halves the score."
            ),
            "",
            _(
                "Everything follows PyTorch's torch.optim and lr_scheduler exactly, so it carries over to real code."
            ),
        ]
    )


class HelpScreen(GuardedModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", N_("Close")),
        Binding("question_mark", "close", N_("Close"), show=False),
        Binding("f1", "close", N_("Close"), show=False),
        Binding("q", "close", N_("Close"), show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box", classes="dialog"):
            yield Markdown(help_text())

    def action_close(self) -> None:
        self.dismiss(None)
