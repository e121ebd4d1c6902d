"""What the level editor says about a text, checked without a screen."""

from __future__ import annotations

from lrgame.engine.problems import Position, Problem
from lrgame.levels.analysis import (
    analyse,
    demo_report,
    level_facts,
    listed_problems,
    next_problem,
    problem_label,
)
from lrgame.levels.lab import ModelLevel
from lrgame.levels.loader import check_text, format_problem
from lrgame.levels.template import model_template_text, template_text

TEXT = template_text("rolling-hills")


def test_a_valid_text_is_playable_with_its_facts_and_a_start_to_mark() -> None:
    result = analyse(TEXT, "t.json")
    assert result.problems == () and result.playable and result.text == TEXT
    assert result.level is not None and result.level.id == "rolling-hills"
    assert result.facts == tuple(level_facts(result.level))
    assert "Global minimum (3), loss 0" in result.facts[1]
    assert "λ = 2.6" in result.facts[2] and "2/λ = 0.769" in result.facts[2]
    assert result.facts[3].startswith("Local minima: 1")
    run = result.start_run
    assert run is not None and run.trajectory.tolist() == [list(result.level.start)]
    assert run.lr.size == 0 and not run.diverged


def test_a_wrong_goal_is_a_problem_but_the_level_is_still_previewed() -> None:
    result = analyse(TEXT.replace('"minimum": [[3]]', '"minimum": [[30]]'), "t.json")
    assert not result.playable and result.problems
    assert result.level is not None and result.start_run is not None


def test_unreadable_json_is_a_located_problem_and_no_level() -> None:
    text = TEXT.replace('"steps": 100,', '"steps": 100')
    result = analyse(text, "t.json")
    assert result.level is None and not result.playable and result.facts == ()
    [problem] = result.problems
    row = next(i for i, line in enumerate(text.splitlines()) if '"steps"' in line)
    assert problem.position is not None
    assert (problem.position.line, problem.position.column) == (row + 2, 3)  # where "goal" starts


def test_the_problems_are_those_validate_prints() -> None:
    text = TEXT.replace('"id": "rolling-hills"', '"id": "Bad Id"').replace(
        '"steps": 100,', '"steps": 0,'
    )
    result = analyse(text, "t.json")
    checked = check_text(text, "t.json", run_demos=False)
    assert [format_problem("t.json", p) for p in result.problems] == [
        format_problem("t.json", p) for p in checked.problems
    ]
    assert [p.path for p in result.problems] == [("id",), ("steps",)]


def test_a_model_level_has_its_own_facts_and_no_map() -> None:
    result = analyse(model_template_text("net"), "net.json")
    assert isinstance(result.level, ModelLevel) and result.playable
    assert result.facts and result.start_run is None


def test_a_problem_label_starts_with_its_place_and_shows_no_control_characters() -> None:
    placed = Problem(("id",), "expected an id\x1b[2J", Position(3, 9, 40))
    assert problem_label(placed) == "3:9  id: expected an id\\x1b[2J"
    assert problem_label(Problem((), "empty input")) == "empty input"


def test_the_demos_report_each_outcome_and_validate_s_lines_when_one_fails() -> None:
    report = demo_report(TEXT, "t.json")
    assert report.blocked is None and report.problems == ()
    assert report.passed == len(report.results) == 4
    assert report.results[0].label() == "✔ demos.lose[0]  expected stuck_local · got stuck_local"
    # Each result points at its demo in the text, as the problem list does.
    for result in report.results:
        assert TEXT.splitlines()[result.line - 1][result.column - 1] == "{"

    broken = TEXT.replace('"lr": 0.55', '"lr": 0.2')
    report = demo_report(broken, "t.json")
    failed = [r for r in report.results if not r.passed]
    assert [r.path for r in failed] == ["demos.win[0]"]
    assert failed[0].label().startswith("✗ demos.win[0]  expected reached_goal · got stuck_local")
    assert len(report.problems) == 1 and "this demo should have" in report.problems[0].message
    assert report.problems[0].position is not None
    assert check_text(broken, "t.json").problems == list(report.problems)


def test_demos_of_a_broken_level_do_not_run() -> None:
    report = demo_report(TEXT.replace('"steps": 100,', '"steps": 0,'), "t.json")
    assert report.results == () and report.blocked is not None and "1" in report.blocked


def test_every_prefix_of_the_template_gets_a_positioned_message() -> None:
    text = template_text("prefix")
    for end in range(len(text) - 1):  # the last character is the final newline
        result = analyse(text[:end], "t.json")
        assert result.problems, repr(text[:end])
        assert result.problems[0].position is not None, result.problems[0]
    assert analyse(text, "t.json").problems == ()


def at(line: int, column: int) -> Problem:
    return Problem(("x",), "bad", Position(line, column, 0))


def test_the_next_problem_is_the_first_placed_after_the_cursor_wrapping_round() -> None:
    problems = [at(3, 9), Problem((), "no place"), at(5, 2), at(5, 12)]
    assert next_problem(problems, 1, 1) == 0
    assert next_problem(problems, 3, 9) == 2  # the one under the cursor is where we are
    assert next_problem(problems, 5, 2) == 3
    assert next_problem(problems, 9, 1) == 0
    assert next_problem([Problem((), "no place")], 1, 1) is None
    assert next_problem([], 1, 1) is None


def test_the_list_adds_the_demos_problems_only_for_the_text_they_ran_on() -> None:
    broken = TEXT.replace('"lr": 0.55', '"lr": 0.2').replace('"id": "rolling-hills"', '"id": "X"')
    analysis = analyse(broken, "t.json")
    assert len(analysis.problems) == 1
    blocked = demo_report(broken, "t.json")
    assert blocked.blocked is not None
    assert listed_problems(analysis, blocked) == list(analysis.problems)
    failing = TEXT.replace('"lr": 0.55', '"lr": 0.2')
    report = demo_report(failing, "t.json")
    analysis = analyse(failing, "t.json")
    assert listed_problems(analysis, report) == list(report.problems) != []
    assert listed_problems(analysis, None) == []
    assert listed_problems(analyse(TEXT, "t.json"), report) == []  # an earlier version's demos
