"""The picture under the walker, shared by the 1-D curve and the 2-D map.

A :class:`Scene` is built once per (level, size, theme) by :class:`LandscapeView`
(see :mod:`landscape`): its :meth:`Scene.draw` makes the expensive cells; playback
then only moves walkers, paths and fog over them (:meth:`Scene.advance` says which
lines changed). The 1-D and 2-D pictures are :mod:`curve_scene` and :mod:`map_scene`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip

from lrgame.engine.fog import FogOfWar
from lrgame.engine.simulate import Run
from lrgame.levels.model import Level
from lrgame.ui.i18n import _

from .chart_scale import nice_ticks, tick_label
from .chart_theme import ChartTheme, Palette, readable
from .plotext_cells import CellGrid, Figure, cells_to_strip, new_figure

WALKER = "●"
GHOST = "◆"
# One shape per ghost, so racers differ by more than their colour.
GHOSTS = ("◆", "▲", "■", "✚")


def ghost_glyph(index: int) -> str:
    """The glyph of the walker of run ``index`` (0 is the player)."""
    return WALKER if index == 0 else GHOSTS[(index - 1) % len(GHOSTS)]


TRAIL = "•"
START = "◇"
GLOBAL_MIN = "★"
LOCAL_MIN = "○"
FOG = "░"
HALF = "▀"
ARROWS = {"left": "◀", "right": "▶", "up": "▲", "down": "▼"}
HATCH = "╱"

MIN_AXES_WIDTH = 16
MIN_AXES_HEIGHT = 6
MIN_LEGEND_HEIGHT = 8
MAX_LEGEND_LINES = 3
"""The legend's lines at most; beyond them its last line is cut at the width.

Three: Japanese labels are twice as wide, and a race's ghosts fill two lines at 80 columns."""


@dataclass(frozen=True)
class Mark:
    glyph: str
    color: Color
    layer: int
    """Higher layers draw over lower ones (path < start < minima < ghosts < player)."""
    landmark: bool = False
    """Drawn in black or white, whichever stands out more from the cell (start, minima)."""


Overlay = dict[int, dict[int, Mark]]
"""line -> column -> mark."""

LegendItem = tuple[str, Color, str, Color | None]
"""A legend entry: glyph, glyph colour, label, and the glyph's background if not the chart's."""


def lay_out(widths: Sequence[int], width: int) -> list[list[int]]:
    """Items of the given widths (their trailing gap included) in lines of ``width``, in order."""
    lines: list[list[int]] = []
    used = width + 1
    for index, item in enumerate(widths):
        if lines and used + item - 2 <= width:
            lines[-1].append(index)
            used += item
        else:
            lines.append([index])
            used = item
    return lines


