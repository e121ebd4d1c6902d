"""The campaign's end: passing the last level opens the ending screen; the map then says
the campaign is complete (pilot tests on a two-level campaign)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static
from waits import wait_for

from lrgame.engine.simulate import run_batch
from lrgame.levels.loader import check_file
from lrgame.storage import ProgressStore
from lrgame.ui.app import LrgameApp
from lrgame.ui.lessons import lesson_name, lesson_takeaway
from lrgame.ui.screens.campaign import CampaignScreen
from lrgame.ui.screens.descent import DescentScreen
from lrgame.ui.screens.ending import EndingScreen, lessons_table, reading_list
from lrgame.ui.screens.result import ResultScreen

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "campaign"
SIZE = (100, 40)
WIN_LAST = {"optimizer": {"name": "sgd", "lr": 0.1}}


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    folder = tmp_path / "campaign"
    folder.mkdir()
    shutil.copy(FIXTURES / "01-bowl.json", folder / "01-bowl.json")
    shutil.copy(FIXTURES / "04-valley.json", folder / "02-valley.json")
    return folder


def pass_first_level(store: ProgressStore, campaign: Path) -> None:
    level = check_file(campaign / "01-bowl.json").level
    assert level is not None
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 0.3}})
    (verdict,) = level.judge(run_batch(level.landscape, level.start, [strategy]))
    assert verdict.outcome == "reached_goal"
    store.record_run(store.campaign_key(campaign), level.id, level.digest, verdict, {})


async def win_the_last_level_and_press(pilot, app: LrgameApp, key: str) -> ResultScreen:  # type: ignore[no-untyped-def]
    await wait_for(
        pilot, lambda: isinstance(app.screen, DescentScreen) and app.screen.playback is not None
    )
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
    result = app.screen
    assert isinstance(result, ResultScreen) and result.verdict.outcome == "reached_goal"
    await pilot.press(key)
    return result


def text(app: LrgameApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_passing_the_last_level_opens_the_ending(
    store: ProgressStore, campaign: Path
) -> None:
    pass_first_level(store, campaign)
    app = LrgameApp(
        levels_dir=campaign,
        store=store,
        play_file=campaign / "02-valley.json",
        play_strategy=WIN_LAST,
    )
    async with app.run_test(size=SIZE) as pilot:
        result = await win_the_last_level_and_press(pilot, app, "n")
        await wait_for(pilot, lambda: isinstance(app.screen, EndingScreen))
        ending = app.screen
        assert isinstance(ending, EndingScreen)
        summary = ending.summary
        assert summary.complete and len(summary.levels) == 2
        first, last = summary.levels
        assert summary.total_score == first.best_score + result.verdict.score
        assert "Campaign complete" in text(app, "#ending-title")
        total = text(app, "#ending-total")
        assert f"{summary.stars} of 6 stars" in total
        assert f"total score {summary.total_score} of 2000" in total
        # Lessons learnt, each once, with its stars.
        console = Console(width=SIZE[0], color_system=None)
        with console.capture() as captured:
            console.print(lessons_table(summary))
        rendered = captured.get()
        assert ending.query_one("#ending-lessons", Static).region.height > 0
        assert [r.lesson for r in summary.lessons] == [first.level.lesson, last.level.lesson]
        for row in summary.lessons:
            assert lesson_name(row.lesson) in rendered
            assert " ".join(lesson_takeaway(row.lesson).split()[:3]) in rendered
            assert "★" * row.stars + "☆" * (3 - row.stars) in rendered
        assert summary.stars == first.stars + last.stars >= 2
        reading = text(app, "#ending-reading")
        assert len(reading_list()) == 3
        for topic, _where in reading_list():
            assert topic in reading
        for needle in ("Adam", "step decay", "warm up"):
            assert needle.lower() in reading.lower()
        # Then the map, which shows the campaign as complete and can reopen the ending.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignScreen))
        await wait_for(pilot, lambda: "complete" in text(app, "#map-heading"))
        assert f"score {summary.total_score}" in text(app, "#map-heading")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EndingScreen))


async def test_before_the_end_next_goes_to_the_map(store: ProgressStore, campaign: Path) -> None:
    # The first level is not passed: winning the last one does not complete the campaign.
    app = LrgameApp(
        levels_dir=campaign,
        store=store,
        play_file=campaign / "02-valley.json",
        play_strategy=WIN_LAST,
        unlock_all=True,
    )
    async with app.run_test(size=SIZE) as pilot:
        await win_the_last_level_and_press(pilot, app, "n")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignScreen))
        await wait_for(pilot, lambda: app.screen.query_one("#levels").option_count == 2)  # type: ignore[attr-defined]
        assert text(app, "#map-heading") == "Campaign"
        assert not app.screen.complete  # type: ignore[attr-defined]
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, CampaignScreen), "no ending before the campaign is complete"
