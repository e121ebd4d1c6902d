"""The editor's file side without a screen: reading, saving and noticing changes made elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lrgame.levels.textfile import DELETED, DiskText, WatchedFile, read_level_text


def touch_later(path: Path, text: str) -> None:
    """Write ``text`` with a modification time that differs from the last one for sure."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_a_missing_file_reads_as_none_and_is_not_saved(tmp_path: Path) -> None:
    file = WatchedFile(tmp_path / "new.json")
    assert file.read() is None and file.saved_text is None
    assert file.poll() is None  # nothing there before, nothing now


def test_the_byte_order_mark_is_read_apart_and_written_back(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf{}\n")
    assert read_level_text(path) == ("{}\n", True)
    file = WatchedFile(path)
    assert file.read() == "{}\n" and file.bom
    file.write('{"a": 1}\n')
    assert path.read_bytes() == b'\xef\xbb\xbf{"a": 1}\n'
    assert file.saved_text == '{"a": 1}\n'
    assert file.poll() is None  # our own write is no change on disk


def test_a_text_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.json"
    path.write_bytes(b'{"title": "caf\xe9"}')
    with pytest.raises(UnicodeDecodeError):
        WatchedFile(path).read()


def test_a_change_made_elsewhere_is_seen_once(tmp_path: Path) -> None:
    path = tmp_path / "level.json"
    path.write_text("{}\n", encoding="utf-8")
    file = WatchedFile(path)
    file.read()
    touch_later(path, '{"par": 12}\n')
    change = file.poll()
    assert change == DiskText('{"par": 12}\n', False)
    assert file.poll() is None  # looked at already
    assert file.saved_text == "{}\n"  # until the editor follows it
    assert isinstance(change, DiskText)
    file.follow(change)
    assert file.saved_text == '{"par": 12}\n'


def test_the_same_text_written_again_is_no_change(tmp_path: Path) -> None:
    path = tmp_path / "level.json"
    path.write_text("{}\n", encoding="utf-8")
    file = WatchedFile(path)
    file.read()
    touch_later(path, "{}\n")
    assert file.poll() is None


def test_a_deleted_file_is_said_once_and_is_then_unsaved(tmp_path: Path) -> None:
    path = tmp_path / "level.json"
    path.write_text("{}\n", encoding="utf-8")
    file = WatchedFile(path)
    file.read()
    path.unlink()
    assert file.poll() == DELETED
    assert file.saved_text is None
    assert file.poll() is None


def test_a_failed_write_keeps_what_was_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "level.json"
    path.write_text("{}\n", encoding="utf-8")
    file = WatchedFile(path)
    file.read()

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        file.write('{"a": 1}\n')
    assert file.saved_text == "{}\n" and path.read_text(encoding="utf-8") == "{}\n"
