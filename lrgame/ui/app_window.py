"""The app and the terminal it runs in: the too-small screen while the terminal is
below the game's minimum, browser-safe glyphs when served, and never a blank
screen when the game's first screen is left.

A mixin of :class:`lrgame.ui.app.LrgameApp`, run after every screen change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from .guarded_app import GuardedApp

if TYPE_CHECKING:
    from .screens.too_small import TooSmallScreen

MIN_WIDTH = 60
MIN_HEIGHT = 18


class AppWindow(GuardedApp):
    """Keeps what the terminal shows sound whatever its size and whatever screen is left."""

    serve_mode: bool

    if TYPE_CHECKING:
        # The flow's (app.py): what a blank stack falls back to.
        def open_map(self) -> None: ...

    def on_resize(self) -> None:
        # Later: this handler runs before Textual's own, which is what updates self.size.
        self.call_later(self.check_size)

    def on_too_small_screen_resized(self, _event: TooSmallScreen.Resized) -> None:
        self.check_size()

    def _screen_changed(self, _screen: Screen[Any]) -> None:
        self.call_later(self.check_size)
        self.call_later(self._never_blank)
        if self.serve_mode:
            self.call_later(self._browser_glyphs)

    def _browser_glyphs(self) -> None:
        """Textual's own symbols that browsers' fonts lack, replaced (see ``glyphs``)."""
        from textual.command import SearchIcon
        from textual.widgets import Header

        from .glyphs import HEADER_ICON, SEARCH_ICON

        if not self.screen_stack:
            return
        for header in self.screen.query(Header):
            header.icon = HEADER_ICON
        for icon in self.screen.query(SearchIcon):
            icon.icon = SEARCH_ICON

    def _never_blank(self) -> None:
        """Only Textual's empty default screen left while the game goes on (the first
        screen of ``lrgame play`` was left): show the map rather than nothing."""
        if self.return_code is None and self.is_running and len(self.screen_stack) == 1:
            self.open_map()

    def check_size(self) -> None:
        """Keep the too-small screen on top while the terminal is too small, and only then."""
        from .screens.too_small import TooSmallScreen

        if not self.is_running or not self.screen_stack:
            return
        width, height = self.size
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        if small and not isinstance(self.screen, TooSmallScreen):
            self.push_screen(TooSmallScreen(MIN_WIDTH, MIN_HEIGHT))
        elif not small and isinstance(self.screen, TooSmallScreen):
            self.pop_screen()
