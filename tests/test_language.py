"""Choosing the language: --lang, else the saved setting, else LANG; lazy markers follow a switch."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lrgame import i18n
from lrgame.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
BOWL = str(ROOT / "tests" / "fixtures" / "levels" / "bowl.json")
FIRST = str(ROOT / "levels" / "01-first-steps.json")


@pytest.fixture(autouse=True)
def english_after(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The language is process-wide: every test here leaves English behind it."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("LRGAME_HOME", str(tmp_path / "home"))
    yield
    i18n.set_language("en")


def save_language(home: Path, lang: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    settings = {"unlock_all": False, "language": lang, "theme": None}
    (home / "progress.json").write_text(
        json.dumps({"version": 1, "settings": settings, "campaigns": {}}), "utf-8"
    )


def coach(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    code = main([*args, "simulate", FIRST, "--lr", "1.5", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)["coach"]  # type: ignore[no-any-return]


def test_an_unknown_lang_is_refused_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--lang", "xx", "simulate", BOWL, "--lr", "0.1"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "'xx'" in err and "en, ja" in err


def test_lang_is_checked_for_the_game_too(capsys: pytest.CaptureFixture[str]) -> None:
    # Refused before Textual starts: the game never runs.
    assert main(["--lang", "klingon"]) == 2
    assert "klingon" in capsys.readouterr().err


def test_simulate_json_speaks_japanese_with_neutral_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    english = coach(capsys, "--lang", "en")
    japanese = coach(capsys, "--lang", "ja")
    assert japanese["text"] != english["text"]
    assert "発散" in str(japanese["text"]) and "diverge" not in str(japanese["text"])
    for code in ("kind", "cause", "suggestions"):
        assert japanese[code] == english[code], code
    assert english["kind"] == "diverged" and english["suggestions"] == ["smaller_lr"]


def test_ja_jp_spellings_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    assert "発散" in str(coach(capsys, "--lang", "ja_JP.UTF-8")["text"])


def test_headless_commands_use_the_saved_setting_then_lang_wins(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    save_language(tmp_path / "home", "ja")
    assert "発散" in str(coach(capsys)["text"])
    assert "発散" not in str(coach(capsys, "--lang", "en")["text"])


def test_environment_decides_last(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert "発散" in str(coach(capsys)["text"])
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")
    assert "発散" not in str(coach(capsys)["text"])


def test_choose_language_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert i18n.choose_language() == "ja"
    assert i18n.choose_language(saved="en") == "en"
    assert i18n.choose_language("ja", saved="en") == "ja"
    # A saved or environment language with no catalog falls through, ending in English.
    assert i18n.choose_language(saved="fr") == "ja"
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert i18n.choose_language(saved="de") == "en"
    with pytest.raises(i18n.UnknownLanguage):
        i18n.checked_language("fr")
    assert i18n.checked_language("JA") == "ja"


def test_saved_language_tolerates_any_save(tmp_path: Path) -> None:
    home = tmp_path / "h"
    assert i18n.saved_language(home) is None
    home.mkdir()
    (home / "progress.json").write_text("{not json", "utf-8")
    assert i18n.saved_language(home) is None
    (home / "progress.json").write_text('{"settings": {"language": 3}}', "utf-8")
    assert i18n.saved_language(home) is None
    save_language(home, "ja")
    assert i18n.saved_language(home) == "ja"


def test_a_lazy_marker_follows_the_language_of_the_moment() -> None:
    i18n.set_language("en")
    label = i18n.N_("Help")
    assert isinstance(label, str) and str(label) == "Help"
    i18n.set_language("ja")
    # The ways Textual's footer and Rich read a label.
    assert str(label) == "" + label == label + "" == f"{label}" == "ヘルプ"
    assert " " * 1 + label + " " == " ヘルプ "
    assert label.translate({}) == "ヘルプ"
    i18n.set_language("en")
    assert "" + label == "Help"


def test_the_other_language_is_named_in_its_own_words() -> None:
    i18n.set_language("en")
    name = i18n.OtherLanguageName()
    assert "" + name == "日本語"
    i18n.set_language("ja")
    assert "" + name == "English"


def test_no_translation_is_made_at_import_time() -> None:
    """Module and class bodies use N_(): a _() there would freeze the start-up language."""
    frozen = []

    def visit(node: ast.AST, path: Path, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if (
                not in_function
                and isinstance(child, ast.Call)
                and isinstance(child.func, ast.Name)
                and child.func.id == "_"
            ):
                frozen.append(f"{path.relative_to(ROOT)}:{child.lineno}")
            visit(child, path, inside)

    for path in sorted((ROOT / "lrgame").rglob("*.py")):
        visit(ast.parse(path.read_text("utf-8")), path, False)
    assert not frozen, "use N_() for strings made at import time:\n" + "\n".join(frozen)
