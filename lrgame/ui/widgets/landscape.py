"""The landscape under the blindfolded walker: a 1-D curve or a 2-D map, with fog.

The expensive parts are drawn once per (level, size, theme): the 1-D curve by
plotext, the 2-D colour map as half-block cells (``▀``: the foreground is the
upper pixel, the background the lower one) inside plotext-drawn axes. A step
of playback only changes the walkers, the path, and the fog around the newest
point, so :meth:`LandscapeView.set_step` works out which lines changed and
refreshes just those; Textual keeps every other line from its cache.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from lrgame.engine.fog import FogOfWar
from lrgame.engine.simulate import Run
from lrgame.levels.model import Level
from lrgame.ui.i18n import _

from .charts import DEFAULT_COLORS
from .plotext_cells import (
    CellGrid,
    ChartTheme,
    Figure,
    Palette,
    cells_to_strip,
    new_figure,
    nice_ticks,
    readable,
    render_figure,
    tick_label,
)

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

TRAIL_LENGTH = 8
"""Points of recent history drawn behind a 1-D walker."""

MAP_COLORS: tuple[str, ...] = (
    # Low loss (valleys) dark, high loss bright: navy, blue, teal, green, yellow.
    # Every entry is an exact xterm-256 colour (cube indices 17, 18, 25, 31, 37,
    # 36, 35, 71, 107, 149, 185, 221), so a 256-colour terminal shows the same
    # twelve distinct bands as a true-colour one instead of collapsing a smooth ramp.
    "#00005f",
    "#000087",
    "#005faf",
    "#0087af",
    "#00afaf",
    "#00af87",
    "#00af5f",
    "#5faf5f",
    "#87af5f",
    "#afd75f",
    "#d7d75f",
    "#ffd75f",
)
MIN_AXES_WIDTH = 16
MIN_AXES_HEIGHT = 6
MIN_LEGEND_HEIGHT = 8
MAX_LEGEND_LINES = 3
"""The legend's lines at most; beyond them its last line is cut at the width.

Three: Japanese labels are twice as wide, and a race's ghosts fill two lines at 80 columns."""


@dataclass(frozen=True)
class _Mark:
    glyph: str
    color: Color
    layer: int
    """Higher layers draw over lower ones (path < start < minima < ghosts < player)."""
    landmark: bool = False
    """Drawn in black or white, whichever stands out more from the cell (start, minima)."""


Overlay = dict[int, dict[int, _Mark]]
"""line -> column -> mark."""

LegendItem = tuple[str, Color, str, Color | None]
"""A legend entry: glyph, glyph colour, label, and the glyph's background if not the chart's."""


def _lay_out(widths: Sequence[int], width: int) -> list[list[int]]:
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


def map_bands(values: np.ndarray, start_loss: float, k: int) -> np.ndarray:
    """The colour band (0 = lowest) of each loss on the map, by rank, split at the start's loss.

    A scale by value fails when walls are much higher than the floor: one steep
    gully spends every band and leaves a whole plain, with the goal's valley in it,
    in one colour. Ranks give each band an equal share of the map whatever the
    heights, so every valley and slope shows. The losses up to the start's get
    their own bands (at least three) below those above it, so the goal's valley
    and the ground the walker starts on never share a colour. Non-finite: the top band.
    """
    flat = np.asarray(values, dtype=np.float64)
    bands = np.full(flat.shape, k - 1, dtype=np.int64)
    finite = np.isfinite(flat)
    if not finite.any():
        return bands
    known = flat[finite]
    if not math.isfinite(start_loss):
        start_loss = float(known.max())
    low = np.sort(known[known <= start_loss])
    high = np.sort(known[known > start_loss])
    low_bands = min(max(round(k * len(low) / len(known)), 3), k - 2) if len(high) else k
    out = np.empty(known.shape, dtype=np.int64)
    below = known <= start_loss
    if len(low):
        rank = np.searchsorted(low, known[below], side="left") / len(low)
        out[below] = np.minimum((rank * low_bands).astype(np.int64), low_bands - 1)
    if len(high):
        rank = np.searchsorted(high, known[~below], side="left") / len(high)
        out[~below] = low_bands + np.minimum(
            (rank * (k - low_bands)).astype(np.int64), k - low_bands - 1
        )
    bands[finite] = out
    return bands


