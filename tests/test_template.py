"""The new-level template, ``lrgame new`` and ``lrgame edit`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from lrgame.__main__ import main
from lrgame.levels.loader import check_file, check_text
from lrgame.levels.model import TOP_KEYS
from lrgame.levels.template import (
    create_level_file,
    level_file_for,
    level_id_from_name,
    level_title_from_name,
    schema_path,
    schema_ref,
    template_text,
)

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "lrgame" / "levels"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "name", ["my-level", "07-rolling-hills.json", "Données été", "はじめ", "---"]
)
def test_the_template_validates_with_its_demos(name: str) -> None:
    checked = check_text(template_text(name), "t.json", run_demos=True)
    assert checked.lines == [] and checked.level is not None
    assert len(checked.level.demos) == 4


def test_every_field_has_an_example_value() -> None:
    data = json.loads(template_text("full"))
    assert set(data) == set(TOP_KEYS)
    schema = json.loads((SCHEMAS / "level.schema.json").read_text(encoding="utf-8"))
    model_only = {"model", "data", "batch_size"}
    assert set(data) == set(schema["properties"]) - model_only
    for key in ("goal", "allowed", "noise", "fog", "demos"):
        fields = set(schema["properties"][key]["properties"]) - (
            {"loss"} if key == "goal" else set()
        )
        assert set(data[key]) == fields, key
    lose, win = data["demos"]["lose"], data["demos"]["win"]
    assert all(set(d) == {"strategy", "outcome", "note"} for d in lose)
    assert all(set(d) == {"strategy", "note"} for d in win)
    assert {d["outcome"] for d in lose} == {"stuck_local", "diverged"}


def test_the_template_follows_the_json_schema() -> None:
    level = json.loads((SCHEMAS / "level.schema.json").read_text(encoding="utf-8"))
    strategy = json.loads((SCHEMAS / "strategy.schema.json").read_text(encoding="utf-8"))
    registry: Registry = Registry().with_resources(
        [
            (s["$id"], Resource.from_contents(s, default_specification=DRAFT202012))
            for s in (level, strategy)
        ]
    )
    validator = Draft202012Validator(level, registry=registry)
    errors = [e.message for e in validator.iter_errors(json.loads(template_text("x")))]
    assert errors == []


@pytest.mark.parametrize(
    ("name", "level_id", "title"),
    [
        ("07-rolling-hills", "rolling-hills", "Rolling Hills"),
        ("levels/my_level.json", "my_level", "My Level"),
        ("Données été", "donnees-ete", "Données Été"),
        ("はじめ", "my-level", "はじめ"),
        ("---", "my-level", "My Level"),
        ("A" * 100, "a" * 64, "A" * 100),
    ],
)
def test_id_and_title_come_from_the_name(name: str, level_id: str, title: str) -> None:
    assert level_id_from_name(name) == level_id
    assert level_title_from_name(name) == title
    data = json.loads(template_text(name))
    assert (data["id"], data["title"]) == (level_id, title)


def test_the_schema_reference_resolves_to_the_shipped_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, printed, _ = run(capsys, "schema")
    assert code == 0
    inside = ROOT / "levels" / "x.json"
    assert schema_ref(inside) == "../lrgame/levels/level.schema.json"
    resolved = (inside.parent / schema_ref(inside)).resolve()
    assert resolved.read_text(encoding="utf-8") == printed
    # Outside the checkout a relative path would climb into this machine's folders:
    # the schema's published $id instead, never a path.
    outside = tmp_path / "x.json"
    assert schema_ref(outside) == json.loads(printed)["$id"]
    assert json.loads(template_text("x"))["$schema"] == json.loads(printed)["$id"]


def test_new_writes_a_level_that_validates_and_never_overwrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "new", "first-hill")
    path = tmp_path / "first-hill.json"
    assert (
        code == 0
        and err == ""
        and out.strip() == ("wrote first-hill.json; edit it with: lrgame edit first-hill.json")
    )
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["id"] == "first-hill" and data["title"] == "First Hill"
    text = path.read_text(encoding="utf-8")
    assert str(tmp_path) not in text and str(schema_path().parent) not in text
    assert data["$schema"].startswith("https://")
    code, out, err = run(capsys, "validate", "first-hill.json")
    assert (code, out, err) == (0, "1 level file OK\n", "")

    path.write_text(path.read_text(encoding="utf-8").replace("Your Name", "Me"), encoding="utf-8")
    before = path.read_bytes()
    for name in ("first-hill", "first-hill.json"):
        code, out, err = run(capsys, "new", name)
        assert code == 2 and out == ""
        assert err == "lrgame: first-hill.json: already exists; not overwriting it\n"
        assert path.read_bytes() == before


def test_new_in_a_missing_folder_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "new", "nowhere/level")
    assert code == 2 and out == "" and err.count("\n") == 1 and "no such folder" in err
    assert not (tmp_path / "nowhere").exists()


def test_level_file_for_adds_json_once() -> None:
    assert level_file_for("a") == Path("a.json")
    assert level_file_for("b/a.json") == Path("b/a.json")
    assert level_file_for("a.JSON") == Path("a.JSON")


def test_create_level_file_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("mine", encoding="utf-8")
    with pytest.raises(Exception, match="already exists"):
        create_level_file(path)
    assert path.read_text(encoding="utf-8") == "mine"


class FakeApp:
    """Stands in for the Textual app: records how ``lrgame edit`` would start it."""

    started: list[dict[str, Any]] = []

    return_code: int | None = 0

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs

    def run(self) -> None:
        FakeApp.started.append(self.kwargs)


def test_edit_creates_a_missing_file_from_the_template_and_opens_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import lrgame.ui.app

    monkeypatch.setattr(lrgame.ui.app, "LrgameApp", FakeApp)
    FakeApp.started.clear()
    path = tmp_path / "valley.json"
    code, _, err = run(capsys, "edit", str(path))
    assert code == 0, err
    assert FakeApp.started[-1]["edit_file"] == path
    assert check_file(path).lines == []
    before = path.read_bytes()
    code, _, _ = run(capsys, "edit", str(path))  # an existing file is opened as it is
    assert code == 0 and path.read_bytes() == before


def test_edit_refuses_what_it_cannot_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import lrgame.ui.app

    monkeypatch.setattr(lrgame.ui.app, "LrgameApp", FakeApp)
    FakeApp.started.clear()
    code, _, err = run(capsys, "edit", str(tmp_path))
    assert code == 2 and "is a directory" in err and err.count("\n") == 1
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe{}")
    code, _, err = run(capsys, "edit", str(binary))
    assert code == 2 and "not UTF-8" in err
    code, _, err = run(capsys, "edit", str(tmp_path / "no" / "such.json"))
    assert code == 2 and "no such folder" in err
    assert FakeApp.started == []


def test_the_model_template_uses_every_model_level_field() -> None:
    from lrgame.levels.template import model_template_text

    data = json.loads(model_template_text("net"))
    schema = json.loads((SCHEMAS / "level.schema.json").read_text(encoding="utf-8"))
    assert set(data) == set(schema["properties"]) - {"loss", "domain", "start", "noise"}
    model_fields = set(schema["properties"]["model"]["properties"]) - {"init"}
    assert set(data["model"]) == model_fields  # init replaces init_seed and init_scale


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "give the level a name"),
        ("   ", "give the level a name"),
        (".", "names a folder"),
        ("..", "leave this folder"),
        ("./", "names a folder"),
        ("sub/", "names a folder"),
        ("sub/.json", "names a folder"),
        ("/", "not an absolute path"),
        ("/dev/null", "not an absolute path"),
        ("/tmp/x", "not an absolute path"),
        ("../outside", "leave this folder"),
        ("sub/../../outside", "leave this folder"),
        ("sub", "is a folder"),
        ("a\\b", "use / between folder names"),
        ("line\nbreak", "control characters"),
        ("bell\x07", "control characters"),
    ],
)
def test_new_refuses_names_that_are_not_a_level_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    why: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    code, out, err = run(capsys, "new", name)
    assert code == 2 and out == "" and why in err
    assert err.count("\n") == 1 and err.startswith("lrgame: new: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub"]  # nothing written
    assert list((tmp_path / "sub").iterdir()) == []


def test_new_writes_into_an_existing_subfolder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mylevels").mkdir()
    code, out, err = run(capsys, "new", "mylevels/02-valley")
    assert code == 0 and err == ""
    data = json.loads((tmp_path / "mylevels" / "02-valley.json").read_text(encoding="utf-8"))
    assert data["id"] == "valley"
    code, out, err = run(capsys, "new", "mylevels/02-valley")
    assert code == 2 and "already exists" in err


@pytest.mark.parametrize("command", ["edit", "play"])
@pytest.mark.parametrize("return_code", [0, 1, 3])
def test_the_game_and_the_editor_exit_with_the_apps_return_code(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    return_code: int,
) -> None:
    # Textual sets return_code to 1 when the app crashed; the shell must see it.
    import lrgame.ui.app

    monkeypatch.setattr(lrgame.ui.app, "LrgameApp", FakeApp)
    monkeypatch.setattr(FakeApp, "return_code", return_code)
    level = tmp_path / "level.json"
    create_level_file(level)
    code, _, err = run(capsys, command, str(level))
    assert code == return_code, err
