"""The game as a player walks it, driven headless with Textual's pilot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static
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
from lrgame.ui.screens.title import TitleScreen
from lrgame.ui.screens.too_small import TooSmallScreen

CAMPAIGN = Path(__file__).resolve().parents[1] / "fixtures" / "campaign"

SIZE = (120, 40)


def text_of(app: LrgameApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def play_app(store: ProgressStore, strategy: dict, level: str = "02-dip.json") -> LrgameApp:
    return LrgameApp(
        levels_dir=CAMPAIGN, store=store, play_file=CAMPAIGN / level, play_strategy=strategy
    )


async def test_title_map_briefing_setup(store: ProgressStore) -> None:
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, TitleScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, CampaignScreen)
        levels = app.screen.query_one("#levels", OptionList)
        await wait_for(
            pilot, lambda: levels.option_count == 4 and not levels.get_option_at_index(0).disabled
        )
        prompts = [str(levels.get_option_at_index(i).prompt) for i in range(4)]
        assert "Test bowl" in prompts[0] and "☆☆☆" in prompts[0]
        assert "locked" in prompts[1] and levels.get_option_at_index(1).disabled
        assert "broken" in prompts[2] and "NaN" in prompts[2]
        assert "locked" in prompts[3]
        await pilot.press("enter")
        assert isinstance(app.screen, BriefingScreen)
        await pilot.press("h")
        assert "Hint:" in text_of(app, "#briefing-hint")
        await pilot.press("enter")
        assert isinstance(app.screen, SetupScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, CampaignScreen)


async def test_winning_run_is_saved_and_unlocks_the_next_level(store: ProgressStore) -> None:
    app = play_app(store, {"optimizer": {"name": "sgd", "lr": 0.3}}, "01-bowl.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, DescentScreen) and app.screen.playback is not None
        )
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        result = app.screen
        assert isinstance(result, ResultScreen)
        assert result.verdict.outcome == "reached_goal"
        assert "Reached the goal" in text_of(app, "#result-headline")
        assert "New personal best" in text_of(app, "#result-score")
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignScreen))
        levels = app.screen.query_one("#levels", OptionList)
        await wait_for(
            pilot, lambda: levels.option_count == 4 and not levels.get_option_at_index(1).disabled
        )
        assert "★" in str(levels.get_option_at_index(0).prompt)
    reloaded = ProgressStore(store.home)
    record = reloaded.level_record(
        store.campaign_key(CAMPAIGN), "test-bowl", app.campaign.entries[0].checked.level.digest
    )  # type: ignore[union-attr]
    assert record is not None and record.passed and record.stars >= 1


async def outcome_of(store: ProgressStore, lr: float) -> tuple[str, str]:
    app = play_app(store, {"optimizer": {"name": "sgd", "lr": lr}})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, DescentScreen) and app.screen.playback is not None
        )
        await pilot.press("e")
        # Pushed is not yet composed: wait for the text that is read below.
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, ResultScreen) and app.screen.query("#result-explanation")
            ),
        )
        assert isinstance(app.screen, ResultScreen)
        return app.screen.verdict.outcome, text_of(app, "#result-explanation")


async def test_each_outcome_gets_its_result(store: ProgressStore) -> None:
    outcome, text = await outcome_of(store, 1.0)
    assert outcome == "diverged" and "flew off" in text
    outcome, text = await outcome_of(store, 0.01)
    assert outcome == "stuck_local" and "dip" in text
    outcome, text = await outcome_of(store, 0.0001)
    assert outcome == "out_of_steps" and "crawling" in text
    outcome, text = await outcome_of(store, 0.08)
    assert outcome == "reached_goal"


async def test_descent_controls(store: ProgressStore) -> None:
    app = play_app(store, {"optimizer": {"name": "sgd", "lr": 0.01}})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, DescentScreen) and app.screen.playback is not None
        )
        screen = app.screen
        assert isinstance(screen, DescentScreen) and screen.playback is not None
        await pilot.press("space")
        assert screen.playback.paused
        step = screen.playback.step
        await pilot.press("n")
        assert screen.playback.step == step + 1
        assert f"Step {step + 1} / 60" in text_of(app, "#stats")
        speed = screen.playback.speed
        await pilot.press("plus")
        assert screen.playback.speed > speed
        await pilot.press("minus", "minus")
        assert screen.playback.speed < speed
        await pilot.press("space")
        assert not screen.playback.paused
        await pilot.press("r")
        assert screen.playback.step <= 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))


async def test_help_from_anywhere(store: ProgressStore) -> None:
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, TitleScreen)


async def test_too_small_then_recovers(store: ProgressStore) -> None:
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=(50, 15)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "50x15" in text_of(app, "#too-small-text")
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)


def step_of(app: LrgameApp) -> int | None:
    """The walk's step on show; -1 once it has ended, None when the descent is not on top."""
    screen = app.screen
    if not isinstance(screen, DescentScreen) or screen.playback is None:
        return None
    return -1 if screen.playback.finished else screen.playback.step


async def test_resize_during_animation(store: ProgressStore) -> None:
    app = play_app(store, {"optimizer": {"name": "sgd", "lr": 0.01}}, "04-valley.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, DescentScreen) and app.screen.playback is not None
        )
        for size in [(80, 24), (160, 50), (40, 10), (120, 40), (61, 19)]:
            before = step_of(app)
            await pilot.resize_terminal(*size)
            # A frame of the walk at this size (unless the walk has ended or is covered).
            await wait_for(pilot, lambda b=before: step_of(app) in (None, -1) or step_of(app) != b)
        await pilot.resize_terminal(120, 40)
        await wait_for(pilot, lambda: isinstance(app.screen, (DescentScreen, ResultScreen)))


