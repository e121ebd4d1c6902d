"""A seeded monkey for the game: random keys in bursts and random terminal sizes.

Used by the chaos test (``tests/ui/test_chaos.py``) and the longer soak
(``benchmarks/soak_chaos.py``). Keys are sent the way a fast typist's reach the
app, several before the app has handled the first, so screens see keys arrive
during their own transitions; then the monkey waits for the app to settle,
which is where an exception in a handler would surface.

:func:`unleash` stops early when the game quits (the monkey can press Q on the
title screen or pick Quit in the palette); :func:`check_alive` raises when the
game is in a state a player could not get out of.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from textual import events
from textual.app import App
from textual.pilot import Pilot

# Every key the game binds somewhere, the palette's own, and keys bound nowhere.
# Quitting keys are left out: the monkey should stay in the game, not leave it.
KEYS: tuple[str, ...] = (
    *"abcdefghijklmnoprstuvwxyz0123456789",
    "question_mark",
    "plus",
    "minus",
    "full_stop",
    "space",
    "enter",
    "escape",
    "tab",
    "shift+tab",
    "backspace",
    "delete",
    "up",
    "down",
    "left",
    "right",
    "home",
    "end",
    "pageup",
    "pagedown",
    "ctrl+p",
    "ctrl+r",
    "ctrl+s",
    "ctrl+n",
    "ctrl+t",
    "f1",
    "f5",
    "f8",
    "f9",
)
# The keys that move between screens, drawn more often so the monkey travels.
TRAVEL: tuple[str, ...] = ("enter", "ctrl+r", "f5", "ctrl+p", "space", "e", "s", "g", "x")

MIN_SIZE = (20, 8)
MAX_SIZE = (250, 70)


@dataclass
class Tally:
    keys: int = 0
    resizes: int = 0
    screens: set[str] = field(default_factory=set)
    """The names of the screen classes the monkey saw on top."""


def _key_event(key: str) -> events.Key:
    char: str | None
    if len(key) == 1:
        char = key
    else:
        char = {
            "question_mark": "?",
            "plus": "+",
            "minus": "-",
            "full_stop": ".",
            "space": " ",
        }.get(key)
    return events.Key(key, char)


async def unleash(
    pilot: Pilot[Any],
    *,
    seed: int,
    keys: int,
    burst: int = 6,
    resize_every: int = 40,
) -> Tally:
    """Send ``keys`` random keys (in bursts of up to ``burst``) and a random resize
    about every ``resize_every`` keys, waiting for the app to settle after each burst."""
    rng = random.Random(seed)
    app = pilot.app
    driver = app._driver
    assert driver is not None
    tally = Tally()
    while tally.keys < keys and app.is_running and app.return_code is None:
        for _ in range(rng.randint(1, burst)):
            key = rng.choice(TRAVEL) if rng.random() < 0.3 else rng.choice(KEYS)
            event = _key_event(key)
            event.set_sender(app)
            driver.send_message(event)
            tally.keys += 1
        if rng.random() < burst / resize_every:
            width = rng.randint(MIN_SIZE[0], MAX_SIZE[0])
            height = rng.randint(MIN_SIZE[1], MAX_SIZE[1])
            await pilot.resize_terminal(width, height)
            tally.resizes += 1
        await pilot.pause()
        if app.return_code is None:
            check_alive(app)
            tally.screens.add(type(app.screen).__name__)
    return tally


def check_alive(app: App[Any]) -> None:
    """Raise AssertionError unless the app is running a game screen (or has quit cleanly)."""
    if app._exception is not None:
        raise AssertionError(f"the app crashed: {app._exception!r}")
    if app.return_code is not None:
        if app.return_code != 0:
            raise AssertionError(f"the app stopped with return code {app.return_code}")
        return
    if len(app.screen_stack) < 2:
        raise AssertionError("only Textual's blank default screen is left")