class LandscapeView(Widget):
    """The landscape with the walkers, their paths and the fog of what is not yet felt."""

    DEFAULT_CSS = """
    LandscapeView {
        width: 1fr;
        height: 1fr;
    }
    """

    practice: reactive[bool] = reactive(False)
    """Practice mode: no fog from the start (the minima stay unmarked until ``reveal``)."""

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's keyword
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._level: Level | None = None
        self._runs: list[Run] = []
        self._colors: list[str] = []
        self._step = 0
        self._revealed = False
        self._version = 0
        self._scene: _Scene | None = None
        self.render_count = 0
        """How many times the static picture (curve or map) has been drawn."""
        self.build_seconds = 0.0
        """Wall time of the latest static drawing, for the benchmark."""

    # -- public API ------------------------------------------------------

    @property
    def level(self) -> Level | None:
        return self._level

    @property
    def step(self) -> int:
        return self._step

    @property
    def revealed(self) -> bool:
        return self._revealed

    def set_level(self, level: Level) -> None:
        """Show a new level: fog everywhere (unless practice), no runs, step 0."""
        self._level = level
        self._runs = []
        self._colors = []
        self._step = 0
        self._revealed = False
        self._version += 1
        self._scene = None
        self.refresh()

    def set_runs(self, runs: Sequence[Run], colors: Sequence[str] | None = None) -> None:
        """One walker and path per run; the first is the player's (the fog follows it).

        Playback restarts at step 0. Ghosts are drawn in the fog too: only the
        player's walker feels the ground. ``colors`` are theme roles or colour
        names, one per run (defaults: accent for the player, then other roles).
        """
        if len(runs) != len(self._runs):
            self._scene = None  # the legend names every walker: it may need another line
        self._runs = list(runs)
        given = list(colors or [])
        self._colors = given + [
            DEFAULT_COLORS[i % len(DEFAULT_COLORS)] for i in range(len(given), len(self._runs))
        ]
        self._step = 0
        if self._scene is not None:
            self._scene.reset_runs(self._runs, self._colors, self._step, self._fog_active())
        self.refresh()

    def set_step(self, t: int) -> None:
        """Walkers at step ``t``, paths up to it, fog lifted around every point felt so far."""
        t = max(0, int(t))
        if t == self._step:
            return
        self._step = t
        scene = self._scene
        if scene is None or scene.key != self._key():
            self.refresh()
            return
        lines = scene.advance(t)
        if lines:
            width = self.size.width
            self.refresh(*(Region(0, y, width, 1) for y in sorted(lines)))

    def reveal(self) -> None:
        """Lift the fog and mark the minima (★ global, ○ local), with a legend."""
        self._revealed = True
        if self._scene is not None:
            self._scene.set_revealed(self._fog_active(), True)
        self.refresh()

    def cell_of(self, point: Sequence[float]) -> tuple[int, int] | None:
        """The widget cell (column, line) where a landscape point is drawn, or None if off the map.

        In 1-D the point is ``(x,)`` and the cell is on the curve at ``loss(x)``.
        """
        scene = self._ensure_scene()
        if scene is None:
            return None
        return scene.cell_of_point(np.asarray(point, dtype=np.float64))

    def map_color(self, point: Sequence[float]) -> Color | None:
        """The 2-D map's colour (fog aside) of the pixel where ``point`` lies; None off the map or in 1-D."""
        scene = self._ensure_scene()
        if not isinstance(scene, _MapScene):
            return None
        return scene.color_at(np.asarray(point, dtype=np.float64))

    # -- Textual ---------------------------------------------------------

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._restyle())

    def on_resize(self) -> None:
        self.refresh()

    def watch_practice(self) -> None:
        if self._scene is not None:
            self._scene.set_revealed(self._fog_active(), self._revealed)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scene = self._ensure_scene()
        if scene is None or y >= scene.height:
            return Strip.blank(self.size.width, self.rich_style)
        return scene.line(y)

    # -- internals -------------------------------------------------------

    def _restyle(self) -> None:
        self._scene = None
        self.refresh()

    def _fog_active(self) -> bool:
        level = self._level
        return bool(
            level is not None and level.fog.enabled and not self.practice and not self._revealed
        )

    def _key(self) -> tuple[object, ...]:
        return (self._version, self.size.width, self.size.height, self.app.theme, self.rich_style)

    def _ensure_scene(self) -> _Scene | None:
        width, height = self.size
        if self._level is None or width <= 0 or height <= 0:
            return None
        key = self._key()
        if self._scene is None or self._scene.key != key:
            started = time.perf_counter()
            theme = ChartTheme.from_widget(self)
            scene_type = _CurveScene if self._level.dim == 1 else _MapScene
            scene = scene_type(key, self._level, width, height, theme, runs=len(self._runs))
            scene.reset_runs(self._runs, self._colors, self._step, self._fog_active())
            scene.set_revealed(self._fog_active(), self._revealed)
            self._scene = scene
            self.render_count += 1
            self.build_seconds = time.perf_counter() - started
        return self._scene


