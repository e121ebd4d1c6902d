"""Player names, per-player saves and the class leaderboard (``lrgame.classroom``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lrgame.__main__ import main
from lrgame.classroom import (
    MAX_NAME_CHARS,
    PlayerNameError,
    cells,
    clean_name,
    leaderboard,
    open_player,
    player_home,
    player_key,
    player_stores,
    players_root,
    read_player_name,
)
from lrgame.engine.outcome import Verdict
from lrgame.levels.loader import load_campaign
from lrgame.levels.paths import shipped_levels_dir

STRATEGY = {"optimizer": {"name": "sgd", "lr": 0.1}}


def verdict(score: int, stars: int = 0, outcome: str = "out_of_steps") -> Verdict:
    return Verdict(
        outcome=outcome,
        steps=30,
        steps_to_goal=10 if outcome == "reached_goal" else None,
        final_loss=0.0,
        progress=1.0,
        score=score,
        stars=stars,
    )


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("LRGAME_HOME", str(path))
    return path


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Aiko", "Aiko"),
        ("  Ben   de  Vries ", "Ben de Vries"),
        ("x_y-z 2", "x_y-z 2"),
        ("山田\u3000太郎", "山田 太郎"),  # the ideographic space a Japanese keyboard types
        ("たなか", "たなか"),
        ("カタカナー", "カタカナー"),
        ("ｶﾀｶﾅ", "ｶﾀｶﾅ"),
        ("Zoe\u0301", "Zoé"),  # NFC: one character, as the file system will see it
        ("a" * MAX_NAME_CHARS, "a" * MAX_NAME_CHARS),
    ],
)
def test_good_names(typed: str, name: str) -> None:
    assert clean_name(typed) == name


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Type a name"),
        ("   ", "Type a name"),
        ("../../etc", "not: . /"),
        ("a/b", "not: /"),
        ("C:\\x", "not: : \\"),
        ("evil\x1b[31m", "\\x1b"),
        ("new\nline", "\\n"),
        ("bidi\u202eoverride", "\\u202e"),
        ("$(reboot)", "not: $ ( )"),
        ("a" * (MAX_NAME_CHARS + 1), f"at most {MAX_NAME_CHARS} characters"),
    ],
)
def test_bad_names_say_why(typed: str, says: str) -> None:
    with pytest.raises(PlayerNameError) as caught:
        clean_name(typed)
    message = str(caught.value)
    assert says in message
    assert message.isprintable()  # nothing typed reaches a terminal raw


def test_a_player_folder_is_a_hash_inside_the_players_folder(tmp_path: Path) -> None:
    for name in ("Aiko", "山田 太郎", "a" * 32, "-", "_ _"):
        folder = player_home(clean_name(name), tmp_path)
        assert folder.parent == players_root(tmp_path) == tmp_path / "players"
        assert folder.name == player_key(name) and len(folder.name) == 24
        assert all(c in "0123456789abcdef" for c in folder.name)
    assert player_key("Aiko") == player_key("AIKO")  # the same student, whatever the case
    assert player_key("Aiko") != player_key("Aiko 2")


def test_open_player_keeps_the_first_spelling(tmp_path: Path) -> None:
    name, store = open_player(" Aiko ", tmp_path)
    assert name == "Aiko" and store.home == player_home("Aiko", tmp_path)
    again, _store = open_player("AIKO", tmp_path)
    assert again == "Aiko" and read_player_name(player_home("Aiko", tmp_path)) == "Aiko"
    with pytest.raises(PlayerNameError):
        open_player("../x", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["players"]


def test_a_tampered_player_file_is_not_believed(tmp_path: Path) -> None:
    open_player("Aiko", tmp_path)
    folder = player_home("Aiko", tmp_path)
    (folder / "player.json").write_text(json.dumps({"name": "Ben"}))  # not this folder's name
    assert read_player_name(folder) is None
    (folder / "player.json").write_text(json.dumps({"name": "evil\x1b]0;x\x07"}))
    assert read_player_name(folder) is None
    (folder / "player.json").write_text("[" * 100_000)
    assert read_player_name(folder) is None
    (folder / "player.json").unlink()
    os.mkfifo(folder / "player.json")  # must not hang
    assert read_player_name(folder) is None


def first_levels(count: int) -> list[tuple[str, str]]:
    entries = load_campaign(shipped_levels_dir())
    return [(e.checked.level.id, e.checked.level.digest) for e in entries if e.checked.level][
        :count
    ]


def test_leaderboard_rows_in_level_order_then_best_first(tmp_path: Path) -> None:
    (one, d1), (two, d2) = first_levels(2)
    _n, aiko = open_player("Aiko", tmp_path)
    _n, ben = open_player("Ben", tmp_path)
    _n, cho = open_player("Cho", tmp_path)
    aiko.record_run("default", one, d1, verdict(300), STRATEGY)
    aiko.record_run("default", one, d1, verdict(500, 2, "reached_goal"), STRATEGY)
    ben.record_run("default", one, d1, verdict(500, 2, "reached_goal"), STRATEGY)
    ben.record_run("default", two, d2, verdict(900, 3, "reached_goal"), STRATEGY)
    cho.record_run("default", one, "an-old-digest", verdict(999, 3, "reached_goal"), STRATEGY)
    rows = leaderboard([(one, d1), (two, d2)], "default", player_stores(tmp_path))
    assert [(r.level, r.player, r.best_score, r.stars, r.attempts) for r in rows] == [
        (one, "Ben", 500, 2, 1),  # same score and stars as Aiko, in fewer attempts
        (one, "Aiko", 500, 2, 2),
        (two, "Ben", 900, 3, 1),
    ]


WRITER = """
import sys
from pathlib import Path
from lrgame.classroom import open_player
from lrgame.engine.outcome import Verdict

