"""A checkbox whose state reads without colour."""

from __future__ import annotations

from typing import Any

from textual.widgets import Checkbox

__all__ = ["Tick"]


class Tick(Checkbox):
    """A checkbox whose state reads without colour: ✓ when on, blank when off.

    Textual's shows the same X either way and tells them apart by colour only.
    """

    def __init__(self, label: str, value: bool = False, **kwargs: Any) -> None:
        super().__init__(label, value, compact=True, **kwargs)
        self.BUTTON_INNER = "✓" if value else " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "✓" if self.value else " "
        super().watch_value()  # sets -on and posts Changed
        self.refresh()
