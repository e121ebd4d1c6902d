"""The title screen: the game's name, its idea in one line, and the way in."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from ..i18n import N_, OtherLanguageName, _

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


class TitleScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "start", N_("Play")),
        Binding("q", "app.quit", N_("Quit")),
        # The other language's name in its own words, so a player who cannot read
        # the current one still finds the way out of it.
        Binding("l", "switch_language", OtherLanguageName()),
        Binding("f2", "switch_language", OtherLanguageName(), show=False),
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

    async def action_switch_language(self) -> None:
        self.app.switch_language()  # type: ignore[attr-defined]
        await self.recompose()
        # The new footer fills in its keys when the bindings are next announced.
        self.refresh_bindings()
