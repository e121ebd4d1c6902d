"""The class leaderboard: every player's best score, stars and attempts on each level.

In serve mode the players are the class (one save per name under the server's
data folder); locally, the same folder's players and this computer's own save.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Static

from lrgame.analysis.campaign import Campaign
from lrgame.classroom import Row, leaderboard, player_stores

from ..i18n import N_, _
from ..lessons import stars_text
from ..widgets.header import SafeHeader
from .guarded import GuardedScreen


class LeaderboardScreen(GuardedScreen[None]):
    BINDINGS = [
        Binding("r", "reload", N_("Refresh")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(
        self, campaign: Campaign, data_home: Path, *, player_name: str | None, language: str
    ) -> None:
        """The board of ``campaign`` over the saves under ``data_home``; ``player_name``'s
        rows stand out."""
        super().__init__()
        self.campaign = campaign
        self.data_home = data_home
        self.player_name = player_name
        self.language = language

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        with Vertical(id="board-box"):
            yield Static(_("Leaderboard"), classes="heading", id="board-heading")
            yield Static(_("Reading the saves…"), id="board-status")
            yield DataTable(id="board", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = _("Leaderboard")
        table = self.query_one("#board", DataTable)
        table.add_columns(_("Level"), _("Player"), _("Best score"), _("Stars"), _("Attempts"))
        table.focus()
        self.load()

    def action_reload(self) -> None:
        self.query_one("#board-status", Static).update(_("Reading the saves…"))
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        """Reading a class's saves takes a moment: the screen stays responsive."""
        if not self.campaign.entries:  # opened (from the palette) before the map read them
            # A copy of the board's own: the app's campaign is the app's to fill.
            self.campaign = Campaign.load(self.campaign.directory, self.campaign.key)
        levels = [entry for entry in self.campaign.ordered if entry is not None]
        stores = player_stores(self.data_home)
        rows = leaderboard(levels, self.campaign.key, stores)
        self.app.call_from_thread(self.show, rows)

    def show(self, rows: list[Row]) -> None:
        if not self.is_attached:
            return
        titles = {
            entry.checked.level.id: entry.checked.level.title.get(self.language)
            for entry in self.campaign.entries
            if entry.checked.level is not None
        }
        table = self.query_one("#board", DataTable)
        table.clear()
        me = self.player_name
        previous = None
        for row in rows:
            level = Text(titles.get(row.level, row.level) if row.level != previous else "")
            previous = row.level
            name = Text(row.player, style="bold reverse" if row.player == me else "")
            table.add_row(
                level,
                name,
                Text(str(row.best_score), justify="right"),
                Text(stars_text(row.stars)),
                Text(str(row.attempts), justify="right"),
            )
        status = self.query_one("#board-status", Static)
        if rows:
            players = len({row.player for row in rows})
            status.update(
                _(
                    "{players} players, {runs} finished runs. r refreshes.",
                    players=players,
                    runs=sum(row.attempts for row in rows),
                )
            )
        else:
            status.update(_("No finished runs yet: play a level, then come back."))

    def action_back(self) -> None:
        self.dismiss(None)
