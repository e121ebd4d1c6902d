"""``lrgame progress``: what the save holds for each level of a campaign, as text or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lrgame.__main__ import main
from lrgame.engine.outcome import Verdict
from lrgame.levels.loader import load_campaign
from lrgame.storage import ProgressStore

CAMPAIGN = Path(__file__).resolve().parent / "fixtures" / "campaign"
STRATEGY = {"optimizer": {"name": "sgd", "lr": 0.3}}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("LRGAME_HOME", str(path))
    return path


def won(score: int, stars: int, steps: int) -> Verdict:
    return Verdict(
        outcome="reached_goal",
        steps=40,
        steps_to_goal=steps,
        final_loss=0.0,
        progress=1.0,
        score=score,
        stars=stars,
    )


LOST = Verdict(
    outcome="diverged",
    steps=3,
    steps_to_goal=None,
    final_loss=float("inf"),
    progress=0.0,
    score=0,
    stars=0,
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_progress_json_lists_every_level_with_its_record(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = load_campaign(CAMPAIGN)
    first = entries[0].checked.level
    assert first is not None
    store = ProgressStore(home)
    key = store.campaign_key(CAMPAIGN)
    store.record_run(key, first.id, first.digest, LOST, STRATEGY)
    store.record_run(key, first.id, first.digest, won(812, 2, 17), STRATEGY)
    store.record_run(key, first.id, first.digest, won(700, 3, 12), STRATEGY)
    # The same level in another campaign, and an older version of it: not shown here.
    store.record_run("default", first.id, first.digest, won(999, 3, 1), STRATEGY)
    store.record_run(key, first.id, "an-old-digest", won(999, 3, 1), STRATEGY)

    code, out, err = run(capsys, "progress", "--levels", str(CAMPAIGN), "--json")
    assert code == 0 and err == ""
    levels = json.loads(out)["levels"]
    assert [row["id"] for row in levels] == [
        e.checked.level.id if e.checked.level else None for e in entries
    ]
    assert levels[0] == {
        "order": 1,
        "file": Path(entries[0].file).name,
        "id": first.id,
        "broken": False,
        "passed": True,
        "stars": 3,
        "best_score": 812,
        "best_steps_to_goal": 12,
        "attempts": 3,
    }
    untouched = levels[1]
    assert (untouched["passed"], untouched["stars"], untouched["attempts"]) == (False, 0, 0)
    assert untouched["best_score"] is None
    broken = [row for row in levels if row["broken"]]
    assert len(broken) == 1 and broken[0]["id"] is None and broken[0]["file"] == "03-broken.json"

    # The same with --levels before the command, and as text.
    code, text, err = run(capsys, "--levels", str(CAMPAIGN), "progress")
    assert code == 0 and err == ""
    row = next(line for line in text.splitlines() if first.id in line)
    assert row.split()[1:] == [first.id, "yes", "***", "812", "3"]
    assert "BROKEN  03-broken.json" in text


def test_progress_of_the_shipped_campaign_starts_empty(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "progress", "--json")
    assert code == 0 and err == ""
    levels = json.loads(out)["levels"]
    assert len(levels) >= 10 and not any(row["passed"] or row["attempts"] for row in levels)
    assert not home.exists()  # reading progress writes nothing


def test_progress_reports_save_problems_on_stderr(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home.write_text("a file, not a folder", encoding="utf-8")
    code, out, err = run(capsys, "progress", "--levels", str(CAMPAIGN), "--json")
    assert code == 0 and json.loads(out)["levels"]
    assert err.count("\n") == 1 and "LRGAME_HOME" in err and "is not a folder" in err


def test_progress_refuses_a_missing_folder(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "progress", "--levels", str(tmp_path / "nope"))
    assert code == 2 and out == "" and err.count("\n") == 1 and "not a folder" in err
