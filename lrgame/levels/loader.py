"""Loading level files and checking them fully, with line:column for every problem."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from lrgame.engine.errors import LrgameError
from lrgame.engine.outcome import Outcome
from lrgame.engine.problems import Position, Problem
from lrgame.engine.simulate import run_batch
from lrgame.numfmt import num
from lrgame.safeio import printable

from .jsonpos import Document, JsonError, load_json_file, parse_json
from .lab import ModelLevel
from .model import Level
from .reader import read_level


@dataclass(frozen=True)
class Checked:
    """A level file after checking: the level if it is playable, and every problem found,
    located in the text and in file order."""

    file: str
    level: Level | None
    problems: list[Problem]

    @property
    def lines(self) -> list[str]:
        """Every problem as one line, ``file:line:column: path: message``."""
        return [format_problem(self.file, p) for p in self.problems]

    @property
    def reason(self) -> str:
        """The first problem, without the file name: what the map shows for a broken level."""
        return format_problem("", self.problems[0]) if self.problems else ""


def check_text(text: str, file: str = "<level>", *, run_demos: bool = True) -> Checked:
    """Check a level's text (a file's content, or an editor's unsaved buffer)."""
    try:
        document = parse_json(text)
    except JsonError as error:
        return Checked(file, None, [json_problem(error)])
    return _check_document(document, file, run_demos=run_demos)


def check_file(path: str | os.PathLike[str], *, run_demos: bool = True) -> Checked:
    file = str(path)
    try:
        document = load_json_file(path)
    except JsonError as error:
        return Checked(file, None, [json_problem(error)])
    except LrgameError as error:
        return Checked(file, None, [Problem((), str(error))])
    return _check_document(document, file, run_demos=run_demos)


def json_problem(error: JsonError) -> Problem:
    """Text that is not JSON: a problem with a place in the text but no field."""
    return Problem((), error.message, Position(error.line, error.column, error.offset))


def load_level(path: str | os.PathLike[str]) -> Level:
    """A playable level, or LrgameError carrying the first problem as one line."""
    checked = check_file(path, run_demos=False)
    if checked.level is None:
        raise LrgameError(checked.lines[0] if checked.problems else f"{path}: invalid level")
    return checked.level


def _check_document(document: Document, file: str, *, run_demos: bool) -> Checked:
    level, problems = read_level(document.value, source=file, digest_text=document.text)
    if level is not None:
        problems = goal_problems(level)
        if not problems and run_demos:
            problems = demo_problems(level)
    return Checked(file, level if not problems else None, locate(document, problems))


def locate(document: Document, problems: list[Problem]) -> list[Problem]:
    """The problems with their places in the document's text, in file order."""
    located = [replace(p, position=_position(document, p)) for p in problems]
    return sorted(located, key=lambda p: p.position.offset if p.position else -1)


def _position(document: Document, problem: Problem) -> Position:
    if problem.offset is not None:
        return document.string_offset(problem.path, problem.offset)
    return document.position(problem.path)


def format_problem(file: str, problem: Problem) -> str:
    """One line for a terminal or a screen: ``file:line:column: path: message``."""
    # Keys and file names come from the user: one line, no escape sequences, wherever shown.
    return printable(problem.line(file))


def goal_problems(level: Level) -> list[Problem]:
    """The goal must exist and lie inside the domain, and the start must be finite to walk from."""
    problems: list[Problem] = []
    if isinstance(level, ModelLevel):
        with np.errstate(all="ignore"):
            start_loss = level.landscape.loss(np.asarray([level.start]))[0]
        if not np.isfinite(start_loss):
            problems.append(Problem(("model",), "the training loss is not finite at the start"))
        return problems
    landscape = level.landscape
    with np.errstate(all="ignore"):
        start_loss = landscape.loss(np.asarray([level.start]))[0]
    if not np.isfinite(start_loss):
        problems.append(Problem(("start",), "the loss is not finite at the start"))
    if level.stated_minima is not None:
        for i, point in enumerate(level.stated_minima):
            if not landscape.inside(np.asarray(point)):
                problems.append(
                    Problem(
                        ("goal", "minimum", i), f"the goal {list(point)} lies outside the domain"
                    )
                )
        return problems
    minima = landscape.global_minima
    if not minima:
        problems.append(
            Problem(
                ("loss",),
                "no minimum inside the domain: the loss keeps falling towards an edge; "
                "widen the domain or state goal.minimum",
            )
        )
        return problems
    edge_point, edge_loss = landscape.grid_lowest
    if edge_loss < minima[0].loss - 1e-6 * max(1.0, abs(minima[0].loss)) and _on_edge(
        level, edge_point
    ):
        coords = ", ".join(f"{num(v, 6)}" for v in edge_point)
        problems.append(
            Problem(
                ("domain",),
                f"the lowest point of the domain is on its edge at ({coords}), below every "
                "minimum inside; widen the domain or state goal.minimum",
            )
        )
    return problems


def _on_edge(level: Level, point: tuple[float, ...]) -> bool:
    p = np.asarray(point)
    return bool(np.any(np.isclose(p, level.domain[:, 0]) | np.isclose(p, level.domain[:, 1])))


def demo_problems(level: Level) -> list[Problem]:
    """Each losing demo must lose the way it says; each winning demo must win."""
    if not level.demos:
        return []
    batch = run_batch(level.landscape, level.start, [d.strategy for d in level.demos], level.noise)
    verdicts = level.judge(batch)
    problems = []
    for demo in level.demos:
        if demo.outcome != Outcome.REACHED_GOAL:
            continue
        # A winning demo proves the level can be won in the game, with the game's tools.
        refusal = level.allowed.refusal(demo.strategy)
        if refusal:
            problems.append(
                Problem(demo.path, f"a winning demo must use what the level offers: {refusal}")
            )
        if demo.strategy.steps > level.steps:
            problems.append(
                Problem(
                    demo.path,
                    f"a winning demo takes {demo.strategy.steps} steps, more than the budget of {level.steps}",
                )
            )
    for demo, verdict in zip(level.demos, verdicts, strict=True):
        if verdict.outcome != demo.outcome:
            expected = Outcome(demo.outcome).past
            problems.append(
                Problem(
                    demo.path,
                    f"this demo should have {expected}, but it {verdict.outcome.past} "
                    f"(after {verdict.steps} steps)",
                )
            )
    return problems


@dataclass(frozen=True)
class CampaignEntry:
    order: int
    file: str
    checked: Checked


def campaign_files(directory: str | os.PathLike[str]) -> list[Path]:
    """A campaign is the folder's level files in the order of their names."""
    root = Path(directory)
    return sorted(
        (p for p in root.iterdir() if p.suffix == ".json" and p.is_file()), key=lambda p: p.name
    )


def load_campaign(
    directory: str | os.PathLike[str], *, run_demos: bool = False
) -> list[CampaignEntry]:
    return [
        CampaignEntry(i + 1, str(path), check_file(path, run_demos=run_demos))
        for i, path in enumerate(campaign_files(directory))
    ]
