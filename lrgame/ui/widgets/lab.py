"""What a model level shows: the loss curves, the model's own output, the weight-space slice.

``ModelView`` draws the network's output at the current step: for 1-D input
the fitted curve over the data points, for 2-D input the decision regions (or
the output's value) behind the scattered data. ``SliceView`` draws the loss on
the plane of the walk's two principal directions, revealed after the run. A
model of two parameters needs no slice: ``map_level`` makes it a level the
campaign's ``LandscapeView`` draws exactly, fog and all.
Both draw from a picture kept by :class:`lrgame.ui.widgets.cached.CachedLines`,
so playback only evaluates the network once per step shown, and the slice's
walk redraws only the lines it crosses.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from lrgame.engine.lab import ModelLandscape, Slice, map_window
from lrgame.engine.outcome import Goal
from lrgame.engine.simulate import Run
from lrgame.levels.lab import ModelLevel
from lrgame.numfmt import loss as loss_text
from lrgame.numfmt import percent

from ..i18n import _
from .cached import CachedLines
from .charts import Series, SeriesChart

# Low loss dark, high loss bright: a perceptual ramp (viridis-like), readable on dark themes.
RAMP = (
    "#440154",
    "#482878",
    "#3e4a89",
    "#31688e",
    "#26828e",
    "#1f9e89",
    "#35b779",
    "#6ece58",
    "#b5de2b",
    "#fde725",
)
CLASS_COLORS = ("#4e9eff", "#ff9f43", "#2ecc71", "#e056fd", "#ff5e57", "#f9ca24")
REGION_COLORS = ("#14304f", "#4f3214", "#123d22", "#3d1547", "#4a1a18", "#4a3f0e")


@dataclass(frozen=True)
class _MapLevel(ModelLevel):
    """A model level over a window, with its exact minimum (if known) as the goal's."""

    minimum: tuple[float, ...] | None = None

    @cached_property
    def goal(self) -> Goal:
        if self.minimum is None:
            return super().goal
        point = np.asarray([self.minimum], dtype=np.float64)
        with np.errstate(all="ignore"):
            loss = float(self.landscape.loss(point)[0])
        return Goal(tolerance=math.nan, minima=point, loss=loss)


def map_level(level: ModelLevel, run: Run) -> ModelLevel:
    """The level a two-parameter model's map shows: the same model and data, its domain the
    window around this walk and the model's exact minimum, so the campaign's 2-D map draws
    the exact training loss there (the grid is a batch of parameter vectors for the batched
    forward pass) and marks the minimum when the fog lifts."""
    found = level.landscape.linear_minimum()
    fields = {f.name: getattr(level, f.name) for f in dataclasses.fields(level)}
    fields["domain"] = map_window(run.trajectory, run.loss, found)
    minimum = None if found is None else tuple(float(v) for v in found)
    return _MapLevel(**fields, minimum=minimum)


class LabLossChart(SeriesChart):
    """The full training loss per step (and the held-out loss), on a log scale."""

    def set_losses(self, train: np.ndarray, holdout: np.ndarray | None, goal: float) -> None:
        n = len(train)
        series = [Series(train, _("training"), "accent")]
        if holdout is not None:
            series.append(Series(holdout, _("held-out"), "secondary"))
        series.append(Series(np.full(n, goal), _("goal"), "warning"))
        self.set_series(
            np.arange(n, dtype=np.float64),
            series,
            log_y=True,
            title=_("Loss (log)"),
            x_label=_("step"),
        )


