"""The scanner and parser behind :mod:`lrgame.levels.jsonpos`: strict JSON to a value and a
tree of positions, iteratively, with a plain message and a place for every refusal.

Kept apart from the position lookups because it is tuned for speed (bound
``match`` methods at module level, fast paths for plain strings and small
integers) and reads best on its own.
"""

from __future__ import annotations

import re
from typing import Any

from lrgame.engine.errors import LrgameError

MAX_DEPTH = 64
MAX_INT_DIGITS = 100


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


# ---------------------------------------------------------------------------
# The parser

_WS = re.compile(r"[ \t\n\r]*")
NEWLINE = re.compile(r"\r\n?|\n")
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
plain_match: Any = _PLAIN_RUN.match


def line_col(text: str, offset: int) -> tuple[int, int]:
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
    line, column = line_col(text, offset)
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


def parse_tree(text: str) -> tuple[Any, Any]:
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
                            line, column = line_col(text, kids[key][0])
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
    line, column = line_col(text, opener)
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
