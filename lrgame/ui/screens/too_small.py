"""Shown while the terminal is too small to play; it leaves when the terminal grows."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Static

from ..i18n import _
from .guarded import GuardedModalScreen


class TooSmallScreen(GuardedModalScreen[None]):
    class Resized(Message):
        """The terminal changed size under this screen: the app decides whether it stays."""

    def __init__(self, min_width: int, min_height: int) -> None:
        super().__init__()
        self.min_width = min_width
        self.min_height = min_height

    def compose(self) -> ComposeResult:
        yield Static(id="too-small-text")

    def on_mount(self) -> None:
        self.update_text()

    def on_resize(self) -> None:
        self.update_text()
        self.post_message(self.Resized())

    def update_text(self) -> None:
        width, height = self.app.size
        self.query_one("#too-small-text", Static).update(
            _(
                "The terminal is too small: {width}x{height}.\nlrgame needs at least {min_width}x{min_height}.\n"
                "Make the window larger to go on.",
                width=width,
                height=height,
                min_width=self.min_width,
                min_height=self.min_height,
            )
        )
