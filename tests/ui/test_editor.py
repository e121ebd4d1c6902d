"""The level editor, driven as an author uses it: typing, breaking, saving, play-testing."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import OptionList, Static
from waits import wait_for

from lrgame.__main__ import main
from lrgame.engine.problems import Problem
from lrgame.levels.analysis import Analysis, problem_label
from lrgame.levels.loader import format_problem
from lrgame.levels.template import create_level_file, schema_id
from lrgame.storage import ProgressStore
from lrgame.ui.app import LrgameApp
from lrgame.ui.screens import editor
from lrgame.ui.screens.confirm import ConfirmScreen
from lrgame.ui.screens.descent import DescentScreen
from lrgame.ui.screens.editor import EditorScreen
from lrgame.ui.screens.result import ResultScreen
from lrgame.ui.screens.setup import SetupScreen
from lrgame.ui.widgets.landscape import LandscapeView

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorter waits than a person needs, so the tests do not sleep."""
    monkeypatch.setattr(editor, "DEBOUNCE_SECONDS", 0.02)
    monkeypatch.setattr(editor, "POLL_SECONDS", 0.05)


@pytest.fixture
def level_file(tmp_path: Path) -> Path:
    folder = tmp_path / "levels"
    folder.mkdir()
    return create_level_file(folder / "07-rolling-hills.json")


def editor_of(app: LrgameApp) -> EditorScreen:
    screen = app.screen
    assert isinstance(screen, EditorScreen), type(screen)
    return screen


async def checked(pilot, screen: EditorScreen) -> None:  # type: ignore[no-untyped-def]
    """Wait until the problems on show are those of the text as it is now."""
    await wait_for(
        pilot, lambda: screen.analysis is not None and screen.analysis.text == screen.text
    )
    await pilot.pause()


def row_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines()) if needle in line)


