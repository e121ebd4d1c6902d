"""What the level editor says about a text: the validator's problems, the facts, the demos.

No UI here: the editor (``lrgame.ui.screens.editor``) runs these in worker threads
and shows what they return; tests call them directly. Every function checks a
text as ``lrgame validate`` does, with the same messages and positions, and
never raises: whatever the text, the answer is a list of messages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from lrgame.engine.problems import Problem, format_path
from lrgame.engine.simulate import Run, run_batch
from lrgame.engine.stability import stability_limit
from lrgame.engine.strategy import parse_strategy
from lrgame.i18n import _
from lrgame.levels.jsonpos import JsonError, parse_json
from lrgame.levels.lab import ModelLevel
from lrgame.levels.loader import check_text, demo_problems, locate
from lrgame.levels.model import Level
from lrgame.levels.reader import read_level
from lrgame.numfmt import loss as loss_text
from lrgame.numfmt import num, rate_bound
from lrgame.safeio import printable

__all__ = [
    "Analysis",
    "DemoReport",
    "DemoResult",
    "analyse",
    "demo_report",
    "level_facts",
    "listed_problems",
    "next_problem",
    "problem_label",
]


def problem_label(problem: Problem) -> str:
    """How the problem list shows a problem: its place first, then the path and the message."""
    text = printable(replace(problem, position=None).line())
    if problem.position is None:
        return text
    return f"{problem.position.line}:{problem.position.column}  {text}"


@dataclass(frozen=True)
class Analysis:
    """What the validator and the engine say about one version of the text."""

    text: str
    problems: tuple[Problem, ...]
    """The validator's problems (demos not run), located and in file order."""
    level: Level | None
    """The level to preview: also set when only its goal is wrong (to show why)."""
    playable: bool
    facts: tuple[str, ...]
    start_run: Run | None
    """A run of no steps at the start: it makes the preview mark the start."""


def analyse(text: str, file: str) -> Analysis:
    """Check ``text`` as ``lrgame validate`` would (without demos) and gather the facts.

    Never raises: whatever the text, the answer is a list of messages.
    """
    try:
        checked = check_text(text, file, run_demos=False)
        level = checked.level if checked.level is not None else _readable_level(text, file)
        facts: tuple[str, ...] = ()
        run = None
        if isinstance(level, ModelLevel):
            from lrgame.labcoach import model_facts

            facts = tuple(model_facts(level))
        elif level is not None:
            facts = tuple(level_facts(level))
            run = _start_run(level)
        return Analysis(text, tuple(checked.problems), level, checked.level is not None, facts, run)
    except Exception as error:  # noqa: BLE001 - the editor shows it; it must never crash
        message = _("internal error while checking: {error}", error=f"{error!r}")
        return Analysis(text, (Problem((), message),), None, False, (), None)


def _readable_level(text: str, file: str) -> Level | None:
    """The level as read, even if its goal was refused: the preview shows what is wrong."""
    try:
        document = parse_json(text)
    except JsonError:
        return None
    level, _problems = read_level(document.value, source=file, digest_text=document.text)
    return level


def _start_run(level: Level) -> Run:
    start = np.asarray([level.start], dtype=np.float64)
    with np.errstate(all="ignore"):
        loss = level.landscape.loss(start)
    return Run(
        trajectory=start,
        loss=np.asarray(loss, dtype=np.float64).reshape(1),
        grad=np.zeros_like(start),
        lr=np.zeros(0),
        momentum=None,
        diverged=False,
    )


def _num(value: float) -> str:
    # A coordinate of 1e-17 is the minimum at 0 seen through rounding, not a number to show.
    return "0" if math.isfinite(value) and abs(value) < 1e-12 else num(value)


def _point(point: Sequence[float]) -> str:
    return "(" + ", ".join(_num(float(v)) for v in point) + ")"


