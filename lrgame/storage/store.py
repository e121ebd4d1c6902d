"""The store: one save shared by several games, changed under a lock and merged, never lost.

See the package docstring for the protocol; the file's shape is :mod:`.records`.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import hashlib
import json
import os
import stat
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from lrgame.engine.outcome import Outcome

from ..atomic import clean_stale_temporaries, write_atomically
from ..levels.paths import shipped_levels_dir

try:
    import fcntl
except ImportError:  # Windows: one game at a time, as before
    fcntl = None  # type: ignore[assignment]

from .paths import FILE_NAME, HOME_ENV, LOCK_SUFFIX, default_home
from .records import (
    DEFAULT_CAMPAIGN,
    BadShape,
    LevelRecord,
    RunRecordResult,
    Settings,
    VerdictLike,
    check_document,
    fresh,
    record_of,
    reject_constant,
    utc_now,
)

LOCK_TIMEOUT = 10.0
"""Seconds to wait for another game's save; a save takes milliseconds."""
MAX_SAVE_BYTES = 64 * 1024 * 1024
"""A save larger than this was not written by lrgame (a record is about 500 bytes)."""


class _Unreadable(Exception):
    """The save exists but this process may not read it: nothing may replace it."""


Change = Callable[[dict[str, Any]], Any]
"""One change to the save document, applied in place; returns what its caller wants to know."""