def static_text(screen: EditorScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def place(problem: Problem) -> tuple[int, int] | None:
    """Line and column (1-based) a problem points at, as the validator prints them."""
    pos = problem.position
    return None if pos is None else (pos.line, pos.column)


def problem_labels(screen: EditorScreen) -> list[str]:
    options = screen.query_one("#editor-problems", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_opens_the_file_with_a_preview_and_the_facts(
    store: ProgressStore, level_file: Path
) -> None:
    app = LrgameApp(store=store, edit_file=level_file)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        await checked(pilot, screen)
        assert screen.text == level_file.read_text(encoding="utf-8")
        assert not screen.dirty
        assert screen.problems == []
        assert "No problems" in static_text(screen, "#problems-title")
        view = screen.query_one("#editor-preview", LandscapeView)
        assert view.level is not None and view.level.id == "rolling-hills"
        assert view.practice and view.revealed
        facts = static_text(screen, "#editor-facts")
        assert "Global minimum (3), loss 0" in facts
        assert "λ = 2.6" in facts and "2/λ = 0.769" in facts
        assert "Local minima: 1" in facts


async def test_a_missing_file_starts_from_the_template_unsaved(
    store: ProgressStore, tmp_path: Path
) -> None:
    path = tmp_path / "fresh.json"
    app = LrgameApp(store=store, edit_file=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        await checked(pilot, screen)
        assert '"id": "fresh"' in screen.text and screen.dirty and not path.exists()
        await pilot.press("ctrl+s")
        assert path.read_text(encoding="utf-8") == screen.text and not screen.dirty


async def test_break_the_json_see_where_and_repair_it(
    store: ProgressStore, level_file: Path
) -> None:
    app = LrgameApp(store=store, edit_file=level_file)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        await checked(pilot, screen)
        area = screen.text_area
        row = row_of(screen.text, '"steps"')
        area.move_cursor((row, len(area.document.lines[row])))
        await pilot.press("backspace")  # the comma after "steps": 100
        await checked(pilot, screen)
        assert screen.dirty
        [problem] = screen.problems
        assert place(problem) == (row + 2, 3)  # where "goal" starts
        assert format_problem(screen.file_label, problem).startswith(f"{level_file}:{row + 2}:3: ")
        assert problem_labels(screen) == [problem_label(problem)]
        assert f"{row + 2}:3" in problem_labels(screen)[0]
        assert "1 problem:" in static_text(screen, "#problems-title")
        assert "Preview of the last readable version" in static_text(screen, "#preview-title")
        await pilot.press("comma")
        await checked(pilot, screen)
        assert screen.problems == [] and not screen.dirty


async def test_typing_a_wrong_value_names_the_field(store: ProgressStore, level_file: Path) -> None:
    app = LrgameApp(store=store, edit_file=level_file)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        await checked(pilot, screen)
        row = row_of(screen.text, '"id"')
        column = screen.text.splitlines()[row].index('"rolling')
        screen.text_area.move_cursor((row, column + 1))
        await pilot.press("X", "space")
        await checked(pilot, screen)
        [problem] = screen.problems
        assert place(problem) == (row + 1, column + 1)
        assert problem.path == ("id",) and problem.message.startswith("expected an id")
        await pilot.press("backspace", "backspace")
        await checked(pilot, screen)
        assert screen.problems == []


async def test_every_half_typed_state_shows_a_message(
    store: ProgressStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(editor, "DEBOUNCE_SECONDS", 0.001)
    path = tmp_path / "typed.json"
    path.write_text("", encoding="utf-8")
    typed = '{"domain":{"x":[-1,2.5]},"steps":9'
    rest = ',"id":"a","title":"T","loss":"x^2-x","start":[1.5]}'
    app = LrgameApp(store=store, edit_file=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        await checked(pilot, screen)
        assert [place(p) for p in screen.problems] == [(1, 1)]
        assert "empty input" in screen.problems[0].message
        for i, char in enumerate(typed):
            await pilot.press(char)
            await checked(pilot, screen)
            assert screen.text == typed[: i + 1]
            assert screen.problems, f"no message after {typed[: i + 1]!r}"
            assert all(p.position is not None for p in screen.problems)
            assert problem_labels(screen)
        screen.text_area.insert(rest)
        await checked(pilot, screen)
        assert screen.problems == []
        assert screen.query_one("#editor-preview", LandscapeView).level is not None


async def test_the_next_problem_key_moves_the_cursor_there(
    store: ProgressStore, level_file: Path
) -> None:
    text = level_file.read_text(encoding="utf-8")
    text = text.replace('"id": "rolling-hills"', '"id": "Rolling Hills"').replace(
        '"steps": 100,', '"steps": 0,'
    )
    level_file.write_text(text, encoding="utf-8")
    app = LrgameApp(store=store, edit_file=level_file)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        await checked(pilot, screen)
        places = [place(p) for p in screen.problems]
        id_row, steps_row = row_of(text, '"id"'), row_of(text, '"steps"')
        assert places == [(id_row + 1, 9), (steps_row + 1, 12)]
        area = screen.text_area
        area.move_cursor((0, 0))
        await pilot.press("f8")
        assert area.cursor_location == (id_row, 8)
        await pilot.press("f8")
        assert area.cursor_location == (steps_row, 11)
        assert screen.query_one("#editor-problems", OptionList).highlighted == 1
        await pilot.press("ctrl+n")  # wraps round to the first
        assert area.cursor_location == (id_row, 8)
        assert area.has_focus


async def test_save_writes_exactly_the_buffer(store: ProgressStore, level_file: Path) -> None:
    app = LrgameApp(store=store, edit_file=level_file)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        area = screen.text_area
        row = row_of(screen.text, '"par"')
        area.move_cursor((row, area.document.lines[row].index("30") + 2))
        await pilot.press("backspace", "backspace", "2", "8")
        assert screen.dirty and "modified" in static_text(screen, "#editor-status")
        await pilot.press("ctrl+s")
        assert level_file.read_text(encoding="utf-8") == screen.text
        assert '"par": 28,' in screen.text
        assert not screen.dirty and "saved" in static_text(screen, "#editor-status")
        assert oct(level_file.stat().st_mode & 0o777) == oct(0o666 & ~current_umask())


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


async def test_a_failed_save_leaves_the_old_file_whole(
    store: ProgressStore, level_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = level_file.read_text(encoding="utf-8")
    app = LrgameApp(store=store, edit_file=level_file)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        screen.text_area.move_cursor((0, 1))
        await pilot.press("enter")
        await checked(pilot, screen)

        def refuse(src: str, dst: str) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "replace", refuse)
        await pilot.press("ctrl+s")
        assert level_file.read_text(encoding="utf-8") == before
        assert sorted(p.name for p in level_file.parent.iterdir()) == [level_file.name]
        assert screen.dirty
        await wait_for(pilot, lambda: any("No space left" in n.message for n in app._notifications))
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        assert level_file.read_text(encoding="utf-8") == screen.text != before


async def test_a_change_on_disk_reloads_a_clean_buffer(
    store: ProgressStore, level_file: Path
) -> None:
    app = LrgameApp(store=store, edit_file=level_file)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        await checked(pilot, screen)
        changed = level_file.read_text(encoding="utf-8").replace('"par": 30', '"par": 12')
        level_file.write_text(changed, encoding="utf-8")
        await wait_for(pilot, lambda: screen.text == changed)
        assert not screen.dirty and not screen.disk_changed
        await checked(pilot, screen)
        assert "par 12" in static_text(screen, "#editor-facts")


async def test_a_change_on_disk_keeps_unsaved_edits_and_warns(
    store: ProgressStore, level_file: Path
) -> None:
    app = LrgameApp(store=store, edit_file=level_file)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        screen.text_area.move_cursor((0, 1))
        await pilot.press("enter")
        mine = screen.text
        theirs = level_file.read_text(encoding="utf-8").replace('"par": 30', '"par": 12')
        level_file.write_text(theirs, encoding="utf-8")
        await wait_for(pilot, lambda: screen.disk_changed)
        assert screen.text == mine and screen.dirty
        assert "changed on disk" in static_text(screen, "#editor-status")
        # Notifications arrive as messages: wait for it rather than race it.
        await wait_for(
            pilot, lambda: any("changed on disk" in n.message for n in app._notifications)
        )
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert level_file.read_text(encoding="utf-8") == theirs
        await pilot.press("ctrl+s")
        await pilot.press("y")
        assert level_file.read_text(encoding="utf-8") == mine
        assert not screen.disk_changed and not screen.dirty


async def test_quitting_with_unsaved_changes_asks_first(
    store: ProgressStore, level_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = LrgameApp(store=store, edit_file=level_file)
    exits: list[bool] = []
    async with app.run_test(size=SIZE) as pilot:
        monkeypatch.setattr(app, "exit", lambda *a, **k: exits.append(True))
        screen = editor_of(app)
        screen.text_area.move_cursor((0, 1))
        await pilot.press("enter")
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ConfirmScreen) and exits == []
        await pilot.press("ctrl+q")  # asked once, not twice
        assert len(app.screen_stack) == 3
        await pilot.press("n")
        assert app.screen is screen and exits == [] and screen.dirty
        await pilot.press("ctrl+q", "y")
        assert exits == [True]
        exits.clear()
        await pilot.press("ctrl+z")  # back to the saved text: nothing to lose, no question
        assert not screen.dirty
        await pilot.press("ctrl+q")
        assert exits == [True] and app.screen is screen
        monkeypatch.undo()


async def test_play_test_runs_the_unsaved_text_and_comes_back(
    store: ProgressStore, level_file: Path
) -> None:
    app = LrgameApp(store=store, edit_file=level_file)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        area = screen.text_area
        row = row_of(screen.text, '"steps"')
        area.move_cursor((row, area.document.lines[row].index("100") + 3))
        await pilot.press("backspace", "backspace", "backspace", "9", "0")
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
        setup = app.screen
        assert isinstance(setup, SetupScreen) and setup.level.steps == 90
        assert '"steps": 100' in level_file.read_text(encoding="utf-8")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, DescentScreen))
        descent = app.screen
        assert isinstance(descent, DescentScreen) and descent.level.steps == 90
        await wait_for(pilot, lambda: descent.playback is not None)
        await pilot.press("escape")  # back to the setup, as in the game
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
        await pilot.press("ctrl+r")
        await wait_for(
            pilot, lambda: isinstance(app.screen, DescentScreen) and app.screen.playback is not None
        )
        level = app.screen.level
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await pilot.press("m")
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.dirty and area.has_focus
        # The run is recorded with the file's own folder, not the shipped campaign.
        key = store.campaign_key(level_file.parent)
        assert store.level_record(key, level.id, level.digest) is not None
        assert store.level_record("default", level.id, level.digest) is None


class PlaytestHost(App[None]):
    """Any app can host the editor: it asks for the descent with a message, never by a call."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.requests: list[EditorScreen.PlaytestRequested] = []

    def on_mount(self) -> None:
        self.push_screen(EditorScreen(self.path))

    def on_editor_screen_playtest_requested(self, message: EditorScreen.PlaytestRequested) -> None:
        self.requests.append(message)


async def test_play_test_asks_the_app_for_the_descent_with_a_message(level_file: Path) -> None:
    app = PlaytestHost(level_file)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        screen = app.screen
        await pilot.press("f5")
        # Ready once the form has checked its first strategy.
        await wait_for(
            pilot, lambda: isinstance(app.screen, SetupScreen) and app.screen.strategy is not None
        )
        await pilot.press("p", "ctrl+r")
        await wait_for(pilot, lambda: bool(app.requests))
        [request] = app.requests
        assert request.level.id == "rolling-hills" and request.setup.practice
        assert request.setup.strategy == request.level.starting_strategy()
        assert app.screen is screen  # the host decides what the request opens
        # "Back to the setup" from the descent (called by the app, as a dismissal would be).
        app.call_next(request.after, "setup")
        await wait_for(
            pilot, lambda: isinstance(app.screen, SetupScreen) and app.screen.strategy is not None
        )
        setup = app.screen
        assert isinstance(setup, SetupScreen) and setup.practice


async def test_play_test_of_a_broken_level_points_at_the_problem(
    store: ProgressStore, level_file: Path
) -> None:
    app = LrgameApp(store=store, edit_file=level_file)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        area = screen.text_area
        row = row_of(screen.text, '"loss"')
        area.move_cursor((row, area.document.lines[row].index("0.05")))
        await pilot.press("asterisk")
        area.move_cursor((0, 0))
        await pilot.press("f5")
        await wait_for(pilot, lambda: area.cursor_location != (0, 0))
        assert app.screen is screen
        assert area.cursor_location[0] == row
        await wait_for(
            pilot, lambda: any("cannot be played yet" in n.message for n in app._notifications)
        )


async def test_run_demos_shows_which_pass(store: ProgressStore, level_file: Path) -> None:
    app = LrgameApp(store=store, edit_file=level_file)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        await checked(pilot, screen)
        await pilot.press("f9")
        await wait_for(pilot, lambda: screen.demos is not None)
        assert screen.demos is not None and screen.demos.passed == 4
        assert "all 4 pass" in static_text(screen, "#demos-title")
        lines = static_text(screen, "#editor-demos").splitlines()
        assert lines[0] == "✔ demos.lose[0]  expected stuck_local · got stuck_local"
        assert lines[1] == "✔ demos.lose[1]  expected diverged · got diverged"
        assert lines[2] == "✔ demos.win[0]  expected reached_goal · got reached_goal"
        assert "No problems." in static_text(screen, "#problems-title")

        # A winning demo that no longer wins, and a losing one that wins by mistake.
        text = screen.text.replace('"lr": 0.55', '"lr": 0.2').replace('"lr": 0.1}', '"lr": 0.6}')
        screen.text_area.load_text(text)
        await checked(pilot, screen)
        assert "earlier version" in static_text(screen, "#demos-title")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: screen.demos is not None and screen.demos.text == text)
        await pilot.pause()
        lines = static_text(screen, "#editor-demos").splitlines()
        assert lines[0] == "✗ demos.lose[0]  expected stuck_local · got reached_goal"
        assert lines[2] == "✗ demos.win[0]  expected reached_goal · got stuck_local"
        assert lines[1].startswith("✔") and lines[3].startswith("✔")
        assert "2 of 4 pass" in static_text(screen, "#demos-title")
        assert len(screen.problems) == 2
        assert all("this demo should have" in p.message for p in screen.problems)
        screen.text_area.move_cursor((0, 0))
        await pilot.press("f8")
        line, column = place(screen.problems[0]) or (0, 0)
        assert screen.text_area.cursor_location == (line - 1, column - 1)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda t: t.replace('"steps": 100,', '"steps": 100'), id="broken-json"),
        pytest.param(
            lambda t: t.replace('"id": "rolling-hills"', '"id": "Bad Id", "colour": 1').replace(
                '"steps": 100', '"steps": 0'
            ),
            id="bad-fields",
        ),
        pytest.param(lambda t: t.replace('"lr": 0.55', '"lr": 0.2'), id="failing-demo"),
        pytest.param(lambda t: t.replace('"minimum": [[3]]', '"minimum": [[30]]'), id="goal"),
        pytest.param(lambda t: t, id="valid"),
    ],
)
async def test_the_editor_and_validate_agree(
    store: ProgressStore,
    level_file: Path,
    capsys: pytest.CaptureFixture[str],
    change,  # type: ignore[no-untyped-def]
) -> None:
    app = LrgameApp(store=store, edit_file=level_file)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        text = change(screen.text)
        screen.text_area.load_text(text)
        await checked(pilot, screen)
        await pilot.press("f9")
        await wait_for(pilot, lambda: screen.demos is not None and screen.demos.text == text)
        await pilot.pause()
        await pilot.press("ctrl+s")
        shown = [format_problem(screen.file_label, p) for p in screen.problems]
    capsys.readouterr()
    code = main(["validate", str(level_file)])
    out = capsys.readouterr().out.splitlines()
    assert level_file.read_text(encoding="utf-8") == text
    if shown:
        assert code == 1 and out == shown
    else:
        assert code == 0 and out == ["1 level file OK"]


async def test_stale_results_are_dropped(
    store: ProgressStore, level_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = editor.analyse
    slow_texts: list[str] = []
    # The half-typed version's check is held until the newer one is on show, then
    # let go: its result always comes last, however loaded the machine.
    release, finished = threading.Event(), threading.Event()

    def slow_then_fast(text: str, file: str) -> Analysis:
        if '"par": 3,' in text:  # the first, half-typed version: slow to check
            slow_texts.append(text)
            release.wait(timeout=60)
            try:
                return real(text, file)
            finally:
                finished.set()
        return real(text, file)

    monkeypatch.setattr(editor, "analyse", slow_then_fast)
    app = LrgameApp(store=store, edit_file=level_file)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        await checked(pilot, screen)
        area = screen.text_area
        row = row_of(screen.text, '"par"')
        area.move_cursor((row, area.document.lines[row].index("30") + 2))
        await pilot.press("backspace")  # "par": 3 -- checked slowly
        await wait_for(pilot, lambda: slow_texts)
        await pilot.press("5")  # "par": 35 -- checked at once
        await checked(pilot, screen)
        assert '"par": 35' in screen.analysis.text  # type: ignore[union-attr]
        release.set()
        await wait_for(pilot, finished.is_set)
        await pilot.pause()  # the slow result reaches the screen, which drops it
        assert screen.analysis is not None and screen.analysis.text == screen.text
        assert "par 35" in static_text(screen, "#editor-facts")


async def test_typing_does_not_check_every_key(
    store: ProgressStore, level_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(editor, "DEBOUNCE_SECONDS", 1.0)  # longer than a burst of pilot keys
    real = editor.analyse
    calls: list[str] = []

    def counting(text: str, file: str) -> Analysis:
        calls.append(text)
        return real(text, file)

    monkeypatch.setattr(editor, "analyse", counting)
    app = LrgameApp(store=store, edit_file=level_file)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        await checked(pilot, screen)
        calls.clear()
        screen.text_area.move_cursor((row_of(screen.text, '"author"'), 13))
        await pilot.press(*"Ada ")
        await checked(pilot, screen)
        assert len(calls) == 1 and '"Ada Your Name"' in calls[0]


async def test_the_text_is_highlighted_by_tree_sitter(
    store: ProgressStore, level_file: Path
) -> None:
    app = LrgameApp(store=store, edit_file=level_file)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        await pilot.pause()
        area = screen.text_area
        assert area.language == "json" and area.is_syntax_aware
        # As drawn on screen, a key and its string value have different colours.
        row = row_of(screen.text, '"id"')
        assert row < area.content_size.height
        colours = {
            segment.style.color
            for segment in area.render_line(row)
            if segment.style is not None and segment.text.strip('\t :,"0123456789')
        }
        assert len(colours) >= 2, colours


async def test_end_and_ctrl_k_act_on_the_whole_json_line(
    store: ProgressStore, level_file: Path
) -> None:
    app = LrgameApp(store=store, edit_file=level_file)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = editor_of(app)
        await checked(pilot, screen)
        area = screen.text_area
        assert not area.soft_wrap
        row = row_of(screen.text, '"briefing"')
        line = screen.text.splitlines()[row]
        assert len(line) > area.content_size.width, "the test needs a line wider than the editor"
        area.move_cursor((row, 4))
        await pilot.press("end")
        assert area.cursor_location == (row, len(line))
        area.move_cursor((row, 4))
        await pilot.press("ctrl+k")
        assert screen.text.splitlines()[row] == line[:4]


async def test_narrow_terminal_keeps_everything_reachable(
    store: ProgressStore, level_file: Path
) -> None:
    app = LrgameApp(store=store, edit_file=level_file)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = editor_of(app)
        await checked(pilot, screen)
        view = screen.query_one("#editor-preview", LandscapeView)
        assert view.size.height >= 7 and view.size.width >= 34
        assert screen.text_area.size.width >= 30


def test_a_new_level_file_is_valid_json_with_its_schema(level_file: Path) -> None:
    data = json.loads(level_file.read_text(encoding="utf-8"))
    # Outside an lrgame checkout: the schema's published $id, not a path of this machine.
    assert data["$schema"] == schema_id()


async def test_save_keeps_permissions_links_and_the_byte_order_mark(
    store: ProgressStore, level_file: Path
) -> None:
    real = level_file.with_name("real.json")
    real.write_bytes(b"\xef\xbb\xbf" + level_file.read_bytes())
    real.chmod(0o640)
    link = level_file.with_name("link.json")
    link.symlink_to(real.name)
    app = LrgameApp(store=store, edit_file=link)
    async with app.run_test(size=SIZE) as pilot:
        screen = editor_of(app)
        await checked(pilot, screen)
        assert screen.problems == [] and screen.text.startswith("{")
        screen.text_area.move_cursor((0, 1))
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        assert not screen.dirty
        text = screen.text
    assert link.is_symlink() and real.read_bytes() == b"\xef\xbb\xbf" + text.encode()
    assert real.stat().st_mode & 0o777 == 0o640
