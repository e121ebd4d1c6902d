"""The campaign map: every level with its lesson, stars and best score; locked and broken ones say so."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from lrgame.analysis.campaign import Campaign, summarize
from lrgame.levels.loader import CampaignEntry
from lrgame.levels.model import Level
from lrgame.safeio import printable
from lrgame.storage import ProgressStore

from ..i18n import N_, _
from ..lessons import lesson_name, stars_text
from ..widgets.header import SafeHeader
from .guarded import GuardedScreen

TITLE_CELLS = 26
LESSON_CELLS = 18


class CampaignScreen(GuardedScreen[None]):
    BINDINGS = [
        Binding("enter", "play", N_("Play"), show=True),
        Binding("u", "app.toggle_unlock", N_("Unlock all")),
        Binding("e", "ending", N_("Ending")),
        # In the help and the palette: the footer has no room left for it at 80 columns.
        Binding("l", "app.open_leaderboard", N_("Leaderboard"), show=False),
        Binding("ctrl+r", "app.reset_progress", N_("Reset progress")),
        Binding("escape", "back", N_("Title")),
        Binding("q", "app.quit", N_("Quit")),
    ]

    @dataclass
    class LevelChosen(Message):
        """The player chose an unlocked level to play."""

        level: Level

    class EndingRequested(Message):
        """The player asked to see the ending again (the campaign is complete)."""

    @dataclass
    class LevelsLoaded(Message):
        """The campaign's level files were read and checked: the app keeps them."""

        screen: CampaignScreen
        entries: list[CampaignEntry]

        @property
        def control(self) -> CampaignScreen:
            return self.screen

    def __init__(
        self, campaign: Campaign, store: ProgressStore, *, unlock_all: bool, language: str
    ) -> None:
        """The map shows ``campaign`` with the progress in ``store``; the app owns both
        and sets ``unlock_all`` when the player toggles it."""
        super().__init__()
        self.campaign = campaign
        self.store = store
        self.unlock_all = unlock_all
        self.language = language
        self._loaded = False
        self.complete = False
        """Every level of the campaign is passed."""

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        with Vertical(id="map-box"):
            yield Static(_("Campaign"), classes="heading", id="map-heading")
            yield OptionList(id="levels")
            yield Static("", id="level-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = _("Campaign map")
        levels = self.query_one("#levels", OptionList)
        if self.campaign.entries:
            self._loaded = True
            self.refresh_levels()
        else:
            levels.add_option(Option(_("Reading the levels…"), disabled=True))
            self.load_levels()
        levels.focus()

    @work(thread=True, exclusive=True)
    def load_levels(self) -> None:
        """Reading and checking every level takes a moment; the screen stays responsive."""
        loaded = Campaign.load(self.campaign.directory, self.campaign.key)
        self.app.call_from_thread(self.post_message, self.LevelsLoaded(self, loaded.entries))

    def levels_loaded(self) -> None:
        """The app has the campaign's levels now: show them."""
        self._loaded = True
        self.refresh_levels()

    def on_screen_resume(self) -> None:
        if self._loaded:
            self.refresh_levels()

    def refresh_levels(self) -> None:
        campaign = self.campaign
        levels = self.query_one("#levels", OptionList)
        highlighted = levels.highlighted
        levels.clear_options()
        if not campaign.entries:
            levels.add_option(
                Option(
                    _("No level files in {folder}", folder=str(campaign.directory)), disabled=True
                )
            )
            return
        self._show_progress()
        ordered = campaign.ordered
        first_open: int | None = None
        # Wide enough for the longest lesson name in the player's language
        # (アダプティブ学習率 is 18 cells), so no lesson is cut short.
        lesson_cells = max(
            [LESSON_CELLS]
            + [
                Text(f"  {lesson_name(e.checked.level.lesson)}  ").cell_len
                for e in campaign.entries
                if e.checked.level is not None
            ]
        )
        for index, entry in enumerate(campaign.entries):
            level = entry.checked.level
            line = Text()
            line.append(f"{entry.order:>3}  ")
            if level is None:
                file_name = printable(entry.file.rsplit("/", 1)[-1])  # a name from the folder
                line.append("✗ ", style="bold")
                line.append(_("broken"), style="bold")
                line.append(f"  {file_name}: {entry.checked.reason}")
                levels.add_option(Option(line, id=f"level-{index}", disabled=True))
                continue
            unlocked = self.store.is_unlocked(campaign.key, ordered, index, self.unlock_all)
            record = self.store.level_record(campaign.key, level.id, level.digest)
            stars = record.stars if record else 0
            title = level.title.get(self.language)
            line.append(stars_text(stars) + "  ")
            # Padded by cell width, so titles in wide (CJK) characters keep the columns aligned.
            name = Text(title, style="bold" if unlocked else "dim")
            name.truncate(TITLE_CELLS, overflow="ellipsis", pad=True)
            line.append_text(name)
            lesson = Text(f"  {lesson_name(level.lesson)}", style="dim")
            lesson.truncate(lesson_cells, overflow="ellipsis", pad=True)
            line.append_text(lesson)
            line.append(f"{level.dim}-D", style="dim")
            if not unlocked:
                line.append("  " + _("locked"), style="italic")
            elif record is not None and record.best_score is not None:
                line.append("  " + _("best {score}", score=record.best_score))
            if unlocked and first_open is None and (record is None or not record.passed):
                first_open = index
            levels.add_option(Option(line, id=f"level-{index}", disabled=not unlocked))
        self._place_cursor(levels, highlighted, first_open)
        self.update_detail()

    def _show_progress(self) -> None:
        """The heading says when the campaign is complete, with its stars and total score."""
        summary = summarize(self.campaign, self.store)
        heading = self.query_one("#map-heading", Static)
        self.complete = summary.complete
        self.set_class(summary.complete, "-complete")
        if summary.complete:
            heading.update(
                _(
                    "Campaign complete ✓  {stars} / {max_stars} ★  score {score}",
                    stars=summary.stars,
                    max_stars=3 * len(summary.levels),
                    score=summary.total_score,
                )
            )
        else:
            heading.update(_("Campaign"))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The ending is there to revisit once the campaign is complete.
        if action == "ending":
            return self.complete
        return True

    def action_ending(self) -> None:
        if self.complete:
            self.post_message(self.EndingRequested())

    _progress_seen: tuple[tuple[bool, int], ...] | None = None

    def _place_cursor(
        self, levels: OptionList, previous: int | None, next_open: int | None
    ) -> None:
        """The cursor goes to the next level to play whenever progress changed.

        After a run (won or lost) or a reset, the row the player last stood on is
        history: the next unplayed (not yet passed) level is where they go on. When
        nothing changed (back from a briefing) the cursor stays where they left it.
        """
        campaign = self.campaign
        progress = tuple(
            (record.passed, record.plays) if record is not None else (False, 0)
            for record in (
                self.store.level_record(
                    campaign.key, entry.checked.level.id, entry.checked.level.digest
                )
                if entry.checked.level is not None
                else None
                for entry in campaign.entries
            )
        )
        changed = progress != self._progress_seen
        self._progress_seen = progress
        usable = [
            i for i in range(levels.option_count) if not levels.get_option_at_index(i).disabled
        ]
        if next_open is not None and (changed or previous not in usable):
            levels.highlighted = next_open
        elif previous in usable:
            levels.highlighted = previous
        elif usable:
            levels.highlighted = usable[0]

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.update_detail()

    def update_detail(self) -> None:
        detail = self.query_one("#level-detail", Static)
        index = self.query_one("#levels", OptionList).highlighted
        entries = self.campaign.entries
        if index is None or index >= len(entries):
            detail.update("")
            return
        level = entries[index].checked.level
        if level is None:
            detail.update(Text("\n".join(entries[index].checked.lines[:3])))
            return
        steps = _("{steps} steps, par {par}", steps=level.steps, par=level.par)
        detail.update(f"{lesson_name(level.lesson)} — {steps} — " + _("Enter to play"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.play_index(event.option_index)

    def action_play(self) -> None:
        index = self.query_one("#levels", OptionList).highlighted
        if index is not None:
            self.play_index(index)

    def play_index(self, index: int) -> None:
        entries = self.campaign.entries
        if index >= len(entries):
            return
        level = entries[index].checked.level
        if level is None:
            return
        if not self.store.is_unlocked(
            self.campaign.key, self.campaign.ordered, index, self.unlock_all
        ):
            self.notify(_("Pass the previous level to unlock this one."))
            return
        self.post_message(self.LevelChosen(level))

    def action_back(self) -> None:
        self.dismiss(None)
