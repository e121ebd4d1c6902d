"""A class on one server: a save per player name, and the class leaderboard.

Each player's progress is an ordinary save (``storage.ProgressStore``, with its
lock, merge, atomic writes and corrupt-file handling) in a folder of its own::

    <data home>/players/<key>/progress.json
    <data home>/players/<key>/player.json     {"name": "Aiko 2"}

The folder name is a hash of the name, never the name itself: whatever a
student types, it cannot become a path (``..``, ``/``, a device, a name too
long for the file system). ``player.json`` keeps the name as typed, for the
leaderboard; it is checked again on reading, like any file a player could
have influenced.

Headless commands import this module: no Textual, no numpy at import time.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import stat
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .atomic import write_atomically
from .i18n import _
from .storage import ProgressStore, default_home

SERVE_ENV = "LRGAME_SERVE"
"""Set to ``1`` by ``lrgame serve`` in each game process it starts: the game then
asks for a player name and draws only glyphs that browsers' fonts have."""
MAX_NAME_CHARS = 32
PLAYERS_DIR = "players"
PLAYER_FILE = "player.json"
MAX_PLAYER_FILE_BYTES = 4096
_KEY = re.compile(r"[0-9a-f]{24}")


class PlayerNameError(ValueError):
    """A player name that cannot be used; the message says why, for the player."""


def serve_mode() -> bool:
    return os.environ.get(SERVE_ENV) == "1"


def _japanese(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana (with ー and the iteration marks)
        or 0x31F0 <= code <= 0x31FF  # katakana phonetic extensions
        or 0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
        or 0xFF66 <= code <= 0xFF9F  # half-width katakana
        or code in (0x3005, 0x3006, 0x3007)  # 々 〆 〇
    )


def _allowed(ch: str) -> bool:
    if ch in "-_ ":
        return True
    category = unicodedata.category(ch)
    # Letters of any script and decimal digits; marks, symbols, controls and
    # format characters (bidi overrides, zero-width joiners) are refused.
    return category in ("Lu", "Ll", "Lt", "Lo", "Lm", "Nd") or _japanese(ch)


def clean_name(raw: str) -> str:
    """The player name to use for ``raw`` (NFC, trimmed, inner spaces collapsed), or
    PlayerNameError with a message for the player."""
    # An ideographic space is what a Japanese keyboard types for a space.
    name = unicodedata.normalize("NFC", raw).replace("\u3000", " ")
    name = re.sub(" +", " ", name).strip(" ")
    if not name:
        raise PlayerNameError(_("Type a name first."))
    bad = sorted({ch for ch in name if not _allowed(ch)})
    if bad:
        # Escaped, so a control character in the message cannot reach a terminal.
        shown = " ".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in bad[:5])
        raise PlayerNameError(
            _("A name may hold letters, digits, '-', '_' and spaces, not: {chars}", chars=shown)
        )
    if len(name) > MAX_NAME_CHARS:
        raise PlayerNameError(
            _(
                "A name has at most {limit} characters ({count} typed).",
                limit=MAX_NAME_CHARS,
                count=len(name),
            )
        )
    return name


def cells(text: str) -> int:
    """Terminal columns ``text`` takes (wide and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def player_key(name: str) -> str:
    """The folder name for a (clean) player name: the same player whatever the case."""
    return hashlib.sha256(name.casefold().encode("utf-8")).hexdigest()[:24]


def players_root(home: Path | None = None) -> Path:
    return (home if home is not None else default_home()) / PLAYERS_DIR


def player_home(name: str, home: Path | None = None) -> Path:
    """The folder holding ``name``'s save (``name`` must be clean)."""
    return players_root(home) / player_key(name)


def open_player(raw: str, home: Path | None = None) -> tuple[str, ProgressStore]:
    """The clean name and the save of the player who typed ``raw`` (PlayerNameError if unusable).

    The name as first typed is written once, for the leaderboard, and is the name
    returned when the same player comes back in other capitals. Failing to write
    it loses nothing of the progress: the store says so itself when it cannot save.
    """
    name = clean_name(raw)
    folder = player_home(name, home)
    store = ProgressStore(home=folder)
    first = read_player_name(folder)
    if first is not None:
        return first, store  # "aiko" is Aiko again, under the name the leaderboard shows
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(folder / PLAYER_FILE, json.dumps({"name": name}) + "\n")
    except OSError:
        pass  # the store reports the folder's problem at its first save
    return name, store


def read_player_name(folder: Path) -> str | None:
    """The name in ``folder/player.json``, if the file is a small regular file holding
    a valid name that hashes to this folder (else None: not ours, or tampered with)."""
    path = folder / PLAYER_FILE
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PLAYER_FILE_BYTES:
            return None
        raw = os.read(fd, MAX_PLAYER_FILE_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        data = json.loads(raw.decode("utf-8"))
        name = clean_name(data["name"]) if isinstance(data, dict) else None
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    if name is None or player_key(name) != folder.name:
        return None
    return name


def local_player_name() -> str:
    """The name the leaderboard gives this computer's own save (the login name, if usable)."""
    try:
        return clean_name(getpass.getuser())
    except (PlayerNameError, OSError, KeyError, ImportError):
        return "local"


@dataclass(frozen=True)
class Row:
    player: str
    level: str
    """The level's id."""
    best_score: int
    stars: int
    attempts: int

    def as_json(self) -> dict[str, Any]:
        return {
            "player": self.player,
            "level": self.level,
            "best_score": self.best_score,
            "stars": self.stars,
            "attempts": self.attempts,
        }


def player_stores(home: Path | None = None) -> list[tuple[str, ProgressStore]]:
    """Every named player's save under the data home, plus this computer's own save
    (under the login name), in name order. Folders that are not ours are ignored."""
    root = players_root(home)
    found: list[tuple[str, ProgressStore]] = []
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        entries = []
    for entry in entries:
        if not _KEY.fullmatch(entry.name):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue
        except OSError:
            continue
        folder = Path(entry.path)
        name = read_player_name(folder)
        if name is not None:
            found.append((name, ProgressStore(home=folder)))
    found.sort(key=lambda pair: (pair[0].casefold(), pair[0]))
    local = ProgressStore(home=home)
    if local.path.is_file():
        found.append((local_player_name(), local))
    return found


def leaderboard(
    levels: Iterable[tuple[str, str]],
    campaign: str,
    stores: list[tuple[str, ProgressStore]],
) -> list[Row]:
    """One row per player and played level: levels in campaign order, then the best
    score first, more stars first, fewer attempts first, then by name.

    ``levels`` are ``(id, digest)`` pairs in order: a record of an edited level
    (another digest) belongs to the old level and is not shown, as on the map.
    """
    rows: list[Row] = []
    for level_id, digest in levels:
        here: list[Row] = []
        for name, store in stores:
            record = store.level_record(campaign, level_id, digest)
            if record is None or record.plays <= 0:
                continue
            here.append(Row(name, level_id, record.best_score, record.stars, record.plays))
        here.sort(key=lambda r: (-r.best_score, -r.stars, r.attempts, r.player.casefold()))
        rows.extend(here)
    return rows


def notices(stores: list[tuple[str, ProgressStore]]) -> list[str]:
    """What reading the saves had to say (a corrupt save moved aside), per player."""
    out: list[str] = []
    for name, store in stores:
        out.extend(f"{name}: {notice}" for notice in store.notices)
    return out
