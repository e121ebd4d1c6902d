"""The game under fast random input and resizes: it never crashes and never goes blank.

The targeted tests replay, one by one, the crashes a 19-minute fuzzing session
found (issue 13); the monkey test then throws a couple of thousand seeded keys
and resizes at the whole game.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.command import CommandPalette
from waits import wait_for

from lrgame.storage import ProgressStore
from lrgame.ui.app import LrgameApp
from lrgame.ui.chaos import check_alive, unleash
from lrgame.ui.screens.briefing import BriefingScreen
from lrgame.ui.screens.campaign import CampaignScreen
from lrgame.ui.screens.help import HelpScreen
from lrgame.ui.screens.setup import SetupScreen
from lrgame.ui.screens.title import TitleScreen
from lrgame.ui.screens.too_small import TooSmallScreen

CAMPAIGN = Path(__file__).resolve().parents[1] / "fixtures" / "campaign"

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _work_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The export screen saves strategy files into the working folder.
    monkeypatch.chdir(tmp_path)


def burst(app: LrgameApp, *keys: str) -> None:
    """Keys that reach the app before it has handled the first, as from a fast typist."""
    assert app._driver is not None
    for key in keys:
        event = events.Key(key, None)
        event.set_sender(app)
        app._driver.send_message(event)


def palettes(app: LrgameApp) -> int:
    return sum(isinstance(screen, CommandPalette) for screen in app.screen_stack)


async def test_one_palette_however_fast_it_is_opened_and_closed(store: ProgressStore) -> None:
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(20):
            burst(app, "ctrl+p", "escape", "ctrl+p", "ctrl+p", "escape", "ctrl+p")
            await pilot.pause()
            assert palettes(app) <= 1
        check_alive(app)


async def test_the_too_small_screen_and_the_palette_do_not_fight(store: ProgressStore) -> None:
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        assert palettes(app) == 1
        await pilot.resize_terminal(30, 10)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.press("ctrl+p")  # under the too-small screen a palette is already open
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette) and palettes(app) == 1
        await pilot.press("escape")
        await pilot.resize_terminal(30, 10)
        await pilot.pause()
        await pilot.press("ctrl+p")  # no palette while the terminal is too small
        assert isinstance(app.screen, TooSmallScreen) and palettes(app) == 0
        check_alive(app)


async def test_a_screen_opened_while_too_small_is_covered(store: ProgressStore) -> None:
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=(30, 10)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        app.action_help()  # as a timer or a late message of the screen underneath would
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)


async def test_a_covered_screen_neither_acts_nor_leaves(store: ProgressStore) -> None:
    app = LrgameApp(levels_dir=CAMPAIGN, store=store, unlock_all=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        briefing = app.screen
        assert isinstance(briefing, BriefingScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        stack = list(app.screen_stack)
        # A binding of the screen underneath (as when focus still points into it).
        assert not await app.run_action("back", briefing)
        briefing.dismiss(False)  # a late message or timer of the covered screen
        await pilot.pause()
        assert app.screen_stack == stack
        await pilot.press("escape")
        assert app.screen is briefing
        # Twice in a row, before the first has finished: one screen leaves, not two.
        briefing.dismiss(False)
        briefing.dismiss(False)
        await pilot.pause()
        assert isinstance(app.screen, CampaignScreen)
        check_alive(app)


async def test_the_last_screen_is_never_popped(store: ProgressStore) -> None:
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=SIZE) as pilot:
        await app.pop_screen()  # the title: leaves only Textual's blank screen...
        await pilot.pause()
        await app.pop_screen()  # ...which is never popped (Textual raises ScreenStackError)
        await pilot.pause()
        check_alive(app)  # and the game shows the map rather than a blank screen
        assert isinstance(app.screen, CampaignScreen)


async def test_a_key_after_the_last_screen_has_gone_is_dropped(store: ProgressStore) -> None:
    # Keys still queued while the app shuts down reach it with no screen left (the
    # chaos probe crashed so, ScreenStackError in Textual's binding lookup).
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        stack = app._screen_stacks[app._current_mode]
        shown = stack[:]
        stack.clear()
        try:
            assert await app._check_bindings("q") is False
            assert await app._check_bindings("q", priority=True) is False
        finally:
            stack.extend(shown)
        check_alive(app)


@pytest.mark.parametrize("ticks", range(6))
async def test_quitting_while_the_setup_screen_is_being_built_is_clean(
    store: ProgressStore, ticks: int
) -> None:
    # Ctrl+Q right after Enter on the briefing: the setup screen (and Textual's Select
    # inside it) is still mounting when the app takes it down (it raised NoMatches).
    import asyncio

    from lrgame.levels.loader import load_level

    level = load_level(CAMPAIGN / "01-bowl.json")
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(SetupScreen(level))
        for _ in range(ticks):
            await asyncio.sleep(0)
        app.exit()
    assert app._exception is None and app.return_code == 0


async def test_leaving_the_setup_of_a_played_file_shows_the_map(store: ProgressStore) -> None:
    app = LrgameApp(levels_dir=CAMPAIGN, store=store, play_file=CAMPAIGN / "01-bowl.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CampaignScreen)


@pytest.mark.long
async def test_a_monkey_cannot_break_the_game(home: Path) -> None:
    """2,000 seeded random keys in bursts (the palette's Ctrl+P included) and resizes
    from 20x8 to 250x70 against the shipped campaign, every level open."""
    keys, session, sent = 2000, 0, 0
    screens: set[str] = set()
    while sent < keys:  # the monkey may quit (Q on the title): then it starts again
        session += 1
        app = LrgameApp(unlock_all=True, store=ProgressStore(home))
        async with app.run_test(size=SIZE) as pilot:
            tally = await unleash(pilot, seed=2026 + session, keys=keys - sent, burst=12)
            check_alive(app)
        assert app._exception is None and app.return_code in (None, 0)
        sent += tally.keys
        screens |= tally.screens
    # It got around: deep into a level and through the palette.
    assert {"DescentScreen", "SafeCommandPalette", "TooSmallScreen"} <= screens, screens


async def test_a_covered_screen_of_any_kind_leaves_no_second_callback(
    store: ProgressStore,
) -> None:
    # A screen that is not a GuardedScreen (as the descent screen is not, yet) dismissed
    # by its own timer or message while covered: its callback runs once, nothing is
    # popped in its place, and a second dismiss is harmless (was InvalidStateError).
    from textual.screen import Screen

    results: list[object] = []
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=SIZE) as pilot:
        plain: Screen[str] = Screen()
        await app.push_screen(plain, results.append)
        app.action_help()
        await pilot.pause()
        stack = list(app.screen_stack)

        def leave(result: str) -> None:
            plain.dismiss(result)  # not awaited, as a screen's own handler does

        plain.call_later(leave, "first")
        plain.call_later(leave, "second")
        await pilot.pause()
        await pilot.pause()
        assert app.screen_stack == stack and results == ["first"]
        await pilot.press("escape")  # the help leaves; the plain screen is on top again
        assert app.screen is plain
        plain.call_later(leave, "third")  # and can still leave (was IndexError)
        await pilot.pause()
        assert app.screen is not plain and results == ["first"]
        check_alive(app)


async def test_paging_a_list_squeezed_to_no_height(store: ProgressStore) -> None:
    # Textual pages through laid-out lines; a list with no height has none (was KeyError).
    from textual.widgets import OptionList

    app = LrgameApp(levels_dir=CAMPAIGN, store=store, unlock_all=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, CampaignScreen)
        levels = app.screen.query_one("#levels", OptionList)
        levels.styles.height = 0
        levels.focus()
        await pilot.pause()
        levels.highlighted = 1
        await pilot.press("pagedown", "pageup")
        check_alive(app)


async def test_a_header_retitled_while_its_screen_is_taken_down(store: ProgressStore) -> None:
    # A screen that sets its subtitle and is dismissed by the next key: the header's
    # late title update found its parts gone (NoMatches for HeaderTitle crashed the
    # game; the monkey met it under load).
    from textual.widgets import Header
    from textual.widgets._header import HeaderTitle

    app = LrgameApp(levels_dir=CAMPAIGN, store=store, unlock_all=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignScreen))
        header = app.screen.query_one(Header)
        await header.query_one(HeaderTitle).remove()  # as the screen's teardown does first
        app.screen.sub_title = "late"
        await pilot.pause()
        check_alive(app)


def test_every_screen_header_is_the_safe_one() -> None:
    # The crash above comes back with any screen that yields Textual's own Header.
    screens = Path(__file__).resolve().parents[2] / "lrgame" / "ui" / "screens"
    bare = [
        p.name
        for p in screens.glob("*.py")
        if "Header()" in p.read_text().replace("SafeHeader()", "")
    ]
    assert not bare, f"use lrgame.ui.widgets.header.SafeHeader in {bare}"
