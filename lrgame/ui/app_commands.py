"""What the player can ask of the app from anywhere: help, the command palette's
entries, the language, a screenshot, unlocking every level, resetting progress,
and the theme kept in the settings.

A mixin of :class:`lrgame.ui.app.LrgameApp`, kept apart from the flow between
screens (``app.py``) and from the terminal's size (``app_window.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.screen import Screen

from .guarded_app import GuardedApp
from .i18n import LANGUAGE_NAMES, _, available_languages, next_language, set_language

if TYPE_CHECKING:
    from lrgame.analysis.campaign import Campaign
    from lrgame.storage import ProgressStore


class AppCommands(GuardedApp):
    """The app's commands, for the palette, the bindings and the screens' buttons."""

    store: ProgressStore
    campaign: Campaign
    language: str

    if TYPE_CHECKING:
        # The flow's (app.py): where a command leaves the player.
        def open_map_if_absent(self) -> None: ...
        def open_leaderboard(self) -> None: ...
        def _sync_maps(self) -> None: ...

    def action_help(self) -> None:
        """Show the help; on the help itself, the same key closes it."""
        from .screens.help import HelpScreen

        # While the terminal is too small the help opens under the too-small screen,
        # which check_size keeps on top until the terminal grows.
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from self.textual_commands(screen)
        yield SystemCommand(_("Campaign map"), _("Show every level"), self.open_map_if_absent)
        yield SystemCommand(
            _("Leaderboard"),
            _("Every player's best score, stars and attempts"),
            self.open_leaderboard,
        )
        yield SystemCommand(
            _("Help"), _("Controls and the ideas behind the game"), self.action_help
        )
        yield SystemCommand(
            _("Unlock all levels"), _("Open every level of the campaign"), self.action_toggle_unlock
        )
        for lang in available_languages():
            if lang != self.language:
                name = LANGUAGE_NAMES.get(lang, lang)
                yield SystemCommand(
                    _("Language: {name}", name=name),
                    _("Show the game's text in {name} (saved for next time)", name=name),
                    lambda lang=lang: self.switch_language(lang),  # type: ignore[misc]
                )
        yield SystemCommand(
            _("Reset progress"),
            _("Forget stars and best scores (asks first)"),
            self.action_reset_progress,
        )

    def switch_language(self, lang: str | None = None) -> None:
        """Show the game in ``lang`` (else the next language) and keep it in the settings.

        The footers follow at once (their labels are lazy); a screen's other text
        follows when it is next shown, except the title's, which its own switch redraws.
        """
        from dataclasses import replace

        self.language = set_language(lang or next_language())
        if self.store.settings.language != self.language:
            self.store.save_settings(replace(self.store.settings, language=self.language))
        for screen in self.screen_stack:
            screen.refresh_bindings()
        self._sync_maps()
        name = LANGUAGE_NAMES.get(self.language, self.language)
        self.notify(_("Language: {name}", name=name))

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Save an SVG of the screen: in ``path``, else the current folder, else the data folder.

        The player is told where it went, or why it could not be written anywhere.
        """
        from datetime import datetime

        name = filename or f"lrgame-{datetime.now():%Y-%m-%d-%H%M%S}.svg"
        folders = [Path(path)] if path else [Path.cwd(), self.store.home / "screenshots"]
        reason = ""
        for folder in folders:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                saved = self.save_screenshot(name, str(folder))
            except OSError as error:
                reason = error.strerror or str(error)
                continue
            self.notify(_("Screenshot saved to {path}", path=str(Path(saved).resolve())))
            return
        self.notify(
            _("Could not save the screenshot: {reason}", reason=reason),
            severity="error",
            timeout=10,
        )

    def action_toggle_unlock(self) -> None:
        from dataclasses import replace

        settings = replace(self.store.settings, unlock_all=not self.store.settings.unlock_all)
        self.store.save_settings(settings)
        state = _("on") if settings.unlock_all else _("off")
        self.notify(_("Unlock all levels: {state}", state=state))
        self.open_map_if_absent()

    def action_reset_progress(self) -> None:
        from .screens.confirm import ConfirmScreen

        def after(yes: bool | None) -> None:
            if yes:
                self.store.reset(self.campaign.key)
                self.notify(_("Progress reset."))
                self.open_map_if_absent()

        self.push_screen(
            ConfirmScreen(
                _("Forget every star and best score of this campaign?"), _("Reset"), _("Keep")
            ),
            after,
        )

    def watch_theme(self, theme: str) -> None:
        from dataclasses import replace

        if self.store.settings.theme != theme:
            self.store.save_settings(replace(self.store.settings, theme=theme))
