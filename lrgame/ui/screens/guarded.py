"""Screens that leave once: a dismiss that runs twice, or while another screen is on
top (a key queued behind a transition, a timer, the too-small screen), does nothing.

Textual's ``Screen.dismiss`` calls the result callback and then pops *whatever
screen is on top*: dismissing a screen that is no longer active would pop
someone else's screen, or the last one (``ScreenStackError``), and a second
dismiss would run the game's flow twice. Every lrgame screen derives from
:class:`GuardedScreen` or :class:`GuardedModalScreen`.
"""

from __future__ import annotations

from typing import TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen, Screen

ResultT = TypeVar("ResultT")


class GuardedScreen(Screen[ResultT]):
    def dismiss(self, result: ResultT | None = None) -> AwaitComplete:
        if not self.is_active:
            return AwaitComplete.nothing()
        return super().dismiss(result)


class GuardedModalScreen(ModalScreen[ResultT]):
    def dismiss(self, result: ResultT | None = None) -> AwaitComplete:
        if not self.is_active:
            return AwaitComplete.nothing()
        return super().dismiss(result)