def level_facts(level: Level) -> list[str]:
    """The facts an author checks: the minima, the curvature there and the stable rate."""
    landscape = level.landscape
    axes = ("x", "y")
    domain = ", ".join(
        f"{axes[i]} ∈ [{_num(lo)}, {_num(hi)}]" for i, (lo, hi) in enumerate(level.domain)
    )
    with np.errstate(all="ignore"):
        start_loss = float(landscape.loss(np.asarray([level.start]))[0])
        goal = level.goal
        points = np.asarray(goal.minima, dtype=np.float64).reshape(-1, level.dim)
        lines = [
            _(
                "{dim}-D · {domain} · start {start} · loss {loss}",
                dim=level.dim,
                domain=domain,
                start=_point(level.start),
                loss=loss_text(start_loss),
            )
        ]
        if len(points) == 0:
            lines.append(_("No minimum inside the domain."))
        else:
            shown = ", ".join(_point(p) for p in points[:3]) + (" …" if len(points) > 3 else "")
            if len(points) == 1:
                lines.append(
                    _("Global minimum {point}, loss {loss}", point=shown, loss=loss_text(goal.loss))
                )
            else:
                lines.append(
                    _(
                        "{count} global minima {points}, loss {loss}",
                        count=len(points),
                        points=shown,
                        loss=loss_text(goal.loss),
                    )
                )
            sgd = parse_strategy(
                {"optimizer": {"name": "sgd", "lr": 0.01}}, level_steps=level.steps
            )
            curvatures = [float(c) for c in landscape.curvature(points)]
            low, high = min(curvatures), max(curvatures)
            limit = stability_limit(sgd.optimizer, high)
            if limit is None:
                lines.append(_("Curvature λ = {lam} there: no SGD step limit", lam=_num(high)))
            elif _num(low) == _num(high):
                lines.append(
                    _(
                        "Curvature λ = {lam} · SGD stable for lr < 2/λ = {limit}",
                        lam=_num(high),
                        # Rounded down: every rate below the number quoted is stable.
                        limit=rate_bound(limit, "high", 3),
                    )
                )
            else:
                widest = stability_limit(sgd.optimizer, low)
                lines.append(
                    _(
                        "Curvature λ = {low} to {high} · SGD stable for lr < 2/λ = "
                        "{widest} to {limit}",
                        low=_num(low),
                        high=_num(high),
                        widest=rate_bound(widest, "high", 3) if widest is not None else "∞",
                        limit=rate_bound(limit, "high", 3),
                    )
                )
        local = level.local_minima
        if local:
            shown = ", ".join(_point(p) for p in local[:2]) + (" …" if len(local) > 2 else "")
            lines.append(_("Local minima: {count} {points}", count=len(local), points=shown))
        else:
            lines.append(_("Local minima: none"))
    lines.append(
        _(
            "Steps {steps} · par {par} · tolerance {tolerance}",
            steps=level.steps,
            par=level.par,
            tolerance=_num(level.tolerance),
        )
    )
    return lines


@dataclass(frozen=True)
class DemoResult:
    """How one demo did: its path, the outcome the file states and the one the engine found."""

    path: str
    """``demos.lose[0]``."""
    line: int
    column: int
    expected: str
    actual: str
    passed: bool
    why: str = ""
    """The validator's message when it failed."""

    def label(self) -> str:
        mark = "✔" if self.passed else "✗"
        text = _(
            "{mark} {path}  expected {expected} · got {actual}",
            mark=mark,
            path=self.path,
            expected=self.expected,
            actual=self.actual,
        )
        if not self.passed and self.expected == self.actual and self.why:
            text += f" — {self.why}"
        return text


@dataclass(frozen=True)
class DemoReport:
    """The demos of one version of the text."""

    text: str
    results: tuple[DemoResult, ...]
    problems: tuple[Problem, ...]
    """The validator's problems with the demos: what ``lrgame validate`` adds when they fail."""
    blocked: str | None = None
    """Why the demos could not run (the level has other problems)."""

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)


def demo_report(text: str, file: str) -> DemoReport:
    """Run the level's demos; every demo's outcome, and the validator's lines if any fail.

    Never raises. The problems are :func:`lrgame.levels.loader.demo_problems`,
    located and ordered as ``lrgame validate`` prints them.
    """
    try:
        checked = check_text(text, file, run_demos=False)
        level = checked.level
        if level is None:
            count = len(checked.problems)
            return DemoReport(
                text,
                (),
                (),
                _("the level has other problems ({count}); fix them first", count=count),
            )
        document = parse_json(text)
        problems = locate(document, demo_problems(level))
        outcomes = _demo_outcomes(level)
        results = []
        for demo, actual in zip(level.demos, outcomes, strict=True):
            mine = [p.message for p in problems if p.path == demo.path]
            where = document.position(demo.path[:-1])
            results.append(
                DemoResult(
                    format_path(demo.path[:-1]),
                    where.line,
                    where.column,
                    demo.outcome,
                    actual,
                    not mine,
                    "; ".join(mine),
                )
            )
        return DemoReport(text, tuple(results), tuple(problems))
    except Exception as error:  # noqa: BLE001 - shown in the editor, never a crash
        return DemoReport(text, (), (), _("internal error: {error}", error=f"{error!r}"))


def _demo_outcomes(level: Level) -> list[str]:
    if not level.demos:
        return []
    batch = run_batch(level.landscape, level.start, [d.strategy for d in level.demos], level.noise)
    verdicts = level.judge(batch)
    return [v.outcome for v in verdicts]


# ---------------------------------------------------------------------------
# The problem list


def listed_problems(analysis: Analysis, demos: DemoReport | None) -> list[Problem]:
    """What the problem list shows: the validator's, then the demos' if they ran on this text."""
    problems = list(analysis.problems)
    if demos is not None and demos.text == analysis.text and demos.blocked is None:
        problems += demos.problems
    return problems


def next_problem(problems: Sequence[Problem], line: int, column: int) -> int | None:
    """The index of the first located problem after ``line:column`` (1-based), wrapping round
    to the first; None when no problem has a place."""
    placed = [(i, p.position) for i, p in enumerate(problems) if p.position is not None]
    ahead = [i for i, where in placed if (where.line, where.column) > (line, column)]
    if ahead:
        return ahead[0]
    return placed[0][0] if placed else None
