"""The language switch: on the title screen and in the palette, saved, and followed by footers."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static
from textual.widgets._footer import FooterKey
from waits import wait_for

from lrgame.storage import ProgressStore
from lrgame.ui.app import LrgameApp
from lrgame.ui.screens.title import TitleScreen

CAMPAIGN = Path(__file__).resolve().parents[1] / "fixtures" / "campaign"
SIZE = (100, 30)


def footer(app: LrgameApp) -> str:
    return " ".join(str(key.render()) for key in app.screen.query(FooterKey))


async def settle(pilot, app: LrgameApp) -> None:  # type: ignore[no-untyped-def]
    """Until the (recomposed) footer shows its keys again."""
    await pilot.pause()
    await wait_for(pilot, lambda: footer(app), what="the footer's keys to come back")


def pitch(app: LrgameApp) -> str:
    return str(app.screen.query_one("#pitch", Static).render())


async def test_the_title_switch_changes_footer_and_text_and_is_saved(
    store: ProgressStore, home: Path
) -> None:
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert "Play" in footer(app) and "日本語" in footer(app)
        assert "blindfolded" in pitch(app)
        await pilot.press("l")
        await settle(pilot, app)
        assert "遊ぶ" in footer(app) and "English" in footer(app) and "Play" not in footer(app)
        assert "目隠し" in pitch(app)
        assert app.language == "ja" and ProgressStore(home).settings.language == "ja"
        # The map opened after the switch is in Japanese too, footer and body.
        await pilot.press("enter")
        await settle(pilot, app)
        assert "タイトル" in footer(app)
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("l")
        await settle(pilot, app)
        assert "Play" in footer(app) and "blindfolded" in pitch(app)
        assert ProgressStore(home).settings.language == "en"


async def test_the_saved_language_is_used_and_lang_overrides_it(store: ProgressStore) -> None:
    from dataclasses import replace

    store.save_settings(replace(store.settings, language="ja"))
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=SIZE):
        assert app.language == "ja" and "目隠し" in pitch(app)
    app = LrgameApp(levels_dir=CAMPAIGN, store=store, lang="en")
    async with app.run_test(size=SIZE):
        assert app.language == "en" and "blindfolded" in pitch(app)


async def test_the_palette_offers_the_other_language(store: ProgressStore, home: Path) -> None:
    app = LrgameApp(levels_dir=CAMPAIGN, store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Language: 日本語" in commands and "Language: English" not in commands
        commands["Language: 日本語"].callback()
        await pilot.pause()
        assert "遊ぶ" in footer(app) and ProgressStore(home).settings.language == "ja"
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "言語：English" in titles
        # Textual's own commands speak Japanese too.
        assert "テーマ" in titles and "Theme" not in titles


async def test_per_instance_translation_keeps_lazy_markers_lazy() -> None:
    """A widget built in Japanese shows English footer labels after a switch back."""
    from textual.app import App

    from lrgame import i18n
    from lrgame.ui.widgets.lr_control import LrInput

    async with App[None]().run_test():
        i18n.set_language("ja")
        field = LrInput("0.1")
        i18n.set_language("en")
    shown = {"" + b.description for bs in field._bindings.key_to_bindings.values() for b in bs}
    assert "lr fine" in shown and "lr 微調整" not in shown


async def test_the_map_follows_a_language_switched_from_the_palette(store: ProgressStore) -> None:
    from textual.widgets import OptionList

    from lrgame.ui.screens.briefing import BriefingScreen
    from lrgame.ui.screens.campaign import CampaignScreen

    app = LrgameApp(levels_dir=CAMPAIGN, store=store, unlock_all=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        levels = app.screen.query_one("#levels", OptionList)

        def titles() -> str:
            return " ".join(
                str(levels.get_option_at_index(i).prompt) for i in range(levels.option_count)
            )

        for _ in range(200):
            await pilot.pause(0.02)
            if "Test valley" in titles():
                break
        assert "Test valley" in titles()
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Language: 日本語"].callback()
        # The map was built in English; shown again (after a briefing) it speaks Japanese.
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, BriefingScreen)
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, CampaignScreen)
        assert "テストの谷" in titles() and "Test valley" not in titles()
