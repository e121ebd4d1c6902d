"""Rough edges a newcomer hit (issue 12): help on every screen, Watch, the map's cursor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList
from waits import wait_for

from lrgame.storage import ProgressStore
from lrgame.ui.app import LrgameApp
from lrgame.ui.screens import run_playback as run_playback_module
from lrgame.ui.screens.briefing import BriefingScreen
from lrgame.ui.screens.campaign import CampaignScreen
from lrgame.ui.screens.descent import DescentScreen
from lrgame.ui.screens.help import HelpScreen
from lrgame.ui.screens.result import ResultScreen
from lrgame.ui.screens.setup import SetupScreen

CAMPAIGN = Path(__file__).resolve().parents[1] / "fixtures" / "campaign"
SIZE = (120, 40)


async def help_opens_and_closes(pilot: Any, app: LrgameApp, key: str = "question_mark") -> None:
    """``key`` shows the help over the current screen, and again closes it."""
    before = app.screen
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
    await pilot.press(key)
    # Back where it was; a walk may have ended meanwhile (a loaded machine animates in
    # big strides), and its result box then comes over it.
    await wait_for(
        pilot,
        lambda: (
            app.screen is before
            or (isinstance(before, DescentScreen) and isinstance(app.screen, ResultScreen))
        ),
    )


def play_app(store: ProgressStore, strategy: dict[str, Any], level: str) -> LrgameApp:
    return LrgameApp(
        levels_dir=CAMPAIGN, store=store, play_file=CAMPAIGN / level, play_strategy=strategy
    )


async def to_result(pilot: Any, app: LrgameApp) -> DescentScreen:
    await wait_for(
        pilot, lambda: isinstance(app.screen, DescentScreen) and app.screen.playback is not None
    )
    descent = app.screen
    assert isinstance(descent, DescentScreen)
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
    return descent


async def test_help_on_the_title_map_briefing_setup_and_descent(
    store: ProgressStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The walk may end while the help is up: its result box stays away, so the help
    # closes onto the walk.
    monkeypatch.setattr(run_playback_module, "RESULT_DELAY", 3600.0)
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=SIZE) as pilot:
        await help_opens_and_closes(pilot, app)
        await pilot.press("enter")
        assert isinstance(app.screen, CampaignScreen)
        levels = app.screen.query_one("#levels", OptionList)
        await wait_for(pilot, lambda: not levels.get_option_at_index(0).disabled)
        await help_opens_and_closes(pilot, app)
        await pilot.press("enter")
        assert isinstance(app.screen, BriefingScreen)
        await help_opens_and_closes(pilot, app, "f1")
        await pilot.press("enter")
        assert isinstance(app.screen, SetupScreen)
        # The rate's text field has focus, and "?" is no character of a number.
        await help_opens_and_closes(pilot, app)
        await help_opens_and_closes(pilot, app, "f1")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, DescentScreen))
        await help_opens_and_closes(pilot, app)


@pytest.mark.parametrize("key", ["question_mark", "f1"])
async def test_help_on_the_result_box_and_the_screens_it_opens(
    store: ProgressStore, key: str
) -> None:
    from lrgame.ui.screens.export import ExportScreen

    app = play_app(store, {"optimizer": {"name": "sgd", "lr": 0.3}}, "01-bowl.json")
    async with app.run_test(size=SIZE) as pilot:
        await to_result(pilot, app)
        await help_opens_and_closes(pilot, app, key)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        await help_opens_and_closes(pilot, app, key)


async def test_help_on_a_question(store: ProgressStore) -> None:
    from lrgame.ui.screens.confirm import ConfirmScreen

    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "ctrl+r")
        assert isinstance(app.screen, ConfirmScreen)
        await help_opens_and_closes(pilot, app)


async def test_after_watch_the_player_stays_on_the_descent(
    store: ProgressStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_playback_module, "RESULT_DELAY", 0.01)
    app = play_app(store, {"optimizer": {"name": "sgd", "lr": 0.08}}, "02-dip.json")
    async with app.run_test(size=SIZE) as pilot:
        descent = await to_result(pilot, app)
        await pilot.press("w")
        await wait_for(pilot, lambda: app.screen is descent)
        assert descent.playback is not None and not descent.playback.finished
        await pilot.press("e")
        await wait_for(pilot, lambda: descent.playback is not None and descent.playback.finished)
        # Many times the result delay: the result box would have come back by now.
        await pilot.pause(0.3)
        assert app.screen is descent
        footer_keys = {b.binding.action for b in app.screen.active_bindings.values()}
        assert {"restart", "back"} <= footer_keys
        # Its own Restart plays the walk again and ends with the result, as the first time.
        await pilot.press("r", "e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))


def highlighted_title(app: LrgameApp) -> str | None:
    levels = app.screen.query_one("#levels", OptionList)
    if levels.highlighted is None:
        return None
    entry = app.campaign.entries[levels.highlighted]
    return entry.checked.level.id if entry.checked.level is not None else entry.file


async def test_the_map_cursor_goes_to_the_next_unplayed_level(store: ProgressStore) -> None:
    from lrgame.ui.screens.confirm import ConfirmScreen

    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        levels = app.screen.query_one("#levels", OptionList)
        await wait_for(pilot, lambda: not levels.get_option_at_index(0).disabled)
        assert highlighted_title(app) == "test-bowl"
        # Win level 1: from its result, back to the map.
        await pilot.press("enter", "enter")
        assert isinstance(app.screen, SetupScreen)
        await pilot.press(*"0.3", "ctrl+r")
        await wait_for(
            pilot, lambda: isinstance(app.screen, DescentScreen) and app.screen.playback is not None
        )
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        assert app.screen.verdict.outcome == "reached_goal"
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignScreen))
        await pilot.pause()
        assert highlighted_title(app) == "test-dip"
        # Browsing back to level 1 and out of its briefing leaves the cursor there.
        await pilot.press("up", "enter", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignScreen))
        await pilot.pause()
        assert highlighted_title(app) == "test-bowl"
        # After a reset the first level is selected again (level 2 is locked now).
        await pilot.press("down")
        await pilot.press("ctrl+r")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignScreen))
        await pilot.pause()
        assert highlighted_title(app) == "test-bowl"


async def test_a_fresh_start_selects_the_next_unplayed_level(store: ProgressStore) -> None:
    from lrgame.engine.outcome import Verdict
    from lrgame.levels.loader import load_level

    level = load_level(CAMPAIGN / "01-bowl.json")
    won = Verdict("reached_goal", 40, 10, 0.0, 1.0, 900, 3)
    store.record_run(store.campaign_key(CAMPAIGN), level.id, level.digest, won, {})
    app = LrgameApp(levels_dir=CAMPAIGN, store=ProgressStore(store.home))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        levels = app.screen.query_one("#levels", OptionList)
        await wait_for(pilot, lambda: not levels.get_option_at_index(1).disabled)
        assert highlighted_title(app) == "test-dip"


def recorded_notices(app: LrgameApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    notices: list[str] = []
    real = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        notices.append(message)
        real(message, **kwargs)

    monkeypatch.setattr(app, "notify", notify)
    return notices


def palette_command(app: LrgameApp, title: str) -> Any:
    (command,) = [c for c in app.get_system_commands(app.screen) if c.title == title]
    return command.callback


async def test_the_palettes_screenshot_goes_to_the_current_folder(
    store: ProgressStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    messages = recorded_notices(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        palette_command(app, "Screenshot")()
        await wait_for(pilot, lambda: list(here.glob("*.svg")))
        await pilot.pause()
        (saved,) = here.glob("*.svg")
        assert saved.read_text(encoding="utf-8").startswith("<svg")
        assert any(str(saved) in m for m in messages), messages


async def test_a_screenshot_falls_back_to_the_data_folder(
    store: ProgressStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A current folder that cannot hold files (it lies under a regular file).
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setattr(Path, "cwd", classmethod(lambda cls: blocker / "sub"))
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    messages = recorded_notices(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        palette_command(app, "Screenshot")()
        folder = store.home / "screenshots"
        await wait_for(pilot, lambda: folder.is_dir() and list(folder.glob("*.svg")))
        await pilot.pause()
        (saved,) = folder.glob("*.svg")
        assert any(str(saved.resolve()) in m for m in messages), messages


async def test_f1_shows_the_help_in_the_level_editor(store: ProgressStore, tmp_path: Path) -> None:
    from lrgame.levels.template import create_level_file
    from lrgame.ui.screens.editor import EditorScreen

    path = create_level_file(tmp_path / "hill.json")
    app = LrgameApp(store=store, edit_file=path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        text = app.screen.text
        await help_opens_and_closes(pilot, app, "f1")
        # In the JSON text "?" is a character, not the help.
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen) and app.screen.text != text
