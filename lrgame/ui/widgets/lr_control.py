"""The learning-rate control: the rate as text and as a marker on a log-scale bar.

Learning rates worth trying span eight decades (1e-6 … 1e2), so the bar is
logarithmic and the keys multiply rather than add: ←/→ multiply by 10^±0.1
(fine: ten presses make a decade), ↑/↓ and shift+←/→ by 10^±1 (coarse). The
rate can also be typed ("3e-4", "0.01"); text that is not a number is shown
as invalid, in words, and never becomes the value.

The control only checks that the text is a number. Whether the number is a
valid rate (≥ 0, > 0 for a peak rate, …) is the engine's call: the screen
re-parses the whole strategy and hands any message back with ``set_error``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.dom import DOMNode
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from lrgame.i18n import LazyText
from lrgame.numfmt import num
from lrgame.ui.i18n import N_, _

__all__ = [
    "COARSE",
    "FINE",
    "LOG_MAX",
    "LOG_MIN",
    "LrBar",
    "LrControl",
    "LrInput",
    "NUMBER_CHARACTERS",
    "format_lr",
    "nudge_lr",
    "parse_lr_text",
    "translate_bindings",
]

LOG_MIN = -6.0
"""The bar's left end: 1e-6."""
LOG_MAX = 2.0
"""The bar's right end: 1e2."""
FINE = 0.1
"""Decades per ←/→ press."""
COARSE = 1.0
"""Decades per ↑/↓ (or shift+←/→) press."""
SIGNIFICANT = 4
"""Digits kept after a key press, so the text shown is exactly the rate used."""


def translate_bindings(node: DOMNode) -> None:
    """Translate ``node``'s binding descriptions into the player's language.

    ``BINDINGS`` are class attributes, evaluated when the module is imported,
    which may be before the player's language is loaded; translating per
    instance makes the footer follow the language in use when the screen is built.
    Lazy markers (``N_``) are left alone: they follow every later switch themselves.
    """
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [
            dataclasses.replace(b, description=_(b.description))
            if b.description and not isinstance(b.description, LazyText)
            else b
            for b in bindings
        ]


def format_lr(value: float) -> str:
    """A rate as the player would type it: ``0.01``, ``0.0003``, ``1e-5``, ``0.01259``."""
    return num(value, SIGNIFICANT)


def _round_sig(value: float) -> float:
    return float(format_lr(value))


def nudge_lr(value: float, decades: float) -> float:
    """``value × 10^decades``, kept on the bar and rounded to 4 significant digits.

    A result within 0.001 decade of the 0.1-decade grid is snapped onto it, so
    that ten fine steps from 0.01 land on 0.1 exactly instead of drifting with
    the rounding. A move never pushes a rate further outside 1e-6 … 1e2 (a
    typed 500 may still come down); a rate of 0 or less steps up to 1e-6.
    """
    low, high = 10.0**LOG_MIN, 10.0**LOG_MAX
    if not math.isfinite(value) or value <= 0:
        return low if decades > 0 else value
    new = value * 10.0**decades
    exponent = math.log10(new)
    tenths = round(exponent / FINE)
    if abs(exponent - tenths * FINE) < 1e-3:
        new = 10.0 ** (tenths * FINE)
    if decades > 0:
        new = min(new, max(value, high))
    else:
        new = max(new, min(value, low))
    return _round_sig(new)


def parse_lr_text(text: str) -> tuple[float | None, str | None]:
    """``(value, None)`` for a number, ``(None, message)`` otherwise (message translated)."""
    stripped = text.strip()
    if not stripped:
        return None, _("enter a learning rate, e.g. 0.01 or 3e-4")
    try:
        return float(stripped), None
    except ValueError:
        return None, _("not a number: {text!r}; write e.g. 0.01 or 3e-4", text=stripped)


