"""A strict JSON reader that remembers where every value sits.

Level files are untrusted, and a validator must point at the offending value
as ``file:line:column``. The standard ``json`` module cannot say where a value
was, so this is a small hand-written parser for strict RFC 8259 JSON:

* iterative (an explicit stack, never recursion), nesting at most
  ``MAX_DEPTH`` deep, input at most ``MAX_BYTES``;
* refuses with a position and a plain message: NaN and Infinity, numbers that
  overflow a float, integers of more than 100 digits, duplicate keys, trailing
  commas, comments, single quotes, raw control characters and lone surrogates
  in strings, trailing text, empty input;
* raises only :class:`JsonError` (or :class:`~lrgame.engine.errors.LrgameError`
  for a file that cannot be read).

The parser itself is :mod:`lrgame.levels.jsonparse`; this module holds the
:class:`Document` and its lookups by field path, and reading files. Positions
are kept in a tree beside the value (an offset per value and per
key), so lookups by field path are cheap and memory stays proportional to
the input. Lines end at ``\\n``, ``\\r\\n`` or ``\\r``; columns count characters
(code points), both 1-based.
"""

from __future__ import annotations

import errno
import gc
import os
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lrgame.engine.errors import LrgameError
from lrgame.engine.limits import MAX_FILE_BYTES
from lrgame.engine.problems import FieldPath, Position
from lrgame.safeio import RefusedFile, read_capped

from .jsonparse import MAX_DEPTH, NEWLINE, JsonError, line_col, parse_tree, plain_match

MAX_BYTES = MAX_FILE_BYTES

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "Document",
    "FileError",
    "JsonError",
    "Position",
    "load_json_file",
    "parse_json",
]


class FileError(LrgameError):
    """A file that cannot be read at all (missing, unreadable, too large).

    ``str(error)`` is the message alone, such as ``"cannot read: no such file"``:
    callers put the file name in front (``f"{file}: {error}"``), as they do
    for a :class:`JsonError`'s ``line:column``. The name is in ``path``.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return self.message


# Positions are kept as a tree of "nodes" beside the value: a scalar's node is its
# offset (an int); a container's node is ``(offset, children)``, where children is
# a list (one node per array item) or a dict mapping each key to
# ``(key_offset, node)``. Tuples and ints keep the tree small and quick to build.


def _offset_of(node: Any) -> int:
    return node if isinstance(node, int) else int(node[0])


@dataclass(frozen=True)
class Document:
    """A parsed JSON text: the plain value, the text, and where each value sits."""

    value: Any
    text: str
    _root: Any = field(default=None, repr=False, compare=False)

    # -- looking up positions ---------------------------------------------

    def position(self, path: FieldPath) -> Position:
        """Where the value at ``path`` starts.

        For a path that does not exist (a missing key, an index past the end,
        a key into a scalar), the position of its nearest existing ancestor.
        """
        return self._at(_offset_of(self._find(path)[0]))

    def _find(self, path: FieldPath) -> tuple[Any, bool]:
        """The position node at ``path`` (or its nearest ancestor's) and whether it exists."""
        node = self._root
        if node is None:
            return 0, not path
        for part in path:
            child = _child(node, part)
            if child is None:
                return node, False
            node = child
        return node, True

    def key_position(self, path: FieldPath) -> Position | None:
        """Where the key of the object member at ``path`` starts, or None.

        None for the empty path, an array item, or a member that does not exist.
        """
        if not path or self._root is None:
            return None
        node = self._root
        for part in path[:-1]:
            node = _child(node, part)
            if node is None:
                return None
        last = path[-1]
        if isinstance(node, int) or not isinstance(node[1], dict):
            return None
        if not isinstance(last, str) or last not in node[1]:
            return None
        return self._at(node[1][last][0])

    def string_offset(self, path: FieldPath, index: int) -> Position:
        """Where character ``index`` of the decoded string at ``path`` is in the text.

        Escapes are accounted for: in ``"a\\nb"`` character 2 (``b``) is 4
        characters after the opening quote. ``index`` is clamped to
        ``0..len(string)``; ``len(string)`` gives the closing quote. For a
        value that is not a string, the value's own position; for a missing
        path, its nearest existing ancestor's.
        """
        node, exists = self._find(path)
        start = _offset_of(node)
        text = self.text
        if not exists or start >= len(text) or text[start] != '"':
            return self._at(start)
        src = start + 1
        remaining = max(0, index)
        n = len(text)
        while remaining > 0 and src < n:
            m = plain_match(text, src, min(n, src + remaining))
            run = m.end() - src
            src = m.end()
            remaining -= run
            if remaining == 0 or src >= n:
                break
            c = text[src]
            if c == '"':
                break
            if c == "\\":
                if text.startswith("u", src + 1):
                    code = int(text[src + 2 : src + 6], 16)
                    pair = 0xD800 <= code <= 0xDBFF and text.startswith("\\u", src + 6)
                    src += 12 if pair else 6
                else:
                    src += 2
            else:  # a run stopped early at endpos; cannot happen, but never loop forever
                src += 1
            remaining -= 1
        return self._at(src)

    # -- offsets to lines and columns -------------------------------------

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0, *(m.end() for m in NEWLINE.finditer(self.text))]

    def _at(self, offset: int) -> Position:
        starts = self._line_starts
        line = bisect_right(starts, offset)
        return Position(line, offset - starts[line - 1] + 1, offset)