home, me, level, digest, rounds = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
# Two tabs per student: writers 2k and 2k+1 are the same student.
name, store = open_player(f"student {me // 2}", home)
for j in range(rounds):
    v = Verdict(outcome="out_of_steps", steps=30, steps_to_goal=None, final_loss=0.0,
                progress=0.5, score=100 * me + j, stars=0)
    store.record_run("default", level, digest, v, {"optimizer": {"name": "sgd", "lr": 0.1}})
print(len(store.notices))
"""


def test_students_finishing_at_the_same_moment_lose_nothing(tmp_path: Path) -> None:
    ((level, digest),) = first_levels(1)
    writers, rounds = 8, 10
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), str(me), level, digest, str(rounds)],
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
        assert out.strip() == "0"
    rows = leaderboard([(level, digest)], "default", player_stores(tmp_path))
    by_player = {r.player: r for r in rows}
    assert sorted(by_player) == [f"student {k}" for k in range(writers // 2)]
    for k in range(writers // 2):
        row = by_player[f"student {k}"]
        assert row.attempts == 2 * rounds
        assert row.best_score == 100 * (2 * k + 1) + rounds - 1


def test_leaderboard_command_json_and_text(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ((level, digest),) = first_levels(1)
    _n, aiko = open_player("Aiko", home)
    aiko.record_run("default", level, digest, verdict(640, 2, "reached_goal"), STRATEGY)
    assert main(["leaderboard", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {
        "rows": [{"player": "Aiko", "level": level, "best_score": 640, "stars": 2, "attempts": 1}]
    }
    _n, yamada = open_player("山田 太郎", home)
    yamada.record_run("default", level, digest, verdict(20), STRATEGY)
    assert main(["leaderboard"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["Aiko", "640", "**.", "1", "attempts"]
    assert lines[2].split() == ["山田", "太郎", "20", "...", "1", "attempts"]
    assert cells(lines[1]) == cells(lines[2])  # columns line up, wide characters or not


def test_leaderboard_of_a_folder_campaign(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ((level, digest),) = first_levels(1)
    _n, aiko = open_player("Aiko", home)
    aiko.record_run("default", level, digest, verdict(640), STRATEGY)
    assert main(["leaderboard", "--levels", str(home.parent), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"rows": []}  # another campaign, no runs
    assert main(["leaderboard", "--levels", str(home / "nope")]) == 2
    assert "not a folder of level files" in capsys.readouterr().err


def test_a_corrupt_player_save_is_moved_aside_and_said(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ((level, digest),) = first_levels(1)
    _n, aiko = open_player("Aiko", home)
    aiko.record_run("default", level, digest, verdict(640), STRATEGY)
    _n, ben = open_player("Ben", home)
    ben.record_run("default", level, digest, verdict(10), STRATEGY)
    (player_home("Ben", home) / "progress.json").write_text("{broken")
    assert main(["leaderboard", "--json"]) == 0
    captured = capsys.readouterr()
    assert [r["player"] for r in json.loads(captured.out)["rows"]] == ["Aiko"]
    assert "Ben: Your save file could not be read" in captured.err
    assert list(player_home("Ben", home).glob("progress.corrupt-*.json"))


def test_this_computers_own_save_is_on_the_board_too(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lrgame.storage import ProgressStore

    monkeypatch.setattr("getpass.getuser", lambda: "trainer")
    ((level, digest),) = first_levels(1)
    ProgressStore(home).record_run("default", level, digest, verdict(5), STRATEGY)
    assert main(["leaderboard", "--json"]) == 0
    assert [r["player"] for r in json.loads(capsys.readouterr().out)["rows"]] == ["trainer"]
