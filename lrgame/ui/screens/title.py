"""The title screen: the game's name, its idea in one line, and the way in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Input, Static

from lrgame.classroom import PlayerNameError, open_player, serve_mode
from lrgame.storage import ProgressStore

from ..i18n import N_, OtherLanguageName, _
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
        Binding("enter", "start", N_("Play")),
        Binding("q", "app.quit", N_("Quit")),
        # The other language's name in its own words, so a player who cannot read
        # the current one still finds the way out of it.
        Binding("l", "switch_language", OtherLanguageName()),
        Binding("f2", "switch_language", OtherLanguageName(), show=False),
    ]

    class Started(Message):
        """The player pressed Enter to play (locally: no name to ask)."""

    @dataclass
    class PlayerChosen(Message):
        """In serve mode: the player gave a valid name; ``store`` is their own save."""

        name: str
        store: ProgressStore

    @dataclass
    class LanguageRequested(Message):
        """The player asked for the other language; the app switches, then calls
        :meth:`TitleScreen.relabel`."""

        screen: TitleScreen

        @property
        def control(self) -> TitleScreen:
            return self.screen

    def __init__(
        self,
        *,
        serving: bool | None = None,
        player_name: str | None = None,
        data_home: Path | None = None,
    ) -> None:
        """``serving``: served to a browser, so a name is asked (by default: the environment
        says so, as ``lrgame serve`` sets it); ``player_name``: the name to show again;
        ``data_home``: where each player's save folder is made."""
        super().__init__()
        self.serving = serve_mode() if serving is None else serving
        self.player_name = player_name
        self.data_home = data_home

    def compose(self) -> ComposeResult:
        with Vertical(id="title-box"):
            yield Center(Static(LOGO, id="logo"))
            yield Center(Static(_("the learning-rate game"), id="tagline"))
            if not self.serving:  # the name field takes its place in a browser's 24 rows
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
            if self.serving:
                with Center():
                    with Horizontal(id="name-row"):
                        yield Static(_("Your name:"), id="name-label")
                        yield Input(
                            value=self.player_name or "",
                            placeholder=_("letters, digits, - _ and spaces"),
                            id="player-name",
                        )
                yield Center(Static("", id="name-problem"))
                yield Center(
                    Static(
                        _("Your progress is kept under this name. Press Enter to start."),
                        id="name-hint",
                    )
                )
            else:
                yield Center(Static(_("Press Enter to start"), id="press-enter"))
        yield Footer()

    def on_mount(self) -> None:
        if self.serving:
            self.query_one("#player-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.choose_name(event.value)

    def choose_name(self, typed: str) -> None:
        problem = self.query_one("#name-problem", Static)
        try:
            name, store = open_player(typed, self.data_home)
        except PlayerNameError as error:
            problem.update(f"✗ {error}")
            self.query_one("#player-name", Input).focus()
            return
        problem.update("")
        self.player_name = name
        self.post_message(self.PlayerChosen(name, store))

    def action_start(self) -> None:
        if self.serving:
            self.choose_name(self.query_one("#player-name", Input).value)
            return
        self.post_message(self.Started())

    def action_switch_language(self) -> None:
        self.post_message(self.LanguageRequested(self))

    async def relabel(self) -> None:
        """Redraw in the language the app now shows."""
        await self.recompose()
        # The new footer fills in its keys when the bindings are next announced.
        self.refresh_bindings()
