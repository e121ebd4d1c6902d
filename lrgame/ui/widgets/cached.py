"""A widget that draws an expensive picture once and serves its lines from a cache.

Charts and maps cost milliseconds to draw (plotext, a colour map) but a frame of
playback changes only a few of their lines. :class:`CachedLines` splits the work:

- ``build_picture(width, height)`` draws the expensive part once per
  (data version, size, theme, style); the base rebuilds it only when one of those
  changed (``data_changed()`` bumps the data version, a resize or a new theme
  changes the rest) and counts the builds in ``render_count``;
- ``picture_line(picture, y)`` turns the picture (plus whatever cheap state a
  subclass lays over it: a cursor, walkers, fog) into one line; each line is kept
  until something refreshes it;
- after changing that cheap state, a subclass calls ``refresh_lines(lines)`` with
  the lines that changed, or ``refresh()`` for all of them. Any refresh drops the
  cached lines it covers, so a line is never served stale.

A subclass, in short::

    class Sparkline(CachedLines[list[Strip]]):
        def set_values(self, values):
            self.values = values
            self.data_changed()

        def build_picture(self, width, height):
            return draw(self.values, width, height)  # the expensive part

        def picture_line(self, picture, y):
            return picture[y]
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Generic, Self, TypeVar

from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widget import Widget

PictureT = TypeVar("PictureT")


class CachedLines(Widget, Generic[PictureT]):
    """A widget drawn from a picture built once per (data version, size, theme, style)."""

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's keyword
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        # Before Widget.__init__, which may already refresh.
        self._lines: dict[int, Strip] = {}
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._data_version = 0
        self._picture: PictureT | None = None
        self._picture_key: tuple[object, ...] | None = None
        self._style: object = None
        """The widget's Rich style, kept until Textual restyles the widget (see picture_key)."""
        self.render_count = 0
        """How many times the picture was built (tests check that playback never rebuilds it)."""
        self.build_seconds = 0.0
        """Wall time of the latest build, for the benchmarks."""

    # -- for subclasses ----------------------------------------------------

    def build_picture(self, width: int, height: int) -> PictureT | None:
        """Draw the expensive part for this size; None when there is nothing to draw."""
        raise NotImplementedError

    def picture_line(self, picture: PictureT, y: int) -> Strip:
        """Line ``y`` (``0 <= y < height``) of the widget drawn from ``picture``."""
        raise NotImplementedError

    def data_changed(self) -> None:
        """The data drawn changed: build the picture again on the next render."""
        self._data_version += 1
        self.drop_picture()

    def drop_picture(self) -> None:
        """Forget the picture (and every line) so the next render builds it again."""
        self._picture = None
        self._picture_key = None
        self.refresh()

    def picture_key(self) -> tuple[object, ...]:
        """What the picture depends on besides the data: size, theme and the widget's style."""
        width, height = self.size
        if self._style is None:
            # Computing rich_style walks the ancestors (about 0.1 ms): once per restyle,
            # not once per line and cursor move.
            self._style = self.rich_style
        return (self._data_version, width, height, self.app.theme, self._style)

    @property
    def current_picture(self) -> PictureT | None:
        """The picture if it is built and still current, without building it."""
        if self._picture is None or self._picture_key != self.picture_key():
            return None
        return self._picture

    def ensure_picture(self) -> PictureT | None:
        """The current picture, built now if it is missing or stale (None: nothing to draw)."""
        width, height = self.size
        if width <= 0 or height <= 0:
            return None
        key = self.picture_key()
        if self._picture is None or self._picture_key != key:
            self._lines.clear()
            started = time.perf_counter()
            self._picture = self.build_picture(width, height)
            self._picture_key = key if self._picture is not None else None
            self.build_seconds = time.perf_counter() - started
            if self._picture is not None:
                self.render_count += 1
        return self._picture

    def text_lines(self, text: Text, width: int, height: int | None = None) -> list[Strip]:
        """``text`` as the lines Textual would draw had ``render()`` returned it (wrapped
        to ``width``, over the widget's style), so a widget that used to return Rich
        text keeps its look when it moves onto this base."""
        return Visual.to_strips(self, visualize(self, text), width, height, self.visual_style)

    def refresh_lines(self, lines: Iterable[int]) -> None:
        """Repaint only these lines (content coordinates): the rest stay as drawn."""
        width = self.size.width
        top = self.styles.gutter.top
        regions = [Region(0, top + y, width + self.styles.gutter.width, 1) for y in sorted(lines)]
        if regions:
            self.refresh(*regions)

    # -- Textual -------------------------------------------------------------

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if not regions:
            self._lines.clear()
        else:
            top = self.styles.gutter.top
            for region in regions:
                for y in range(region.y - top, region.bottom - top):
                    self._lines.pop(y, None)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def notify_style_update(self) -> None:
        # Textual calls this on the widget and its descendants whenever their CSS
        # (classes, pseudo-classes, the theme) is applied again.
        super().notify_style_update()
        self._style = None

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.drop_picture())

    def on_resize(self) -> None:
        self._style = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        picture = self.ensure_picture()
        width, height = self.size
        if picture is None or y >= height:
            return Strip.blank(width, self.rich_style)
        line = self._lines.get(y)
        if line is None:
            line = self._lines[y] = self.picture_line(picture, y)
        return line