class _Scene:
    """The picture for one (level, size, theme), and the playback state drawn over it."""

    def __init__(
        self,
        key: tuple[object, ...],
        level: Level,
        width: int,
        height: int,
        theme: ChartTheme,
        *,
        runs: int = 0,
    ) -> None:
        self.key = key
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
                    len(_lay_out([cell_len(label) + 4 for label in labels], width))
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

        def put(cell: tuple[int, int] | None, mark: _Mark) -> None:
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
                put(cell, _Mark(TRAIL, trail, 0))
        if self.runs:
            put(
                self.cell_of_point(np.asarray(self.level.start, dtype=np.float64)),
                _Mark(START, ink, 1, landmark=True),
            )
        if self.revealed:
            for point in self.level.local_minima:
                put(self.cell_of_point(np.asarray(point)), _Mark(LOCAL_MIN, ink, 2, landmark=True))
            for point in self.level.goal.minima:
                put(self.cell_of_point(np.asarray(point)), _Mark(GLOBAL_MIN, ink, 2, landmark=True))
        for i in range(len(self.runs) - 1, -1, -1):
            run = self.runs[i]
            color = self.colors[i] if i < len(self.colors) else self.theme.foreground
            index = min(step, len(run.trajectory) - 1)
            found = self.walker_cell(run, index)
            if found is not None:
                x, y, glyph = found
                glyph = glyph or ghost_glyph(i)
                put((x, y), _Mark(glyph, color, 4 if i == 0 else 3))
        return overlay

    def possible_labels(self, runs: int) -> list[str]:
        """The labels the legend shows with ``runs`` walkers, whether fogged or revealed."""
        labels = [_("you"), _("start")]
        labels += [_("ghost") if runs == 2 else _("ghost {n}", n=i) for i in range(1, runs)]
        return labels

    def possible_legends(self, runs: int) -> list[list[str]]:
        """The fullest legends this scene may show: under fog, and revealed (to size it once)."""
        revealed = [_("global minimum")]
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
        layout = _lay_out([sum(seg.cell_length for seg in e) for e in entries], self.width)
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
        if self.revealed:
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


