"""Snapshot tests of the main screens (pytest-textual-snapshot).

Timers are stopped before each snapshot (the descent is paused at a fixed
step), so the pictures do not depend on timing. Update them deliberately with
``pytest tests/ui/test_snapshots.py --snapshot-update`` and look at the report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from waits import steady, wait_for

from lrgame.storage import ProgressStore
from lrgame.ui.app import LrgameApp
from lrgame.ui.screens.campaign import CampaignScreen
from lrgame.ui.screens.descent import DescentScreen
from lrgame.ui.screens.result import ResultScreen
from lrgame.ui.screens.setup import SetupScreen

CAMPAIGN = Path(__file__).resolve().parents[1] / "fixtures" / "campaign"
SIZE = (120, 40)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProgressStore:
    monkeypatch.setenv("LANG", "C.UTF-8")
    return ProgressStore(tmp_path / "home")


def test_campaign_map(snap_compare, store: ProgressStore) -> None:  # type: ignore[no-untyped-def]
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignScreen) and app.screen._loaded)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_setup(snap_compare, store: ProgressStore) -> None:  # type: ignore[no-untyped-def]
    app = LrgameApp(levels_dir=CAMPAIGN, store=store, play_file=CAMPAIGN / "04-valley.json")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
        await steady(pilot)  # the rate field has focus: its cursor would blink

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def paused_descent(store: ProgressStore, step: int) -> tuple[LrgameApp, object]:
    app = LrgameApp(
        levels_dir=CAMPAIGN,
        store=store,
        play_file=CAMPAIGN / "04-valley.json",
        play_strategy={"optimizer": {"name": "sgd", "lr": 0.05, "momentum": 0.5}},
    )

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_for(
            pilot, lambda: isinstance(app.screen, DescentScreen) and app.screen.playback is not None
        )
        screen = app.screen
        assert isinstance(screen, DescentScreen) and screen.playback is not None
        screen.playback.paused = True
        screen.playback.step = step
        screen.show_step()
        await pilot.pause()

    return app, run_before


def test_descent_mid_run_with_fog(snap_compare, store: ProgressStore) -> None:  # type: ignore[no-untyped-def]
    app, run_before = paused_descent(store, 12)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_result(snap_compare, store: ProgressStore) -> None:  # type: ignore[no-untyped-def]
    app = LrgameApp(
        levels_dir=CAMPAIGN,
        store=store,
        play_file=CAMPAIGN / "02-dip.json",
        play_strategy={"optimizer": {"name": "sgd", "lr": 0.01}},
    )

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_for(
            pilot, lambda: isinstance(app.screen, DescentScreen) and app.screen.playback is not None
        )
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
