"""Errors that reach the player or the command line as one clear line."""

from __future__ import annotations

from collections.abc import Sequence

from .problems import FieldPath, Problem, format_path


class LrgameError(Exception):
    """Bad input from a user: shown as one line, never as a traceback."""


class ProblemsError(LrgameError):
    """Several problems of one input, shown one line each (a strategy file with two bad
    fields names both, as ``lrgame validate`` does for a level)."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines: tuple[str, ...] = tuple(lines)


class ExpressionError(LrgameError):
    """A loss expression that cannot be accepted.

    ``position`` is the 0-based character offset into the expression text of
    the offending token, so a caller can turn it into a line:column.
    """

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"column {self.position + 1}: {self.message}"


class SpecError(LrgameError):
    """An invalid optimizer, schedule or strategy value.

    ``path`` is a field path such as ``("optimizer", "betas", 0)`` (``()`` for
    the whole object), so a caller can point at the value in its JSON file; the
    message reads ``optimizer.betas[0]: ...``.
    """

    def __init__(self, path: FieldPath, message: str) -> None:
        super().__init__(f"{format_path(path)}: {message}" if path else message)
        self.path = path
        self.message = message
        self.others: tuple[Problem, ...] = ()
        """Further problems found alongside this one, where the parser could go on."""

    @property
    def problem(self) -> Problem:
        """This error as data: the field path and the message without it."""
        return Problem(self.path, self.message)

    @property
    def problems(self) -> list[Problem]:
        """Every problem this error stands for, this one first."""
        return [self.problem, *self.others]

    @staticmethod
    def raise_all(errors: Sequence[SpecError]) -> None:
        """Raise the first of ``errors`` carrying the problems of all; nothing if empty.

        A parser reads every item of a list and every key of an object before
        raising this way, so one reading reports all their problems.
        """
        if not errors:
            return
        first = errors[0]
        first.others = (*first.others, *(p for e in errors[1:] for p in e.problems))
        raise first
