"""Symbols the game draws, and plainer ones for the browser (``lrgame serve``).

A terminal shows whatever its font has; a browser running textual-serve draws
with ``'Roboto Mono', Monaco, 'Courier New', monospace`` and the system's
fallback fonts. Measured in Debian 12's Chromium with its default fonts
(DejaVu, Liberation; ``tests/serve/test_browser.py`` checks it again in CI):
every symbol in :data:`DRAWN` renders except U+231B ⌛, which is an empty box
there, and which browsers with an emoji font draw as a two-cell colour emoji
(it has emoji presentation by default) that shifts the rest of its line. The
sweep screen already draws "out of steps" as …, so serve mode does too.

Textual draws two symbols of its own that are missing there too: the
header's icon and the command palette's magnifying glass; serve mode
replaces them (:data:`HEADER_ICON`, :data:`SEARCH_ICON`).

Box drawing (U+2500-257F) and block elements (U+2580-259F) are drawn by the
browser terminal itself (xterm.js custom glyphs), whatever the fonts.
"""

from __future__ import annotations

from lrgame.classroom import serve_mode

SERVE_FALLBACKS: dict[str, str] = {}
"""Symbol -> its stand-in in serve mode (none needed since "out of steps" is … everywhere)."""

HEADER_ICON = "●"
"""Textual's header icon ⭘ (U+2B58) is in none of those fonts either (an empty box)."""
SEARCH_ICON = ">"
"""Nor is the command palette's 🔎 (U+1F50E), an emoji besides."""

DRAWN = frozenset("“”₊±·×÷−–—…•←↑→↓↗↘∇∈√∞≈≤²─━│┃┄┆┊├┤┼╱▀░■▲▶▼◀◆◇○◌●★☆⚠✓✔✗✚")
"""Every non-letter symbol in the game's own strings (a test keeps this list complete,
so a new symbol gets checked in the browser before it ships)."""


def glyph(symbol: str) -> str:
    """``symbol``, or its plainer stand-in when the game is served to browsers."""
    return SERVE_FALLBACKS.get(symbol, symbol) if serve_mode() else symbol