def _child(node: Any, part: str | int) -> Any:
    """The child position node of ``node`` at ``part``, or None if there is none."""
    if isinstance(node, int):
        return None
    children = node[1]
    if isinstance(children, dict):
        if isinstance(part, str) and part in children:
            return children[part][1]
        return None
    if isinstance(part, int) and not isinstance(part, bool) and 0 <= part < len(children):
        return children[part]
    return None


def parse_json(text: str) -> Document:
    """Parse strict JSON text, remembering where every value and key starts.

    A leading byte order mark is dropped (``Document.text`` is the text
    without it, and offsets refer to that). Raises :class:`JsonError`.
    """
    if not isinstance(text, str):
        raise JsonError(f"expected JSON text, got {type(text).__name__}", 1, 1)
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > MAX_BYTES:
        raise JsonError("input is larger than 1 MB", 1, 1)
    # Building many small containers would trigger the cyclic garbage collector
    # over and over (it more than doubles the time); nothing here makes cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        value, root = parse_tree(text)
    finally:
        if collecting:
            gc.enable()
    return Document(value, text, root)


def load_json_file(path: str | os.PathLike[str]) -> Document:
    """Read and parse a UTF-8 JSON file of at most ``MAX_BYTES`` bytes.

    A larger file is refused without being read whole. A UTF-8 byte order
    mark is allowed. Invalid UTF-8 is a :class:`JsonError` at the bad byte;
    a file that cannot be read is a :class:`FileError` (an ``LrgameError``).
    """
    name = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else str(path)
    too_large = f"file is larger than 1 MB ({MAX_BYTES:,} bytes); refusing to read it"
    try:
        data = read_capped(path, MAX_BYTES)
    except RefusedFile as error:
        if error.errno == errno.EFBIG:
            raise FileError(name, too_large) from None
        raise FileError(name, f"{error.strerror}; refusing to read it") from None
    except FileNotFoundError:
        raise FileError(name, "cannot read: no such file") from None
    except IsADirectoryError:
        raise FileError(name, "is a directory, not a file") from None
    except PermissionError:
        raise FileError(name, "cannot read: permission denied") from None
    except OSError as error:
        raise FileError(name, f"cannot read: {error.strerror or error}") from None
    except ValueError as error:  # e.g. an embedded NUL byte in the path
        raise FileError(name, f"cannot read: {error}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        prefix = data[: error.start].decode("utf-8", errors="replace")
        line, column = line_col(prefix, len(prefix))
        if error.end >= len(data) and "end of data" in str(error.reason):
            message = "invalid UTF-8: the file ends in the middle of a character"
        else:
            message = f"invalid UTF-8 byte 0x{data[error.start]:02x}; save the file as UTF-8"
        raise JsonError(message, line, column, len(prefix)) from None
    return parse_json(text)
