"""Waiting in pilot tests for a condition, never for a fixed time.

``pilot.pause()`` returns when the process looks idle: a 20 ms window in which it
used under 1 ms of CPU. On a loaded machine a starved process looks idle too, so
a test that presses a key and then asserts after a plain pause (or a fixed
``pause(0.3)``) fails now and then. These helpers wait for what the test means
instead: a screen on top, a footer laid out, a worker finished.

Imported as ``from waits import wait_for`` (pytest puts this folder on the path,
as for ``clipping``); a conftest cannot be imported by name, since every folder's
is called ``conftest``.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

STEP = 0.01
"""Seconds between two looks at the condition."""

TIMEOUT = 30.0
"""Generous: a condition that holds at all holds within a second on a quiet machine;
a slow, loaded one must not turn into a failure."""


def _describe(condition: Callable[[], object]) -> str:
    try:
        return inspect.getsource(condition).strip()
    except (OSError, TypeError):
        return repr(condition)


async def wait_for(
    pilot: Pilot[Any],
    condition: Callable[[], object],
    timeout: float = TIMEOUT,
    what: str | None = None,
) -> None:
    """Pause in small steps until ``condition()`` is true and the screen on top is ready
    for keys; fail saying what never happened.

    A screen is on top as soon as it is pushed, before it has mounted its widgets and
    bound its keys: a key pressed then is lost, and a query finds nothing.
    """
    deadline = time.monotonic() + timeout
    while not (condition() and screen_ready(pilot.app)):
        if time.monotonic() > deadline:
            raise AssertionError(
                f"still waiting after {timeout} s for {what or _describe(condition)}"
                + (" (it holds, but the screen on top never got ready)" if condition() else "")
                + f"; screens: {_stack(pilot.app)}"
            )
        await pilot.pause(STEP)


def _stack(app: App[Any]) -> str:
    return " > ".join(type(screen).__name__ for screen in app.screen_stack)


def screen_ready(app: App[Any]) -> bool:
    """Whether the screen on top is mounted and laid out (true once the app has stopped)."""
    if not app.is_running:
        return True
    try:
        screen = app.screen
    except Exception:  # no screen at all: nothing to wait for
        return True
    return screen.is_mounted and footer_laid_out(app)


def footer_laid_out(app: App[Any]) -> bool:
    """Whether every footer of the current screen shows its keys with their places set.

    A footer recomposes its keys when the bindings change (a new screen, a focus
    move); until the next layout the new keys have no region, which reads as a key
    pushed off the screen.
    """
    footers = [footer for footer in app.screen.query(Footer) if footer.display]
    return all(
        footer.is_mounted and all(key.region.area > 0 for key in footer.query(FooterKey))
        for footer in footers
    )


async def steady(pilot: Pilot[Any]) -> None:
    """Stop every text cursor of the current screen blinking, so a picture does not
    depend on the moment, and wait for the screen to show it."""
    for field in pilot.app.screen.query("Input, TextArea"):
        field.cursor_blink = False  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: True, what="the screen")
    await pilot.pause()
