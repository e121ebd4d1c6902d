"""The landscape under the blindfolded walker: a 1-D curve or a 2-D map, with fog.

The expensive parts are drawn once per (level, size, theme): the 1-D curve by
plotext (:mod:`curve_scene`), the 2-D colour map as half-block cells (``▀``: the
foreground is the upper pixel, the background the lower one) inside plotext-drawn
axes (:mod:`map_scene`). A step of playback only changes the walkers, the path,
and the fog around the newest point, so :meth:`LandscapeView.set_step` works out
which lines changed and refreshes just those; every other line is served from the
:class:`CachedLines` cache.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from textual.color import Color
from textual.reactive import reactive
from textual.strip import Strip

from lrgame.engine.simulate import Run
from lrgame.levels.model import Level

from .cached import CachedLines
from .chart_theme import ChartTheme
from .charts import DEFAULT_COLORS
from .curve_scene import CurveScene
from .landscape_scene import Scene, ghost_glyph
from .map_scene import MapScene

__all__ = ["LandscapeView", "ghost_glyph"]


class LandscapeView(CachedLines[Scene]):
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
        self.data_changed()

    def set_runs(self, runs: Sequence[Run], colors: Sequence[str] | None = None) -> None:
        """One walker and path per run; the first is the player's (the fog follows it).

        Playback restarts at step 0. Ghosts are drawn in the fog too: only the
        player's walker feels the ground. ``colors`` are theme roles or colour
        names, one per run (defaults: accent for the player, then other roles).
        """
        if len(runs) != len(self._runs):
            self.drop_picture()  # the legend names every walker: it may need another line
        self._runs = list(runs)
        given = list(colors or [])
        self._colors = given + [
            DEFAULT_COLORS[i % len(DEFAULT_COLORS)] for i in range(len(given), len(self._runs))
        ]
        self._step = 0
        scene = self.current_picture
        if scene is not None:
            scene.reset_runs(self._runs, self._colors, self._step, self._fog_active())
        self.refresh()

    def set_step(self, t: int) -> None:
        """Walkers at step ``t``, paths up to it, fog lifted around every point felt so far."""
        t = max(0, int(t))
        if t == self._step:
            return
        self._step = t
        scene = self.current_picture
        if scene is None:
            self.refresh()
            return
        self.refresh_lines(scene.advance(t))

    def reveal(self) -> None:
        """Lift the fog and mark the minima (★ global, ○ local), with a legend."""
        self._revealed = True
        scene = self.current_picture
        if scene is not None:
            scene.set_revealed(self._fog_active(), True)
        self.refresh()

    def cell_of(self, point: Sequence[float]) -> tuple[int, int] | None:
        """The widget cell (column, line) where a landscape point is drawn, or None if off the map.

        In 1-D the point is ``(x,)`` and the cell is on the curve at ``loss(x)``.
        """
        scene = self.ensure_picture()
        if scene is None:
            return None
        return scene.cell_of_point(np.asarray(point, dtype=np.float64))

    def map_color(self, point: Sequence[float]) -> Color | None:
        """The 2-D map's colour (fog aside) of the pixel where ``point`` lies; None off the map or in 1-D."""
        scene = self.ensure_picture()
        if not isinstance(scene, MapScene):
            return None
        return scene.color_at(np.asarray(point, dtype=np.float64))

    # -- Textual and the cached picture -----------------------------------

    def watch_practice(self) -> None:
        scene = self.current_picture
        if scene is not None:
            scene.set_revealed(self._fog_active(), self._revealed)
        self.refresh()

    def build_picture(self, width: int, height: int) -> Scene | None:
        if self._level is None:
            return None
        theme = ChartTheme.from_widget(self)
        scene_type = CurveScene if self._level.dim == 1 else MapScene
        scene = scene_type(self._level, width, height, theme, runs=len(self._runs))
        scene.reset_runs(self._runs, self._colors, self._step, self._fog_active())
        scene.set_revealed(self._fog_active(), self._revealed)
        return scene

    def picture_line(self, scene: Scene, y: int) -> Strip:
        return scene.line(y)

    # -- internals -------------------------------------------------------

    def _fog_active(self) -> bool:
        level = self._level
        return bool(
            level is not None and level.fog.enabled and not self.practice and not self._revealed
        )
