"""A level that cannot be played: the screen lists the validator's problems, as validate does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Static
from waits import wait_for

from lrgame.__main__ import main
from lrgame.storage import ProgressStore
from lrgame.ui.app import LrgameApp
from lrgame.ui.screens.broken import BrokenLevelScreen

BROKEN = {
    "id": "Bad Id",
    "title": "Broken",
    "loss": "x**2",
    "domain": {"x": [-3, 3]},
    "start": [2.5],
    "steps": 40,
    "setup": {"optimizer": {"name": "adam", "lr": -1, "betas": [0.9, 2]}},
}


async def test_playing_a_broken_file_lists_every_problem_as_validate_prints_it(
    tmp_path: Path, store: ProgressStore, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(BROKEN, indent=2), encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 3  # the id and both bad fields of the setup
    app = LrgameApp(store=store, play_file=path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, BrokenLevelScreen))
        shown = str(app.screen.query_one("#problems", Static).render())
    assert shown.splitlines() == printed
