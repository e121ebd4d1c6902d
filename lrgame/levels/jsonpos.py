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

Positions are kept in a tree beside the value (an offset per value and per
key), so lookups by field path are cheap and memory stays proportional to
the input. Lines end at ``\\n``, ``\\r\\n`` or ``\\r``; columns count characters
(code points), both 1-based.
"""

from __future__ import annotations

import errno
import gc
import os
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lrgame.engine.errors import LrgameError
from lrgame.engine.limits import MAX_FILE_BYTES
from lrgame.engine.problems import FieldPath, Position
from lrgame.safeio import RefusedFile, read_capped

MAX_BYTES = MAX_FILE_BYTES
MAX_DEPTH = 64
MAX_INT_DIGITS = 100

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


class JsonError(LrgameError):
    """Text that is not acceptable JSON, with the 1-based line and column of the problem."""

    def __init__(self, message: str, line: int, column: int, offset: int = 0) -> None:
        super().__init__(f"{line}:{column}: {message}")
        self.message = message
        self.line = line
        self.column = column
        self.offset = offset
        """0-based character offset of the problem in the text."""

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"


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
            m = _plain_match(text, src, min(n, src + remaining))
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
        return [0, *(m.end() for m in _NEWLINE.finditer(self.text))]

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


# ---------------------------------------------------------------------------
# The parser

_WS = re.compile(r"[ \t\n\r]*")
_NEWLINE = re.compile(r"\r\n?|\n")
# A run of characters that may stand for themselves inside a string.
_STR_RUN = re.compile(r'[^"\\\x00-\x1f\ud800-\udfff]*')
# Used when mapping decoded indexes back to source (the text is known valid).
_PLAIN_RUN = re.compile(r'[^"\\]*')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
# An integer that needs no further checks (at most 100 digits, not followed by . e E or a digit).
_FAST_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,99})(?![0-9.eE])")
_INF = float("inf")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}
_NUMBER_START = frozenset("-0123456789")
_WHITESPACE = frozenset(" \t\n\r")
# These patterns always match (possibly empty), so their matchers never return None.
_ws_match: Any = _WS.match
_run_match: Any = _STR_RUN.match
_plain_match: Any = _PLAIN_RUN.match


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` (lines end at \\n, \\r\\n or \\r)."""
    line = (
        1
        + text.count("\n", 0, offset)
        + text.count("\r", 0, offset)
        - text.count("\r\n", 0, offset)
    )
    start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    return line, offset - start + 1


def _error(text: str, offset: int, message: str) -> JsonError:
    line, column = _line_col(text, offset)
    return JsonError(message, line, column, offset)


def _show_char(c: str) -> str:
    if c < " " or c == "\x7f" or "\ud800" <= c <= "\udfff" or c in "\u2028\u2029\ufeff":
        return f"U+{ord(c):04X}"
    return repr(c)


def _short(key: str) -> str:
    return repr(key if len(key) <= 40 else key[:37] + "...")


def _unexpected(text: str, pos: int, expected: str, *, value: bool = False) -> JsonError:
    """An error for whatever stands at ``pos`` when ``expected`` was wanted."""
    if pos >= len(text):
        return _error(text, pos, f"unexpected end of input; expected {expected}")
    c = text[pos]
    if text.startswith("//", pos) or text.startswith("/*", pos):
        return _error(text, pos, "comments are not allowed in JSON")
    if c == "'":
        return _error(text, pos, 'strings must be in double quotes ("), not single quotes')
    for word in ("NaN", "Infinity", "-Infinity", "+Infinity", "-NaN"):
        if text.startswith(word, pos):
            return _error(text, pos, f"{word} is not allowed in JSON; write a number")
    if value and c == "+":
        return _error(text, pos, "a number cannot start with '+'; remove it")
    if value and c == "." and text[pos + 1 : pos + 2].isdigit():
        return _error(text, pos, "a number must start with a digit: write 0.5, not .5")
    m = _WORD.match(text, pos)
    if m:
        word = m.group()
        hint = {
            "True": "true",
            "False": "false",
            "None": "null",
            "TRUE": "true",
            "FALSE": "false",
            "NULL": "null",
            "Null": "null",
        }.get(word)
        if hint:
            return _error(text, pos, f"unexpected word {_short(word)}; JSON spells it {hint}")
        if expected.startswith("a key"):
            message = f"object keys must be strings in double quotes, got {_short(word)}"
            return _error(text, pos, message)
        return _error(text, pos, f"unexpected word {_short(word)}; expected {expected}")
    if c == "\ufeff":
        return _error(text, pos, "unexpected byte order mark (U+FEFF); it may only start a file")
    return _error(text, pos, f"unexpected character {_show_char(c)}; expected {expected}")


