"""``lrgame serve`` in a real browser: Debian's Chromium driven by playwright.

Skipped, with the reason, when there is no Chromium (``.ci/run`` installs it
with apt-get) or no playwright. Never downloads a browser: the system's one is
launched by path.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Served, game_pids, wait_for

CHROMIUM = os.environ.get("LRGAME_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not os.path.isfile(CHROMIUM) or not os.access(CHROMIUM, os.X_OK):
    pytest.skip(
        f"no Chromium at {CHROMIUM} (apt-get install chromium, or set LRGAME_CHROMIUM)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="the playwright package is not installed (pip install -e '.[test]')",
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """A fresh Chromium profile per test; nothing leaves loopback."""
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1000, "height": 640},
        )
        try:
            yield context
        finally:
            context.close()


def open_game(context: Any, url: str) -> Any:
    page = context.new_page()
    page.goto(url, timeout=30_000)
    # textual-serve marks the page once the game has drawn its first screen.
    page.wait_for_selector("body.-first-byte", timeout=30_000)
    page.click(".textual-terminal")
    settle(page)
    return page


def settle(page: Any, limit: float = 8.0) -> None:
    """Wait until the page stops changing, but for a blinking cursor (a screenshot equal
    to the one before, or to the one before that: a blink comes back to where it was),
    or ``limit`` seconds: a key then reaches the screen it was meant for."""
    deadline = time.monotonic() + limit
    shots = [page.screenshot()]
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = page.screenshot()
        if now in shots[-2:]:
            return
        shots.append(now)


def press(page: Any, *keys: str) -> None:
    """Each key once the page has settled, so it reaches the screen it was meant for."""
    for key in keys:
        settle(page)
        page.keyboard.press(key)


def png_colours(png: bytes) -> tuple[int, float]:
    """Distinct colours in a PNG screenshot, and the share of pixels unlike the commonest."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        body = png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    previous = bytearray(stride)
    counts: dict[bytes, int] = {}
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        previous = line
        if y % 4 == 0:  # every fourth row is plenty to tell text from nothing
            for x in range(0, width, 2):
                pixel = bytes(line[x * channels : x * channels + 3])
                counts[pixel] = counts.get(pixel, 0) + 1
    total = sum(counts.values())
    return len(counts), 1 - max(counts.values()) / total


def assert_not_blank(page: Any, path: Path) -> None:
    settle(page)
    png = page.screenshot(path=str(path))
    colours, drawn = png_colours(png)
    assert colours >= 8 and drawn > 0.01, (
        f"{path} looks blank: {colours} colours, {drawn:.1%} drawn"
    )


@pytest.mark.long
def test_two_students_one_plays_level_one(
    serve: Callable[..., Served], browser: Any, tmp_path: Path
) -> None:
    served = serve()
    aiko = open_game(browser, served.url)
    ben = open_game(browser, served.url)
    wait_for(lambda: len(game_pids(served.home)) == 2, 20, "a game per tab")
    aiko.keyboard.type("Aiko")
    press(aiko, "Enter")
    ben.keyboard.type("Ben")
    press(ben, "Enter")
    assert_not_blank(ben, tmp_path / "ben-map.png")
    # Map (level 1 is highlighted) -> briefing -> setup with the level's own
    # starting strategy -> the walk; `e` skips to its end and the result is saved.
    wait_for(lambda: len(list((served.home / "players").glob("*/player.json"))) == 2, 20, "names")
    press(aiko, "Enter", "Enter", "Control+r")
    time.sleep(1.0)
    aiko.keyboard.press("e")  # optional: the walk also ends by itself

    def aiko_counted() -> Any:
        rows = served.leaderboard()["rows"]
        return rows if rows else None

    rows = wait_for(aiko_counted, 60, "Aiko's run in the leaderboard")
    assert_not_blank(aiko, tmp_path / "aiko-result.png")
    assert isinstance(rows, list)
    assert [(r["player"], r["level"], r["attempts"]) for r in rows] == [("Aiko", "first-steps", 1)]
    assert rows[0]["stars"] in (0, 1, 2, 3) and isinstance(rows[0]["best_score"], int)
    listing = subprocess.run(
        ["ls", "-1", str(served.home / "players")], capture_output=True, text=True, check=True
    ).stdout.split()
    assert len(listing) == 2  # Ben has a folder (his name) but no attempt
    aiko.close()
    wait_for(lambda: len(game_pids(served.home)) == 1, 10, "a closed tab to end its game")
    assert served.stop() < 5.0 + 1.0


def test_a_full_class_gets_a_polite_page(
    serve: Callable[..., Served], browser: Any, tmp_path: Path
) -> None:
    served = serve("--max-players", "1")
    first = open_game(browser, served.url)
    wait_for(lambda: len(game_pids(served.home)) == 1, 20, "the first game")
    late = browser.new_page()
    response = late.goto(served.url, timeout=30_000)
    assert response is not None and response.status == 503
    assert "The class is full" in late.inner_text("body")
    assert_not_blank(first, tmp_path / "first.png")
    assert len(game_pids(served.home)) == 1


def test_every_symbol_the_served_game_draws_has_a_font() -> None:
    """Chromium on Linux draws a character with the first installed font (fontconfig)
    that has it, else an empty box: every symbol left in serve mode must have one."""
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list (fontconfig) is not installed")
    from lrgame.ui.glyphs import DRAWN, HEADER_ICON, SEARCH_ICON, SERVE_FALLBACKS

    served = {SERVE_FALLBACKS.get(ch, ch) for ch in DRAWN} | {HEADER_ICON, SEARCH_ICON}
    missing = []
    for ch in sorted(served):
        if ord(ch) < 128 or 0x2500 <= ord(ch) <= 0x259F:
            continue  # ASCII; box drawing and blocks are drawn by xterm.js itself
        fonts = subprocess.run(
            ["fc-list", f":charset={ord(ch):x}", "family"], capture_output=True, text=True
        ).stdout.strip()
        if not fonts:
            missing.append(f"U+{ord(ch):04X} {ch}")
    assert missing == []
    assert "⌛" not in served  # what Chromium showed as an empty box is drawn nowhere
