"""Loading level files and checking them fully, with line:column for every problem."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path as FilePath

import numpy as np

from lrgame.engine.errors import LrgameError
from lrgame.engine.simulate import run_batch
from lrgame.safeio import printable

from .jsonpos import Document, JsonError, Position, load_json_file, parse_json
from .lab import ModelLevel
from .model import Level, Problem, read_level

OUTCOME_WORDS = {
    "reached_goal": "reached the goal",
    "stuck_local": "got stuck in a local minimum",
    "out_of_steps": "ran out of steps",
    "diverged": "diverged",
}


@dataclass(frozen=True)
class Checked:
    """A level file after checking: the level if it is playable, and every problem as a line."""

    file: str
    level: Level | None
    problems: list[str]

    @property
    def reason(self) -> str:
        """The first problem, without the file name: what the map shows for a broken level."""
        if not self.problems:
            return ""
        first, file = self.problems[0], printable(self.file)
        return first[len(file) + 1 :] if first.startswith(file + ":") else first


def check_text(text: str, file: str = "<level>", *, run_demos: bool = True) -> Checked:
    """Check a level's text (a file's content, or an editor's unsaved buffer)."""
    try:
        document = parse_json(text)
    except JsonError as error:
        return Checked(
            file, None, [printable(f"{file}:{error.line}:{error.column}: {error.message}")]
        )
    return _check_document(document, file, run_demos=run_demos)


def check_file(path: str | os.PathLike[str], *, run_demos: bool = True) -> Checked:
    file = str(path)
    try:
        document = load_json_file(path)
    except JsonError as error:
        return Checked(
            file, None, [printable(f"{file}:{error.line}:{error.column}: {error.message}")]
        )
    except LrgameError as error:
        return Checked(file, None, [printable(f"{file}: {error}")])
    return _check_document(document, file, run_demos=run_demos)


def load_level(path: str | os.PathLike[str]) -> Level:
    """A playable level, or LrgameError carrying the first problem as one line."""
    checked = check_file(path, run_demos=False)
    if checked.level is None:
        raise LrgameError(checked.problems[0] if checked.problems else f"{path}: invalid level")
    return checked.level


def _check_document(document: Document, file: str, *, run_demos: bool) -> Checked:
    level, problems = read_level(document.value, source=file, digest_text=document.text)
    if level is not None:
        problems = goal_problems(level)
        if not problems and run_demos:
            problems = demo_problems(level)
    lines = [format_problem(file, document, p) for p in _in_file_order(document, problems)]
    return Checked(file, level if not problems else None, lines)


def _in_file_order(document: Document, problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: _position(document, p).offset)


def _position(document: Document, problem: Problem) -> Position:
    if problem.offset is not None:
        return document.string_offset(problem.path, problem.offset)
    return document.position(problem.path)


def format_problem(file: str, document: Document, problem: Problem) -> str:
    pos = _position(document, problem)
    where = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in problem.path).replace(
        ".[", "["
    )
    # Keys and file names come from the user: one line, no escape sequences, wherever shown.
    return printable(f"{file}:{pos.line}:{pos.column}: {where or '(level)'}: {problem.message}")


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
        coords = ", ".join(f"{v:g}" for v in edge_point)
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
        if demo.outcome != "reached_goal":
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
            expected = OUTCOME_WORDS[demo.outcome]
            problems.append(
                Problem(
                    demo.path,
                    f"this demo should have {expected}, but it {OUTCOME_WORDS[verdict.outcome]} "
                    f"(after {verdict.steps} steps)",
                )
            )
    return problems


@dataclass(frozen=True)
class CampaignEntry:
    order: int
    file: str
    checked: Checked


def campaign_files(directory: str | os.PathLike[str]) -> list[FilePath]:
    """A campaign is the folder's level files in the order of their names."""
    root = FilePath(directory)
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


def shipped_levels_dir() -> FilePath:
    """The campaign shipped with lrgame: ``levels/`` beside the package, or its installed copy."""
    here = FilePath(__file__).resolve().parent.parent
    for candidate in (here.parent / "levels", here / "campaign"):
        if candidate.is_dir():
            return candidate
    return here.parent / "levels"


def iter_problems(results: Iterable[Checked]) -> Iterable[str]:
    for checked in results:
        yield from checked.problems