def _bad_number(text: str, start: int, m: re.Match[str] | None) -> JsonError:
    """Explain why the number at ``start`` is malformed (``m`` is the valid prefix, if any)."""
    if m is None:  # a '-' without digits
        if text.startswith(("-Infinity", "-NaN"), start):
            return _unexpected(text, start, "a number", value=True)
        return _error(text, start + 1, "expected a digit after '-'")
    end = m.end()
    c = text[end]
    if c.isdigit():  # only possible after a leading 0
        return _error(text, start, "numbers cannot have leading zeros")
    if c == "." and m.group(1) is None and m.group(2) is None:
        return _error(text, end, "expected a digit after the decimal point")
    if c in "eE" and m.group(2) is None:
        return _error(text, end, "expected digits in the exponent")
    return _error(text, end, f"unexpected {c!r} in a number")


def _read_string(text: str, start: int) -> tuple[str, int]:
    """Decode the string whose opening quote is at ``start``; return it and the end offset."""
    n = len(text)
    end = _run_match(text, start + 1).end()
    if end < n and text[end] == '"':
        return text[start + 1 : end], end + 1
    parts = [text[start + 1 : end]]
    pos = end
    while True:
        if pos >= n:
            raise _error(text, start, "unterminated string (missing closing quote)")
        c = text[pos]
        if c == '"':
            return "".join(parts), pos + 1
        if c == "\\":
            esc = text[pos + 1 : pos + 2]
            if esc in _ESCAPES and esc:
                parts.append(_ESCAPES[esc])
                pos += 2
            elif esc == "u":
                code = _hex4(text, pos)
                if 0xD800 <= code <= 0xDBFF:
                    low = _hex4(text, pos + 6) if text.startswith("\\u", pos + 6) else -1
                    if not 0xDC00 <= low <= 0xDFFF:
                        raise _error(
                            text,
                            pos,
                            f"lone surrogate \\u{code:04x} (a high surrogate needs a "
                            "low surrogate \\udc00-\\udfff right after it)",
                        )
                    parts.append(chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
                    pos += 12
                elif 0xDC00 <= code <= 0xDFFF:
                    raise _error(
                        text,
                        pos,
                        f"lone surrogate \\u{code:04x} (a low surrogate "
                        "must follow a high surrogate)",
                    )
                else:
                    parts.append(chr(code))
                    pos += 6
            elif not esc:
                raise _error(text, start, "unterminated string (missing closing quote)")
            else:
                raise _error(
                    text,
                    pos,
                    f"invalid escape '\\{esc}' in string; valid escapes are "
                    '\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX',
                )
        elif c in "\n\r":
            raise _error(
                text,
                pos,
                "line break inside a string (missing closing quote? write \\n for a line break)",
            )
        elif c < " ":
            raise _error(
                text,
                pos,
                f"control character {_show_char(c)} inside a string; write it as \\u{ord(c):04x}",
            )
        else:
            raise _error(text, pos, f"lone surrogate {_show_char(c)} inside a string")
        m = _run_match(text, pos)
        parts.append(m.group())
        pos = m.end()


def _hex4(text: str, pos: int) -> int:
    """The code of the ``\\uXXXX`` escape at ``pos``."""
    m = _HEX4.match(text, pos + 2)
    if m is None:
        raise _error(text, pos, "\\u must be followed by four hexadecimal digits")
    return int(m.group(), 16)


def _parse(text: str) -> tuple[Any, Any]:
    """Parse ``text`` into (value, position tree). Iterative; raises JsonError only.

    The hot path keeps the innermost container in local variables and the
    enclosing ones on an explicit stack; reading past the end of the text
    raises IndexError, which is turned into an "unexpected end" error.
    """
    n = len(text)
    ws = _ws_match
    run = _run_match
    fast_int = _FAST_INT.match
    whitespace = _WHITESPACE
    number_start = _NUMBER_START
    literals = _LITERALS
    stack: list[tuple[Any, ...]] = []  # enclosing containers, outermost first
    # The innermost open container: the value, its position children, whether it is
    # an object, the pending key and its offset, its own offset, its closing bracket.
    cur: Any = None
    kids: Any = None
    is_object = False
    key = ""
    key_off = 0
    own_off = 0
    closer = ""

    pos = ws(text, 0).end()
    if pos >= n:
        raise _error(text, 0, "empty input: expected a JSON value")
    value: Any
    node: Any
    try:
        while True:
            # ---- one value starts at pos (whitespace already skipped) ----
            c = text[pos]
            start = pos
            if c == '"':
                end = run(text, pos + 1).end()
                if end < n and text[end] == '"':
                    value = text[pos + 1 : end]
                    pos = end + 1
                else:
                    value, pos = _read_string(text, pos)
                node = start
            elif c in number_start:
                m = fast_int(text, pos)
                if m is not None:
                    value = int(m.group())
                    pos = m.end()
                else:
                    value, pos = _read_number(text, pos)
                node = start
            elif c == "{" or c == "[":
                if len(stack) + (cur is not None) >= MAX_DEPTH:
                    raise _error(text, pos, f"nesting is deeper than {MAX_DEPTH} levels")
                pos += 1
                if pos < n and text[pos] in whitespace:
                    pos = ws(text, pos).end()
                if pos >= n:
                    raise _unclosed(text, start, c == "{")
                if c == "{":
                    if text[pos] == "}":
                        value, node = {}, (start, {})
                        pos += 1
                    else:
                        if cur is not None:
                            stack.append((cur, kids, is_object, key, key_off, own_off, closer))
                        key, key_off, pos = _read_key(text, pos)
                        cur, kids, is_object, own_off, closer = {}, {}, True, start, "}"
                        continue
                else:
                    if text[pos] == "]":
                        value, node = [], (start, [])
                        pos += 1
                    else:
                        if cur is not None:
                            stack.append((cur, kids, is_object, key, key_off, own_off, closer))
                        cur, kids, is_object, own_off, closer = [], [], False, start, "]"
                        continue
            elif c == "t" or c == "f" or c == "n":
                m = _WORD.match(text, pos)
                word = m.group() if m else ""
                if word not in literals:
                    raise _unexpected(text, pos, "a value", value=True)
                value = literals[word]
                pos += len(word)
                node = start
            else:
                raise _unexpected(text, pos, "a value", value=True)

            # ---- the value is complete: attach it, then close finished containers ----
            while True:
                if cur is None:
                    pos = ws(text, pos).end()
                    if pos < n:
                        if text.startswith("//", pos) or text.startswith("/*", pos):
                            raise _error(text, pos, "comments are not allowed in JSON")
                        raise _error(
                            text,
                            pos,
                            "unexpected text after the JSON value (a file holds exactly one value)",
                        )
                    return value, node
                if is_object:
                    cur[key] = value
                    kids[key] = (key_off, node)
                else:
                    cur.append(value)
                    kids.append(node)
                c = text[pos]
                if c in whitespace:
                    pos = ws(text, pos).end()
                    c = text[pos]
                if c == ",":
                    comma = pos
                    pos += 1
                    if text[pos] in whitespace:
                        pos = ws(text, pos).end()
                    if text[pos] == closer:
                        message = f"trailing comma before '{closer}' is not allowed"
                        raise _error(text, comma, message)
                    if is_object:
                        key, key_off, pos = _read_key(text, pos)
                        if key in cur:
                            line, column = _line_col(text, kids[key][0])
                            raise _error(
                                text,
                                key_off,
                                f"duplicate key {_short(key)} (first at {line}:{column})",
                            )
                    break
                if c == closer:
                    pos += 1
                    value = cur
                    node = (own_off, kids)
                    if stack:
                        cur, kids, is_object, key, key_off, own_off, closer = stack.pop()
                    else:
                        cur = None
                    continue
                if is_object:
                    raise _unexpected(text, pos, "',' or '}' after an object member")
                raise _unexpected(text, pos, "',' or ']' after an array item")
    except IndexError:
        # Only reached inside a container: the top level never indexes past the end.
        raise _unclosed(text, own_off, is_object) from None


def _unclosed(text: str, opener: int, is_object: bool) -> JsonError:
    line, column = _line_col(text, opener)
    kind, closer = ("object", "}") if is_object else ("array", "]")
    message = f"the {closer!r} for the {kind} opened at {line}:{column} is missing"
    return _error(text, len(text), f"unexpected end of input: {message}")


def _read_number(text: str, pos: int) -> tuple[int | float, int]:
    """Read the number at ``pos`` (the slow path: fractions, exponents, long or bad numbers)."""
    m = _NUMBER.match(text, pos)
    if m is None:
        raise _bad_number(text, pos, None)
    end = m.end()
    if end < len(text) and text[end] in "0123456789.eE":
        raise _bad_number(text, pos, m)
    token = m.group()
    if m.group(1) is None and m.group(2) is None:
        if len(token) - (token[0] == "-") > MAX_INT_DIGITS:
            raise _error(text, pos, f"integer with more than {MAX_INT_DIGITS} digits")
        return int(token), end
    value = float(token)
    if value in (_INF, -_INF):
        shown = token if len(token) <= 40 else token[:37] + "..."
        raise _error(text, pos, f"number out of range: {shown}")
    return value, end


def _read_key(text: str, pos: int) -> tuple[str, int, int]:
    """Read ``"key" :`` at ``pos``; return the key, its offset, and where its value starts."""
    n = len(text)
    if pos >= n or text[pos] != '"':
        raise _unexpected(text, pos, "a key in double quotes")
    end = _run_match(text, pos + 1).end()
    if end < n and text[end] == '"':
        key = text[pos + 1 : end]
        after = end + 1
    else:
        key, after = _read_string(text, pos)
    after = _ws_match(text, after).end()
    if after >= n or text[after] != ":":
        raise _unexpected(text, after, "':' after the key")
    return key, pos, _ws_match(text, after + 1).end()


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
        value, root = _parse(text)
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
        line, column = _line_col(prefix, len(prefix))
        if error.end >= len(data) and "end of data" in str(error.reason):
            message = "invalid UTF-8: the file ends in the middle of a character"
        else:
            message = f"invalid UTF-8 byte 0x{data[error.start]:02x}; save the file as UTF-8"
        raise JsonError(message, line, column, len(prefix)) from None
    return parse_json(text)
