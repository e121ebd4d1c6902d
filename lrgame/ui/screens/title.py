"""The title screen: the game's name, its idea in one line, and the way in."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widgets import Footer, Static

from ..i18n import _
from .guarded import GuardedScreen

LOGO = r"""
 _
| |_ __ __ _  __ _ _ __ ___   ___
| | '__/ _` |/ _` | '_ ` _ \ / _ \
| | | | (_| | (_| | | | | | |  __/
|_|_|  \__, |\__,_|_| |_| |_|\___|
       |___/
"""

MOUNTAIN = r"""
      ●
     /\        /\
    /  \  /\  /  \
   /    \/  \/    \___
  /                   \__
"""


class TitleScreen(GuardedScreen[None]):
    BINDINGS = [
        Binding("enter", "start", _("Play")),
        Binding("q", "app.quit", _("Quit")),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="title-box"):
            yield Center(Static(LOGO, id="logo"))
            yield Center(Static(_("the learning-rate game"), id="tagline"))
            yield Center(Static(MOUNTAIN, id="mountain"))
            yield Center(
                Static(
                    _(
                        "Gradient descent is a blindfolded walk down a mountain.\n"
                        "The gradient says which way is down; the learning rate says how long a stride to take."
                    ),
                    id="pitch",
                )
            )
            yield Center(Static(_("Press Enter to start"), id="press-enter"))
        yield Footer()

    def action_start(self) -> None:
        self.app.open_map()  # type: ignore[attr-defined]
