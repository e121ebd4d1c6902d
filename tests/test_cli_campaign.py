"""--levels reaches every command that reads levels; simulate --json spells out every default."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lrgame.__main__ import main
from lrgame.engine.optimizers import ALIASES, DEFAULTS
from lrgame.levels.paths import shipped_levels_dir

FIXTURES = Path(__file__).parent / "fixtures"
BOWL = str(FIXTURES / "levels" / "bowl.json")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A teacher's folder: two good levels, none of them in the shipped campaign."""
    out = tmp_path / "set"
    out.mkdir()
    shutil.copy(FIXTURES / "campaign" / "01-bowl.json", out / "01-bowl.json")
    shutil.copy(FIXTURES / "campaign" / "04-valley.json", out / "02-valley.json")
    return out


def ids_listed(out: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines() if line.strip()]


@pytest.mark.parametrize("where", ["before", "after"])
def test_levels_lists_the_folder_given_with_levels(
    folder: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = (
        ["--levels", str(folder), "levels"]
        if where == "before"
        else ["levels", "--levels", str(folder)]
    )
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert ids_listed(out) == ["test-bowl", "test-valley"]
    code, shipped, _ = run(capsys, "levels")
    assert ids_listed(shipped) != ids_listed(out)


def test_a_missing_levels_folder_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "--levels", str(tmp_path / "nope"), "levels")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "nope" in err


@pytest.mark.parametrize("name", ["2", "02-valley", "02-valley.json", "test-valley"])
@pytest.mark.parametrize("command", ["simulate", "sweep", "find-lr"])
def test_run_commands_find_a_level_of_the_folder(
    folder: Path, name: str, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys,
        "--levels",
        str(folder),
        command,
        name,
        "--optimizer",
        "sgd",
        "--lr",
        "0.1",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["level"] == "test-valley"


def test_a_file_path_wins_over_the_campaign(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--levels", str(folder), "simulate", BOWL, "--lr", "0.1", "--json")
    assert code == 0, err
    assert json.loads(out)["level"] == "test-bowl"


def test_without_levels_names_come_from_the_shipped_campaign(
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = sorted(shipped_levels_dir().glob("*.json"))[0]
    shipped_id = json.loads(first.read_text(encoding="utf-8"))["id"]
    code, out, err = run(capsys, "simulate", "1", "--lr", "0.1", "--json")
    assert code == 0, err
    assert json.loads(out)["level"] == shipped_id


def test_an_unknown_level_name_is_one_line(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--levels", str(folder), "simulate", "9", "--lr", "0.1")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "9" in err


def test_validate_without_files_checks_the_folder(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--levels", str(folder), "validate")
    assert code == 0, err
    assert out.startswith("2 level files OK")
    shutil.copy(FIXTURES / "campaign" / "03-broken.json", folder / "03-broken.json")
    code, out, _ = run(capsys, "--levels", str(folder), "validate")
    assert code == 1 and "03-broken.json" in out


def test_export_finds_the_level_in_the_folder(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    strategy = tmp_path / "s.json"
    strategy.write_text('{"optimizer": {"name": "sgd", "lr": 0.1}}', encoding="utf-8")
    code, by_name, err = run(
        capsys, "--levels", str(folder), "export", str(strategy), "--level", "1"
    )
    assert code == 0, err
    code, by_path, err = run(
        capsys, "export", str(strategy), "--level", str(folder / "01-bowl.json")
    )
    assert code == 0, err
    assert by_name == by_path


@pytest.mark.parametrize("name", [*DEFAULTS, *ALIASES])
@pytest.mark.parametrize("command", ["simulate", "sweep"])
def test_json_strategy_has_every_optimizer_default(
    name: str, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, command, BOWL, "--optimizer", name, "--lr", "0.01", "--json")
    assert code == 0, err
    optimizer = json.loads(out)["strategy"]["optimizer"]
    assert set(optimizer) == {"name", *DEFAULTS[ALIASES.get(name, name)]}


def test_json_strategy_names_sgds_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "simulate", BOWL, "--optimizer", "sgd", "--lr", "0.1", "--json")
    assert code == 0, err
    optimizer = json.loads(out)["strategy"]["optimizer"]
    assert {"momentum", "dampening", "weight_decay", "nesterov"} <= set(optimizer)


def test_the_echoed_strategy_replays_the_same_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys,
        "simulate",
        BOWL,
        "--optimizer",
        "nesterov",
        "--lr",
        "0.05",
        "--schedule",
        "cosine",
        "--json",
    )
    assert code == 0, err
    first = json.loads(out)
    echoed = tmp_path / "echoed.json"
    echoed.write_text(json.dumps(first["strategy"]), encoding="utf-8")
    code, out, err = run(capsys, "simulate", BOWL, "--strategy", str(echoed), "--json")
    assert code == 0, err
    again = json.loads(out)
    assert again["strategy"] == first["strategy"] and again["loss"] == first["loss"]


def test_validate_without_files_or_folder_is_misuse(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate")
    assert code == 2 and out == "" and "--levels DIR" in err
