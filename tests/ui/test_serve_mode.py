"""The game as ``lrgame serve`` runs it (LRGAME_SERVE=1): a name first, a save per
name, the leaderboard, browser-safe symbols, exports sent to the browser."""

from __future__ import annotations

import ast
import json
import unicodedata
from pathlib import Path

import pytest
from textual.widgets import DataTable, Header, Input, OptionList, Static
from waits import wait_for

from lrgame.classroom import open_player, player_home
from lrgame.engine.outcome import Verdict
from lrgame.storage import ProgressStore
from lrgame.ui.app import LrgameApp
from lrgame.ui.glyphs import DRAWN, HEADER_ICON, glyph
from lrgame.ui.screens.campaign import CampaignScreen
from lrgame.ui.screens.leaderboard import LeaderboardScreen
from lrgame.ui.screens.title import TitleScreen

CAMPAIGN = Path(__file__).resolve().parents[1] / "fixtures" / "campaign"
SIZE = (100, 30)


@pytest.fixture
def serving(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LRGAME_SERVE", "1")


async def test_serve_mode_asks_a_name_before_the_map(home: Path, serving: None) -> None:
    app = LrgameApp(levels_dir=CAMPAIGN)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, TitleScreen)
        field = app.screen.query_one("#player-name", Input)
        assert app.focused is field
        await pilot.press("enter")
        problem = str(app.screen.query_one("#name-problem", Static).render())
        assert "Type a name first" in problem and isinstance(app.screen, TitleScreen)
        await pilot.press(*"../x")
        await pilot.press("enter")
        assert "not: . /" in str(app.screen.query_one("#name-problem", Static).render())
        assert isinstance(app.screen, TitleScreen)
        field.value = ""
        await pilot.press(*"Aiko", "enter")
        assert isinstance(app.screen, CampaignScreen)
        assert app.player_name == "Aiko"
        assert app.store.home == player_home("Aiko", home)
        assert app.title == "lrgame · Aiko"
        await wait_for(
            pilot,
            lambda: app.screen.query(Header) and app.screen.query_one(Header).icon == HEADER_ICON,
        )
    assert not (home / "progress.json").exists()  # nothing saved outside the player's folder


async def test_locally_the_title_asks_nothing(home: Path) -> None:
    app = LrgameApp(levels_dir=CAMPAIGN)
    async with app.run_test(size=SIZE) as pilot:
        assert not app.screen.query("#player-name")
        await pilot.press("enter")
        assert isinstance(app.screen, CampaignScreen) and app.player_name is None


def finished(score: int) -> Verdict:
    return Verdict(
        outcome="out_of_steps",
        steps=30,
        steps_to_goal=None,
        final_loss=1.0,
        progress=0.5,
        score=score,
        stars=0,
    )


async def test_leaderboard_from_the_map_marks_the_player(home: Path, serving: None) -> None:
    app = LrgameApp(levels_dir=CAMPAIGN)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Ben", "enter")
        levels = app.screen.query_one("#levels", OptionList)
        await wait_for(pilot, lambda: levels.option_count == 4 and app.campaign.entries)
        level = app.campaign.entries[0].checked.level
        assert level is not None
        _name, aiko = open_player("Aiko", home)
        key = ProgressStore(home).campaign_key(CAMPAIGN)
        aiko.record_run(key, level.id, level.digest, finished(70), {})
        app.store.record_run(key, level.id, level.digest, finished(50), {})
        app.store.record_run(key, level.id, level.digest, finished(40), {})
        await pilot.press("l")
        assert isinstance(app.screen, LeaderboardScreen)
        table = app.screen.query_one("#board", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(2)]
        assert rows[0][1:] == ["Aiko", "70", "☆☆☆", "1"]
        assert rows[1][1:] == ["Ben", "50", "☆☆☆", "2"]
        assert "bold" in str(table.get_row_at(1)[1].style)  # the player's own row stands out
        await pilot.press("escape")
        assert isinstance(app.screen, CampaignScreen)


async def test_a_served_export_goes_to_the_browser_never_to_a_path(
    home: Path, serving: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lrgame.levels.loader import load_level
    from lrgame.ui.screens.export import ExportScreen

    monkeypatch.chdir(tmp_path)
    level = load_level(CAMPAIGN / "01-bowl.json")
    strategy_json = {"optimizer": {"name": "sgd", "lr": 0.1}}
    app = LrgameApp(levels_dir=CAMPAIGN)
    sent: list[tuple[str, str | None]] = []
    monkeypatch.setattr(
        app, "deliver_text", lambda f, **kw: sent.append((f.read(), kw.get("save_filename")))
    )
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ExportScreen(level, level.strategy(strategy_json), strategy_json))
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = "../evil.json"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert sent and json.loads(sent[0][0]) == strategy_json
    assert sent[0][1] == "evil.json"
    assert not (tmp_path.parent / "evil.json").exists()
    assert list(tmp_path.iterdir()) == []


def test_out_of_steps_is_plain_in_a_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    from lrgame.engine.outcome import Outcome

    monkeypatch.delenv("LRGAME_SERVE", raising=False)
    assert glyph(Outcome.OUT_OF_STEPS.glyph) == "…"
    monkeypatch.setenv("LRGAME_SERVE", "1")
    assert glyph(Outcome.OUT_OF_STEPS.glyph) == "…" and glyph("✔") == "✔"


def test_every_symbol_the_game_draws_is_in_the_checked_list() -> None:
    """A new symbol must be added to ``glyphs.DRAWN``, where the browser test checks it."""
    root = Path(__file__).resolve().parents[2] / "lrgame"
    found: dict[str, str] = {}
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Bare string statements (docstrings, attribute notes) are never drawn.
        docstrings = {
            id(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) in docstrings:
                    continue
                for ch in node.value:
                    if ord(ch) > 127 and unicodedata.category(ch)[0] in "SP" or ch == "⌛":
                        found.setdefault(ch, str(path.relative_to(root)))
    unchecked = {ch: where for ch, where in found.items() if ch not in DRAWN}
    assert unchecked == {}