class _CurveScene(_Scene):
    """1-D: the loss curve drawn by plotext; fog hides whole columns of the canvas."""

    def draw(self) -> CellGrid:
        lo, hi = float(self.domain[0, 0]), float(self.domain[0, 1])
        xs = np.linspace(lo, hi, max(2, 2 * self.width + 1))
        with np.errstate(all="ignore"):
            ys = self.landscape.loss(xs[:, None])
        finite = np.isfinite(ys)
        if finite.any():
            y_lo, y_hi = float(ys[finite].min()), float(ys[finite].max())
        else:
            y_lo, y_hi = 0.0, 1.0
        pad = (y_hi - y_lo) * 0.06 or 1.0
        self.ylim = (y_lo - pad, y_hi + pad)
        self.xlim = (lo, hi)
        curve = self.theme.color("primary")
        # Marks sit on the curve's cells: braille puts 2 x 4 dots in a cell, the bare fallback one.
        self.sub = (2, 4) if self.axes else (1, 1)
        if self.axes:
            fig, _xt, _yt = self.axes_figure(self.xlim, self.ylim, self.plot_height)
            edges = np.flatnonzero(np.diff(np.concatenate([[0], finite.astype(np.int8), [0]])))
            for a, b in zip(edges[::2], edges[1::2], strict=True):
                fig.plot(xs[a:b].tolist(), ys[a:b].tolist(), marker="braille", color=0)
            grid = render_figure(
                fig,
                self.width,
                self.plot_height,
                theme=self.theme,
                colors={0: curve},
                palette=self.palette,
            )
        else:
            grid = self.bare_grid(self.xlim, self.ylim)
            style = self.palette.add(
                Style(color=curve.rich_color, bgcolor=self.theme.background.rich_color)
            )
            cols = np.arange(grid.width)
            lines = grid.line_of(np.interp(grid.x_of_cols(), xs, np.where(finite, ys, y_hi)))
            ok = (lines >= 0) & (lines < grid.height)
            grid.chars[lines[ok], cols[ok]] = "·"
            grid.styles[lines[ok], cols[ok]] = style
        self.hatch = self.palette.add(
            Style(color=self.theme.shade(0.3).rich_color, bgcolor=self.theme.background.rich_color)
        )
        return grid

    def fog_centers(self) -> np.ndarray:
        return self.grid.x_of_cols()[:, None]

    def fog_lines(self, changed: np.ndarray) -> set[int]:
        return set(self.grid.canvas_rows)

    def canvas_line(self, y: int) -> tuple[np.ndarray, np.ndarray]:
        grid = self.grid
        chars, styles = grid.chars[y].copy(), grid.styles[y].copy()
        if self.fog is not None and self.fog_active:
            cols = np.arange(grid.canvas_cols.start, grid.canvas_cols.stop)
            hidden = cols[~self.fog.revealed]
            # A sparse diagonal hatch: fog reads as "unknown", not as "flat ground".
            chars[hidden] = np.where((hidden + y) % 4 == 0, HATCH, " ")
            styles[hidden] = self.hatch
        return chars, styles

    def loss_at(self, x: float) -> float:
        with np.errstate(all="ignore"):
            return float(self.landscape.loss(np.array([[x]]))[0])

    def cell_of_point(self, point: np.ndarray) -> tuple[int, int] | None:
        x = float(point.reshape(-1)[0])
        if not math.isfinite(x) or not self.xlim[0] <= x <= self.xlim[1]:
            return None
        y = self.loss_at(x)
        if not math.isfinite(y) or not self.ylim[0] <= y <= self.ylim[1]:
            return None
        return int(self.grid.col_of(x, self.sub[0])[0]), int(self.grid.line_of(y, self.sub[1])[0])

    def walker_cell(self, run: Run, index: int) -> tuple[int, int, str] | None:
        x, loss, direction = _last_finite_1d(run, index)
        grid = self.grid
        left, right = grid.canvas_cols.start, grid.canvas_cols.stop - 1
        top, bottom = grid.canvas_rows.start, grid.canvas_rows.stop - 1
        if x is None or right < left or bottom < top:
            return None
        if direction is None and x < self.xlim[0]:
            direction = "left"
        elif direction is None and x > self.xlim[1]:
            direction = "right"
        glyph = ARROWS[direction] if direction else ""
        if direction == "left":
            col = left
        elif direction == "right":
            col = right
        else:
            col = int(np.clip(grid.col_of(x, self.sub[0])[0], left, right))
        if loss is None or not math.isfinite(loss) or loss > self.ylim[1]:
            # Off the top of the chart: pinned to the top edge, pointing up unless it flew sideways.
            line = top
            glyph = glyph or ARROWS["up"]
        else:
            line = int(np.clip(grid.line_of(max(loss, self.ylim[0]), self.sub[1])[0], top, bottom))
        return col, line, glyph

    def path_cells(self, run: Run, index: int) -> list[tuple[int, int]]:
        start = max(0, index - TRAIL_LENGTH)
        xs = run.trajectory[start:index, 0]
        ys = run.loss[start:index]
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(xs) & np.isfinite(ys) & (xs >= self.xlim[0]) & (xs <= self.xlim[1])
            ok &= (ys >= self.ylim[0]) & (ys <= self.ylim[1])
        cols = self.grid.col_of(xs[ok], self.sub[0])
        lines = self.grid.line_of(ys[ok], self.sub[1])
        return list(zip(cols.tolist(), lines.tolist(), strict=True))

    def legend_items(self) -> list[LegendItem]:
        items = self.common_legend()
        if self.runs:
            items.insert(1 + (len(self.runs) > 1), (TRAIL, self.colors[0], _("last steps"), None))
        return items

    def possible_labels(self, runs: int) -> list[str]:
        return [*super().possible_labels(runs), _("last steps")]

    def fog_swatch(self) -> tuple[str, Color, Color | None]:
        return HATCH, self.theme.shade(0.3), None