class ModelView(CachedLines[list[Strip]]):
    """The model's output for the parameters at one step, over the data.

    The picture is the whole view at the step shown (the network is evaluated
    over the grid once per step shown, so the step is part of the picture's key).
    """

    DEFAULT_CSS = """
    ModelView {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's keyword
        super().__init__(id=id)
        self.landscape: ModelLandscape | None = None
        self.trajectory: np.ndarray | None = None
        self.step = 0

    @property
    def text(self) -> str:
        """The view as plain text, as drawn now (what a reader of the screen sees)."""
        picture = self.ensure_picture() or []
        return "\n".join(line.text.rstrip() for line in picture)

    def set_run(self, landscape: ModelLandscape, trajectory: np.ndarray) -> None:
        self.landscape = landscape
        self.trajectory = trajectory
        self.data_changed()

    def set_step(self, step: int) -> None:
        if step != self.step:
            self.step = step
            self.refresh()

    def picture_key(self) -> tuple[object, ...]:
        return (*super().picture_key(), self._shown_step())

    def _shown_step(self) -> int | None:
        if self.trajectory is None or not len(self.trajectory):
            return None
        return min(self.step, len(self.trajectory) - 1)

    def build_picture(self, width: int, height: int) -> list[Strip]:
        return self.text_lines(self._text(width, height - 1), width, height)

    def picture_line(self, picture: list[Strip], y: int) -> Strip:
        if y < len(picture):
            return picture[y]
        return Strip.blank(self.size.width, self.visual_style.rich_style)

    def _text(self, width: int, height: int) -> Text:
        t = self._shown_step()
        if self.landscape is None or self.trajectory is None or t is None:
            return Text(_("Computing the run…"))
        if width < 8 or height < 4:
            return Text("")
        params = self.trajectory[t]
        if not np.all(np.isfinite(params)):
            return Text(_("The weights are no longer finite."))
        if self.landscape.data.features == 1:
            return self._curve(params, width, height)
        if self.landscape.data.features == 2:
            return self._regions(params, width, height)
        return self._fit(params, width, height)

    def _outputs(self, params: np.ndarray, x: np.ndarray) -> np.ndarray:
        assert self.landscape is not None
        with np.errstate(all="ignore"):
            return self.landscape.mlp.forward(params[None], x)[0]

    def _regions(self, params: np.ndarray, width: int, height: int) -> Text:
        """2-D input: each cell coloured by the class the model predicts there, data on top."""
        assert self.landscape is not None
        data = self.landscape.data
        x = np.vstack([data.x, data.x_holdout])
        y = np.concatenate([data.y, data.y_holdout])
        lo, hi = x.min(axis=0), x.max(axis=0)
        pad = (hi - lo) * 0.05 + 1e-12
        lo, hi = lo - pad, hi + pad
        cols = lo[0] + (np.arange(width) + 0.5) / width * (hi[0] - lo[0])
        rows = hi[1] - (np.arange(height) + 0.5) / height * (hi[1] - lo[1])
        grid = np.stack(np.meshgrid(cols, rows), axis=-1).reshape(-1, 2)
        out = self._outputs(params, grid)
        loss = self.landscape.mlp.loss
        if loss == "cross_entropy":
            cls = np.argmax(out, axis=1).reshape(height, width)
            backgrounds = [[REGION_COLORS[int(c) % len(REGION_COLORS)] for c in row] for row in cls]
        elif loss == "bce":
            cls = (out[:, 0] > 0).astype(int).reshape(height, width)
            backgrounds = [[REGION_COLORS[int(c)] for c in row] for row in cls]
        else:
            values = out[:, 0].reshape(height, width)
            backgrounds = _ramp(values)
        marks: dict[tuple[int, int], int] = {}
        cx = np.clip(((x[:, 0] - lo[0]) / (hi[0] - lo[0]) * width).astype(int), 0, width - 1)
        cy = np.clip(((hi[1] - x[:, 1]) / (hi[1] - lo[1]) * height).astype(int), 0, height - 1)
        for i, j, label in zip(cy, cx, y, strict=True):
            marks[(int(i), int(j))] = int(label) if loss != "mse" else 0
        text = Text()
        for i in range(height):
            for j in range(width):
                bg = backgrounds[i][j]
                if (i, j) in marks:
                    color = CLASS_COLORS[marks[(i, j)] % len(CLASS_COLORS)]
                    text.append("●", Style(color=color, bgcolor=bg))
                else:
                    text.append(" ", Style(bgcolor=bg))
            text.append("\n")
        text.append(_("decision regions · ● data by class"), Style(dim=True))
        return text

    def _curve(self, params: np.ndarray, width: int, height: int) -> Text:
        """1-D input: the data as dots and the model's curve through them."""
        assert self.landscape is not None
        data = self.landscape.data
        x = np.concatenate([data.x[:, 0], data.x_holdout[:, 0]])
        y = np.concatenate([data.y, data.y_holdout])
        lo, hi = float(x.min()), float(x.max())
        xs = lo + (np.arange(width) + 0.5) / width * (hi - lo)
        fit = self._outputs(params, xs[:, None])[:, 0]
        if self.landscape.mlp.loss == "bce":
            fit = 1.0 / (1.0 + np.exp(-np.clip(fit, -500, 500)))
        y_lo, y_hi = float(y.min()), float(y.max())
        pad = (y_hi - y_lo) * 0.1 + 1e-12
        y_lo, y_hi = y_lo - pad, y_hi + pad
        canvas = [[" "] * width for _ in range(height)]
        styles = [[""] * width for _ in range(height)]

        def row(v: float) -> int | None:
            if not math.isfinite(v) or not y_lo <= v <= y_hi:
                return None
            return min(height - 1, int((y_hi - v) / (y_hi - y_lo) * height))

        for xv, yv in zip(x, y, strict=True):
            j = min(width - 1, int((xv - lo) / (hi - lo + 1e-300) * width))
            i = row(float(yv))
            if i is not None:
                canvas[i][j], styles[i][j] = "·", CLASS_COLORS[0]
        for j, v in enumerate(fit):
            i = row(float(v))
            if i is not None:
                canvas[i][j], styles[i][j] = "•", CLASS_COLORS[1]
        text = Text()
        for i in range(height):
            for j in range(width):
                text.append(canvas[i][j], Style(color=styles[i][j] or None))
            text.append("\n")
        text.append(_("· data  • the model's fit"), Style(dim=True))
        return text

    def _fit(self, params: np.ndarray, width: int, height: int) -> Text:
        """More inputs: predictions against targets (a perfect fit lies on the diagonal)."""
        assert self.landscape is not None
        data = self.landscape.data
        pred = self._outputs(params, data.x)[:, 0]
        y = data.y
        lo = float(min(y.min(), np.nanmin(pred) if np.isfinite(pred).any() else y.min()))
        hi = float(max(y.max(), np.nanmax(pred) if np.isfinite(pred).any() else y.max()))
        lo, hi = lo - 1e-12, hi + 1e-12
        canvas = [[" "] * width for _ in range(height)]
        for k in range(min(width, height)):
            canvas[height - 1 - int(k * height / min(width, height))][
                int(k * width / min(width, height))
            ] = "╱"
        for pv, yv in zip(pred, y, strict=True):
            if not math.isfinite(pv):
                continue
            j = min(width - 1, max(0, int((yv - lo) / (hi - lo) * width)))
            i = min(height - 1, max(0, int((hi - pv) / (hi - lo) * height)))
            canvas[i][j] = "●"
        text = Text("\n".join("".join(r) for r in canvas) + "\n")
        text.append(_("prediction (up) against target (across)"), Style(dim=True))
        return text