class LrBar(Widget, can_focus=True):
    """The log-scale bar with a marker; focus it and use the arrow keys."""

    DEFAULT_CSS = """
    LrBar {
        height: 2;
        width: 1fr;
        min-width: 20;
        padding: 0 1;
    }
    LrBar > .lr-bar--track { color: $text-muted; }
    LrBar > .lr-bar--tick { color: $text-muted; }
    LrBar > .lr-bar--marker { color: $accent; text-style: bold; }
    LrBar > .lr-bar--label { color: $text-muted; }
    LrBar:focus { background-tint: $foreground 8%; }
    LrBar:focus > .lr-bar--track { color: $accent 70%; }
    LrBar:focus > .lr-bar--marker { color: $text-accent; text-style: bold reverse; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "lr-bar--track",
        "lr-bar--tick",
        "lr-bar--marker",
        "lr-bar--label",
    }

    # One shown binding per pair of keys keeps the footer short; the hidden
    # twins do the same in the other direction.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right", "nudge(0.1)", N_("lr fine"), key_display="←→"),
        Binding("left", "nudge(-0.1)", N_("lr fine"), show=False),
        Binding("up", "nudge(1)", N_("lr ×10"), key_display="↑↓"),
        Binding("down", "nudge(-1)", N_("lr ×10"), show=False),
        Binding("shift+right", "nudge(1)", N_("lr ×10"), show=False),
        Binding("shift+left", "nudge(-1)", N_("lr ×10"), show=False),
    ]

    value: reactive[float | None] = reactive(None)
    """The rate the marker shows; None while the typed text is not a number."""

    class Nudged(Message):
        """The player asked to move the rate by ``decades`` (keys or a click)."""

        def __init__(self, decades: float | None = None, target: float | None = None) -> None:
            super().__init__()
            self.decades = decades
            self.target = target
            """A click sets the rate outright: the rate under the mouse."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        translate_bindings(self)

    def action_nudge(self, decades: float) -> None:
        self.post_message(self.Nudged(decades=decades))

    def _column(self, exponent: float, width: int) -> int:
        fraction = (exponent - LOG_MIN) / (LOG_MAX - LOG_MIN)
        return round(min(max(fraction, 0.0), 1.0) * (width - 1))

    def render(self) -> RenderResult:
        width = max(self.content_size.width, 2)
        track_style = self.get_component_rich_style("lr-bar--track")
        tick_style = self.get_component_rich_style("lr-bar--tick")
        marker_style = self.get_component_rich_style("lr-bar--marker")
        label_style = self.get_component_rich_style("lr-bar--label")
        cells: list[tuple[str, object]] = [("─", track_style) for _ in range(width)]
        decades = range(int(LOG_MIN), int(LOG_MAX) + 1)
        for d in decades:
            cells[self._column(d, width)] = ("┼", tick_style)
        cells[0] = ("├", tick_style)
        cells[-1] = ("┤", tick_style)
        value = self.value
        if value is not None and math.isfinite(value):
            if value <= 10.0**LOG_MIN:
                # Below the bar (0 included): an arrow at the end, not a fake position.
                cells[0] = ("◀" if value < 10.0**LOG_MIN else "●", marker_style)
            elif value > 10.0**LOG_MAX:
                cells[-1] = ("▶", marker_style)
            else:
                cells[self._column(math.log10(value), width)] = ("●", marker_style)
        line = Text()
        for char, style in cells:
            line.append(char, style)  # type: ignore[arg-type]
        labels = [" "] * width
        # Label every other decade when the bar is too short for all of them.
        step = 1 if width >= 45 else 2
        for d in decades:
            if (d - int(LOG_MIN)) % step:
                continue
            text = "1" if d == 0 else f"1e{d}"
            col = self._column(d, width)
            start = min(max(col - len(text) // 2, 0), width - len(text))
            if all(c == " " for c in labels[max(start - 1, 0) : start + len(text) + 1]):
                labels[start : start + len(text)] = list(text)
        line.append("\n")
        line.append("".join(labels), label_style)
        return line

    def watch_value(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        """A click puts the rate under the mouse (on the 0.1-decade grid)."""
        width = max(self.content_size.width, 2)
        x = event.x - self.gutter.left
        if not 0 <= x < width:
            return
        exponent = LOG_MIN + (LOG_MAX - LOG_MIN) * x / (width - 1)
        self.post_message(self.Nudged(target=_round_sig(10.0 ** (round(exponent / FINE) * FINE))))


NUMBER_CHARACTERS = frozenset("0123456789.eE+-_")
"""What a typed rate may contain (``_`` as Python's float() allows, ``1_000``)."""


class LrInput(Input):
    """The typed rate, focused when the setup opens so that typing a number just works.

    The arrows keep the bar's meaning here (←/→ ×10^0.1, ↑/↓ ×10), so the rate
    feels the same whichever of the two has focus; Home, End and Backspace edit.
    Characters that cannot be part of a number are not typed: they stay the
    screen's shortcuts (``?`` help, ``p`` practice, ``f`` the finder).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right", "nudge(0.1)", N_("lr fine"), key_display="←→"),
        Binding("left", "nudge(-0.1)", N_("lr fine"), show=False),
        Binding("up", "nudge(1)", N_("lr ×10"), key_display="↑↓"),
        Binding("down", "nudge(-1)", N_("lr ×10"), show=False),
        Binding("shift+right", "nudge(1)", N_("lr ×10"), show=False),
        Binding("shift+left", "nudge(-1)", N_("lr ×10"), show=False),
    ]

    def __init__(self, value: str, *, id: str | None = None) -> None:
        super().__init__(value, id=id, compact=True, select_on_focus=True)
        translate_bindings(self)

    def action_nudge(self, decades: float) -> None:
        self.post_message(LrBar.Nudged(decades=decades))

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character in NUMBER_CHARACTERS

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character not in NUMBER_CHARACTERS:
            # Not typed: the key goes on to the screen's and the app's bindings.
            event.prevent_default()


class LrControl(Widget):
    """The learning rate: a label, the typed value, the bar and any error in words.

    ``value`` is the rate, or None while the text is not a number. It posts
    :class:`LrControl.Changed` whenever the text changes (typed or by key).
    """

    DEFAULT_CSS = """
    LrControl {
        height: auto;
        width: 1fr;
    }
    LrControl > #lr-row { height: auto; width: 1fr; }
    LrControl #lr-label { width: 1fr; height: auto; padding-right: 1; text-style: bold; }
    LrControl #lr-input { width: 12; }
    LrControl #lr-input.-error { background-tint: $error 30%; }
    LrControl #lr-error { color: $text-error; height: auto; display: none; }
    LrControl #lr-error.-shown { display: block; }
    """

    class Changed(Message):
        """The rate changed: ``value`` is None when the text is not a number."""

        def __init__(self, lr_control: LrControl, value: float | None) -> None:
            super().__init__()
            self.lr_control = lr_control
            self.value = value

        @property
        def control(self) -> LrControl:
            """The control that changed (what ``@on(..., selector)`` matches)."""
            return self.lr_control

    def __init__(self, value: float = 0.01, label: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._value: float | None = value
        self._text = format_lr(value)
        self._label = label or _("Learning rate (lr)")
        self._local_error: str | None = None
        self._engine_error: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="lr-row"):
            yield Label(self._label, id="lr-label")
            yield LrInput(self._text, id="lr-input")
        bar = LrBar(id="lr-bar")
        bar.value = self._value
        bar.tooltip = _("←/→ ×10^±0.1 (fine) · ↑/↓ or shift+←/→ ×10^±1 (coarse) · click to set")
        yield bar
        yield Static("", id="lr-error")

    # -- reading and writing ------------------------------------------

    @property
    def value(self) -> float | None:
        """The rate, or None while the text is not a number."""
        return self._value

    @property
    def text(self) -> str:
        return self._text

    @property
    def valid(self) -> bool:
        """A number that the engine accepted (as far as the screen has told us)."""
        return self._local_error is None and self._engine_error is None

    @property
    def error(self) -> str | None:
        """What is wrong, in words (translated), or None."""
        return self._local_error or self._engine_error

    def set_label(self, label: str) -> None:
        """For onecycle/cyclic the control edits ``max_lr``: the label says so."""
        self._label = label
        if self.is_mounted:
            self.query_one("#lr-label", Label).update(label)

    def set_value(self, value: float) -> None:
        """Show ``value`` (as the player would type it) and announce it."""
        self._set_text(format_lr(value))

    def nudge(self, decades: float) -> None:
        """Multiply the rate by 10^decades (up from 0 or unreadable text: 1e-6)."""
        current = self._value if self._value is not None else 0.0
        new = nudge_lr(current, decades)
        if new > 0:
            self.set_value(new)

    def set_error(self, message: str | None) -> None:
        """The engine's verdict on the number (None: accepted)."""
        self._engine_error = message
        self._show_error()

    # -- internals ----------------------------------------------------

    def _set_text(self, text: str) -> None:
        # Parse now so ``value`` is right at once; the Input's Changed event
        # (which follows) re-parses the same text and announces it.
        self._apply(text)
        if self.is_mounted:
            field = self.query_one("#lr-input", LrInput)
            if field.value != text:
                field.value = text
                field.cursor_position = len(text)
            else:
                self.post_message(self.Changed(self, self._value))

    def _apply(self, text: str) -> None:
        self._text = text
        self._value, self._local_error = parse_lr_text(text)
        if self._local_error is not None:
            self._engine_error = None
        if self.is_mounted:
            self.query_one("#lr-bar", LrBar).value = self._value
            self._show_error()

    def _show_error(self) -> None:
        if not self.is_mounted:
            return
        message = self.error
        box = self.query_one("#lr-error", Static)
        box.update(f"✗ {message}" if message else "")
        box.set_class(message is not None, "-shown")
        self.query_one("#lr-input", LrInput).set_class(message is not None, "-error")

    def on_mount(self) -> None:
        self._show_error()

    @on(Input.Changed, "#lr-input")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._apply(event.value)
        self.post_message(self.Changed(self, self._value))

    @on(LrBar.Nudged)
    def _nudged(self, event: LrBar.Nudged) -> None:
        event.stop()
        if event.target is not None:
            self.set_value(event.target)
        elif event.decades is not None:
            self.nudge(event.decades)
