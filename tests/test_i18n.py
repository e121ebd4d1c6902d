"""One translation catalog: every player-facing UI string goes through ``_()``."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest

from lrgame import i18n

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import extract_messages  # noqa: E402

# Calls whose string arguments a player reads.
SHOWN = {"Static", "Label", "Button", "notify", "Binding", "Option", "update", "SystemCommand"}


def literal_args(call: ast.Call) -> list[ast.Constant]:
    args = list(call.args) + [
        k.value
        for k in call.keywords
        if k.arg in ("description", "label", "prompt", "message", "title", "help")
    ]
    return [a for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]


def test_no_bare_player_facing_literals_in_the_ui() -> None:
    offenders = []
    for path in sorted((ROOT / "lrgame" / "ui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = (
                node.func.attr
                if isinstance(node.func, ast.Attribute)
                else getattr(node.func, "id", "")
            )
            if name not in SHOWN:
                continue
            for arg in literal_args(node):
                text = arg.value
                # Keys, ids, glyphs and empty strings are not sentences.
                if name == "Binding" and node.args and arg is node.args[0]:
                    continue
                if name == "Binding" and len(node.args) > 1 and arg is node.args[1]:
                    continue
                if (
                    not any(ch.isalpha() for ch in text)
                    or text.isidentifier()
                    and name == "Binding"
                ):
                    continue
                offenders.append(f"{path.relative_to(ROOT)}:{arg.lineno}: {text!r}")
    assert not offenders, "wrap these in _():\n" + "\n".join(offenders)


def test_message_template_is_current() -> None:
    template = ROOT / "lrgame" / "locales" / "messages.json"
    assert template.read_text(encoding="utf-8") == extract_messages.template_text(), (
        "run python tools/extract_messages.py"
    )
    assert len(json.loads(template.read_text(encoding="utf-8"))) > 100


def test_language_detection_and_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert i18n.detect_language() == "ja"
    assert i18n.detect_language("fr") == "fr"
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert i18n.detect_language() == "en"
    try:
        assert i18n.set_language("xx") == "en"
        assert i18n._("Step {step} / {total}", step=3, total=9) == "Step 3 / 9"
    finally:
        i18n.set_language("en")


def test_a_catalog_translates_and_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = tmp_path / "locales"
    catalog.mkdir()
    (catalog / "ja.json").write_text(
        json.dumps({"Help": "ヘルプ", "Step {step} / {total}": "ステップ {step} / {total}"}),
        "utf-8",
    )

    class Files:
        def joinpath(self, *parts: str) -> Path:
            return tmp_path.joinpath(*parts)

    monkeypatch.setattr(i18n.resources, "files", lambda _pkg: Files())
    try:
        assert i18n.set_language("ja") == "ja"
        assert i18n._("Help") == "ヘルプ"
        assert i18n._("Step {step} / {total}", step=1, total=2) == "ステップ 1 / 2"
        assert i18n._("Quit") == "Quit"
    finally:
        i18n.set_language("en")