class Scene:
    """The picture for one (level, size, theme), and the playback state drawn over it."""

    def __init__(
        self,
        level: Level,
        width: int,
        height: int,
        theme: ChartTheme,
        *,
        runs: int = 0,
    ) -> None:
        self.level = level
        self.width = width
        self.height = height
        self.theme = theme
        self.palette = Palette()
        self.base = self.palette.add(theme.base_style)
        self.landscape = level.landscape
        self.domain = np.asarray(level.domain, dtype=np.float64)
        rows = 0
        if height >= MIN_LEGEND_HEIGHT and width >= MIN_AXES_WIDTH:
            # As many lines as the fullest legend this scene can show needs (at most
            # MAX_LEGEND_LINES, and the plot keeps its height), so no entry is cut off.
            rows = min(
                max(
                    # Cells, not characters: a Japanese label is twice as wide as it is long.
                    len(lay_out([cell_len(label) + 4 for label in labels], width))
                    for labels in self.possible_legends(runs)
                ),
                MAX_LEGEND_LINES,
            )
            rows = max(1, min(rows, height - MIN_LEGEND_HEIGHT + 1))
        self.legend_lines = range(height - rows, height)
        """The display lines holding the legend, below the plot (empty: no legend)."""
        self.plot_height = height - rows
        self.axes = width >= MIN_AXES_WIDTH and self.plot_height >= MIN_AXES_HEIGHT
        self.runs: list[Run] = []
        self.colors: list[Color] = []
        self.step = 0
        self.fog_active = False
        self.revealed = False
        self.fog: FogOfWar | None = None
        self.overlay: Overlay = {}
        self.grid = self.draw()
        self.fog = FogOfWar(self.fog_centers(), level.fog.radius * self.landscape.size)
        self.legend: list[Strip] = [Strip.blank(width, theme.base_style)] * rows

    # -- to be provided by the 1-D and 2-D scenes -------------------------

    def draw(self) -> CellGrid:
        raise NotImplementedError

    def fog_centers(self) -> np.ndarray:
        raise NotImplementedError

    def fog_lines(self, changed: np.ndarray) -> set[int]:
        """Display lines touched by newly revealed fog cells."""
        raise NotImplementedError

    def canvas_line(self, y: int) -> tuple[np.ndarray, np.ndarray]:
        """Characters and styles of a canvas line with the fog applied."""
        raise NotImplementedError

    def cell_bg(self, y: int, x: int) -> Color:
        """The background a glyph drawn at (x, y) sits on."""
        return self.theme.background

    def cell_of_point(self, point: np.ndarray) -> tuple[int, int] | None:
        raise NotImplementedError

    def walker_cell(self, run: Run, index: int) -> tuple[int, int, str] | None:
        raise NotImplementedError

    def path_cells(self, run: Run, index: int) -> list[tuple[int, int]]:
        raise NotImplementedError

    def legend_items(self) -> list[LegendItem]:
        raise NotImplementedError

    # -- shared ------------------------------------------------------------

    def reset_runs(self, runs: list[Run], colors: list[str], step: int, fog_active: bool) -> None:
        self.runs = runs
        self.colors = [self.theme.color(c) for c in colors]
        self.fog_active = fog_active
        if self.fog is not None:
            self.fog.reset()
            if not fog_active:
                self.fog.reveal_all()
        self.step = -1
        self.advance(step)

    def set_revealed(self, fog_active: bool, revealed: bool) -> None:
        self.fog_active = fog_active
        self.revealed = revealed
        if self.fog is not None:
            if fog_active:
                self.fog.reset()
                self._reveal_to(self.step)
            else:
                self.fog.reveal_all()
        self.overlay = self.compute_overlay(self.step)
        self.legend = self.draw_legend()

    def advance(self, step: int) -> set[int]:
        """Move playback to ``step``; returns the display lines that changed."""
        lines: set[int] = set()
        if step < self.step:
            # Going back (a restart): the fog grows back, every line may change.
            if self.fog is not None and self.fog_active:
                self.fog.reset()
            lines = set(range(self.height))
        self.step = step
        if self.fog is not None and self.fog_active:
            changed = self._reveal_to(step)
            if changed is not None and changed.any():
                lines |= self.fog_lines(changed)
        overlay = self.compute_overlay(step)
        for y in set(overlay) | set(self.overlay):
            if overlay.get(y) != self.overlay.get(y):
                lines.add(y)
        self.overlay = overlay
        legend = self.draw_legend()
        for y, old, new in zip(self.legend_lines, self.legend, legend, strict=True):
            if old.text != new.text:
                lines.add(y)
        self.legend = legend
        return lines

    def _reveal_to(self, step: int) -> np.ndarray | None:
        if self.fog is None or not self.runs:
            return None
        trajectory = self.runs[0].trajectory
        return self.fog.reveal_upto(trajectory, min(step, len(trajectory) - 1) + 1)

    def compute_overlay(self, step: int) -> Overlay:
        overlay: Overlay = {}

        def put(cell: tuple[int, int] | None, mark: Mark) -> None:
            if cell is None:
                return
            x, y = cell
            if not (0 <= x < self.width and 0 <= y < self.plot_height):
                return
            row = overlay.setdefault(y, {})
            old = row.get(x)
            if old is None or old.layer <= mark.layer:
                row[x] = mark

        # Landmarks in the text colour on the chart; on a band of the map, black or white.
        ink = self.theme.foreground
        for i, run in enumerate(self.runs):
            color = self.colors[i] if i < len(self.colors) else self.theme.foreground
            index = min(step, len(run.trajectory) - 1)
            trail = self.theme.background.blend(color, 0.75)
            for cell in self.path_cells(run, index):
                put(cell, Mark(TRAIL, trail, 0))
        if self.runs:
            put(
                self.cell_of_point(np.asarray(self.level.start, dtype=np.float64)),
                Mark(START, ink, 1, landmark=True),
            )
        if self.revealed:
            for point in self.level.local_minima:
                put(self.cell_of_point(np.asarray(point)), Mark(LOCAL_MIN, ink, 2, landmark=True))
            for point in self.level.goal.minima:
                put(self.cell_of_point(np.asarray(point)), Mark(GLOBAL_MIN, ink, 2, landmark=True))
        for i in range(len(self.runs) - 1, -1, -1):
            run = self.runs[i]
            color = self.colors[i] if i < len(self.colors) else self.theme.foreground
            index = min(step, len(run.trajectory) - 1)
            found = self.walker_cell(run, index)
            if found is not None:
                x, y, glyph = found
                glyph = glyph or ghost_glyph(i)
                put((x, y), Mark(glyph, color, 4 if i == 0 else 3))
        return overlay

    def possible_labels(self, runs: int) -> list[str]:
        """The labels the legend shows with ``runs`` walkers, whether fogged or revealed."""
        labels = [_("you"), _("start")]
        labels += [_("ghost") if runs == 2 else _("ghost {n}", n=i) for i in range(1, runs)]
        return labels

    def possible_legends(self, runs: int) -> list[list[str]]:
        """The fullest legends this scene may show: under fog, and revealed (to size it once)."""
        # A model with no finite minimum (logistic regression on separable data) has no ★.
        revealed = [_("global minimum")] if len(self.level.goal.minima) else []
        if self.level.local_minima:
            revealed.append(_("local minimum"))
        return [
            [*self.possible_labels(runs), _("not yet felt")],
            [*self.possible_labels(runs), *revealed],
        ]

    def draw_legend(self) -> list[Strip]:
        """The legend's lines: glyph and label per item, whole items per line."""
        base = self.theme.base_style
        rows = len(self.legend_lines)
        if not rows:
            return []
        label_style = Style(
            color=self.theme.muted.rich_color, bgcolor=self.theme.background.rich_color
        )
        entries: list[list[Segment]] = []
        for glyph, color, label, background in self.legend_items():
            bg = background or self.theme.background
            glyph_color = color if background is not None else readable(color, bg)
            entries.append(
                [
                    Segment(
                        glyph,
                        Style(color=glyph_color.rich_color, bgcolor=bg.rich_color, bold=True),
                    ),
                    Segment(" " + label + "  ", label_style),
                ]
            )
        layout = lay_out([sum(seg.cell_length for seg in e) for e in entries], self.width)
        lines: list[list[Segment]] = [[] for _ in range(rows)]
        for line, members in enumerate(layout):
            target = lines[min(line, rows - 1)]
            for index in members:
                target += entries[index]
        return [
            Strip(segments).crop(0, self.width).extend_cell_length(self.width, base)
            for segments in lines
        ]

    def common_legend(self) -> list[LegendItem]:
        items: list[LegendItem] = []
        ink = self.theme.foreground
        if self.runs:
            items.append((WALKER, self.colors[0], _("you"), None))
            for i in range(1, len(self.runs)):
                label = _("ghost") if len(self.runs) == 2 else _("ghost {n}", n=i)
                items.append((ghost_glyph(i), self.colors[i], label, None))
            items.append((START, ink, _("start"), None))
        if self.revealed and len(self.level.goal.minima):
            items.append((GLOBAL_MIN, ink, _("global minimum"), None))
            if self.level.local_minima:
                items.append((LOCAL_MIN, ink, _("local minimum"), None))
        if self.fog_active and self.fog is not None and not self.fog.revealed.all():
            glyph, color, background = self.fog_swatch()
            items.append((glyph, color, _("not yet felt"), background))
        return items

    def fog_swatch(self) -> tuple[str, Color, Color | None]:
        """How fog looks, for the legend: glyph, colour, background."""
        return FOG, self.theme.shade(0.35), None

    def line(self, y: int) -> Strip:
        if y in self.legend_lines:
            return self.legend[y - self.legend_lines.start]
        grid = self.grid
        if y >= grid.height:
            return Strip.blank(self.width, self.theme.base_style)
        if y in grid.canvas_rows:
            chars, styles = self.canvas_line(y)
        else:
            chars, styles = grid.chars[y].copy(), grid.styles[y].copy()
        for x, mark in self.overlay.get(y, {}).items():
            if 0 <= x < len(chars):
                chars[x] = mark.glyph
                bg = self.cell_bg(y, x)
                color = mark.color
                if mark.landmark and bg != self.theme.background:
                    color = Color(255, 255, 255) if bg.brightness < 0.5 else Color(0, 0, 0)
                styles[x] = self.mark_style(color, bg)
        return cells_to_strip(chars, styles, self.palette)

    def mark_style(self, color: Color, background: Color) -> int:
        """A glyph's style on a given background, made readable there (cached in the palette)."""

        def make() -> Style:
            return Style(
                color=readable(color, background).rich_color,
                bgcolor=background.rich_color,
                bold=True,
            )

        return self.palette.index(("mark", color, background), make)

    def axes_figure(
        self, xlim: tuple[float, float], ylim: tuple[float, float], height: int
    ) -> tuple[Figure, list[float], list[float]]:
        """A plotext figure with ticks on round values; the caller adds the data."""
        fig = new_figure(self.width, height)
        fig.xlim(*xlim)
        fig.ylim(*ylim)
        xt = nice_ticks(xlim[0], xlim[1], max(2, (self.width - 8) // 10))
        yt = nice_ticks(ylim[0], ylim[1], max(2, (height - 3) // 3))
        fig.xticks(xt, [tick_label(v) for v in xt])
        fig.yticks(yt, [tick_label(v) for v in yt])
        return fig, xt, yt

    def bare_grid(self, xlim: tuple[float, float], ylim: tuple[float, float]) -> CellGrid:
        """No room for axes: the whole area is canvas."""
        h, w = self.plot_height, self.width
        return CellGrid(
            w,
            h,
            np.full((h, w), " ", dtype="<U1"),
            np.full((h, w), self.base, dtype=np.int32),
            self.palette,
            range(w),
            range(h),
            xlim,
            ylim,
        )
