"""The lrgame Textual app: screens by role, the game's flow between them.

Flow: title -> campaign map -> briefing -> setup -> descent (-> result) and back.
Each screen dismisses with a small result; the app decides where to go next.
The commands the player can give from anywhere live in ``app_commands.py``, the
care of the terminal (too small, served to a browser) in ``app_window.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from lrgame.analysis.campaign import Campaign
from lrgame.classroom import serve_mode
from lrgame.levels.paths import shipped_levels_dir
from lrgame.storage import ProgressStore

from .app_commands import AppCommands
from .app_window import AppWindow
from .i18n import N_, choose_language, set_language
from .session import LevelSettings

if TYPE_CHECKING:
    # Levels, the engine and NumPy load once a level is opened, not before the title
    # screen (tests/test_import_hygiene.py keeps it so): start-up is what a served
    # classroom pays once per student.
    from lrgame.engine.outcome import Verdict
    from lrgame.levels.model import Level
    from lrgame.storage import RunRecordResult

    from .screens.campaign import CampaignScreen
    from .screens.editor import EditorScreen
    from .screens.run_playback import RunPlaybackScreen
    from .screens.title import TitleScreen


class LrgameApp(AppCommands, AppWindow):
    """A terminal game that teaches the learning rate."""

    CSS_PATH = "app.tcss"
    TITLE = "lrgame"
    # Screens get one of these classes by the terminal's height; app.tcss drops or
    # collapses panels on short ones so the landscape and the loss chart stay readable.
    VERTICAL_BREAKPOINTS = [(0, "-h-tiny"), (22, "-h-short"), (30, "-h-tall")]
    BINDINGS = [
        # Priority: a modal screen (the result, the finder, a question) cuts the app's
        # ordinary bindings off, and help must work everywhere. A focused text field
        # still gets "?" as a character (Textual drops keys it consumes from the chain).
        Binding("question_mark", "help", N_("Help"), key_display="?", priority=True),
        Binding("f1", "help", N_("Help"), show=False, priority=True),
        Binding("ctrl+q", "quit", N_("Quit"), show=False, priority=True),
        # Textual's own palette binding, declared here so the footer's label translates.
        Binding(
            App.COMMAND_PALETTE_BINDING,
            "command_palette",
            N_("palette"),
            show=False,
            priority=True,
            tooltip=N_("Open the command palette"),
        ),
    ]

    def __init__(
        self,
        *,
        levels_dir: Path | None = None,
        unlock_all: bool = False,
        lang: str | None = None,
        store: ProgressStore | None = None,
        play_file: Path | None = None,
        play_strategy: dict[str, Any] | None = None,
        edit_file: Path | None = None,
    ) -> None:
        self.store = store if store is not None else ProgressStore()
        # The player's language: --lang, else the saved setting, else LANG. Level
        # texts follow it even where the UI catalog falls back to English.
        self.language = set_language(choose_language(lang, self.store.settings.language))
        super().__init__()
        self.data_home = self.store.home
        """Where saves live; in serve mode each player's save is in a folder under it."""
        self.levels_dir = levels_dir
        directory = levels_dir or shipped_levels_dir()
        self.campaign = Campaign(directory, self.store.campaign_key(levels_dir))
        self.unlock_all_flag = unlock_all
        self.play_file = play_file
        self.play_strategy = play_strategy
        self.edit_file = edit_file
        """A level file to open in the editor (``lrgame edit``) instead of the title."""
        self.settings: dict[tuple[str, str], LevelSettings] = {}
        self._notices_shown = 0
        self.serve_mode = serve_mode()
        """Served to a browser (``lrgame serve``): a name per player, browser-safe glyphs."""
        self.player_name: str | None = None
        """The name the player gave in serve mode; their progress is kept under it."""

    # -- start-up ---------------------------------------------------------

    def on_mount(self) -> None:
        from .screens.title import TitleScreen

        if self.store.settings.theme:
            try:
                self.theme = self.store.settings.theme
            except Exception:  # noqa: BLE001 - an unknown saved theme must not stop the game
                pass
        if self.edit_file is not None:
            from .screens.editor import EditorScreen

            self.push_screen(EditorScreen(self.edit_file))
        elif self.play_file is not None:
            self.call_later(self._play_file)
        else:
            self.push_screen(
                TitleScreen(
                    serving=self.serve_mode, player_name=self.player_name, data_home=self.data_home
                )
            )
        self.show_notices()
        # After every push and pop, so a screen opened while the terminal is too small
        # (by a timer, a queued key, the palette) gets the too-small screen on top of it.
        self.screen_change_signal.subscribe(self, self._screen_changed)
        self.check_size()

    def _play_file(self) -> None:
        from lrgame.engine.errors import SpecError
        from lrgame.levels.loader import check_file

        from .screens.broken import BrokenLevelScreen

        assert self.play_file is not None
        checked = check_file(self.play_file, run_demos=False)
        if checked.level is None:
            self.push_screen(
                BrokenLevelScreen(str(self.play_file), checked.problems), lambda _r: self.exit()
            )
            return
        level = checked.level
        if self.play_strategy is not None:
            self.settings_for(level).strategy_json = self.play_strategy
            try:
                strategy = level.strategy(self.play_strategy)
            except SpecError as error:
                # Shown to the player, who then fixes it on the setup screen.
                self.notify(str(error), severity="error", timeout=10)
                self.open_setup(level)
                return
            self.start_descent(level, strategy, self.play_strategy, practice=False)
        else:
            self.open_setup(level)

    def set_player(self, name: str, store: ProgressStore) -> None:
        """Play on as ``name``, with that player's own save."""
        self.player_name = name
        self.store = store
        self.campaign.key = store.campaign_key(self.levels_dir)
        self._notices_shown = 0
        # In every screen's header, so a shared computer shows whose game this is.
        self.title = f"{self.TITLE} · {name}"
        self.show_notices()

    def on_title_screen_started(self, _event: TitleScreen.Started) -> None:
        self.open_map()

    def on_title_screen_player_chosen(self, event: TitleScreen.PlayerChosen) -> None:
        self.set_player(event.name, event.store)
        self.open_map()

    async def on_title_screen_language_requested(
        self, event: TitleScreen.LanguageRequested
    ) -> None:
        self.switch_language()
        await event.screen.relabel()

    def action_open_leaderboard(self) -> None:
        self.open_leaderboard()

    def open_leaderboard(self) -> None:
        from .screens.leaderboard import LeaderboardScreen

        if not isinstance(self.screen, LeaderboardScreen):
            self.push_screen(
                LeaderboardScreen(
                    self.campaign,
                    self.data_home,
                    player_name=self.player_name,
                    language=self.language,
                )
            )

    @property
    def unlock_all(self) -> bool:
        return self.unlock_all_flag or self.store.settings.unlock_all

    # -- the flow ---------------------------------------------------------

    def settings_for(self, level: Level) -> LevelSettings:
        return self.settings.setdefault((level.id, level.digest), LevelSettings())

    def open_map(self) -> None:
        from .screens.campaign import CampaignScreen

        self.push_screen(
            CampaignScreen(
                self.campaign, self.store, unlock_all=self.unlock_all, language=self.language
            )
        )

    def on_campaign_screen_level_chosen(self, event: CampaignScreen.LevelChosen) -> None:
        self.open_level(event.level)

    def on_campaign_screen_ending_requested(self, _event: CampaignScreen.EndingRequested) -> None:
        self.open_ending_if_complete()

    def on_campaign_screen_levels_loaded(self, event: CampaignScreen.LevelsLoaded) -> None:
        self.campaign.entries = event.entries
        event.screen.levels_loaded()

    def _sync_maps(self) -> None:
        """The maps on the stack show what the app now holds (the unlock setting, the
        language); a covered map redraws when it is shown again."""
        from .screens.campaign import CampaignScreen

        for screen in self.screen_stack:
            if isinstance(screen, CampaignScreen):
                screen.store, screen.unlock_all = self.store, self.unlock_all
                screen.language = self.language

    def open_level(self, level: Level) -> None:
        from .screens.briefing import BriefingScreen

        def after(go: bool | None) -> None:
            if go:
                self.open_setup(level)

        self.push_screen(BriefingScreen(level, language=self.language), after)

    def open_setup(self, level: Level) -> None:
        from .screens.setup import SetupResult, SetupScreen

        remembered = self.settings_for(level)

        def after(result: SetupResult | None) -> None:
            if result is None:
                return
            remembered.strategy_json = result.strategy_json
            remembered.practice = result.practice
            self.start_descent(
                level,
                result.strategy,
                result.strategy_json,
                result.practice,
                used_finder=result.used_finder,
            )

        self.push_screen(
            SetupScreen(
                level, remembered.strategy_json, remembered.practice, language=self.language
            ),
            after,
        )

    def start_descent(
        self,
        level: Level,
        strategy: Any,
        strategy_json: dict[str, Any],
        practice: bool,
        *,
        used_finder: bool = False,
        after: Callable[[str | None], None] | None = None,
    ) -> None:
        """The walk, then where the player chose to go (``after`` lets a caller such as the editor decide)."""
        from lrgame.levels.lab import ModelLevel

        from .screens.descent import DescentScreen

        def go_on(choice: str | None) -> None:
            if choice in ("retry", "setup"):
                self.open_setup(level)
            elif choice == "next":
                self.ensure_campaign_loaded()
                following = self.campaign.next_level(level)
                if following is not None:
                    self.open_level(following)
                elif not self.open_ending_if_complete(level):
                    self.open_map_if_absent()
            elif choice == "map":
                self.open_map_if_absent()

        descent: Screen[str]
        if isinstance(level, ModelLevel):
            from .screens.lab import LabScreen

            descent = LabScreen(
                level,
                strategy,
                strategy_json,
                practice=practice,
                used_finder=used_finder,
                language=self.language,
            )
        else:
            descent = DescentScreen(
                level,
                strategy,
                strategy_json,
                practice=practice,
                used_finder=used_finder,
                language=self.language,
            )
        self.push_screen(descent, after or go_on)

    def on_editor_screen_playtest_requested(self, message: EditorScreen.PlaytestRequested) -> None:
        setup = message.setup
        self.start_descent(
            message.level,
            setup.strategy,
            setup.strategy_json,
            setup.practice,
            used_finder=setup.used_finder,
            after=message.after,
        )

    def ensure_campaign_loaded(self) -> None:
        """Read the campaign's levels if no screen has yet (``lrgame play`` skips the map)."""
        if not self.campaign.entries:
            self.campaign.entries = Campaign.load(
                self.campaign.directory, self.campaign.key
            ).entries

    def open_ending_if_complete(self, last: Level | None = None) -> bool:
        """The ending screen, once every level of the campaign is passed (after ``last``, the
        campaign's final level, when given); then the map. False if not complete."""
        from lrgame.analysis.campaign import summarize

        from .screens.ending import EndingScreen

        summary = summarize(self.campaign, self.store)
        final = summary.last_level
        if not summary.complete or final is None:
            return False
        if last is not None and (last.id, last.digest) != (final.id, final.digest):
            return False
        self.push_screen(EndingScreen(summary), lambda _result: self.open_map_if_absent())
        return True

    def open_map_if_absent(self) -> None:
        from .screens.campaign import CampaignScreen

        self._sync_maps()
        if not any(isinstance(s, CampaignScreen) for s in self.screen_stack):
            self.open_map()
        elif isinstance(self.screen, CampaignScreen):
            self.screen.refresh_levels()

    def record_result(
        self, level: Level, verdict: Verdict, strategy_json: dict[str, Any]
    ) -> RunRecordResult:
        campaign = self.campaign.key
        own_file = self.play_file if self.play_file is not None else self.edit_file
        if own_file is not None and self.campaign.index_of(level) is None:
            campaign = self.store.campaign_key(Path(own_file).resolve().parent)
        result = self.store.record_run(campaign, level.id, level.digest, verdict, strategy_json)
        self.show_notices()
        return result

    def on_run_playback_screen_run_finished(self, event: RunPlaybackScreen.RunFinished) -> None:
        event.screen.show_record(
            self.record_result(event.level, event.verdict, event.strategy_json)
        )

    def show_notices(self) -> None:
        """Tell the player what the save file had to say (moved aside, could not write)."""
        for notice in self.store.notices[self._notices_shown :]:
            self.notify(notice, severity="warning", timeout=10)
        self._notices_shown = len(self.store.notices)

    async def action_quit(self) -> None:
        """Quit, unless a screen holds unsaved work (the editor): then it asks first."""
        for screen in reversed(self.screen_stack):
            ask = getattr(screen, "ask_before_quit", None)
            if callable(ask) and ask():
                return
        self.exit()
