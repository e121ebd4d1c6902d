"""Text from level files on the game's screens: escape sequences shown, never sent."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import OptionList
from waits import wait_for

from lrgame.storage import ProgressStore
from lrgame.ui.app import LrgameApp
from lrgame.ui.screens.campaign import CampaignScreen

LEVEL = {
    "id": "trap",
    "title": "Trap\x1b]0;pwned\x07\nline",
    "loss": "x**2",
    "domain": {"x": [-3, 3]},
    "start": [2.5],
    "steps": 40,
}


async def test_map_shows_hostile_titles_and_file_names_escaped(
    tmp_path: Path, store: ProgressStore
) -> None:
    folder = tmp_path / "campaign"
    folder.mkdir()
    (folder / "01-trap.json").write_text(json.dumps(LEVEL), encoding="utf-8")
    (folder / "02-bad\x1b[31m.json").write_text("{", encoding="utf-8")
    app = LrgameApp(levels_dir=folder, store=store, unlock_all=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, CampaignScreen)
        levels = app.screen.query_one("#levels", OptionList)
        await wait_for(pilot, lambda: levels.option_count == 2)
        prompts = [str(levels.get_option_at_index(i).prompt) for i in range(2)]
        for prompt in prompts:
            assert not any(c in prompt for c in "\x1b\x07\n"), repr(prompt)
        assert "Trap\\x1b]0;pwned\\x07" in prompts[0]
        assert "02-bad\\x1b[31m.json" in prompts[1]
