"""Finding text a screen cuts off: widgets pushed out of view, and Statics too small for their words.

A widget may reach beyond its parent only inside something the player can
scroll; a Static or Label must have room for every line its text wraps to (or,
when it does not wrap, for its longest line); a button for its label.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import App
from textual.css.query import NoMatches
from textual.errors import NoWidget
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, Static
from textual.widgets._footer import FooterKey

from lrgame.ui.widgets.landscape import LandscapeView
from lrgame.ui.widgets.landscape_scene import lay_out


def _scrollable(widget: Widget) -> bool:
    """Whether the player can scroll this widget to see what it holds."""
    return bool(widget.allow_vertical_scroll or widget.allow_horizontal_scroll)


def _inside_scroller(widget: Widget) -> bool:
    node = widget.parent
    while isinstance(node, Widget):
        if _scrollable(node):
            return True
        node = node.parent
    return False


def clipped_widgets(app: App[object]) -> list[str]:
    """What the current screen cuts off, one line per widget (empty when all fits)."""
    screen = app.screen
    problems: list[str] = []
    for widget in screen.query("*"):
        if not widget.display or not widget.visible or _inside_scroller(widget):
            continue
        try:
            geometry = screen.find_widget(widget)
        except (NoWidget, NoMatches):
            continue  # hidden behind others or not laid out: nothing shown to cut
        region, clip = geometry.region, geometry.clip
        name = f"{type(widget).__name__}#{widget.id or '?'}"
        if region.area and clip.intersection(region) != region and not _scrollable(widget):
            problems.append(f"{name}: {region} is cut to {clip.intersection(region)}")
            continue
        if isinstance(widget, Static | Label | Button) and not _scrollable(widget):
            content = widget.content_region
            if content.width <= 0 or content.height <= 0:
                continue
            viewport = screen.size
            container = Size(content.width, content.height)
            wraps = widget.styles.text_wrap != "nowrap" and not isinstance(widget, Button)
            if wraps:
                needed = widget.get_content_height(container, viewport, content.width)
                if needed > content.height:
                    problems.append(f"{name}: needs {needed} lines, has {content.height}")
            else:
                needed = widget.get_content_width(container, viewport)
                if needed > content.width:
                    problems.append(f"{name}: needs {needed} cells, has {content.width}")
    # A landscape's legend: every entry on the lines kept for it.
    for view in screen.query(LandscapeView):
        scene = view.current_picture
        if scene is None or not len(scene.legend_lines):
            continue
        widths = [cell_len(f"{glyph} {label}  ") for glyph, _c, label, _b in scene.legend_items()]
        needed = len(lay_out(widths, scene.width))
        if needed > len(scene.legend_lines):
            labels = [label for _g, _c, label, _b in scene.legend_items()]
            problems.append(
                f"legend needs {needed} lines, has {len(scene.legend_lines)}: {labels}"
                f" in {scene.width} cells"
            )
    # Widgets drawing their own lines (charts, landscapes): no line wider than the widget,
    # which happens when a wide character is counted as one cell.
    for widget in screen.query("*"):
        # Text fields scroll their own text (and draw the cursor past its end).
        own = type(widget).__module__.startswith("lrgame.") and not isinstance(widget, Input)
        if not own or type(widget).render_line is Widget.render_line or not widget.region.area:
            continue
        for y in range(widget.size.height):
            drawn = sum(segment.cell_length for segment in widget.render_line(y))
            if drawn > widget.size.width:
                name = f"{type(widget).__name__}#{widget.id or '?'}"
                problems.append(f"{name}: line {y} is {drawn} cells wide in {widget.size.width}")
                break
    # The footer scrolls only by mouse wheel: a key pushed off its end is a key lost.
    for footer in screen.query(Footer):
        right = footer.region.right
        keys = list(footer.query(FooterKey))
        for key in keys:
            if key.region.right > right or not key.region.area:
                problems.append(f"footer key {key.key_display!r} is off the screen")
            elif key.render().cell_len > key.region.width:
                problems.append(f"footer key {key.key_display!r} is squeezed")
            for other in keys:
                if other is not key and other.region.overlaps(key.region):
                    problems.append(f"footer key {key.key_display!r} is under another")
                    break
    return problems
