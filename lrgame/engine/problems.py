"""Problems in untrusted input as data: a field path, a message and, once known, a place.

Validators (levels, model levels, strategies, schedules) collect these instead of
raising at the first; ``lrgame validate``, the editor and the setup screen format
the same objects. A message is never parsed back: the path says which field, the
position says where in the text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

FieldPath = tuple[str | int, ...]
"""Where a value sits in a JSON document: ``("demos", "win", 0, "strategy")``."""


@dataclass(frozen=True)
class Position:
    """Where something starts: 1-based line and column (in characters), 0-based offset."""

    line: int
    column: int
    offset: int


@dataclass(frozen=True)
class Problem:
    path: FieldPath
    """The offending value's field path; ``()`` for the whole document."""
    message: str
    position: Position | None = None
    """Where in the text, once located in a document (None: no text, or not located yet)."""
    offset: int | None = None
    """For a string value: the character inside it where the problem is (expressions)."""

    @property
    def where(self) -> str:
        """The field path as written in messages: ``demos.win[0].strategy``."""
        return format_path(self.path)

    def under(self, prefix: FieldPath) -> Problem:
        """The same problem inside a larger document, its path prefixed."""
        return replace(self, path=(*prefix, *self.path))

    def relative_to(self, prefix: FieldPath) -> FieldPath | None:
        """The rest of the path below ``prefix``, or None if the problem is not under it."""
        if self.path[: len(prefix)] != prefix:
            return None
        return self.path[len(prefix) :]

    def line(self, file: str = "") -> str:
        """One line: ``file:line:column: path: message``, leaving out what is unknown."""
        head = [file] if file else []
        if self.position is not None:
            head += [str(self.position.line), str(self.position.column)]
        parts = [":".join(head)] if head else []
        if self.path:
            parts.append(self.where)
        parts.append(self.message)
        return ": ".join(parts)


def format_path(path: FieldPath) -> str:
    """``("optimizer", "betas", 0)`` -> ``optimizer.betas[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out