@dataclass(eq=False)
class SlicePicture:
    """The slice at one size without the walk, and where each point of the walk falls."""

    lines: list[Strip]
    backgrounds: list[list[str]] | None = None
    """The loss colour of each cell of the map (None: a message, no map)."""
    cells: list[tuple[int, int]] | None = None
    """The walk's cell (line, column) at each step; off the map: (-1, -1)."""


class SliceView(CachedLines[SlicePicture]):
    """The loss on the plane of the walk's two principal directions, and the walk on it.

    The map is the picture; the walk up to the step shown is laid over it, so a
    step of playback redraws only the lines the walk crossed.
    """

    DEFAULT_CSS = """
    SliceView {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's keyword
        super().__init__(id=id)
        self.slice: Slice | None = None
        self.sliced = False
        """Whether the slice was computed (``slice`` None then means there is none)."""
        self.revealed = False
        self.step = 0
        self.dim = 0

    @property
    def text(self) -> str:
        """The view as plain text, as drawn now (what a reader of the screen sees)."""
        picture = self.ensure_picture()
        if picture is None:
            return ""
        return "\n".join(
            self.picture_line(picture, y).text.rstrip() for y in range(len(picture.lines))
        )

    def set_slice(self, found: Slice | None) -> None:
        self.slice = found
        self.sliced = True
        self.data_changed()

    def set_step(self, step: int) -> None:
        before, self.step = self.step, step
        if not self.revealed:
            return
        picture = self.current_picture
        if picture is None or picture.cells is None:
            self.refresh()
            return
        # The walk's points between the two steps appear or go, and the "now" mark moves.
        lo, hi = sorted((self._last_shown(picture, before), self._last_shown(picture, step)))
        self.refresh_lines({i for i, _j in picture.cells[lo : hi + 1] if i >= 0})

    def reveal(self, shown: bool = True) -> None:
        self.revealed = shown
        self.data_changed()

    def picture_key(self) -> tuple[object, ...]:
        # The screen sets ``dim`` as an attribute: the message that names it follows it.
        return (*super().picture_key(), self.dim)

    @staticmethod
    def _last_shown(picture: SlicePicture, step: int) -> int:
        assert picture.cells is not None
        return min(step, len(picture.cells) - 1)

    def build_picture(self, width: int, height: int) -> SlicePicture:
        if not self.revealed:
            message = _(
                "The landscape of {dim} weights is revealed at the end: a slice through "
                "weight space along the walk's two main directions.",
                dim=self.dim,
            )
            return SlicePicture(self.text_lines(Text(message, Style(dim=True)), width, height))
        found = self.slice
        if found is None:
            message = (
                _("Computing the slice…")
                if not self.sliced
                else _("No slice: the walk left no finite trail.")
            )
            return SlicePicture(self.text_lines(Text(message, Style(dim=True)), width, height))
        height -= 1
        if width < 8 or height < 4:
            return SlicePicture([])
        r = len(found.a)
        ci = np.clip((np.arange(height) + 0.5) / height * r, 0, r - 1).astype(int)[::-1]
        cj = np.clip((np.arange(width) + 0.5) / width * r, 0, r - 1).astype(int)
        values = found.loss[np.ix_(ci, cj)]
        backgrounds = _ramp(np.log10(np.maximum(values, 1e-300)))
        a0, a1 = found.a[0], found.a[-1]
        b0, b1 = found.b[0], found.b[-1]
        cells = []
        for pa, pb in found.walk:
            j = int((pa - a0) / (a1 - a0) * width)
            i = int((b1 - pb) / (b1 - b0) * height)
            cells.append((i, j) if 0 <= i < height and 0 <= j < width else (-1, -1))
        text = Text()
        for row in backgrounds:
            for bg in row:
                text.append(" ", Style(color="#ffffff", bgcolor=bg))
            text.append("\n")
        text.append(
            _(
                "PCA slice: these two directions explain {share} of the walk · loss {lo} to {hi}",
                share=percent(found.explained),
                lo=loss_text(float(np.nanmin(found.loss))),
                hi=loss_text(float(np.nanmax(found.loss))),
            ),
            Style(dim=True),
        )
        return SlicePicture(self.text_lines(text, width, height + 1), backgrounds, cells)

    def picture_line(self, picture: SlicePicture, y: int) -> Strip:
        if y >= len(picture.lines):
            return Strip.blank(self.size.width, self.visual_style.rich_style)
        if picture.cells is None or picture.backgrounds is None or y >= len(picture.backgrounds):
            return picture.lines[y]
        last = self._last_shown(picture, self.step)
        glyphs: dict[int, str] = {}
        for k, (i, j) in enumerate(picture.cells[: last + 1]):
            if i == y:
                glyphs[j] = "●" if k == last else ("○" if k == 0 else "•")
        if not glyphs:
            return picture.lines[y]
        text = Text()
        for j, bg in enumerate(picture.backgrounds[y]):
            text.append(glyphs.get(j, " "), Style(color="#ffffff", bgcolor=bg))
        return self.text_lines(text, self.size.width, 1)[0]


def _ramp(values: np.ndarray) -> list[list[str]]:
    """Colours for a grid of values, low dark to high bright (non-finite: the brightest)."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return [[RAMP[-1]] * values.shape[1] for _ in range(values.shape[0])]
    lo, hi = float(finite.min()), float(finite.max())
    scaled = np.where(np.isfinite(values), (values - lo) / (hi - lo + 1e-300), 1.0)
    index = np.clip((scaled * (len(RAMP) - 1)).round().astype(int), 0, len(RAMP) - 1)
    return [[RAMP[k] for k in row] for row in index]
