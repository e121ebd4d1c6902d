"""Outcomes: one StrEnum and one table of glyphs and names, used everywhere."""

from __future__ import annotations

import ast
import json
import unicodedata
from pathlib import Path

import pytest

from lrgame.engine.outcome import LOSING_OUTCOMES, OUTCOME_TABLE, Outcome, Verdict
from lrgame.ui.lessons import outcome_name

PACKAGE = Path(__file__).resolve().parents[2] / "lrgame"


def test_the_table_covers_every_outcome_with_distinct_one_cell_glyphs() -> None:
    assert set(OUTCOME_TABLE) == set(Outcome)
    glyphs = [o.glyph for o in Outcome]
    assert len(set(glyphs)) == len(glyphs)
    for glyph in glyphs:
        # The sweep strip draws one glyph per terminal cell: no wide or emoji symbols.
        assert len(glyph) == 1 and unicodedata.east_asian_width(glyph) not in ("W", "F"), glyph


def test_the_values_are_the_words_files_and_saves_use() -> None:
    assert [str(o) for o in Outcome] == ["reached_goal", "stuck_local", "out_of_steps", "diverged"]
    assert json.dumps({"outcome": Outcome.STUCK_LOCAL}) == '{"outcome": "stuck_local"}'
    assert Outcome("diverged") is Outcome.DIVERGED
    assert [o.won for o in Outcome] == [True, False, False, False]
    assert set(LOSING_OUTCOMES) == {o for o in Outcome if not o.won}


def test_a_verdict_built_from_the_plain_word_holds_the_enum() -> None:
    verdict = Verdict("out_of_steps", 10, None, 1.0, 0.5, 150, 0)  # type: ignore[arg-type]
    assert verdict.outcome is Outcome.OUT_OF_STEPS and verdict.outcome.glyph == "…"
    with pytest.raises(ValueError):
        Verdict("won", 10, None, 1.0, 0.5, 150, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize("outcome", list(Outcome))
def test_the_ui_name_is_the_tables_headline_in_english(outcome: Outcome) -> None:
    assert outcome_name(outcome) == outcome.headline


def spelled_outside_the_table() -> list[str]:
    """Where a module names an outcome by its word or draws a glyph of its own for one."""
    words = {"reached_goal", "stuck_local", "out_of_steps"}  # "diverged" is also a coach cause
    found = []
    for file in sorted(PACKAGE.rglob("*.py")):
        if file == PACKAGE / "engine" / "outcome.py":
            continue
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and (node.value in words or node.value == "⌛"):
                found.append(f"{file.relative_to(PACKAGE.parent)}:{node.lineno}: {node.value!r}")
    return found


def test_no_module_spells_an_outcome_or_its_glyph_again() -> None:
    assert spelled_outside_the_table() == []
