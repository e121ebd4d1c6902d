"""The cached-lines widget base: one picture per (data, size, theme), lines kept until refreshed."""

from __future__ import annotations

from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.strip import Strip

from lrgame.ui.widgets.cached import CachedLines


class Counter(CachedLines[list[str]]):
    """Each line says which build and which mark it was drawn from."""

    DEFAULT_CSS = "Counter { width: 20; height: 5; }"

    def __init__(self) -> None:
        super().__init__()
        self.word = "a"
        self.mark = 0
        self.lines_drawn: list[int] = []

    def build_picture(self, width: int, height: int) -> list[str]:
        return [f"{self.word}{self.render_count + 1}:{y}" for y in range(height)]

    def picture_line(self, picture: list[str], y: int) -> Strip:
        self.lines_drawn.append(y)
        text = f"{picture[y]} m{self.mark}"[: self.size.width]
        return Strip([Segment(text.ljust(self.size.width))])


class One(App[None]):
    def compose(self) -> ComposeResult:
        yield Counter()


def text(widget: Counter) -> list[str]:
    return [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]


async def test_the_picture_is_built_once_and_lines_are_served_from_the_cache() -> None:
    app = One()
    async with app.run_test(size=(40, 10)) as pilot:
        widget = app.query_one(Counter)
        await pilot.pause()
        assert widget.render_count == 1
        assert text(widget) == [f"a1:{y} m0" for y in range(5)]
        widget.lines_drawn.clear()
        widget.refresh()
        await pilot.pause()
        assert widget.render_count == 1, "a repaint does not build the picture again"
        assert sorted(set(widget.lines_drawn)) == list(range(5))
        widget.lines_drawn.clear()
        text(widget)
        assert widget.lines_drawn == [], "lines nobody refreshed come from the cache"


async def test_refresh_lines_redraws_only_those_lines() -> None:
    app = One()
    async with app.run_test(size=(40, 10)) as pilot:
        widget = app.query_one(Counter)
        await pilot.pause()
        widget.lines_drawn.clear()
        widget.mark = 1
        widget.refresh_lines([1, 3])
        await pilot.pause()
        assert sorted(set(widget.lines_drawn)) == [1, 3]
        assert text(widget) == ["a1:0 m0", "a1:1 m1", "a1:2 m0", "a1:3 m1", "a1:4 m0"]
        assert widget.render_count == 1


async def test_new_data_a_new_size_and_a_new_theme_build_the_picture_again() -> None:
    app = One()
    async with app.run_test(size=(40, 10)) as pilot:
        widget = app.query_one(Counter)
        await pilot.pause()
        widget.word = "b"
        widget.data_changed()
        await pilot.pause()
        assert widget.render_count == 2
        assert text(widget)[0] == "b2:0 m0"
        widget.styles.height = 3
        await pilot.pause()
        assert widget.render_count == 3
        assert text(widget) == ["b3:0 m0", "b3:1 m0", "b3:2 m0"]
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        assert widget.render_count == 4
        assert text(widget)[0] == "b4:0 m0"


async def test_current_picture_is_none_once_stale_and_nothing_is_drawn_without_a_size() -> None:
    app = One()
    async with app.run_test(size=(40, 10)) as pilot:
        widget = app.query_one(Counter)
        await pilot.pause()
        assert widget.current_picture is not None
        widget.data_changed()
        assert widget.current_picture is None, "stale pictures are not handed out"
        widget.styles.display = "none"
        await pilot.pause()
        assert widget.ensure_picture() is None


class Styled(App[None]):
    CSS = "Counter.warm { background: #aa3300; }"

    def compose(self) -> ComposeResult:
        yield Counter()


async def test_a_class_that_changes_the_style_builds_the_picture_again() -> None:
    # The widget's style is part of the picture's key but kept between restyles: a
    # class change must still reach it.
    app = Styled()
    async with app.run_test(size=(40, 10)) as pilot:
        widget = app.query_one(Counter)
        await pilot.pause()
        before = widget.picture_key()
        widget.add_class("warm")
        await pilot.pause()
        assert widget.picture_key() != before
        assert widget.render_count == 2
        assert widget.rich_style.bgcolor is not None
        assert widget.picture_key()[-1] == widget.rich_style
