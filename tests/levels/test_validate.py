"""Level files as untrusted input: every problem reported at its line:column, nothing run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lrgame.__main__ import main
from lrgame.engine.optimizers import OPTIMIZER_NAMES
from lrgame.engine.schedules import SCHEDULE_NAMES
from lrgame.levels.loader import check_file, check_text, load_campaign

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "levels"
GOOD = {
    "id": "good",
    "title": "Good",
    "loss": "x**2",
    "domain": {"x": [-3, 3]},
    "start": [2.5],
    "steps": 40,
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def lines_for(tmp_path: Path, text: str) -> list[str]:
    return check_file(write(tmp_path, "level.json", text)).lines


def test_good_fixture_levels_pass() -> None:
    for path in FIXTURES.glob("*.json"):
        checked = check_file(path)
        assert checked.lines == [] and checked.level is not None


def test_minimal_level_gets_defaults(tmp_path: Path) -> None:
    checked = check_file(write(tmp_path, "l.json", json.dumps(GOOD)))
    level = checked.level
    assert level is not None
    assert level.lesson == "mixed" and level.par == 20
    assert level.tolerance == pytest.approx(0.02 * 6)
    assert level.fog.enabled and level.fog.radius == 0.08
    assert level.noise.std == 0.0
    # Every optimizer and schedule of the registries is on offer by default.
    assert level.allowed.optimizers == OPTIMIZER_NAMES
    assert {"sgd", "adam", "nadam", "adadelta"} <= set(level.allowed.optimizers)
    assert level.allowed.schedules == SCHEDULE_NAMES
    assert level.goal.minima.tolist() == [[0.0]]


def test_text_fields_in_several_languages(tmp_path: Path) -> None:
    level = check_file(FIXTURES / "valley2d.json").level
    assert level is not None
    assert level.title.get("ja") == "テストの谷"
    assert level.title.get("fr") == "Test valley"
    assert level.title.get("ja_JP") == "テストの谷"
    bad = dict(GOOD, title={"ja": "谷"})
    (line,) = lines_for(tmp_path, json.dumps(bad))
    assert "title" in line and "'en'" in line


def test_wrong_type_in_every_field_is_reported_at_its_value(tmp_path: Path) -> None:
    text = """{
  "id": "Bad Id",
  "title": 5,
  "lesson": "nope",
  "briefing": [],
  "hint": {"en": 3},
  "loss": 7,
  "domain": {"x": "wide"},
  "start": "here",
  "steps": 1.5,
  "goal": [],
  "par": "ten",
  "allowed": {"optimizers": "sgd", "momentum": "yes", "schedules": [1], "finder": 0},
  "noise": {"std": "big", "seed": -1},
  "fog": {"radius": 0, "enabled": "no"},
  "demos": {"lose": {}, "win": [3]},
  "extra": null
}"""
    lines = lines_for(tmp_path, text)
    expected = [
        ":2:9: id:",
        ":3:12: title:",
        ":4:13: lesson:",
        ":5:15: briefing:",
        ":6:18: hint.en:",
        ":7:11: loss:",
        ":8:19: domain.x:",
        ":9:12: start:",
        ":10:12: steps:",
        ":11:11: goal:",
        ":12:10: par:",
        ":13:29: allowed.optimizers:",
        ":13:48: allowed.momentum:",
        ":13:69: allowed.schedules[0]:",
        ":13:83: allowed.finder:",
        ":14:20: noise.std:",
        ":14:35: noise.seed:",
        ":15:21: fog.radius:",
        ":15:35: fog.enabled:",
        ":16:21: demos.lose:",
        ":16:33: demos.win[0]:",
        ":17:12: extra:",
    ]
    assert len(lines) == len(expected)
    for needle in expected:
        assert any(needle in line for line in lines), (needle, lines)
    assert all(line.startswith(f"{tmp_path / 'level.json'}:") for line in lines)


def test_expression_problem_points_inside_the_string(tmp_path: Path) -> None:
    text = json.dumps(dict(GOOD, loss="x**2 + __import__('os').system('touch /tmp/lrgame-pwned')"))
    (line,) = lines_for(tmp_path, text)
    column = text.index("__import__") + 1
    assert f":1:{column}: loss: unknown name '__import__'" in line
    assert not Path("/tmp/lrgame-pwned").exists()


@pytest.mark.parametrize(
    "loss, needle",
    [
        ("9**9**9", "loss"),
        ("(" * 10_000 + "x" + ")" * 10_000, "loss"),
        ("x" + " + x" * 200_000, "loss"),
        ("x.__class__", "loss"),
        ("lambda: 1", "loss"),
        ("y**2", "unknown name 'y'"),
    ],
)
def test_hostile_expressions(tmp_path: Path, loss: str, needle: str) -> None:
    lines = lines_for(tmp_path, json.dumps(dict(GOOD, loss=loss)))
    assert len(lines) == 1 and needle in lines[0]


@pytest.mark.parametrize(
    "text, needle",
    [
        ("", "1:1:"),
        ("not json", "1:1:"),
        ('{"id": NaN}', "NaN"),
        ('{"steps": Infinity}', "Infinity"),
        ('{"a": 1,}', "1:"),
        ("[" * 100_000, "deeper"),
        ('{"id": "a", "id": "b"}', "duplicate key"),
        ("\xff\xfe", "1:1:"),
    ],
)
def test_broken_json(tmp_path: Path, text: str, needle: str) -> None:
    (line,) = lines_for(tmp_path, text)
    assert needle in line


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as f:
        f.write(b"[" + b"0," * (25 * 2**20) + b"0]")
    (line,) = check_file(path).lines
    assert "larger than 1 MB" in line


def test_semantic_checks(tmp_path: Path) -> None:
    outside = lines_for(tmp_path, json.dumps(dict(GOOD, start=[5])))
    assert len(outside) == 1 and "start" in outside[0] and "outside the domain" in outside[0]
    wrong_dim = lines_for(tmp_path, json.dumps(dict(GOOD, start=[1, 2])))
    assert "start" in wrong_dim[0] and "1-D" in wrong_dim[0]
    edge = lines_for(tmp_path, json.dumps(dict(GOOD, loss="x")))
    assert "no minimum inside the domain" in edge[0]
    goal_out = lines_for(tmp_path, json.dumps(dict(GOOD, goal={"minimum": [[9]]})))
    assert "goal.minimum[0]" in goal_out[0]
    nan_start = lines_for(
        tmp_path, json.dumps(dict(GOOD, loss="log(x) + x**2", domain={"x": [-1, 1]}, start=[-0.5]))
    )
    assert any("not finite at the start" in line for line in nan_start)


def test_demos_must_behave_as_stated(tmp_path: Path) -> None:
    level = dict(
        GOOD,
        demos={
            "lose": [
                {"strategy": {"optimizer": {"name": "sgd", "lr": 1.5}}, "outcome": "diverged"},
                {"strategy": {"optimizer": {"name": "sgd", "lr": 0.3}}, "outcome": "diverged"},
            ],
            "win": [
                {"strategy": {"optimizer": {"name": "sgd", "lr": 0.3}}},
                {"strategy": {"optimizer": {"name": "sgd", "lr": 0.001}}},
            ],
        },
    )
    lines = lines_for(tmp_path, json.dumps(level, indent=1))
    assert len(lines) == 2
    assert "demos.lose[1].strategy" in lines[0] and "reached the goal" in lines[0]
    assert "demos.win[1].strategy" in lines[1] and "ran out of steps" in lines[1]


def test_check_text_serves_unsaved_buffers() -> None:
    assert check_text(json.dumps(GOOD)).lines == []
    (line,) = check_text('{"id": ', "buffer").lines
    assert line.startswith("buffer:1:")


def test_validate_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "good.json", json.dumps(GOOD))
    bad = write(tmp_path, "bad.json", "{")
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(good), str(bad)]) == 1
    assert main(["validate", str(tmp_path / "missing.json")]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:1:2:" in out and "missing.json: cannot read" in out
    proc = subprocess.run(
        [sys.executable, "-m", "lrgame", "validate"], capture_output=True, text=True
    )
    assert proc.returncode == 2


def test_campaign_lists_broken_levels_with_their_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "01-good.json", json.dumps(GOOD))
    write(tmp_path, "02-broken.json", '{"id": "x", "loss": NaN}')
    write(tmp_path, "03-good.json", json.dumps(dict(GOOD, id="good-2", title="Second")))
    entries = load_campaign(tmp_path)
    assert [e.order for e in entries] == [1, 2, 3]
    assert entries[1].checked.level is None and "NaN" in entries[1].checked.reason
    assert main(["levels", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "good" in out[0] and "BROKEN" in out[1] and "NaN" in out[1] and "Second" in out[2]


def test_winning_demos_must_use_what_the_level_offers(tmp_path: Path) -> None:
    level = dict(
        GOOD,
        allowed={"optimizers": ["sgd"], "momentum": False, "schedules": ["constant"]},
        demos={
            "win": [
                {"strategy": {"optimizer": {"name": "adam", "lr": 0.5}}},
                {"strategy": {"optimizer": {"name": "sgd", "lr": 0.3}, "steps": 80}},
            ]
        },
    )
    lines = lines_for(tmp_path, json.dumps(level, indent=1))
    assert any("demos.win[0].strategy" in line and "adam" in line for line in lines)
    assert any("demos.win[1].strategy" in line and "budget of 40" in line for line in lines)


# -- the starting setup -----------------------------------------------------------


def test_without_setup_the_game_starts_at_the_first_allowed_optimizer(tmp_path: Path) -> None:
    data = dict(GOOD, allowed={"optimizers": ["adam", "rmsprop"], "schedules": ["cosine"]})
    level = check_file(write(tmp_path, "l.json", json.dumps(data))).level
    assert level is not None and level.setup is None
    start = level.starting_strategy()
    # Adam comes before RMSprop in the game's order, whatever order the file lists them in.
    assert start.optimizer.name == "adam" and start.lr == 0.01
    assert start.schedule.name == "cosine", "the first allowed schedule when constant is not"
    assert start.steps == level.steps
    plain = check_file(write(tmp_path, "p.json", json.dumps(GOOD))).level
    assert plain is not None
    assert (
        plain.starting_strategy().to_json()
        == plain.strategy(
            {"optimizer": {"name": "sgd", "lr": 0.01}, "schedule": "constant"}
        ).to_json()
    )


def test_a_named_setup_is_where_the_game_starts(tmp_path: Path) -> None:
    setup = {"optimizer": {"name": "sgd", "lr": 0.5, "momentum": 0.5}, "schedule": "cosine"}
    level = check_file(write(tmp_path, "l.json", json.dumps(dict(GOOD, setup=setup)))).level
    assert level is not None
    start = level.starting_strategy()
    assert start.lr == 0.5 and start.optimizer.params["momentum"] == 0.5
    assert start.schedule.name == "cosine" and start.steps == GOOD["steps"]


@pytest.mark.parametrize(
    ("setup", "allowed", "needles"),
    [
        ({"optimizer": {"name": "adam", "lr": 0.1}}, {"optimizers": ["sgd"]}, ["setup", "adam"]),
        (
            {"optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9}},
            {"momentum": False},
            ["setup", "momentum"],
        ),
        (
            {"optimizer": {"name": "sgd", "lr": 0.1}, "schedule": "cosine"},
            {"schedules": ["constant"]},
            ["setup", "cosine"],
        ),
        ({"optimizer": {"name": "sgd", "lr": -1}}, None, ["setup.optimizer.lr", "-1"]),
        ({"optimizer": {"name": "sgd", "lr": 0.1}, "steps": 7}, None, ["setup.steps", "40"]),
        ("sgd", None, ["setup"]),
    ],
)
def test_a_bad_setup_is_one_line_at_its_place(
    tmp_path: Path, setup: object, allowed: dict[str, object] | None, needles: list[str]
) -> None:
    data = dict(GOOD, setup=setup)
    if allowed is not None:
        data["allowed"] = allowed
    text = json.dumps(data, indent=2)
    (line,) = lines_for(tmp_path, text)
    for needle in needles:
        assert needle in line, line
    # file:line:column points into the setup
    setup_line = next(i for i, t in enumerate(text.splitlines(), 1) if '"setup"' in t)
    assert int(line.split(":")[1]) >= setup_line


def test_every_bad_field_of_a_setup_or_demo_strategy_is_reported(tmp_path: Path) -> None:
    bad = {"optimizer": {"name": "adam", "lr": -1, "betas": [0.9, 2]}, "steps": 0}
    data = dict(GOOD, setup=bad, demos={"lose": [{"strategy": bad, "outcome": "diverged"}]})
    text = json.dumps(data, indent=2)
    checked = check_file(write(tmp_path, "level.json", text))
    assert checked.level is None
    paths = [p.path for p in checked.problems]
    assert paths == [
        ("setup", "optimizer", "lr"),
        ("setup", "optimizer", "betas", 1),
        ("setup", "steps"),
        ("demos", "lose", 0, "strategy", "optimizer", "lr"),
        ("demos", "lose", 0, "strategy", "optimizer", "betas", 1),
        ("demos", "lose", 0, "strategy", "steps"),
    ]  # in file order
    rows = text.splitlines()
    for problem, line in zip(checked.problems, checked.lines, strict=True):
        assert problem.position is not None
        assert line.startswith(f"{tmp_path / 'level.json'}:{problem.position.line}:")
        key = problem.path[-1] if isinstance(problem.path[-1], str) else problem.path[-2]
        assert f'"{key}"' in rows[problem.position.line - 1] or isinstance(problem.path[-1], int)


def test_a_file_that_is_not_json_is_one_problem_with_a_place_and_no_path(tmp_path: Path) -> None:
    checked = check_file(write(tmp_path, "l.json", '{\n  "id": ,\n}'))
    (problem,) = checked.problems
    assert problem.path == () and problem.position is not None
    assert (problem.position.line, problem.position.column) == (2, 9)
    assert problem.position.offset == len('{\n  "id": ')
    assert checked.reason == f"2:9: {problem.message}"


def test_validator_numbers_read_as_the_game_writes_them(tmp_path: Path) -> None:
    """Numbers in validation messages go through numfmt: ``-2e-5``, never ``-2e-05``."""
    from lrgame.engine.errors import SpecError
    from lrgame.engine.params import as_float
    from lrgame.numfmt import num

    std = -2e-5
    (line,) = lines_for(tmp_path, json.dumps(dict(GOOD, noise={"std": std})))
    assert f"got {num(std, 6)}" in line and "e-05" not in line
    domain = lines_for(tmp_path, json.dumps(dict(GOOD, domain={"x": [2e5, 1e-5]})))
    assert any(f"[{num(2e5, 6)}, {num(1e-5, 6)}]" in line for line in domain), domain
    with pytest.raises(SpecError) as caught:
        as_float(0.0, ("x",), low=1e-5)
    assert f">= {num(1e-5, 6)}" in str(caught.value) and "e-05" not in str(caught.value)
