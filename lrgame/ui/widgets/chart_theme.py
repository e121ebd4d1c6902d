"""The colours a chart draws with: the app theme's, resolved for one widget.

A chart follows the app's dark or light theme: plotext's ``"default"`` colour
becomes the widget's own foreground/background, plotext's colour names become
ANSI colours, and theme role names (``"accent"``, ``"primary"``...) become the
theme's colours, nudged until they stand out from the background. Styles are
kept in a :class:`Palette` and addressed by small integers, so a chart's cells
stay NumPy arrays (:mod:`.plotext_cells`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.color import Color as RichColor
from rich.style import Style
from textual.color import Color

if TYPE_CHECKING:
    from textual.widget import Widget

__all__ = ["NO_COLOR", "ChartTheme", "Palette", "readable", "style_hex"]

NO_COLOR = "default"
"""plotext's name for 'no colour set': the widget's own colour shows through."""

PLOTEXT_NAMES: dict[str, str] = {
    # plotext's 16 colour names are the ANSI colours (its "orange" is ANSI yellow).
    "black": "black",
    "white": "bright_white",
    "gray": "bright_black",
    "gray+": "white",
    "red": "red",
    "red+": "bright_red",
    "green": "green",
    "green+": "bright_green",
    "orange": "yellow",
    "orange+": "bright_yellow",
    "blue": "blue",
    "blue+": "bright_blue",
    "magenta": "magenta",
    "magenta+": "bright_magenta",
    "cyan": "cyan",
    "cyan+": "bright_cyan",
}

THEME_ROLES = ("accent", "primary", "secondary", "warning", "error", "success", "foreground")

MIN_CONTRAST = 0.32
"""Least brightness difference between a line and the background it is drawn on."""


class Palette:
    """Rich styles addressed by small integers, so grids of cells stay NumPy arrays.

    Styles are added on demand under a hashable key; the same key always gets the
    same index, so equal styles compare equal as integers when runs of cells are
    grouped into segments.
    """

    def __init__(self) -> None:
        self.styles: list[Style] = []
        self._index: dict[Hashable, int] = {}

    def __len__(self) -> int:
        return len(self.styles)

    def __getitem__(self, index: int) -> Style:
        return self.styles[index]

    def index(self, key: Hashable, make: Callable[[], Style]) -> int:
        found = self._index.get(key)
        if found is None:
            found = len(self.styles)
            self.styles.append(make())
            self._index[key] = found
        return found

    def add(self, style: Style) -> int:
        """The index of ``style`` itself (keyed by the style)."""
        return self.index(("style", style), lambda: style)


@dataclass(frozen=True)
class ChartTheme:
    """The colours a chart draws with, resolved from a widget and the app theme."""

    foreground: Color
    background: Color
    variables: Mapping[str, str] = field(default_factory=dict)
    dark: bool = True

    @classmethod
    def from_widget(cls, widget: Widget) -> ChartTheme:
        """The widget's own colours (its CSS, over its ancestors) and the app's theme variables."""
        _, background = widget.background_colors
        rich = widget.rich_style
        foreground = (
            Color.from_rich_color(rich.color)
            if rich.color is not None
            else Color.parse(widget.app.theme_variables.get("foreground", "#e0e0e0"))
        )
        app = widget.app
        return cls(
            foreground=foreground,
            background=background
            if background.a > 0
            else Color.parse(app.theme_variables.get("background", "#000000")),
            variables=dict(app.theme_variables),
            dark=app.current_theme.dark,
        )

    @property
    def base_style(self) -> Style:
        """Foreground on background: what plain cells of a chart look like."""
        return Style(color=self.foreground.rich_color, bgcolor=self.background.rich_color)

    @property
    def muted(self) -> Color:
        """Axes, ticks and labels: the foreground, toned down towards the background."""
        return self.background.blend(self.foreground, 0.7)

    def shade(self, amount: float) -> Color:
        """A neutral between the background (0) and the foreground (1), for fog and hatches."""
        return self.background.blend(self.foreground, amount)

    def color(self, name: str | Color | None, *, on: Color | None = None) -> Color:
        """A colour by name, readable on ``on`` (default: the chart background).

        Names may be theme roles (``accent``, ``primary``, ``warning``...; any theme
        variable such as ``accent-lighten-1``), plotext colour names (``red+``),
        Rich/CSS names and hex (``#ff8800``).
        """
        if isinstance(name, Color):
            resolved = name
        elif name is None or name == NO_COLOR or name == "foreground":
            resolved = self.foreground
        else:
            resolved = self._parse(name)
        return readable(resolved, self.background if on is None else on)

    def _parse(self, name: str) -> Color:
        value = self.variables.get(name)
        if value is not None:
            try:
                return Color.parse(value)
            except Exception:  # noqa: BLE001 - a broken theme variable must not break a chart
                pass
        rich_name = PLOTEXT_NAMES.get(name, name)
        try:
            return Color.from_rich_color(RichColor.parse(rich_name))
        except Exception:  # noqa: BLE001
            pass
        try:
            return Color.parse(name)
        except Exception:  # noqa: BLE001
            return self.foreground

    def plotext_color(self, value: Any) -> Color | None:
        """A colour found in a plotext matrix (name, 256-colour code or RGB); None for 'default'."""
        if value is None or value == NO_COLOR:
            return None
        if isinstance(value, str):
            return self._parse(value.strip())
        if isinstance(value, int) and 0 <= value <= 255:
            return Color.from_rich_color(RichColor.from_ansi(value))
        if isinstance(value, (tuple, list)) and len(value) == 3:
            r, g, b = (int(v) for v in value)
            return Color(r, g, b)
        return None


def readable(color: Color, background: Color, minimum: float = MIN_CONTRAST) -> Color:
    """``color``, moved towards black or white until it stands out from ``background``.

    Theme accents are chosen for text on panels, not for one-cell-wide lines on
    the screen background (textual-light's orange accent on light grey, say);
    nudging keeps the hue and restores the contrast.
    """
    if abs(color.brightness - background.brightness) >= minimum:
        return color
    target = Color(0, 0, 0) if background.brightness > 0.5 else Color(255, 255, 255)
    for step in (0.2, 0.35, 0.5, 0.65, 0.8):
        moved = color.blend(target, step)
        if abs(moved.brightness - background.brightness) >= minimum:
            return moved
    return target


def style_hex(color: Color) -> str:
    """``#rrggbb`` for a Rich style: an ANSI theme colour's ``hex`` is its name (``ansi_cyan``),
    which Rich does not know as a style."""
    r, g, b = color.rgb
    return f"#{r:02x}{g:02x}{b:02x}"
