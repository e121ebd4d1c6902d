"""The save data: round trips, best-score rules, unlocking, and surviving bad files and disks."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

import lrgame.atomic as atomic
import lrgame.storage.store as storage
from lrgame.__main__ import main
from lrgame.engine.outcome import Verdict
from lrgame.storage import LevelRecord, ProgressStore, Settings

STRATEGY = {"optimizer": {"name": "sgd", "lr": 0.1}, "schedule": {"name": "constant"}, "steps": 40}
FAST = {"optimizer": {"name": "sgd", "lr": 0.3}, "schedule": {"name": "constant"}, "steps": 40}
StrPath = str | os.PathLike[str]
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def verdict(
    outcome: str = "reached_goal", score: int = 700, stars: int = 2, steps_to_goal: int | None = 12
) -> Verdict:
    return Verdict(
        outcome=outcome,
        steps=40,
        steps_to_goal=steps_to_goal,
        final_loss=0.0,
        progress=1.0,
        score=score,
        stars=stars,
    )


LOSS = verdict("diverged", score=0, stars=0, steps_to_goal=None)


def corrupt_files(home: Path) -> list[Path]:
    return sorted(home.glob("progress.corrupt-*.json"))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Every test gets its own save home, so nothing touches the real user data directory.
    path = tmp_path / "home"
    monkeypatch.setenv("LRGAME_HOME", str(path))
    return path


# -- round trip and records ---------------------------------------------------


def test_round_trip(home: Path) -> None:
    store = ProgressStore(home)
    assert store.path == home / "progress.json"
    assert store.level_record("default", "bowl", "d1") is None
    store.record_run("default", "bowl", "d1", verdict(), STRATEGY)
    store.save_settings(Settings(unlock_all=True, language="ja", theme="dark"))

    data = json.loads(store.path.read_text(encoding="utf-8"))
    assert data["version"] == 1

    again = ProgressStore(home)
    record = again.level_record("default", "bowl", "d1")
    assert isinstance(record, LevelRecord)
    assert (record.level_id, record.digest) == ("bowl", "d1")
    assert record.passed and record.best_score == 700 and record.stars == 2
    assert record.best_steps_to_goal == 12 and record.plays == 1
    assert record.best_strategy == STRATEGY
    assert record.updated.endswith("Z")
    assert again.settings == Settings(unlock_all=True, language="ja", theme="dark")
    assert again.notices == []


def test_fresh_store_has_default_settings_and_writes_nothing(home: Path) -> None:
    store = ProgressStore(home)
    assert store.settings == Settings(unlock_all=False, language=None, theme=None)
    assert store.notices == []
    assert not store.path.exists()


def test_new_best_logic(home: Path) -> None:
    store = ProgressStore(home)
    first = store.record_run("default", "bowl", "d1", LOSS, STRATEGY)
    assert first.is_new_best and first.previous_best is None and not first.newly_passed
    assert not first.record.passed and first.record.best_steps_to_goal is None

    won = verdict(score=700, stars=2, steps_to_goal=15)
    win = store.record_run("default", "bowl", "d1", won, FAST)
    assert win.is_new_best and win.previous_best == 0 and win.newly_passed
    assert win.record.passed and win.record.best_strategy == FAST

    # A worse run: counted, but the best score, its strategy, stars and pass all stay.
    worse = store.record_run("default", "bowl", "d1", LOSS, STRATEGY)
    assert not worse.is_new_best and worse.previous_best == 700 and not worse.newly_passed
    assert worse.record.passed and worse.record.best_score == 700 and worse.record.stars == 2
    assert worse.record.best_strategy == FAST and worse.record.plays == 3

    # A tie is not a new best; the fewest steps to goal and most stars are kept separately.
    tie = store.record_run(
        "default", "bowl", "d1", verdict(score=700, stars=3, steps_to_goal=9), STRATEGY
    )
    assert not tie.is_new_best and tie.record.best_strategy == FAST
    assert tie.record.stars == 3 and tie.record.best_steps_to_goal == 9

    better = store.record_run(
        "default", "bowl", "d1", verdict(score=900, stars=1, steps_to_goal=30), STRATEGY
    )
    assert better.is_new_best and better.previous_best == 700
    assert better.record.best_score == 900 and better.record.best_strategy == STRATEGY
    assert better.record.stars == 3 and better.record.best_steps_to_goal == 9
    assert better.record.plays == 5


def test_steps_to_goal_only_counts_wins(home: Path) -> None:
    store = ProgressStore(home)
    # Passing through the goal without settling reports steps_to_goal but is not a win.
    passing = verdict("out_of_steps", score=250, stars=0, steps_to_goal=7)
    result = store.record_run("default", "bowl", "d1", passing, STRATEGY)
    assert not result.record.passed and result.record.best_steps_to_goal is None


def test_records_do_not_alias_the_callers_strategy(home: Path) -> None:
    store = ProgressStore(home)
    strategy = json.loads(json.dumps(STRATEGY))
    result = store.record_run("default", "bowl", "d1", verdict(), strategy)
    strategy["optimizer"]["lr"] = 99.0
    assert result.record.best_strategy is not None
    result.record.best_strategy["steps"] = 1
    assert store.level_record("default", "bowl", "d1").best_strategy == STRATEGY  # type: ignore[union-attr]


def test_digest_change_is_a_fresh_record(home: Path) -> None:
    store = ProgressStore(home)
    store.record_run("default", "bowl", "old", verdict(score=900), STRATEGY)
    edited = store.record_run("default", "bowl", "new", LOSS, STRATEGY)
    assert edited.previous_best is None and edited.record.plays == 1 and not edited.record.passed
    assert store.level_record("default", "bowl", "new").passed is False  # type: ignore[union-attr]
    # Reverting the edit finds the old record again.
    assert store.level_record("default", "bowl", "old").best_score == 900  # type: ignore[union-attr]


def test_campaigns_are_separate(home: Path, tmp_path: Path) -> None:
    store = ProgressStore(home)
    folder = tmp_path / "mine"
    folder.mkdir()
    key = store.campaign_key(folder)
    assert store.campaign_key(None) == "default"
    assert key.startswith("dir-") and len(key) == len("dir-") + 12
    # Stable across spellings of the same folder and across stores.
    assert ProgressStore(home).campaign_key(tmp_path / "mine" / ".." / "mine") == key
    assert store.campaign_key(tmp_path / "other") != key

    store.record_run(key, "bowl", "d1", verdict(), STRATEGY)
    assert store.level_record("default", "bowl", "d1") is None
    data = json.loads(store.path.read_text(encoding="utf-8"))
    assert data["campaigns"][key]["path"] == str(folder.resolve())  # for humans reading the file


def test_shipped_folder_is_the_default_campaign(home: Path) -> None:
    from lrgame.levels.paths import shipped_levels_dir

    assert ProgressStore(home).campaign_key(shipped_levels_dir()) == "default"


# -- unlocking -----------------------------------------------------------------


def test_unlock_rules(home: Path) -> None:
    store = ProgressStore(home)
    ordered: list[tuple[str, str] | None] = [("a", "1"), ("b", "1"), ("c", "1")]
    assert store.is_unlocked("default", ordered, 0, False)
    assert not store.is_unlocked("default", ordered, 1, False)
    assert store.is_unlocked("default", ordered, 2, True)

    store.record_run("default", "a", "1", LOSS, STRATEGY)  # played but not passed
    assert not store.is_unlocked("default", ordered, 1, False)
    store.record_run("default", "a", "1", verdict(), STRATEGY)
    assert store.is_unlocked("default", ordered, 1, False)
    assert not store.is_unlocked("default", ordered, 2, False)

    # Passing the old version of an edited level does not unlock the next one.
    assert not store.is_unlocked("default", [("a", "2"), ("b", "1")], 1, False)
    with pytest.raises(IndexError):
        store.is_unlocked("default", ordered, 3, False)


def test_broken_levels_do_not_block(home: Path) -> None:
    store = ProgressStore(home)
    ordered: list[tuple[str, str] | None] = [("a", "1"), None, None, ("d", "1"), None, ("f", "1")]
    assert not store.is_unlocked("default", ordered, 3, False)
    store.record_run("default", "a", "1", verdict(), STRATEGY)
    assert store.is_unlocked("default", ordered, 1, False)
    assert store.is_unlocked("default", ordered, 3, False)  # skips the two broken ones to "a"
    assert not store.is_unlocked("default", ordered, 5, False)  # "d" is not passed yet
    store.record_run("default", "d", "1", verdict(), STRATEGY)
    assert store.is_unlocked("default", ordered, 5, False)
    # Only broken levels before it: nothing to pass first.
    assert store.is_unlocked("default", [None, None, ("c", "1")], 2, False)


# -- atomic writes and failures ------------------------------------------------


def test_failed_replace_leaves_the_old_file_intact(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProgressStore(home)
    store.record_run("default", "bowl", "d1", verdict(score=500), STRATEGY)
    before = store.path.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(storage.os, "replace", crash)
    result = store.record_run("default", "bowl", "d1", verdict(score=900), FAST)
    assert result.is_new_best  # the run still counts in memory
    assert store.path.read_bytes() == before
    # No temp file left behind (the lock file stays: it is how games take turns).
    assert sorted(p.name for p in home.iterdir()) == ["progress.json", "progress.json.lock"]
    assert len(store.notices) == 1 and str(store.path) in store.notices[0]
    assert "Input/output error" in store.notices[0]

    monkeypatch.undo()
    assert ProgressStore(home).level_record("default", "bowl", "d1").best_score == 500  # type: ignore[union-attr]


def test_write_is_fsynced_before_replace(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync")
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(storage.os, "fsync", fsync)
    monkeypatch.setattr(storage.os, "replace", replace)
    ProgressStore(home).save_settings(Settings(theme="light"))
    assert events[:2] == ["fsync", "replace"]


def test_write_failure_is_a_notice_not_an_error(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Simulates a read-only data folder, which chmod cannot do for root.
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    store = ProgressStore(home)
    store.record_run("default", "bowl", "d1", verdict(), STRATEGY)
    store.record_run("default", "bowl", "d1", verdict(), STRATEGY)
    assert store.level_record("default", "bowl", "d1").plays == 2  # type: ignore[union-attr]
    assert len(store.notices) == 1  # one notice, not one per save
    assert "could not be saved" in store.notices[0] and "Permission denied" in store.notices[0]


class Denier:
    """Takes permissions away from a save folder or file, and gives them back.

    ``chmod`` does it for real. ``simulated`` gives the file calls the same
    answers POSIX gives a player without the rights (root ignores chmod, so
    only this way runs there, in CI): nothing inside an unreadable folder can be
    opened, listed or looked up; nothing can be created, renamed or removed in a
    read-only one; an unreadable file cannot be opened. ``tempfile.mkstemp``
    goes through ``os.open``, so it is covered too.
    """

    def __init__(self, how: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.how = how
        self.modes: dict[Path, int] = {}
        self.read_only: set[Path] = set()
        self.unreadable: set[Path] = set()
        if how == "simulated":
            self._patch(monkeypatch)

    def deny(self, path: Path, mode: int) -> None:
        """Give ``path`` the permission bits ``mode`` (0: nothing; r-x: read-only)."""
        if self.how == "chmod":
            self.modes[path] = stat.S_IMODE(path.stat().st_mode)
            path.chmod(mode)
            return
        if not mode & stat.S_IRUSR:
            self.unreadable.add(Path(os.path.abspath(path)))
        if not mode & stat.S_IWUSR:
            self.read_only.add(Path(os.path.abspath(path)))

    def restore(self) -> None:
        for path, mode in self.modes.items():
            path.chmod(mode)
        self.read_only.clear()
        self.unreadable.clear()

    def _inside_closed(self, path: StrPath) -> bool:
        """Looking up ``path`` needs every folder above it to be searchable."""
        return any(folder in self.unreadable for folder in Path(os.path.abspath(path)).parents)

    def _cannot_read(self, path: StrPath) -> bool:
        return self._inside_closed(path) or Path(os.path.abspath(path)) in self.unreadable

    def _cannot_change_entries_of(self, folder: StrPath) -> bool:
        """Creating, renaming or removing an entry needs the folder's rights, not the file's."""
        path = Path(os.path.abspath(folder))
        return self._cannot_read(path) or path in self.read_only

    def _patch(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def denied(path: object) -> PermissionError:
            return PermissionError(13, "Permission denied", str(path))

        real_open, real_access, real_listdir = os.open, os.access, os.listdir
        real_stat, real_lstat = os.stat, os.lstat
        real_rename, real_replace, real_unlink = os.rename, os.replace, os.unlink
        real_read_bytes = Path.read_bytes

        def open_(path: StrPath, flags: int, mode: int = 0o777, **kwargs: Any) -> int:
            if isinstance(path, (str, os.PathLike)):
                if self._cannot_read(path):
                    raise denied(path)
                if flags & os.O_CREAT and not real_access(path, os.F_OK):
                    if self._cannot_change_entries_of(Path(path).parent):
                        raise denied(path)
            return real_open(path, flags, mode, **kwargs)

        def access(path: StrPath, mode: int, **kwargs: Any) -> bool:
            if isinstance(path, (str, os.PathLike)) and mode != os.F_OK:
                if self._inside_closed(path):
                    return False
                where = Path(os.path.abspath(path))
                if where in self.unreadable:
                    return False
                if mode & os.W_OK and where in self.read_only:
                    return False
            return real_access(path, mode, **kwargs)

        def listdir(path: StrPath = ".") -> list[str]:
            if self._cannot_read(path):
                raise denied(path)
            return real_listdir(path)

        def stat_(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
            if isinstance(path, (str, os.PathLike)) and self._inside_closed(path):
                raise denied(path)
            return real_stat(path, *args, **kwargs)

        def lstat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
            if isinstance(path, (str, os.PathLike)) and self._inside_closed(path):
                raise denied(path)
            return real_lstat(path, *args, **kwargs)

        def rename(src: StrPath, dst: StrPath, **kwargs: Any) -> None:
            for path in (src, dst):
                if self._cannot_change_entries_of(Path(path).parent):
                    raise denied(path)
            real_rename(src, dst, **kwargs)

        def replace(src: StrPath, dst: StrPath, **kwargs: Any) -> None:
            for path in (src, dst):
                if self._cannot_change_entries_of(Path(path).parent):
                    raise denied(path)
            real_replace(src, dst, **kwargs)

        def unlink(path: StrPath, **kwargs: Any) -> None:
            if self._cannot_change_entries_of(Path(path).parent):
                raise denied(path)
            real_unlink(path, **kwargs)

        def read_bytes(path: Path) -> bytes:
            if self._cannot_read(path):
                raise denied(path)
            return real_read_bytes(path)

        # One os module serves storage, atomic and tempfile alike.
        for name, fake in [
            ("open", open_),
            ("access", access),
            ("listdir", listdir),
            ("stat", stat_),
            ("lstat", lstat),
            ("rename", rename),
            ("replace", replace),
            ("unlink", unlink),
        ]:
            monkeypatch.setattr(os, name, fake)
        monkeypatch.setattr(Path, "read_bytes", read_bytes)


@pytest.fixture(
    params=[
        pytest.param("chmod", marks=pytest.mark.skipif(AS_ROOT, reason="root ignores chmod")),
        "simulated",
    ]
)
def denier(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Denier:
    return Denier(request.param, monkeypatch)


def test_read_only_dir(home: Path, denier: Denier) -> None:
    store = ProgressStore(home)
    store.record_run("default", "bowl", "d1", verdict(score=500), STRATEGY)
    denier.deny(home, stat.S_IRUSR | stat.S_IXUSR)
    try:
        again = ProgressStore(home)
        result = again.record_run("default", "bowl", "d1", verdict(score=900), STRATEGY)
        assert result.previous_best == 500
        assert len(again.notices) == 1 and "could not be saved" in again.notices[0]
    finally:
        denier.restore()
    assert ProgressStore(home).level_record("default", "bowl", "d1").best_score == 500  # type: ignore[union-attr]


def test_unreadable_dir(home: Path, denier: Denier) -> None:
    ProgressStore(home).record_run("default", "bowl", "d1", verdict(), STRATEGY)
    denier.deny(home, 0)
    try:
        store = ProgressStore(home)
        assert store.level_record("default", "bowl", "d1") is None  # starts fresh
        store.record_run("default", "bowl", "d1", verdict(), STRATEGY)  # and does not crash
        assert len(store.notices) == 1 and "will not be saved" in store.notices[0]
    finally:
        denier.restore()
    # The save it could not read was neither overwritten nor lost.
    assert ProgressStore(home).level_record("default", "bowl", "d1") is not None


def test_unreadable_file_is_left_alone_and_said_so(home: Path, denier: Denier) -> None:
    ProgressStore(home).record_run("default", "bowl", "d1", verdict(), STRATEGY)
    denier.deny(home / "progress.json", 0)
    try:
        store = ProgressStore(home)
        assert store.level_record("default", "bowl", "d1") is None
        store.record_run("default", "bowl", "d1", verdict(), STRATEGY)
        assert corrupt_files(home) == []
        assert len(store.notices) == 1 and "permission denied" in store.notices[0]
    finally:
        denier.restore()
    assert ProgressStore(home).level_record("default", "bowl", "d1").plays == 1  # type: ignore[union-attr]


def test_permission_denied_on_read_is_not_corruption(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same as above, simulated so that it also runs as root: the save is neither
    # moved aside as corrupt nor replaced, and the notice says why.
    ProgressStore(home).record_run("default", "bowl", "d1", verdict(), STRATEGY)
    before = (home / "progress.json").read_bytes()
    real_open = os.open

    def denied(path: object, flags: int, *args: object) -> int:
        if str(path).endswith("progress.json"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(storage.os, "open", denied)
    store = ProgressStore(home)
    assert store.level_record("default", "bowl", "d1") is None
    result = store.record_run("default", "bowl", "d1", verdict(score=900), STRATEGY)
    assert result.record.plays == 1  # counted for this session
    assert corrupt_files(home) == []
    assert store.notices == [
        f"Your save file {store.path} cannot be read: permission denied. It was left as it is "
        "(fix its permissions to keep your progress); this session will not be saved."
    ]
    monkeypatch.undo()
    assert (home / "progress.json").read_bytes() == before


def test_failed_move_aside_never_overwrites(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home.mkdir()
    (home / "progress.json").write_text("not json", encoding="utf-8")

    def cannot(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(storage.os, "rename", cannot)
    store = ProgressStore(home)
    store.record_run("default", "bowl", "d1", verdict(), STRATEGY)
    assert (home / "progress.json").read_text(encoding="utf-8") == "not json"
    assert len(store.notices) == 1 and "will not be saved" in store.notices[0]


# -- corrupt files -------------------------------------------------------------


BAD_FILES = {
    "not json": b"{not json",
    "not utf-8": b"\xff\xfe\x00garbage",
    "empty": b"",
    "a list": b"[1, 2, 3]",
    "no version": b'{"campaigns": {}}',
    "wrong version": b'{"version": 2, "campaigns": {}}',
    "version true": b'{"version": true, "campaigns": {}}',
    "bad settings": b'{"version": 1, "settings": {"unlock_all": "yes"}, "campaigns": {}}',
    "bad record": json.dumps(
        {
            "version": 1,
            "campaigns": {
                "default": {
                    "path": None,
                    "levels": {"bowl": {"d1": {"passed": True, "best_score": "lots"}}},
                }
            },
        }
    ).encode(),
    "NaN": b'{"version": 1, "campaigns": {}, "x": NaN}',
    "deep": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("content", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_corrupt_file_is_moved_aside(home: Path, content: bytes) -> None:
    home.mkdir()
    (home / "progress.json").write_bytes(content)
    store = ProgressStore(home)
    assert store.level_record("default", "bowl", "d1") is None
    [moved] = corrupt_files(home)
    assert moved.read_bytes() == content  # kept intact, never deleted
    assert len(store.notices) == 1
    notice = store.notices[0]
    assert str(moved) in notice and "starts fresh" in notice and "\n" not in notice
    # The game goes on and saves afresh beside the moved-aside file.
    store.record_run("default", "bowl", "d1", verdict(), STRATEGY)
    assert ProgressStore(home).level_record("default", "bowl", "d1") is not None
    assert ProgressStore(home).notices == []


def test_directory_in_place_of_the_file(home: Path) -> None:
    (home / "progress.json").mkdir(parents=True)
    (home / "progress.json" / "inside.txt").write_text("keep me", encoding="utf-8")
    store = ProgressStore(home)
    assert store.settings == Settings()
    [moved] = corrupt_files(home)
    assert (moved / "inside.txt").read_text(encoding="utf-8") == "keep me"
    assert str(moved) in store.notices[0]
    store.save_settings(Settings(theme="dark"))
    assert store.path.is_file()


def test_two_corrupt_files_in_one_second_both_survive(home: Path) -> None:
    home.mkdir()
    for text in ("first", "second"):
        (home / "progress.json").write_text(text, encoding="utf-8")
        assert ProgressStore(home).notices
    contents = {p.read_text(encoding="utf-8") for p in corrupt_files(home)}
    assert contents == {"first", "second"}


# -- home directory ------------------------------------------------------------


def test_lrgame_home_is_honoured(home: Path) -> None:
    store = ProgressStore()
    assert store.path == home / "progress.json"
    store.save_settings(Settings(language="fr"))
    assert (home / "progress.json").is_file()


def test_without_lrgame_home_platformdirs_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    from platformdirs import user_data_dir

    monkeypatch.delenv("LRGAME_HOME", raising=False)
    assert ProgressStore().path == Path(user_data_dir("lrgame")) / "progress.json"


def test_loading_is_lazy(home: Path) -> None:
    home.mkdir()
    (home / "progress.json").write_text("junk", encoding="utf-8")
    ProgressStore(home)  # constructing alone reads nothing, so moves nothing
    assert corrupt_files(home) == []


# -- reset -----------------------------------------------------------------------


def test_reset_one_campaign_or_all(home: Path, tmp_path: Path) -> None:
    store = ProgressStore(home)
    other = store.campaign_key(tmp_path)
    store.record_run("default", "bowl", "d1", verdict(), STRATEGY)
    store.record_run(other, "bowl", "d1", verdict(), STRATEGY)
    store.save_settings(Settings(unlock_all=True))

    store.reset(other)
    again = ProgressStore(home)
    assert again.level_record(other, "bowl", "d1") is None
    assert again.level_record("default", "bowl", "d1") is not None

    again.record_run(other, "bowl", "d1", verdict(), STRATEGY)
    again.reset()
    last = ProgressStore(home)
    assert last.level_record("default", "bowl", "d1") is None
    assert last.level_record(other, "bowl", "d1") is None
    assert last.settings.unlock_all  # settings are kept


# -- the reset-progress command ----------------------------------------------------


class FakeStdin(io.StringIO):
    """stdin with a chosen answer to isatty(), as pytest's own stdin is never a terminal."""

    def __init__(self, text: str, tty: bool) -> None:
        super().__init__(text)
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_reset_progress_with_yes(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ProgressStore(home)
    folder = tmp_path / "mine"
    key = store.campaign_key(folder)
    store.record_run("default", "bowl", "d1", verdict(), STRATEGY)
    store.record_run(key, "bowl", "d1", verdict(), STRATEGY)

    assert main(["reset-progress", "--levels", str(folder), "--yes"]) == 0
    assert "Reset" in capsys.readouterr().out
    assert ProgressStore(home).level_record(key, "bowl", "d1") is None
    assert ProgressStore(home).level_record("default", "bowl", "d1") is not None

    assert main(["reset-progress", "--yes"]) == 0
    assert ProgressStore(home).level_record("default", "bowl", "d1") is None


def test_reset_progress_levels_before_the_subcommand(home: Path, tmp_path: Path) -> None:
    store = ProgressStore(home)
    key = store.campaign_key(tmp_path)
    store.record_run(key, "bowl", "d1", verdict(), STRATEGY)
    store.record_run("default", "bowl", "d1", verdict(), STRATEGY)
    assert main(["--levels", str(tmp_path), "reset-progress", "--yes"]) == 0
    assert ProgressStore(home).level_record(key, "bowl", "d1") is None
    assert ProgressStore(home).level_record("default", "bowl", "d1") is not None


def test_reset_progress_all(home: Path, tmp_path: Path) -> None:
    store = ProgressStore(home)
    store.record_run(store.campaign_key(tmp_path), "bowl", "d1", verdict(), STRATEGY)
    store.record_run("default", "bowl", "d1", verdict(), STRATEGY)
    assert main(["reset-progress", "--all", "--yes"]) == 0
    assert not ProgressStore(home).has_progress()


def test_reset_progress_refuses_without_a_tty(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ProgressStore(home).record_run("default", "bowl", "d1", verdict(), STRATEGY)
    monkeypatch.setattr("sys.stdin", FakeStdin("y\n", tty=False))
    assert main(["reset-progress"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "--yes" in err
    assert ProgressStore(home).level_record("default", "bowl", "d1") is not None


@pytest.mark.parametrize(
    ("answer", "code", "kept"),
    [("y\n", 0, False), ("yes\n", 0, False), ("n\n", 1, True), ("\n", 1, True), ("", 1, True)],
)
def test_reset_progress_asks_on_a_tty(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    answer: str,
    code: int,
    kept: bool,
) -> None:
    ProgressStore(home).record_run("default", "bowl", "d1", verdict(), STRATEGY)
    monkeypatch.setattr("sys.stdin", FakeStdin(answer, tty=True))
    assert main(["reset-progress"]) == code
    assert "[y/N]" in capsys.readouterr().out
    assert (ProgressStore(home).level_record("default", "bowl", "d1") is not None) == kept


def test_reset_progress_with_nothing_saved(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", FakeStdin("", tty=True))
    assert main(["reset-progress"]) == 0  # nothing to lose, so no question
    out = capsys.readouterr().out
    assert "No saved progress" in out and "[y/N]" not in out
    assert main(["reset-progress", "--yes"]) == 0


def test_reset_progress_reports_a_corrupt_save(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home.mkdir()
    (home / "progress.json").write_text("junk", encoding="utf-8")
    assert main(["reset-progress", "--yes"]) == 0
    err = capsys.readouterr().err
    assert "moved aside" in err and str(corrupt_files(home)[0]) in err


def test_reset_progress_reports_a_failed_write(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ProgressStore(home).record_run("default", "bowl", "d1", verdict(), STRATEGY)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    assert main(["reset-progress", "--yes"]) == 1
    assert "could not be saved" in capsys.readouterr().err


def test_reset_progress_levels_and_all_conflict(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["reset-progress", "--levels", str(tmp_path), "--all", "--yes"])
    assert exit_info.value.code == 2
    capsys.readouterr()


# -- several games at once -------------------------------------------------------

WRITER = """
import sys
from pathlib import Path
from lrgame.engine.outcome import Verdict
from lrgame.storage import ProgressStore

home, me, rounds = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
store = ProgressStore(home)
for j in range(rounds):
    if j == rounds // 2:
        store = ProgressStore(home)  # a second game session in the same process
    won = (me + j) % 3 != 0
    score = 10 * me + j  # every score different, so the best one has one owner
    shared = Verdict(outcome="reached_goal" if won else "out_of_steps", steps=40,
                     steps_to_goal=40 - me if won else None, final_loss=0.0, progress=1.0,
                     score=score, stars=(me + j) % 4 if won else 0)
    strategy = {"optimizer": {"name": "sgd", "lr": score / 1000}}
    store.record_run("default", "bowl", "d1", shared, strategy)
    own = Verdict(outcome="out_of_steps", steps=40, steps_to_goal=None, final_loss=0.0,
                  progress=0.5, score=j, stars=0)
    store.record_run("default", f"own-{me}", "d1", own, strategy)
print(len(store.notices))
"""


def test_parallel_games_lose_nothing(home: Path) -> None:
    # Eight processes (games) record the same level and one level each, all at once.
    import subprocess
    import sys

    writers, rounds = 8, 12
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(home), str(me), str(rounds)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for me in range(writers)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert out.strip() == "0"  # no notices: every save went through
    store = ProgressStore(home)
    shared = store.level_record("default", "bowl", "d1")
    assert shared is not None
    assert shared.plays == writers * rounds
    scores = [10 * me + j for me in range(writers) for j in range(rounds)]
    wins = [(me, j) for me in range(writers) for j in range(rounds) if (me + j) % 3 != 0]
    assert shared.best_score == max(scores)
    assert shared.best_strategy == {"optimizer": {"name": "sgd", "lr": max(scores) / 1000}}
    assert shared.stars == max((me + j) % 4 for me, j in wins)
    assert shared.passed and shared.best_steps_to_goal == 40 - (writers - 1)
    for me in range(writers):
        own = store.level_record("default", f"own-{me}", "d1")
        assert own is not None and own.plays == rounds and own.best_score == rounds - 1
    assert store.notices == []
    assert sorted(p.name for p in home.iterdir()) == ["progress.json", "progress.json.lock"]


def test_two_stores_merge_instead_of_overwriting(home: Path) -> None:
    first, second = ProgressStore(home), ProgressStore(home)
    first.settings, second.settings  # both loaded before either saves  # noqa: B018
    first.record_run("default", "a", "d1", verdict(score=600, stars=2), FAST)
    second.record_run("default", "b", "d1", LOSS, STRATEGY)
    result = second.record_run("default", "a", "d1", verdict(score=500, stars=3), STRATEGY)
    # The second game sees the first game's run of "a" when it merges its own.
    assert result.previous_best == 600 and not result.is_new_best and not result.newly_passed
    assert result.record.plays == 2 and result.record.stars == 3
    first.save_settings(Settings(theme="dark"))
    second.save_settings(Settings(unlock_all=True))  # second still thinks theme is None
    again = ProgressStore(home)
    assert again.level_record("default", "a", "d1").best_strategy == FAST  # type: ignore[union-attr]
    assert again.level_record("default", "b", "d1") is not None
    assert again.settings == Settings(unlock_all=True, theme="dark")


def test_a_failed_save_is_retried_once_not_twice(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProgressStore(home)
    real = atomic.tempfile.mkstemp

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    store.record_run("default", "bowl", "d1", verdict(score=300), STRATEGY)
    assert "No space left on device" in store.notices[0]
    assert not store.path.exists()
    monkeypatch.setattr(atomic.tempfile, "mkstemp", real)
    result = store.record_run("default", "bowl", "d1", verdict(score=200), FAST)
    assert result.record.plays == 2 and result.record.best_score == 300
    again = ProgressStore(home).level_record("default", "bowl", "d1")
    assert again is not None and again.plays == 2 and again.best_strategy == STRATEGY
    store.record_run("default", "bowl", "d1", LOSS, FAST)
    assert ProgressStore(home).level_record("default", "bowl", "d1").plays == 3  # type: ignore[union-attr]


def test_stale_temporary_files_are_cleaned_on_start(home: Path) -> None:
    import time

    ProgressStore(home).save_settings(Settings(theme="dark"))
    hour_ago = time.time() - 2 * 3600
    minutes_ago = time.time() - 120
    files = {
        # A writer that died (no such pid): gone, however recent.
        ".progress.json.999999999.abcd_123.tmp": (None, False),
        # This very process, writing now: kept.
        f".progress.json.{os.getpid()}.abcd_123.tmp": (None, True),
        # A pid that is alive but a file too old to be a write in progress: gone.
        f".progress.json.{os.getppid()}.zzzz_999.tmp": (hour_ago, False),
        # Older versions named them without a pid: gone when old, kept when fresh.
        ".progress.json.k2j4h5g6.tmp": (minutes_ago, False),
        ".progress.json.a1b2c3d4.tmp": (None, True),
        # Not ours: kept.
        ".other.json.999999999.abcd_123.tmp": (hour_ago, True),
        "progress.json.999999999.abcd_123.tmp": (hour_ago, True),
    }
    for name, (mtime, _kept) in files.items():
        (home / name).write_text("{", encoding="utf-8")
        if mtime is not None:
            os.utime(home / name, (mtime, mtime))
    store = ProgressStore(home)
    assert store.settings.theme == "dark" and store.notices == []
    left = {p.name for p in home.iterdir()}
    assert {name for name, (_m, kept) in files.items() if kept} <= left
    assert not {name for name, (_m, kept) in files.items() if not kept} & left


def test_a_fifo_or_device_in_place_of_the_save_is_moved_aside(home: Path) -> None:
    home.mkdir()
    os.mkfifo(home / "progress.json")  # reading it would block forever
    store = ProgressStore(home)
    assert store.settings == Settings()
    [moved] = corrupt_files(home)
    assert stat.S_ISFIFO(os.lstat(moved).st_mode)
    assert "not a regular file" in store.notices[0]
    (home / "progress.json").symlink_to("/dev/zero")  # reading it would never end
    store = ProgressStore(home)
    assert store.settings == Settings() and "not a regular file" in store.notices[0]
    assert len(corrupt_files(home)) == 2


def test_a_huge_save_is_moved_aside(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage, "MAX_SAVE_BYTES", 100)
    home.mkdir()
    (home / "progress.json").write_text(json.dumps({"version": 1, "campaigns": {}, "x": "y" * 200}))
    store = ProgressStore(home)
    assert "larger than" in store.notices[0] and len(corrupt_files(home)) == 1


def test_lrgame_home_that_is_a_file_is_named_as_such(home: Path) -> None:
    home.write_text("not a folder", encoding="utf-8")
    store = ProgressStore()
    store.record_run("default", "bowl", "d1", verdict(), STRATEGY)  # does not crash
    assert store.level_record("default", "bowl", "d1") is not None  # kept for this session
    assert store.notices == [
        f"Your save folder {home} (set by LRGAME_HOME) is not a folder, so this session "
        "starts fresh and will not be saved."
    ]
    assert home.read_text(encoding="utf-8") == "not a folder"


def test_lrgame_home_below_a_file_is_named_as_such(home: Path) -> None:
    home.write_text("x", encoding="utf-8")
    store = ProgressStore(home / "inner")
    store.save_settings(Settings(theme="dark"))
    [notice] = store.notices
    assert f"cannot be created: {home} is not a folder" in notice and "could not be saved" in notice


def test_lrgame_home_without_permission_is_named_as_such(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home.mkdir()

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    # Simulated, so that it also runs as root.
    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    monkeypatch.setattr(storage.os, "access", lambda path, mode: Path(path) != home)
    store = ProgressStore()
    store.save_settings(Settings(theme="dark"))
    [notice] = store.notices
    assert "is not writable (no permission)" in notice and str(home) in notice