async def test_corrupt_save_is_kept_aside_and_reported(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "progress.json").write_text("{not json")
    store = ProgressStore(home)
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
    moved = list(home.glob("progress.corrupt-*.json"))
    assert len(moved) == 1 and moved[0].read_text() == "{not json"
    assert store.notices and str(moved[0].name) in store.notices[0]


async def test_play_file_outside_campaign_opens_setup(tmp_path: Path, store: ProgressStore) -> None:
    level = json.loads((CAMPAIGN / "01-bowl.json").read_text())
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(dict(level, id="mine")))
    app = LrgameApp(levels_dir=CAMPAIGN, store=store, play_file=path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))


async def test_broken_play_file_shows_its_problems(tmp_path: Path, store: ProgressStore) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"id": 1}')
    app = LrgameApp(levels_dir=CAMPAIGN, store=store, play_file=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "id" in text_of(app, "#problems")


async def test_result_keys_export_and_replay(
    store: ProgressStore, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Input, TextArea

    from lrgame.ui.screens.export import ExportScreen

    monkeypatch.chdir(tmp_path)
    app = play_app(store, {"optimizer": {"name": "sgd", "lr": 0.08}})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, DescentScreen) and app.screen.playback is not None
        )
        descent = app.screen
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        code = app.screen.query_one("#export-code", TextArea).text
        assert "torch.optim.SGD(params, lr=0.08" in code and "optimizer.step()" in code
        app.screen.query_one("#export-path", Input).value = "mine.json"
        await pilot.press("ctrl+s")
        saved = json.loads((tmp_path / "mine.json").read_text())
        assert saved["optimizer"]["lr"] == 0.08
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await pilot.press("w")
        await wait_for(pilot, lambda: app.screen is descent)
        assert isinstance(descent, DescentScreen) and descent.playback is not None
        assert descent.playback.step < descent.playback.total
        await pilot.press("e")
        # Watching ends on the descent itself (see test_newcomer); its r replays with the result.
        await pilot.press("r", "e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
    from lrgame.levels.loader import load_level

    campaign = store.campaign_key(CAMPAIGN)
    level = load_level(CAMPAIGN / "02-dip.json")
    record = ProgressStore(store.home).level_record(campaign, level.id, level.digest)
    assert record is not None and record.plays == 1


async def test_stability_meter_warns_before_a_blow_up(
    store: ProgressStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This walk flies apart within a few frames: on a loaded machine it can end before
    # the space below reaches it, and the result box must not cover the meter then.
    monkeypatch.setattr(run_playback_module, "RESULT_DELAY", 3600.0)
    app = play_app(store, {"optimizer": {"name": "sgd", "lr": 0.3}})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, DescentScreen) and app.screen.playback is not None
        )
        screen = app.screen
        assert isinstance(screen, DescentScreen) and screen.playback is not None
        await pilot.press("space")
        screen.playback.step = 0
        screen.show_step()
        await pilot.pause()
        assert "flying apart" in text_of(app, "#stats")


async def test_map_unlock_and_reset_progress(store: ProgressStore) -> None:
    from lrgame.ui.screens.confirm import ConfirmScreen

    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        levels = app.screen.query_one("#levels", OptionList)
        await wait_for(
            pilot, lambda: levels.option_count == 4 and not levels.get_option_at_index(0).disabled
        )
        await pilot.press("u")
        await pilot.pause()
        assert app.unlock_all and not levels.get_option_at_index(1).disabled
        await pilot.press("u")
        await pilot.pause()
        assert not app.unlock_all and levels.get_option_at_index(1).disabled
        await pilot.press("ctrl+r")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert isinstance(app.screen, CampaignScreen)
        await pilot.press("ctrl+r")
        await pilot.press("y")
        assert isinstance(app.screen, CampaignScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, TitleScreen)
        await pilot.press("q")
    assert app.return_code == 0 or app.return_code is None


async def test_result_opens_the_sweep_and_a_race(store: ProgressStore) -> None:
    from lrgame.ui.screens.race import RaceScreen, RaceSetupScreen
    from lrgame.ui.screens.sweep import SweepScreen

    app = play_app(store, {"optimizer": {"name": "sgd", "lr": 0.08}})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, DescentScreen) and app.screen.playback is not None
        )
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SweepScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, RaceSetupScreen))
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, RaceScreen))
        await pilot.press("e")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, RaceScreen)
                and app.screen.playback is not None
                and app.screen.playback.finished
            ),
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))


async def test_level_text_in_the_players_language_keeps_columns(store: ProgressStore) -> None:
    from rich.text import Text

    app = LrgameApp(levels_dir=CAMPAIGN, store=store, lang="ja", unlock_all=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        levels = app.screen.query_one("#levels", OptionList)
        await wait_for(
            pilot, lambda: levels.option_count == 4 and not levels.get_option_at_index(0).disabled
        )
        prompts = [levels.get_option_at_index(i).prompt for i in (0, 3)]
        assert isinstance(prompts[1], Text) and "テストの谷" in prompts[1].plain
        # Wide characters take two cells each: the lesson column still starts at the same cell.
        starts = [
            Text(p.plain[: p.plain.index("歩幅" if i == 0 else "ボス")]).cell_len
            for i, p in enumerate(prompts)
            if isinstance(p, Text)
        ]
        assert starts[0] == starts[1]


async def test_leaving_the_descent_twice_dismisses_it_once(store: ProgressStore) -> None:
    app = play_app(store, {"optimizer": {"name": "sgd", "lr": 0.1}})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, DescentScreen) and app.screen.playback is not None
        )
        screen = app.screen
        assert isinstance(screen, DescentScreen)
        screen.action_back()
        screen.action_back()  # a second Escape queued behind the first
        await pilot.pause()
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
        assert app.return_code is None and app.is_running