class ProgressStore:
    """The player's save data, kept in memory and merged into the file on every change."""

    def __init__(self, home: Path | None = None) -> None:
        self.home_from_env = home is None and bool(os.environ.get(HOME_ENV))
        self.home = Path(home) if home is not None else default_home()
        self.path = self.home / FILE_NAME
        self.lock_path = self.home / (FILE_NAME + LOCK_SUFFIX)
        self._base: dict[str, Any] | None = None
        """The file as last read or written (without this process's pending changes)."""
        self._data: dict[str, Any] | None = None
        """What the game sees: the base with the pending changes applied."""
        self._pending: list[Change] = []
        self._notices: list[str] = []
        # False when the save cannot be read or moved aside: writing would destroy it.
        self._may_write = True
        # Folder paths seen by campaign_key, stored beside their key for humans reading the file.
        self._campaign_paths: dict[str, str] = {}

    # -- reading ---------------------------------------------------------

    @property
    def notices(self) -> list[str]:
        """Plain-English messages for the player (a save moved aside, a save that failed)."""
        self._loaded()  # a corrupt file is only found by loading; the game asks here first
        return self._notices

    def _notice(self, message: str) -> None:
        # A read-only folder would otherwise add the same notice on every single save.
        if message not in self._notices:
            self._notices.append(message)

    def _loaded(self) -> dict[str, Any]:
        if self._data is None:
            self._base = self._load()
            self._data = self._base
        return self._data

    def _load(self) -> dict[str, Any]:
        if not self.home.is_dir():
            problem = self.home_problem()
            if problem is not None and os.path.lexists(self.home):
                self._may_write = False
                self._notice(
                    f"Your save folder {self._home_name()} {problem}, so this session "
                    f"starts fresh and will not be saved."
                )
            return fresh()  # first run: nothing saved yet, and nothing created by reading
        with self._locked(required=False) as locked:
            if locked:
                # Under the lock no other game is mid-write: any temporary file is a leftover.
                clean_stale_temporaries(self.path)
            try:
                return self._read()
            except _Unreadable:
                return fresh()

    def _home_name(self) -> str:
        return f"{self.home} (set by {HOME_ENV})" if self.home_from_env else str(self.home)

    def home_problem(self) -> str | None:
        """Why the save folder cannot hold a save (not a folder, no permission), or None."""
        for folder in (self.home, *self.home.parents):
            if os.path.lexists(folder):
                if not folder.is_dir():
                    return (
                        "is not a folder"
                        if folder == self.home
                        else f"cannot be created: {folder} is not a folder"
                    )
                if folder != self.home:
                    if not os.access(folder, os.W_OK | os.X_OK):
                        return f"cannot be created: no permission to write in {folder}"
                    return None
                break
        if self.home.is_dir() and not os.access(self.home, os.W_OK | os.X_OK):
            return "is not writable (no permission)"
        return None

    def _read(self) -> dict[str, Any]:
        """The save on disk (fresh if there is none); moves an unusable one aside.

        Raises _Unreadable when the file is there but may not be read: it is
        left where it is, and this store stops writing so as not to replace it.
        """
        try:
            # O_NONBLOCK: a FIFO in the save's place must not hang the game.
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            return fresh()  # first run (or the data folder does not exist yet)
        except (PermissionError, NotADirectoryError) as error:
            self._unreadable(error)
        except OSError as error:
            self._set_aside(error.strerror or str(error))
            return fresh()
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                self._set_aside("it is a folder, not a file")
                return fresh()
            if not stat.S_ISREG(info.st_mode):
                self._set_aside("it is not a regular file")
                return fresh()
            if info.st_size > MAX_SAVE_BYTES:
                self._set_aside(f"it is larger than {MAX_SAVE_BYTES // 2**20} MiB")
                return fresh()
            with os.fdopen(os.dup(fd), "rb") as handle:
                raw = handle.read(MAX_SAVE_BYTES + 1)
        except PermissionError as error:
            self._unreadable(error)
        except OSError as error:
            self._set_aside(error.strerror or str(error))
            return fresh()
        finally:
            os.close(fd)
        if len(raw) > MAX_SAVE_BYTES:  # it grew while we read
            self._set_aside(f"it is larger than {MAX_SAVE_BYTES // 2**20} MiB")
            return fresh()
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=reject_constant)
            return check_document(data)
        except BadShape:
            self._set_aside("it is not a save file of this version of lrgame")
        except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError; deep nesting
            self._set_aside("it is not valid JSON")
        return fresh()

    def _unreadable(self, error: OSError) -> NoReturn:
        """A save we may not read is not corrupt: say why and leave it alone."""
        self._may_write = False
        problem = self.home_problem() if isinstance(error, NotADirectoryError) else None
        if problem is not None:
            self._notice(
                f"Your save folder {self._home_name()} {problem}, so this session "
                f"starts fresh and will not be saved."
            )
        elif not os.access(self.home, os.X_OK):
            self._notice(
                f"Your save file {self.path} cannot be read: no permission to open the folder "
                f"{self.home}. It was left as it is; this session will not be saved."
            )
        else:
            self._notice(
                f"Your save file {self.path} cannot be read: "
                f"{(error.strerror or str(error)).lower()}. It was left as it is (fix its "
                f"permissions to keep your progress); this session will not be saved."
            )
        raise _Unreadable from error

    def _set_aside(self, why: str) -> None:
        """Move an unusable save to ``progress.corrupt-<UTC timestamp>.json``, never deleting it."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.home / f"progress.corrupt-{stamp}.json"
        n = 1
        while os.path.lexists(target):  # two bad loads in one second must not overwrite each other
            target = self.home / f"progress.corrupt-{stamp}-{n}.json"
            n += 1
        try:
            os.rename(self.path, target)
        except OSError as error:
            self._may_write = False
            self._notice(
                f"Your save file {self.path} could not be read ({why}) or moved aside "
                f"({error.strerror or error}), so this session starts fresh and will not be saved."
            )
            return
        self._notice(
            f"Your save file could not be read ({why}), so it was moved aside to {target} "
            f"and the game starts fresh."
        )

    @contextlib.contextmanager
    def _locked(self, *, required: bool) -> Iterator[bool]:
        """Hold the save's lock (``progress.json.lock``, created if missing). Where there
        is no lock to take (a read-only folder without a lock file, or no fcntl) it
        raises OSError if ``required``, else yields False; after LOCK_TIMEOUT it raises."""
        if fcntl is None:
            yield False
            return
        flags = getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | flags, 0o666)
        except OSError:
            try:
                fd = os.open(self.lock_path, os.O_RDONLY | flags)  # flock needs no write access
            except OSError:
                if required:
                    raise
                yield False
                return
        try:
            deadline = time.monotonic() + LOCK_TIMEOUT
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise OSError(
                            errno.EWOULDBLOCK, "another lrgame kept the save locked"
                        ) from None
                    time.sleep(0.005)
            yield True
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    # -- writing ---------------------------------------------------------

    def _commit(self, change: Change) -> Any:
        """Apply ``change`` to the save on disk, merged with every other game's changes;
        on failure, add a notice and keep playing from memory. Returns what ``change``
        returned the last time it was applied."""
        self._loaded()
        self._pending.append(change)
        if self._may_write:
            try:
                self.home.mkdir(parents=True, exist_ok=True)
                with self._locked(required=True):
                    try:
                        self._base = self._read()
                    except _Unreadable:
                        pass  # _may_write is now False: apply in memory only
                    data, result = self._apply_pending()
                    if self._may_write:
                        text = json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n"
                        # A crash leaves either the old file or the new one, never a half-written one.
                        write_atomically(self.path, text)
                        self._base, self._data = data, data
                        self._pending.clear()
                        return result
            except OSError as error:
                problem = self.home_problem()
                where = (
                    f"your save folder {self._home_name()} {problem}"
                    if problem
                    else f"{self.path}: {error.strerror or error}"
                )
                self._notice(
                    f"Your progress could not be saved ({where}); it is kept for this session only."
                )
        data, result = self._apply_pending()
        self._data = data
        return result

    def _apply_pending(self) -> tuple[dict[str, Any], Any]:
        data = copy.deepcopy(self._base if self._base is not None else fresh())
        result = None
        for change in self._pending:
            result = change(data)
        return data, result

    # -- campaigns and levels ----------------------------------------------

    def campaign_key(self, levels_dir: Path | None) -> str:
        """``"default"`` for the shipped campaign, else ``dir-`` + the first 12 hex digits
        of the SHA-256 of the resolved folder path (stable across runs and working dirs)."""
        if levels_dir is None:
            return DEFAULT_CAMPAIGN
        resolved = Path(levels_dir).expanduser().resolve()
        with contextlib.suppress(OSError):
            if resolved == shipped_levels_dir().resolve():
                return DEFAULT_CAMPAIGN  # `--levels levels/` is the shipped campaign itself
        key = "dir-" + hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:12]
        self._campaign_paths[key] = str(resolved)
        return key

    def level_record(self, campaign: str, level_id: str, digest: str) -> LevelRecord | None:
        entry = self._loaded()["campaigns"].get(campaign)
        if entry is None:
            return None
        raw = entry["levels"].get(level_id, {}).get(digest)
        return None if raw is None else record_of(level_id, digest, raw)

    def record_run(
        self,
        campaign: str,
        level_id: str,
        digest: str,
        verdict: VerdictLike,
        strategy_json: dict[str, Any],
    ) -> RunRecordResult:
        """Count a finished run; keeps the best score (and its strategy), the most stars,
        the fewest steps to goal of a win, and passed once the goal is reached.

        The record it is merged into is the one on disk at the time of saving, so
        runs finished by other games at the same time all count."""
        # A copy through JSON: the store must not alias the caller's dict, and a
        # strategy that cannot be saved is a bug to find now, not at the next save.
        strategy = json.loads(json.dumps(strategy_json, allow_nan=False))
        won = verdict.outcome == Outcome.REACHED_GOAL
        score, stars = verdict.score, verdict.stars
        steps = verdict.steps_to_goal if won else None
        path = self._campaign_paths.get(campaign)
        now = utc_now()

        def change(data: dict[str, Any]) -> RunRecordResult:
            campaigns = data["campaigns"]
            entry = campaigns.setdefault(campaign, {"path": path, "levels": {}})
            levels = entry["levels"]
            old = levels.get(level_id, {}).get(digest)
            previous_best = None if old is None else int(old["best_score"])
            is_new_best = previous_best is None or score > previous_best
            old_steps = None if old is None else old["best_steps_to_goal"]
            raw = {
                "passed": won or (old is not None and old["passed"]),
                "best_score": score if is_new_best else previous_best,
                "stars": max(stars, 0 if old is None else old["stars"]),
                "best_steps_to_goal": (
                    old_steps
                    if steps is None
                    else steps
                    if old_steps is None
                    else min(steps, old_steps)
                ),
                "plays": 1 + (0 if old is None else old["plays"]),
                "best_strategy": copy.deepcopy(strategy) if is_new_best else old["best_strategy"],
                "updated": now,
            }
            levels.setdefault(level_id, {})[digest] = raw
            return RunRecordResult(
                is_new_best=is_new_best,
                previous_best=previous_best,
                newly_passed=won and not (old is not None and old["passed"]),
                record=record_of(level_id, digest, raw),
            )

        result: RunRecordResult = self._commit(change)
        return result

    def is_unlocked(
        self,
        campaign: str,
        ordered: list[tuple[str, str] | None],
        index: int,
        unlock_all: bool,
    ) -> bool:
        """Level ``index`` of a campaign (``(id, digest)`` per level, None for a broken one)
        is open when it is first, everything is unlocked, or the previous playable level is
        passed. Broken levels are skipped so a typo in one file does not wall off the rest."""
        if not 0 <= index < len(ordered):
            raise IndexError(f"level index {index} out of range for {len(ordered)} levels")
        if index == 0 or unlock_all:
            return True
        for entry in reversed(ordered[:index]):
            if entry is not None:
                record = self.level_record(campaign, *entry)
                return record is not None and record.passed
        return True  # only broken levels before it: nothing playable to pass first

    # -- settings and reset -------------------------------------------------

    @property
    def settings(self) -> Settings:
        raw = self._loaded()["settings"]
        return Settings(unlock_all=raw["unlock_all"], language=raw["language"], theme=raw["theme"])

    def save_settings(self, settings: Settings) -> None:
        """Save the settings this game changed; another game's change to another setting stays."""
        old = self.settings
        changed = {
            key: value
            for key, value in (
                ("unlock_all", bool(settings.unlock_all)),
                ("language", settings.language),
                ("theme", settings.theme),
            )
            if getattr(old, key) != value
        }
        if not changed:
            return

        def change(data: dict[str, Any]) -> None:
            data["settings"].update(changed)

        self._commit(change)

    def has_progress(self, campaign: str | None = None) -> bool:
        """Whether any level record exists (in one campaign, or in any)."""
        campaigns = self._loaded()["campaigns"]
        chosen = campaigns.values() if campaign is None else [campaigns.get(campaign)]
        return any(c is not None and any(c["levels"].values()) for c in chosen)

    def reset(self, campaign: str | None = None) -> None:
        """Forget one campaign's progress, or every campaign's; settings are kept."""

        def change(data: dict[str, Any]) -> None:
            if campaign is None:
                data["campaigns"] = {}
            else:
                data["campaigns"].pop(campaign, None)

        self._commit(change)
