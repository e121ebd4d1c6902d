"""Hostile input at the command line: bounded work, one line never a traceback, safe output.

Each case here was seen to fail (issue 13): a traceback, a hang, gigabytes of
memory, a NumPy warning or a raw escape sequence on the user's terminal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lrgame.__main__ import main
from lrgame.commands.common import json_ready
from lrgame.engine.expr import Expression
from lrgame.engine.limits import (
    MAX_DEMO_STEPS,
    MAX_GOAL_POINTS,
    MAX_OPERATION_STEPS,
    MAX_RUN_STEPS,
    MAX_WORK,
    LimitError,
    affordable_runs,
    check_run_steps,
)
from lrgame.levels.loader import check_file
from lrgame.safeio import RefusedFile, printable, read_capped

ROOT = Path(__file__).resolve().parents[1]
BOWL: dict[str, Any] = {
    "id": "bowl",
    "title": "Bowl",
    "loss": "x**2",
    "domain": {"x": [-3, 3]},
    "start": [2.5],
    "steps": 40,
}
SGD = ["--optimizer", "sgd", "--lr", "0.3"]
TIMEOUT = 60  # a hang fails the test instead of the suite


def level_file(tmp_path: Path, name: str = "level.json", **changes: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({**BOWL, **changes}), encoding="utf-8")
    return path


def lrgame(*args: str, stdin: Any = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it, with every Python warning made an error."""
    return subprocess.run(
        [sys.executable, "-W", "error", "-m", "lrgame", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=ROOT,
        stdin=stdin,
        check=False,
    )


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a refused command (exit 2), which names its cause."""
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("lrgame: "), proc.stderr
    return lines[0]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- limits in the level format -------------------------------------------------------


def test_too_many_goal_points_are_a_problem_at_the_field(tmp_path: Path) -> None:
    points = [[0.01 * i] for i in range(MAX_GOAL_POINTS + 1)]
    path = level_file(tmp_path, goal={"minimum": points})
    problems = check_file(path).lines
    assert len(problems) == 1
    assert f"goal.minimum: {MAX_GOAL_POINTS + 1:,} points, over the limit" in problems[0]
    assert problems[0].startswith(f"{path}:1:")
    ok = level_file(tmp_path, "ok.json", goal={"minimum": points[:MAX_GOAL_POINTS]})
    assert check_file(ok, run_demos=False).lines == []


def test_demos_beyond_the_demo_budget_are_refused_before_running(tmp_path: Path) -> None:
    per_demo = 10_000
    count = MAX_DEMO_STEPS // per_demo + 1
    demo = {"strategy": {"optimizer": {"name": "sgd", "lr": 0.1}, "steps": per_demo}}
    path = level_file(tmp_path, demos={"win": [demo] * count})
    problems = check_file(path).lines
    assert len(problems) == 1
    assert f"demos: the demos take {count * per_demo:,} steps together" in problems[0]
    assert f"over the limit of {MAX_DEMO_STEPS:,}" in problems[0]


def test_a_long_loss_gets_a_shorter_step_budget(tmp_path: Path) -> None:
    loss = " + ".join(f"sin({i}*x)/{i}" for i in range(1, 120)) + " + x**2"
    operations = Expression.parse(loss, ("x",)).gradient_operations
    fits = MAX_OPERATION_STEPS // operations
    assert fits < 10_000  # else the test proves nothing
    ok = level_file(tmp_path, "ok.json", loss=loss, steps=fits)
    assert check_file(ok, run_demos=False).lines == []
    path = level_file(tmp_path, loss=loss, steps=fits + 1)
    problems = check_file(path).lines
    assert len(problems) == 1
    assert f"steps: the loss's gradient takes {operations:,} operations a step" in problems[0]
    assert f"at most {fits:,} steps for this loss" in problems[0]
    # The command line applies the same limit to --steps.
    proc = lrgame("simulate", str(ok), *SGD, "--steps", str(fits + 1))
    assert "over the limit of" in one_line(proc)


def test_run_steps_limit_helper() -> None:
    check_run_steps(MAX_RUN_STEPS // 10_000, 10_000, "sweep")
    with pytest.raises(LimitError, match=f"over the limit of {MAX_RUN_STEPS:,} per command"):
        check_run_steps(MAX_RUN_STEPS // 10_000 + 1, 10_000, "sweep")


def test_sweep_beyond_the_run_steps_limit_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(level_file(tmp_path))
    code, out, err = run(capsys, "sweep", path, *SGD, "--points", "100000", "--steps", "1000")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert "--points 100000: 100,000 runs × 1,000 steps is 100,000,000 run-steps" in err
    assert f"over the limit of {MAX_RUN_STEPS:,} per command" in err


# -- one line, never a traceback -------------------------------------------------------


def test_a_sweep_over_a_long_loss_is_bounded_by_its_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loss = " + ".join(f"sin({i}*x)/{i}" for i in range(1, 120)) + " + x**2"
    operations = Expression.parse(loss, ("x",)).gradient_operations
    steps = MAX_OPERATION_STEPS // operations  # each run is allowed
    fits = affordable_runs(steps, operations)
    assert fits * steps < MAX_RUN_STEPS  # the work, not the run-steps, is what binds
    path = str(level_file(tmp_path, loss=loss, steps=steps))
    args = ("sweep", path, *SGD, "--points", str(fits + 1))
    code, out, err = run(capsys, *args)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"× {operations:,} gradient operations" in err
    assert f"over the limit of {MAX_WORK:,} per command (at most {fits:,} runs" in err


def test_a_domain_of_1e200_is_played_not_a_traceback(tmp_path: Path) -> None:
    path = str(level_file(tmp_path, domain={"x": [-1e200, 1e200]}, start=[1.0]))
    proc = lrgame("validate", path)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    proc = lrgame("simulate", path, *SGD, "--json")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert json.loads(proc.stdout)["steps"] == 40


def test_json_output_writes_every_non_finite_number_as_null(tmp_path: Path) -> None:
    # momentum 1e308 makes the stability limit 2(1+mu)/lambda infinite.
    path = str(level_file(tmp_path))
    proc = lrgame("simulate", path, *SGD, "--momentum", "1e308", "--json")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in JSON output")

    data = json.loads(proc.stdout, parse_constant=refuse)
    assert data["outcome"] == "diverged"
    assert json_ready({"a": [1.0, np.inf, (np.float64(np.nan), {"b": -np.inf})], "c": 2}) == {
        "a": [1.0, None, [None, {"b": None}]],
        "c": 2,
    }


def test_closed_or_full_stdout_is_one_line(tmp_path: Path) -> None:
    closed = subprocess.run(
        [sys.executable, "-W", "error", "-m", "lrgame", "schema"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=TIMEOUT,
        cwd=ROOT,
        # As `lrgame schema >&-` in a shell: no file descriptor 1 at all.
        preexec_fn=lambda: os.close(1),
        check=False,
    )
    assert closed.returncode == 2
    assert closed.stderr == "lrgame: standard output is closed; there is nowhere to print to\n"
    if os.path.exists("/dev/full"):
        with open("/dev/full", "w") as full:
            proc = subprocess.run(
                [sys.executable, "-W", "error", "-m", "lrgame", "schema"],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                timeout=TIMEOUT,
                cwd=ROOT,
                check=False,
            )
        assert proc.returncode == 1
        assert proc.stderr == "lrgame: cannot write to standard output: No space left on device\n"


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    # As `lrgame sweep ... | head -1`: the pipe closes while lines are still coming.
    path = str(level_file(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-W", "error", "-m", "lrgame", "sweep", path, *SGD, "--points", "20000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=TIMEOUT) == 0
    assert err == b""


# -- hangs and unbounded reads -----------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_as_level_or_strategy_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    level = str(level_file(tmp_path))
    line = one_line(lrgame("simulate", str(fifo), *SGD))
    assert line == f"lrgame: {fifo}: not a regular file (a FIFO); refusing to read it"
    line = one_line(lrgame("simulate", level, "--strategy", str(fifo)))
    assert line == f"lrgame: {fifo}: not a regular file (a FIFO); refusing to read it"
    proc = lrgame("validate", str(fifo))
    assert proc.returncode == 1 and proc.stderr == ""
    assert proc.stdout == f"{fifo}: not a regular file (a FIFO); refusing to read it\n"
    line = one_line(lrgame("edit", str(fifo)))
    assert line == f"lrgame: {fifo}: cannot read: not a regular file (a FIFO)"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_edit_dev_zero_is_refused_unread() -> None:
    line = one_line(lrgame("edit", "/dev/zero"))
    assert line == "lrgame: /dev/zero: cannot read: not a regular file (a character device)"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_read_capped_refuses_a_symlink_to_a_device_and_large_files(tmp_path: Path) -> None:
    # A save file symlinked to /dev/zero: refused, not read for ever.
    link = tmp_path / "progress.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(RefusedFile) as info:
        read_capped(link)
    assert info.value.strerror == "not a regular file (a character device)"
    assert isinstance(info.value, OSError)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 101)
    with pytest.raises(RefusedFile, match="larger than 100 bytes"):
        read_capped(big, limit=100)
    assert read_capped(big, limit=101) == b" " * 101
    with pytest.raises(FileNotFoundError):
        read_capped(tmp_path / "missing.json")
    with pytest.raises(IsADirectoryError):
        read_capped(tmp_path)


# -- no NumPy warnings -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "args"),
    [
        ({"noise": {"std": 1e308, "seed": 1}}, ["simulate", *SGD]),
        ({"noise": {"std": 1e308, "seed": 1}}, ["find-lr", *SGD]),
        ({}, ["simulate", "--optimizer", "sgd", "--lr", "1e308", "--json"]),
        ({}, ["sweep", *SGD, "--lr-min", "1e-300", "--lr-max", "1e308", "--points", "9"]),
        (
            {
                "loss": "(x+1)**(9**9) + y**2",
                "domain": {"x": [-2, 0], "y": [-2, 2]},
                "start": [-1.5, 1.0],
                "goal": {"minimum": [[-1, 0]]},
            },
            ["simulate", *SGD],
        ),
    ],
    ids=["noise-simulate", "noise-find-lr", "lr-1e308", "sweep-1e308", "pow-9-9"],
)
def test_numeric_blow_ups_print_no_warnings(
    tmp_path: Path, changes: dict[str, Any], args: list[str]
) -> None:
    path = str(level_file(tmp_path, **changes))
    proc = lrgame(args[0], path, *args[1:])
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


# -- safe output -------------------------------------------------------------------------

HOSTILE_TITLE = "Trap\x1b]0;pwned\x07 line\nbreak\x1b[2J\x9b31m\x7f end"


def assert_safe(text: str) -> None:
    for control in ("\x1b", "\x07", "\x9b", "\x7f", "\r"):
        assert control not in text, repr(text)


def test_control_characters_from_level_files_never_reach_the_terminal(tmp_path: Path) -> None:
    folder = tmp_path / "campaign"
    folder.mkdir()
    path = str(level_file(folder, "01-trap.json", title=HOSTILE_TITLE))
    shown = printable(HOSTILE_TITLE)
    assert shown == "Trap\\x1b]0;pwned\\x07 line\\x0abreak\\x1b[2J\\x9b31m\\x7f end"

    proc = lrgame("simulate", path, *SGD)
    assert proc.returncode == 0 and proc.stderr == ""
    assert_safe(proc.stdout)
    assert proc.stdout.splitlines()[0] == f"{shown}  (bowl)"
    for args in (["sweep", path, *SGD, "--points", "3"], ["find-lr", path, *SGD]):
        proc = lrgame(*args)
        assert proc.returncode == 0 and proc.stderr == ""
        assert_safe(proc.stdout)
        assert shown in proc.stdout.splitlines()[0]
    proc = lrgame("levels", "--dir", str(folder))
    assert proc.returncode == 0
    assert_safe(proc.stdout)
    assert proc.stdout.splitlines() == [
        f"  1  bowl                     mixed          1-D  {shown}"
    ]


def test_control_characters_in_keys_and_paths_stay_on_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "bad\x1b[31mdir"
    folder.mkdir()
    path = folder / "level.json"
    path.write_text(json.dumps({**BOWL, "evil\x1b]0;pwned\x07\nkey": 1}), encoding="utf-8")
    proc = lrgame("validate", str(path))
    assert proc.returncode == 1
    assert_safe(proc.stdout)
    assert len(proc.stdout.splitlines()) == 1
    assert "evil\\x1b]0;pwned\\x07\\x0akey: unknown field" in proc.stdout
    line = one_line(lrgame("simulate", str(path), *SGD))
    assert_safe(line)
    assert "bad\\x1b[31mdir" in line


def test_printable_keeps_text_and_optionally_line_breaks() -> None:
    assert printable("Gefälle — 下り坂 ★") == "Gefälle — 下り坂 ★"
    assert printable("a\tb\nc") == "a\\x09b\\x0ac"
    assert printable("a\tb\nc\x1b", multiline=True) == "a\tb\nc\\x1b"
    assert printable("bidi\u202eevil\u2028") == "bidi\\u202eevil\\u2028"


def test_level_texts_reach_the_game_with_control_characters_made_visible(
    tmp_path: Path,
) -> None:
    # The game's screens show these texts too: they are made safe where the level is read.
    path = level_file(
        tmp_path,
        title={"en": HOSTILE_TITLE, "ja": "罠\x1b[5m"},
        briefing="First line.\nSecond\x1b]0;pwned\x07 line.",
        hint="\u202etxt.exe",
        author="Mallory\r\x1b[1A",
    )
    checked = check_file(path, run_demos=False)
    level = checked.level
    assert level is not None, checked.lines
    assert str(level.title) == printable(HOSTILE_TITLE)
    assert level.title.get("ja") == "罠\\x1b[5m"
    assert str(level.briefing) == "First line.\nSecond\\x1b]0;pwned\\x07 line."
    assert str(level.hint) == "\\u202etxt.exe"
    assert level.author == "Mallory\\x0d\\x1b[1A"


def test_model_level_texts_are_made_visible_as_landscape_ones_are(tmp_path: Path) -> None:
    lab = Path(__file__).resolve().parents[1] / "levels" / "lab" / "01-unscaled-features.json"
    data = json.loads(lab.read_text(encoding="utf-8"))
    data.update(title="Lab\x1b[2J", author="Mallory\r\x1b[1A", hint="\u202etxt.exe")
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    checked = check_file(path, run_demos=False)
    level = checked.level
    assert level is not None, checked.lines
    assert str(level.title) == "Lab\\x1b[2J"
    assert str(level.hint) == "\\u202etxt.exe"
    assert level.author == "Mallory\\x0d\\x1b[1A"


def test_problem_lines_are_safe_for_every_screen_that_shows_them(tmp_path: Path) -> None:
    # The editor and the campaign map show these lines too, not only `lrgame validate`.
    folder = tmp_path / "dir\x1b]0;x\x07"
    folder.mkdir()
    path = folder / "level.json"
    path.write_text(json.dumps({**BOWL, "k\x1b[31m": 1}), encoding="utf-8")
    checked = check_file(path)
    assert len(checked.lines) == 1
    assert_safe(checked.lines[0])
    # The map shows the reason without the (escaped) file name in front.
    assert checked.lines[0] == f"{printable(str(path))}:{checked.reason}"
    assert checked.reason.startswith("1:")
    assert "k\\x1b[31m: unknown field 'k\\x1b[31m'" in checked.reason
    broken = folder / "broken.json"
    broken.write_text("{\x1b", encoding="utf-8")
    (line,) = check_file(broken).lines
    assert_safe(line)
