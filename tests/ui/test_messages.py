"""The play flow's screens run on a plain Textual app: they take what they show in their
constructor and say what happened in messages, which the app (here a recorder) handles."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.message import Message
from textual.screen import Screen

from lrgame.analysis.campaign import Campaign
from lrgame.classroom import player_home
from lrgame.levels.loader import load_level
from lrgame.storage import ProgressStore
from lrgame.ui.screens.campaign import CampaignScreen
from lrgame.ui.screens.descent import DescentScreen
from lrgame.ui.screens.result import ResultScreen
from lrgame.ui.screens.title import TitleScreen

CAMPAIGN = Path(__file__).resolve().parents[1] / "fixtures" / "campaign"
SIZE = (100, 32)


class Recorder(App[None]):
    """Pushes one screen and keeps every message of the play flow that reaches it."""

    def __init__(self, make: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make = make
        self.seen: list[Message] = []
        self.store: ProgressStore | None = None

    def on_mount(self) -> None:
        self.push_screen(self.make())

    def on_title_screen_started(self, event: TitleScreen.Started) -> None:
        self.seen.append(event)

    def on_title_screen_player_chosen(self, event: TitleScreen.PlayerChosen) -> None:
        self.seen.append(event)

    def on_campaign_screen_level_chosen(self, event: CampaignScreen.LevelChosen) -> None:
        self.seen.append(event)

    def on_campaign_screen_levels_loaded(self, event: CampaignScreen.LevelsLoaded) -> None:
        self.seen.append(event)
        event.screen.campaign.entries = event.entries
        event.screen.levels_loaded()

    def on_run_playback_screen_run_finished(self, event: DescentScreen.RunFinished) -> None:
        self.seen.append(event)
        assert self.store is not None
        level = event.level
        record = self.store.record_run(
            "here", level.id, level.digest, event.verdict, event.strategy_json
        )
        event.screen.show_record(record)


async def wait_for(pilot, condition, tries: int = 500) -> None:  # type: ignore[no-untyped-def]
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition never became true")


async def test_the_title_asks_the_app_to_start_or_to_take_a_player(tmp_path: Path) -> None:
    app = Recorder(lambda: TitleScreen(serving=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.seen)
        assert isinstance(app.seen[0], TitleScreen.Started)

    app = Recorder(lambda: TitleScreen(serving=True, data_home=tmp_path, player_name="Ben"))
    async with app.run_test(size=SIZE) as pilot:
        field = app.screen.query_one("#player-name")
        assert getattr(field, "value", None) == "Ben", "the name given is shown again"
        await pilot.press(*["backspace"] * 3, *"Aiko", "enter")
        await wait_for(pilot, lambda: app.seen)
    chosen = app.seen[0]
    assert isinstance(chosen, TitleScreen.PlayerChosen) and chosen.name == "Aiko"
    assert chosen.store.home == player_home("Aiko", tmp_path)


async def test_the_map_reads_its_levels_and_says_which_one_was_chosen(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    campaign = Campaign(CAMPAIGN, "here")  # not read yet: the map reads it
    app = Recorder(lambda: CampaignScreen(campaign, store, unlock_all=False, language="en"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: campaign.entries)
        loaded = app.seen[0]
        assert isinstance(loaded, CampaignScreen.LevelsLoaded)
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.seen) == 2)
        first = campaign.entries[0].checked.level
        chosen = app.seen[1]
        assert isinstance(chosen, CampaignScreen.LevelChosen) and chosen.level == first
        # The second level is locked until the first is passed: no message, a notice.
        screen = app.screen
        assert isinstance(screen, CampaignScreen)
        screen.play_index(1)
        await pilot.pause()
        assert len(app.seen) == 2
        screen.unlock_all = True  # what the app sets when the player unlocks every level
        screen.play_index(1)
        await wait_for(pilot, lambda: len(app.seen) == 3)
        assert app.seen[2].level == campaign.entries[1].checked.level  # type: ignore[attr-defined]


async def test_a_descent_asks_the_app_to_record_its_run_once(tmp_path: Path) -> None:
    level = load_level(CAMPAIGN / "01-bowl.json")
    strategy_json = {"optimizer": {"name": "sgd", "lr": 0.3}}
    app = Recorder(
        lambda: DescentScreen(
            level, level.strategy(strategy_json), strategy_json, practice=True, language="en"
        )
    )
    app.store = ProgressStore(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, DescentScreen) and app.screen.playback is not None
        )
        descent = app.screen
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        finished = app.seen[0]
        assert isinstance(finished, DescentScreen.RunFinished)
        assert finished.strategy_json == strategy_json and finished.level == level
        # The verdict the app records is the one the player sees: practice halves it.
        assert finished.verdict == app.screen.verdict  # type: ignore[attr-defined]
        record = app.store.level_record("here", level.id, level.digest)
        assert record is not None and record.best_score == finished.verdict.score
        await pilot.press("w")  # watch again; r then replays to the same result
        await wait_for(pilot, lambda: app.screen is descent)
        await pilot.press("r", "e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
    assert len(app.seen) == 1, "one run, one record"


def test_every_key_of_the_result_names_a_choice() -> None:
    import ast

    from textual.binding import Binding

    from lrgame.ui.screens.result import ResultChoice

    chosen = set()
    for binding in ResultScreen.BINDINGS:
        assert isinstance(binding, Binding)
        name, _, args = binding.action.partition("(")
        assert name == "choose"
        chosen.add(ResultChoice(ast.literal_eval(args.rstrip(")"))))
    assert chosen == set(ResultChoice), "each choice has its key, and no key a typo"