class _MapScene(_Scene):
    """2-D: a banded colour map of the loss (see :func:`map_bands`) in half-block cells."""

    def draw(self) -> CellGrid:
        (x_lo, x_hi), (y_lo, y_hi) = (
            (float(v) for v in self.domain[0]),
            (float(v) for v in self.domain[1]),
        )
        self.xlim, self.ylim = (x_lo, x_hi), (y_lo, y_hi)
        if self.axes:
            fig, _xt, _yt = self.axes_figure(self.xlim, self.ylim, self.plot_height)
            # plotext draws no axes around an empty plot: two invisible corner points.
            fig.scatter([x_lo, x_hi], [y_lo, y_hi], marker=" ")
            grid = render_figure(
                fig, self.width, self.plot_height, theme=self.theme, palette=self.palette
            )
        else:
            grid = self.bare_grid(self.xlim, self.ylim)
        cw, ch = len(grid.canvas_cols), len(grid.canvas_rows)
        self.pixel_rows = 2 * ch
        # Pixels follow plotext's convention, which the tick labels use: the domain's
        # edges are the centres of the outer cells, so the two pixels of a cell sit a
        # quarter cell above and below its centre.
        xs = np.linspace(x_lo, x_hi, cw) if cw > 1 else np.array([(x_lo + x_hi) / 2])
        if ch > 1:
            ys = y_hi - (np.arange(self.pixel_rows) - 0.5) / 2 / (ch - 1) * (y_hi - y_lo)
        else:
            ys = np.linspace(y_hi, y_lo, max(self.pixel_rows, 1))
        self.xs, self.ys = xs, ys
        mesh = np.stack(np.meshgrid(xs, ys, indexing="xy"), axis=-1)  # [P, W, 2]
        self.centers = mesh
        self.bands = self._bands(mesh) if cw and ch else np.zeros((0, 0), dtype=np.int64)
        self._colors = [Color.parse(c) for c in MAP_COLORS]
        fog_a, fog_b = self.theme.shade(0.08), self.theme.shade(0.14)
        self._colors += [fog_a, fog_b]
        self.fog_a, self.fog_b = len(MAP_COLORS), len(MAP_COLORS) + 1
        n = len(self._colors)
        self.pair_base = len(self.palette)
        for up in range(n):
            for low in range(n):
                self.palette.add(
                    Style(color=self._colors[up].rich_color, bgcolor=self._colors[low].rich_color)
                )
        rows = np.arange(self.pixel_rows)[:, None]
        cols = np.arange(max(cw, 0))[None, :]
        # Fog texture: a fine checker of two neutrals, so the unknown reads as a surface, not a hole.
        self.fog_pattern = np.where((rows + cols) % 2 == 0, self.fog_a, self.fog_b)
        grid.blank_canvas(self.base)
        return grid

    def _bands(self, mesh: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            values = self.landscape.loss(mesh)
            start = float(self.landscape.loss(np.asarray([self.level.start]))[0])
        return map_bands(values, start, len(MAP_COLORS))

    def color_at(self, point: np.ndarray) -> Color | None:
        p = point.reshape(1, -1)
        if p.shape[1] != 2 or not self._inside(p)[0] or self.bands.size == 0:
            return None
        col = int(np.abs(self.xs - p[0, 0]).argmin())
        row = int(np.abs(self.ys - p[0, 1]).argmin())
        return self._colors[int(self.bands[row, col])]

    def fog_centers(self) -> np.ndarray:
        return self.centers

    def fog_lines(self, changed: np.ndarray) -> set[int]:
        rows = np.flatnonzero(changed.any(axis=1))
        return {self.grid.canvas_rows.start + int(r) // 2 for r in rows}

    def pixels(self, rows: slice) -> np.ndarray:
        bands = self.bands[rows]
        if self.fog is not None and self.fog_active:
            return np.where(self.fog.revealed[rows], bands, self.fog_pattern[rows])
        return bands

    def canvas_line(self, y: int) -> tuple[np.ndarray, np.ndarray]:
        grid = self.grid
        chars, styles = grid.chars[y].copy(), grid.styles[y].copy()
        r = 2 * (y - grid.canvas_rows.start)
        pix = self.pixels(slice(r, r + 2))
        if pix.shape[0] == 2 and pix.shape[1]:
            cols = slice(grid.canvas_cols.start, grid.canvas_cols.stop)
            chars[cols] = HALF
            styles[cols] = self.pair_base + pix[0] * len(self._colors) + pix[1]
        return chars, styles

    def cell_bg(self, y: int, x: int) -> Color:
        grid = self.grid
        if y not in grid.canvas_rows or x not in grid.canvas_cols:
            return self.theme.background
        r = 2 * (y - grid.canvas_rows.start) + 1
        pix = self.pixels(slice(r, r + 1))
        return self._colors[int(pix[0, x - grid.canvas_cols.start])]

    def _cells(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cells of points (plotext's rounding, so marks line up with the tick labels)."""
        return self.grid.col_of(points[:, 0]), self.grid.line_of(points[:, 1])

    def _inside(self, points: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return (
                np.all(np.isfinite(points), axis=1)
                & (points[:, 0] >= self.xlim[0])
                & (points[:, 0] <= self.xlim[1])
                & (points[:, 1] >= self.ylim[0])
                & (points[:, 1] <= self.ylim[1])
            )

    def cell_of_point(self, point: np.ndarray) -> tuple[int, int] | None:
        p = point.reshape(1, -1)
        if (
            p.shape[1] != 2
            or not self._inside(p)[0]
            or not self.grid.canvas_cols
            or not self.grid.canvas_rows
        ):
            return None
        cols, lines = self._cells(p)
        return int(cols[0]), int(lines[0])

    def walker_cell(self, run: Run, index: int) -> tuple[int, int, str] | None:
        grid = self.grid
        if not grid.canvas_cols or not grid.canvas_rows:
            return None
        point, direction = _last_finite_2d(run, index)
        if point is None:
            return None
        (x_lo, x_hi), (y_lo, y_hi) = self.xlim, self.ylim
        glyph = ""
        if direction is None:
            # How far outside the view, per side, in view widths: the largest excess names the arrow.
            excess = {
                "left": (x_lo - point[0]) / (x_hi - x_lo),
                "right": (point[0] - x_hi) / (x_hi - x_lo),
                "down": (y_lo - point[1]) / (y_hi - y_lo),
                "up": (point[1] - y_hi) / (y_hi - y_lo),
            }
            side, amount = max(excess.items(), key=lambda kv: kv[1])
            if amount > 0:
                direction = side
        if direction is not None:
            glyph = ARROWS[direction]
        clamped = np.array([[np.clip(point[0], x_lo, x_hi), np.clip(point[1], y_lo, y_hi)]])
        cols, lines = self._cells(clamped)
        col = int(np.clip(cols[0], grid.canvas_cols.start, grid.canvas_cols.stop - 1))
        line = int(np.clip(lines[0], grid.canvas_rows.start, grid.canvas_rows.stop - 1))
        if direction == "left":
            col = grid.canvas_cols.start
        elif direction == "right":
            col = grid.canvas_cols.stop - 1
        elif direction == "up":
            line = grid.canvas_rows.start
        elif direction == "down":
            line = grid.canvas_rows.stop - 1
        return col, line, glyph

    def path_cells(self, run: Run, index: int) -> list[tuple[int, int]]:
        points = run.trajectory[: index + 1]
        points = points[self._inside(points)]
        if len(points) == 0:
            return []
        cols, lines = self._cells(points)
        return list(zip(cols.tolist(), lines.tolist(), strict=True))

    def possible_labels(self, runs: int) -> list[str]:
        extra = [_("low"), _("high loss")] if self.width >= 60 else []
        return [*super().possible_labels(runs), _("path"), *extra]

    def legend_items(self) -> list[LegendItem]:
        items = self.common_legend()
        if self.runs:
            items.insert(1 + (len(self.runs) > 1), (TRAIL, self.colors[0], _("path"), None))
        if self.width >= 60:
            items.append((HALF, self._colors[1], _("low"), self._colors[0]))
            items.append(
                (
                    HALF,
                    self._colors[len(MAP_COLORS) - 1],
                    _("high loss"),
                    self._colors[len(MAP_COLORS) - 2],
                )
            )
        return items

    def fog_swatch(self) -> tuple[str, Color, Color | None]:
        return HALF, self._colors[self.fog_a], self._colors[self.fog_b]


def _last_finite_1d(run: Run, index: int) -> tuple[float | None, float | None, str | None]:
    """The walker's x and loss at ``index``; for a blown-up point, the last finite one and its direction."""
    x = float(run.trajectory[index, 0])
    loss = float(run.loss[index])
    if math.isfinite(x):
        return x, loss, None
    xs = run.trajectory[: index + 1, 0]
    finite = np.flatnonzero(np.isfinite(xs))
    if len(finite) == 0:
        return None, None, None
    last = int(finite[-1])
    before = float(xs[finite[-2]]) if len(finite) > 1 else float(xs[last])
    direction = "left" if float(xs[last]) < before else "right"
    return float(xs[last]), math.inf, direction


def _last_finite_2d(run: Run, index: int) -> tuple[np.ndarray | None, str | None]:
    point = run.trajectory[index]
    if np.all(np.isfinite(point)):
        return point, None
    points = run.trajectory[: index + 1]
    finite = np.flatnonzero(np.all(np.isfinite(points), axis=1))
    if len(finite) == 0:
        return None, None
    last = points[finite[-1]]
    before = points[finite[-2]] if len(finite) > 1 else last
    step = last - before
    if abs(step[0]) >= abs(step[1]):
        direction = "right" if step[0] >= 0 else "left"
    else:
        direction = "up" if step[1] >= 0 else "down"
    return last, direction
