"""Player-facing numbers go through lrgame.numfmt: compact exponents, tiny losses as "≈ 0"."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from lrgame.__main__ import main
from lrgame.engine.optimizers import parse_optimizer, update_rule
from lrgame.engine.schedules import describe, parse_schedule
from lrgame.levels.analysis import level_facts
from lrgame.levels.reader import read_level
from lrgame.ui.widgets.chart_scale import tick_label

# Python's own exponent form (1e-08, 2e+03) and long tails of digits (3.91e-08 as a loss).
RAW_EXPONENT = re.compile(r"\de[+-]0\d|\de\+\d")

# A bowl whose minimum loss is a hair above zero, as rounding leaves many landscapes.
TINY = {
    "id": "tiny",
    "title": "Tiny",
    "loss": "(x - 1)^2 + 3.91e-8",
    "domain": {"x": [-3, 3]},
    "start": [2.5],
    "steps": 40,
}


def test_update_rules_and_schedules_use_compact_exponents() -> None:
    for name in ("adam", "rmsprop", "adagrad"):
        text = update_rule(parse_optimizer({"name": name, "lr": 3e-5}))
        assert not RAW_EXPONENT.search(text), text
        assert "3e-5" in text
    schedule = parse_schedule(
        {"name": "cosine", "eta_min": 1e-7},
        steps=100,
        optimizer_name="sgd",
        optimizer_lr=0.1,
        has_momentum=True,
    )
    text = describe(schedule, 2e-5)
    assert "1e-7" in text and "2e-5" in text and not RAW_EXPONENT.search(text)


def test_chart_ticks_use_compact_exponents() -> None:
    assert tick_label(1e-6) == "1e-6" and tick_label(120000.0) == "1.2e5"
    assert tick_label(0.0) == "0" and tick_label(2.5) == "2.5"


def test_the_editor_facts_show_a_tiny_loss_as_about_zero() -> None:
    level, problems = read_level(TINY, source="tiny.json")
    assert level is not None, problems
    facts = "\n".join(level_facts(level))
    assert "≈ 0" in facts and "e-08" not in facts and "3.91" not in facts


def test_the_simulate_summary_shows_a_tiny_loss_as_about_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY), encoding="utf-8")
    assert main(["simulate", str(path), "--lr", "0.3"]) == 0
    out = capsys.readouterr().out
    end = next(line for line in out.splitlines() if line.strip().startswith("end"))
    assert "loss ≈ 0" in end and "(minimum ≈ 0)" in end
    assert not RAW_EXPONENT.search(out)


def test_the_sweep_table_and_finder_use_the_game_format(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bowl = str(Path(__file__).parent / "fixtures" / "levels" / "bowl.json")
    assert main(["sweep", bowl, "--lr", "0.1", "--lr-min", "1e-6", "--points", "3"]) == 0
    out = capsys.readouterr().out
    assert "1e-6" in out and not RAW_EXPONENT.search(out)
    assert main(["find-lr", bowl, "--lr", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "from 1e-6" in out and not RAW_EXPONENT.search(out)


def test_the_typed_rate_is_written_in_the_game_format() -> None:
    from lrgame.ui.widgets.lr_control import format_lr, nudge_lr

    assert format_lr(1e-5) == "1e-5" and format_lr(5.995e-5) == "5.995e-5"
    assert format_lr(0.01259) == "0.01259"
    # What the field shows is what is used: it reads back as the same rate.
    for value in (1e-6, 3e-4, 0.01, nudge_lr(1e-4, -0.1), 100.0):
        assert float(format_lr(value)) == float(f"{value:.4g}")


def test_the_editor_facts_never_quote_a_stable_rate_above_two_over_lambda() -> None:
    # "SGD stable for lr < 2/λ = Y" is read as "every rate below Y is stable": Y rounds down.

    from lrgame.levels.loader import load_level

    seen = 0
    for path in sorted((Path(__file__).resolve().parents[1] / "levels").glob("*.json")):
        level = load_level(path)
        facts = "\n".join(level_facts(level))
        found = re.search(
            r"Curvature λ = (\S+) to (\S+) · SGD stable for lr < 2/λ = (\S+) to (\S+)", facts
        )
        if found is None:
            found = re.search(r"Curvature λ = ()(\S+) · SGD stable for lr < 2/λ = ()(\S+)", facts)
        if found is None:
            continue
        with np.errstate(all="ignore"):
            points = np.asarray(level.goal.minima, dtype=np.float64).reshape(-1, level.dim)
            curvatures = [float(c) for c in level.landscape.curvature(points)]
        assert float(found.group(4)) <= 2 / max(curvatures), (path.name, found.group(0))
        if found.group(3):
            assert float(found.group(3)) <= 2 / min(curvatures), (path.name, found.group(0))
        seen += 1
    assert seen >= 5
