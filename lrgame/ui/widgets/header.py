"""Textual's Header, safe to retitle while its screen is being taken down."""

from __future__ import annotations

import contextlib

from textual.css.query import NoMatches
from textual.events import Mount
from textual.widget import Widget
from textual.widgets import Header
from textual.widgets._header import HeaderTitle


class SafeHeader(Header):
    """A Header whose title update tolerates its children being gone.

    Textual's Header updates its title from a watcher that runs a moment after the
    title changes. A screen that sets its subtitle on mount and is dismissed by the
    next key (a fast typist, or the chaos monkey under load) removes the header's
    children first, and the late update crashed the game with ``NoMatches`` for
    ``HeaderTitle`` (Textual 8.2.8 only ignores ``NoScreen`` there).
    """

    def _on_mount(self, event: Mount) -> None:
        # In place of Header's own handler (which registers the unguarded update);
        # Widget's, further down, still runs.
        event.prevent_default()
        Widget._on_mount(self, event)

        async def set_title() -> None:
            with contextlib.suppress(NoMatches):
                self.query_one(HeaderTitle).update(self.format_title())

        self.watch(self.app, "title", set_title)
        self.watch(self.app, "sub_title", set_title)
        self.watch(self.screen, "title", set_title)
        self.watch(self.screen, "sub_title", set_title)
