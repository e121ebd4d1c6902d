"""The position-recording JSON reader: values, positions, refusals, limits and large inputs.

Speed is measured by benchmarks/bench_parsers.py, never asserted here.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lrgame import safeio
from lrgame.engine.errors import LrgameError
from lrgame.engine.problems import FieldPath
from lrgame.levels.jsonpos import (
    MAX_BYTES,
    MAX_DEPTH,
    Document,
    FileError,
    JsonError,
    Position,
    load_json_file,
    parse_json,
)

LEVEL_TEXT = """{
  "id": "valley",
  "title": {"en": "Valley", "fr": "Vallée"},
  "domain": {"x": [-3, 3.5]},
  "start": [1.25],
  "demos": {
    "win": [
      {"strategy": {"optimizer": {"name": "sgd", "lr": 0.1}}, "note": null},
      {"strategy": {"optimizer": {"name": "adam", "lr": 1e-2}}, "note": true}
    ]
  }
}
"""


def pos(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """(line, column) of the nth occurrence of ``needle`` in ``text`` (1-based)."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def lc(position: Position | None) -> tuple[int, int]:
    assert position is not None
    return position.line, position.column


# -- values and positions ---------------------------------------------------------


def test_value_is_plain_python() -> None:
    doc = parse_json(LEVEL_TEXT)
    assert doc.value == json.loads(LEVEL_TEXT)
    assert type(doc.value["start"][0]) is float
    assert type(doc.value["domain"]["x"][0]) is int
    assert doc.text == LEVEL_TEXT


def test_positions_of_nested_values() -> None:
    doc = parse_json(LEVEL_TEXT)
    assert lc(doc.position(())) == (1, 1)
    assert lc(doc.position(("id",))) == pos(LEVEL_TEXT, '"valley"')
    assert lc(doc.position(("title",))) == pos(LEVEL_TEXT, '{"en"')
    assert lc(doc.position(("title", "fr"))) == pos(LEVEL_TEXT, '"Vallée"')
    assert lc(doc.position(("domain", "x"))) == pos(LEVEL_TEXT, "[-3")
    assert lc(doc.position(("domain", "x", 0))) == pos(LEVEL_TEXT, "-3")
    assert lc(doc.position(("domain", "x", 1))) == pos(LEVEL_TEXT, "3.5")
    assert lc(doc.position(("start", 0))) == pos(LEVEL_TEXT, "1.25")
    lr = ("demos", "win", 1, "strategy", "optimizer", "lr")
    assert lc(doc.position(lr)) == pos(LEVEL_TEXT, "1e-2")
    assert lc(doc.position(("demos", "win", 0, "note"))) == pos(LEVEL_TEXT, "null")
    assert lc(doc.position(("demos", "win", 1, "note"))) == pos(LEVEL_TEXT, "true")
    assert lc(doc.position(("demos", "win", 1))) == pos(LEVEL_TEXT, '{"strategy"', 1)
    p = doc.position(("demos", "win", 0, "strategy", "optimizer", "name"))
    assert p.offset == LEVEL_TEXT.index('"sgd"')
    assert p == Position(*pos(LEVEL_TEXT, '"sgd"'), LEVEL_TEXT.index('"sgd"'))


def test_missing_paths_give_the_nearest_existing_ancestor() -> None:
    doc = parse_json(LEVEL_TEXT)
    domain = doc.position(("domain",))
    assert doc.position(("domain", "y")) == domain
    assert doc.position(("domain", "y", 0, "deeper")) == domain
    assert doc.position(("domain", "x", 2)) == doc.position(("domain", "x"))
    assert doc.position(("domain", "x", -1)) == doc.position(("domain", "x"))
    assert doc.position(("start", 0, "key into a number")) == doc.position(("start", 0))
    assert doc.position(("start", "0")) == doc.position(("start",))  # a str is not an index
    assert doc.position(("domain", 0)) == domain  # an int is not a key
    assert doc.position(("nothing",)) == doc.position(())
    assert doc.position(("demos", "win", True)) == doc.position(("demos", "win"))


def test_key_positions() -> None:
    doc = parse_json(LEVEL_TEXT)
    assert lc(doc.key_position(("id",))) == pos(LEVEL_TEXT, '"id"')
    assert lc(doc.key_position(("title", "fr"))) == pos(LEVEL_TEXT, '"fr"')
    lr = ("demos", "win", 1, "strategy", "optimizer", "lr")
    assert lc(doc.key_position(lr)) == pos(LEVEL_TEXT, '"lr"', 1)
    assert doc.key_position(()) is None
    assert doc.key_position(("start", 0)) is None  # an array item has no key
    assert doc.key_position(("nothing",)) is None
    assert doc.key_position(("nothing", "deeper")) is None
    assert doc.key_position(("id", "x")) is None


def test_crlf_and_cr_line_endings() -> None:
    for newline in ("\r\n", "\r", "\n"):
        text = newline.join(["{", '  "a": 1,', '  "b": [', "    true", "  ]", "}"])
        doc = parse_json(text)
        assert lc(doc.position(("b", 0))) == (4, 5)
        assert lc(doc.key_position(("b",))) == (3, 3)
        with pytest.raises(JsonError) as info:
            parse_json(text.replace("true", "tru"))
        assert (info.value.line, info.value.column) == (4, 5)


def test_columns_count_characters_not_bytes() -> None:
    text = '{"é日本😀": "ü", "k": 5}'
    doc = parse_json(text)
    assert lc(doc.position(("k",))) == (1, text.index("5") + 1) == (1, 20)
    with pytest.raises(JsonError) as info:
        parse_json('["日本😀", tru]')
    assert (info.value.line, info.value.column) == (1, 9)


def test_a_leading_byte_order_mark_is_dropped() -> None:
    doc = parse_json('\ufeff{"a": 1}')
    assert doc.value == {"a": 1}
    assert doc.text == '{"a": 1}'
    assert lc(doc.position(("a",))) == (1, 7)


def test_a_document_without_positions_answers_the_start() -> None:
    doc = Document({"a": 1}, '{"a": 1}')
    assert doc.position(("a",)) == Position(1, 1, 0)
    assert doc.key_position(("a",)) is None


# -- string offsets --------------------------------------------------------------


def test_string_offset_plain() -> None:
    text = '{\n  "loss": "x**2 + sin(x)"\n}'
    doc = parse_json(text)
    quote = text.index('"x**2')
    for i in range(len(doc.value["loss"]) + 1):
        p = doc.string_offset(("loss",), i)
        assert p.offset == quote + 1 + i
        assert (p.line, p.column) == (2, 12 + i)


def test_string_offset_with_escapes() -> None:
    source = r'"a\nb\"c\\d\u00e9e\ud83d\ude00f\/g"'
    text = '{"s": ' + source + "}"
    doc = parse_json(text)
    decoded = doc.value["s"]
    assert decoded == 'a\nb"c\\déeg'.replace("eg", "e😀f/g")
    start = text.index(source) + 1
    # decoded index -> offset of its source within the string body
    expected = {
        0: 0,  # a
        1: 1,  # \n
        2: 3,  # b
        3: 4,  # \"
        4: 6,  # c
        5: 7,  # \\
        6: 9,  # d
        7: 10,  # \u00e9
        8: 16,  # e
        9: 17,  # \ud83d\ude00 (one character)
        10: 29,  # f
        11: 30,  # \/
        12: 32,  # g
        13: 33,  # the closing quote
    }
    assert len(decoded) == 13
    for index, body_offset in expected.items():
        assert doc.string_offset(("s",), index).offset == start + body_offset, index


def test_string_offset_with_raw_non_ascii() -> None:
    text = '["日本語 😀 é", 1]'
    doc = parse_json(text)
    value = doc.value[0]
    for i, ch in enumerate(value):
        p = doc.string_offset((0,), i)
        assert text[p.offset] == ch
        assert p.column == p.offset + 1


def test_string_offset_clamps_and_handles_non_strings() -> None:
    text = '{"s": "ab", "n": 12}'
    doc = parse_json(text)
    quote = text.index('"ab"')
    assert doc.string_offset(("s",), -5).offset == quote + 1
    assert doc.string_offset(("s",), 2).offset == quote + 3  # the closing quote
    assert doc.string_offset(("s",), 99).offset == quote + 3
    assert doc.string_offset(("n",), 1) == doc.position(("n",))
    assert doc.string_offset(("missing",), 1) == doc.position(())
    assert doc.string_offset(("s", 0), 1) == doc.position(("s",))  # no such path: no mapping


def test_string_offset_for_an_expression_error_on_a_later_line() -> None:
    text = '{\n  "id": "a",\n  "loss": "\\t(x - 1)**2 +* 3"\n}'
    doc = parse_json(text)
    loss = doc.value["loss"]
    bad = loss.index("*", loss.index("+"))  # the '*' after '+'
    p = doc.string_offset(("loss",), bad)
    assert text[p.offset] == "*" and text[p.offset - 1] == "+"
    assert (p.line, p.column) == (3, text.split("\n")[2].index("+*") + 2)


# -- refusals ----------------------------------------------------------------------

REFUSALS = [
    # (text, line, column, part of the message)
    ("", 1, 1, "empty input"),
    ("  \n\t ", 1, 1, "empty input"),
    ("[NaN]", 1, 2, "NaN is not allowed in JSON; write a number"),
    ('{"a":\n  Infinity}', 2, 3, "Infinity is not allowed in JSON; write a number"),
    ("[1, -Infinity]", 1, 5, "-Infinity is not allowed in JSON; write a number"),
    ("[1e400]", 1, 2, "number out of range"),
    ("[-1.5e309]", 1, 2, "number out of range"),
    ("[" + "9" * 101 + "]", 1, 2, "integer with more than 100 digits"),
    ("[-" + "9" * 101 + "]", 1, 2, "integer with more than 100 digits"),
    ('{\n  "x": 1,\n  "y": 2,\n  "x": 3\n}', 4, 3, "duplicate key 'x' (first at 2:3)"),
    ('{"a": {"b": 1, "b": 2}}', 1, 16, "duplicate key 'b' (first at 1:8)"),
    ("[1, 2,]", 1, 6, "trailing comma"),
    ('{"a": 1,\n}', 1, 8, "trailing comma"),
    ('{"a": 1 // note\n}', 1, 9, "comments are not allowed"),
    ("/* c */ {}", 1, 1, "comments are not allowed"),
    ("{} // c", 1, 4, "comments are not allowed"),
    ("['a']", 1, 2, "single quotes"),
    ("{'a': 1}", 1, 2, "single quotes"),
    ('["a\tb"]', 1, 4, "control character U+0009"),
    ('["a\nb"]', 1, 4, "line break inside a string"),
    ('["\x00"]', 1, 3, "control character U+0000"),
    ('["\\ud800"]', 1, 3, "lone surrogate"),
    ('["\\ud800\\u0041"]', 1, 3, "lone surrogate"),
    ('["x\\udc00"]', 1, 4, "lone surrogate"),
    ('["\ud800"]', 1, 3, "lone surrogate"),
    ("[1] [2]", 1, 5, "unexpected text after the JSON value"),
    ("{}\n}", 2, 1, "unexpected text after the JSON value"),
    ("1 2", 1, 3, "unexpected text after the JSON value"),
    ('"abc', 1, 1, "unterminated string"),
    ('["abc\\', 1, 2, "unterminated string"),
    ('["\\q"]', 1, 3, "invalid escape '\\q'"),
    ('["\\u12g4"]', 1, 3, "four hexadecimal digits"),
    ("[01]", 1, 2, "leading zeros"),
    ("[-01]", 1, 2, "leading zeros"),
    ("[1.]", 1, 3, "digit after the decimal point"),
    ("[1.e5]", 1, 3, "digit after the decimal point"),
    ("[1e+]", 1, 3, "digits in the exponent"),
    ("[-]", 1, 3, "digit after '-'"),
    ("[-x]", 1, 3, "digit after '-'"),
    ("[.5]", 1, 2, "write 0.5"),
    ("[+1]", 1, 2, "cannot start with '+'"),
    ("[1.5.2]", 1, 5, "unexpected '.'"),
    ("[True]", 1, 2, "JSON spells it true"),
    ("[None]", 1, 2, "JSON spells it null"),
    ("[undefined]", 1, 2, "unexpected word 'undefined'"),
    ("[tru]", 1, 2, "unexpected word 'tru'"),
    ("[truex]", 1, 2, "unexpected word 'truex'"),
    ("{a: 1}", 1, 2, "keys must be strings in double quotes"),
    ("{1: 1}", 1, 2, "expected a key in double quotes"),
    ('{"a" 1}', 1, 6, "expected ':' after the key"),
    ('{"a": 1 "b": 2}', 1, 9, "expected ',' or '}'"),
    ("[1 2]", 1, 4, "expected ',' or ']'"),
    ('{"a": 1]', 1, 8, "expected ',' or '}'"),
    ("[1}", 1, 3, "expected ',' or ']'"),
    ("[", 1, 2, "the ']' for the array opened at 1:1 is missing"),
    ('{"a": [1, 2', 1, 12, "the ']' for the array opened at 1:7 is missing"),
    ('{"a": {', 1, 8, "the '}' for the object opened at 1:7 is missing"),
    ('{"a":', 1, 6, "unexpected end of input"),
    ('{"a"', 1, 5, "unexpected end of input"),
    ("[1,", 1, 4, "unexpected end of input"),
    ("[\ufeff1]", 1, 2, "byte order mark"),
    ("[#]", 1, 2, "unexpected character '#'"),
    ("[\x01]", 1, 2, "unexpected character U+0001"),
    ("[\u00a01]", 1, 2, "unexpected character"),  # a no-break space is not JSON whitespace
    ("{,}", 1, 2, "expected a key"),
    ("[,1]", 1, 2, "expected a value"),
    (":", 1, 1, "expected a value"),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"), REFUSALS, ids=[r[0][:20] for r in REFUSALS]
)
def test_refusals_have_a_position_and_a_plain_message(
    text: str, line: int, column: int, message: str
) -> None:
    with pytest.raises(JsonError) as info:
        parse_json(text)
    error = info.value
    assert message in error.message
    assert (error.line, error.column) == (line, column), error
    assert str(error) == f"{line}:{column}: {error.message}"
    assert isinstance(error, LrgameError)


def test_json_error_has_its_parts() -> None:
    error = JsonError("bad thing", 3, 7)
    assert (error.message, error.line, error.column) == ("bad thing", 3, 7)
    assert str(error) == "3:7: bad thing"


def test_limits_on_numbers_are_exact() -> None:
    hundred = "9" * 100
    assert parse_json(f"[{hundred}, -{hundred}]").value == [int(hundred), -int(hundred)]
    assert parse_json("[1.7976931348623157e308, 1e-400, -0.0, 0, -0]").value == [
        1.7976931348623157e308,
        0.0,
        -0.0,
        0,
        0,
    ]
    long_fraction = "0." + "1" * 5000
    assert parse_json(long_fraction).value == float(long_fraction)


def test_nesting_up_to_the_limit_is_fine_and_one_more_is_refused() -> None:
    deepest = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_json(deepest).value is not None
    objects = '{"a":' * MAX_DEPTH + "1" + "}" * MAX_DEPTH
    doc = parse_json(objects)
    path: FieldPath = ("a",) * MAX_DEPTH
    assert lc(doc.position(path)) == (1, 5 * MAX_DEPTH + 1)
    with pytest.raises(JsonError) as info:
        parse_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert (info.value.line, info.value.column) == (1, MAX_DEPTH + 1)
    assert f"deeper than {MAX_DEPTH}" in info.value.message


def first_bracket_at_depth(text: str, depth: int) -> int:
    """The offset of the first ``[`` or ``{`` that opens nesting level ``depth`` (1-based).

    For texts whose strings hold no brackets, as in the test below.
    """
    level = 0
    for offset, char in enumerate(text):
        if char in "[{":
            level += 1
            if level == depth:
                return offset
        elif char in "]}":
            level -= 1
    raise AssertionError(f"the text never nests {depth} deep")


@pytest.mark.parametrize("opener", ["[", '{"a":', "[{}, ", '[{"k": ['])
def test_deep_nesting_of_100k_brackets_is_refused_at_the_first_bracket_too_deep(
    opener: str,
) -> None:
    text = opener * 100_000
    with pytest.raises(JsonError) as info:
        parse_json(text)
    assert f"deeper than {MAX_DEPTH}" in info.value.message
    # The bracket that opens level MAX_DEPTH + 1, near the start of the text.
    too_deep = first_bracket_at_depth(text, MAX_DEPTH + 1)
    assert (info.value.line, info.value.column) == (1, too_deep + 1)


def test_non_text_input_is_a_json_error() -> None:
    with pytest.raises(JsonError):
        parse_json(b"[1]")  # type: ignore[arg-type]


def test_huge_text_is_refused() -> None:
    with pytest.raises(JsonError, match="larger than 1 MB"):
        parse_json(" " * (MAX_BYTES + 1))


# -- property tests ----------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**100) + 1, max_value=10**100 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


def all_paths(value: Any, path: FieldPath = ()) -> list[tuple[FieldPath, Any]]:
    out: list[tuple[FieldPath, Any]] = [(path, value)]
    if isinstance(value, dict):
        for key, child in value.items():
            out.extend(all_paths(child, (*path, key)))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out.extend(all_paths(child, (*path, i)))
    return out


@given(json_values, st.sampled_from([None, 0, 1, 2, 4, "\t"]), st.booleans())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_round_trip_of_json_dumps(value: Any, indent: int | str | None, ascii_only: bool) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    doc = parse_json(text)
    assert doc.value == value
    assert json.dumps(doc.value) == json.dumps(value)  # same types too (int stays int)


@given(json_values, st.sampled_from([None, 2]), st.booleans())
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_positions_point_at_each_value_and_key(
    value: Any, indent: int | None, ascii_only: bool
) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    doc = parse_json(text)
    for path, item in all_paths(value):
        p = doc.position(path)
        first = text[p.offset]
        if isinstance(item, dict):
            assert first == "{"
        elif isinstance(item, list):
            assert first == "["
        elif isinstance(item, str):
            assert first == '"'
        elif item is None or isinstance(item, bool):
            assert text.startswith(json.dumps(item), p.offset)
        else:
            assert first in "-0123456789"
        assert json.JSONDecoder().raw_decode(text, p.offset)[0] == item
        assert (p.line, p.column) == (
            text.count("\n", 0, p.offset) + 1,
            p.offset - text.rfind("\n", 0, p.offset),
        )
        if path and isinstance(path[-1], str):
            k = doc.key_position(path)
            assert k is not None and json.JSONDecoder().raw_decode(text, k.offset)[0] == path[-1]


@given(st.text(), st.booleans())
@example('a\n"\\é😀\u2028\x7f', True)
@settings(max_examples=300)
def test_string_offsets_map_every_character_to_its_source(s: str, ascii_only: bool) -> None:
    text = json.dumps({"k": s}, ensure_ascii=ascii_only)
    doc = parse_json(text)
    offsets = [doc.string_offset(("k",), i).offset for i in range(len(s) + 1)]
    for i, ch in enumerate(s):
        source = text[offsets[i] : offsets[i + 1]]
        assert json.loads(f'"{source}"') == ch
    assert text[offsets[-1]] == '"'


json_alphabet = st.sampled_from(list("{}[]:,\"\\ \n\t-+.0123456789eEtrufalsnNI/'xu\ud800\x00é"))


@given(st.text())
@settings(max_examples=500)
def test_arbitrary_text_raises_only_json_error(text: str) -> None:
    check_agrees_with_json_module(text)


@given(st.text(json_alphabet, max_size=40))
@settings(max_examples=2000)
def test_json_like_text_raises_only_json_error(text: str) -> None:
    check_agrees_with_json_module(text)


@given(json_values, st.data())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_damaged_json_raises_only_json_error(value: Any, data: st.DataObject) -> None:
    text = json.dumps(value, indent=data.draw(st.sampled_from([None, 1])))
    at = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 3))
    insert = data.draw(st.text(json_alphabet, max_size=3))
    check_agrees_with_json_module(text[:at] + insert + text[at + cut :])


def check_agrees_with_json_module(text: str) -> None:
    """Only JsonError is raised; whatever is accepted, json.loads reads the same way."""
    try:
        doc = parse_json(text)
    except JsonError as error:
        assert error.line >= 1 and error.column >= 1
        assert error.line <= text.count("\n") + text.count("\r") + 1
        return
    expected = json.loads(text.removeprefix("\ufeff"))
    assert json.dumps(doc.value, sort_keys=True) == json.dumps(expected, sort_keys=True)
    assert not any(isinstance(v, float) and not math.isfinite(v) for _, v in all_paths(doc.value))


# -- files ---------------------------------------------------------------------------


def test_load_json_file(tmp_path: Path) -> None:
    path = tmp_path / "level.json"
    path.write_text(LEVEL_TEXT, encoding="utf-8")
    doc = load_json_file(path)
    assert doc.value == json.loads(LEVEL_TEXT)
    assert load_json_file(str(path)).value == doc.value


def test_load_json_file_allows_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf{\n "a": [1, "\xc3\xa9"]}')
    doc = load_json_file(path)
    assert doc.value == {"a": [1, "é"]}
    assert lc(doc.position(("a", 1))) == (2, 11)


def test_invalid_utf8_reports_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{\n  "title": "Vallée'.encode() + b' caf\xe9"\n}')
    with pytest.raises(JsonError) as info:
        load_json_file(path)
    assert (info.value.line, info.value.column) == (2, 23)
    assert "invalid UTF-8 byte 0xe9" in info.value.message


def test_utf8_cut_short_at_the_end(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_bytes(b'["\xe6\x97')
    with pytest.raises(JsonError) as info:
        load_json_file(path)
    assert (info.value.line, info.value.column) == (1, 3)


def test_encoded_surrogates_are_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "surrogate.json"
    path.write_bytes(b'["\xed\xa0\x80"]')
    with pytest.raises(JsonError) as info:
        load_json_file(path)
    assert (info.value.line, info.value.column) == (1, 3)


def test_missing_and_unreadable_files_are_clear_lrgame_errors(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(LrgameError) as info:
        load_json_file(missing)
    assert not isinstance(info.value, OSError)
    # The caller puts the file name in front, as for a JsonError's line:column.
    assert str(info.value) == "cannot read: no such file"
    assert isinstance(info.value, FileError)
    assert info.value.path == str(missing)
    assert info.value.message == "cannot read: no such file"
    with pytest.raises(FileError, match="is a directory"):
        load_json_file(tmp_path)
    with pytest.raises(FileError, match="cannot read"):
        load_json_file(str(tmp_path / "nul\x00.json"))
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        locked = tmp_path / "locked.json"
        locked.write_text("{}")
        locked.chmod(0)
        with pytest.raises(FileError, match="permission denied"):
            load_json_file(locked)


def test_file_size_limit_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "edge.json"
    body = b"[" + b" " * (MAX_BYTES - 2) + b"]"
    path.write_bytes(body)
    assert load_json_file(path).value == []
    path.write_bytes(body + b" ")
    with pytest.raises(FileError, match="larger than 1 MB"):
        load_json_file(path)


@pytest.fixture
def recorded_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every ``os.read`` the capped reader makes (it reads files no other way)."""
    sizes: list[int] = []
    real_read = os.read

    def recording_read(fd: int, size: int) -> bytes:
        data = real_read(fd, size)
        sizes.append(len(data))
        if sum(sizes) > MAX_BYTES + 1:
            raise AssertionError(f"read {sum(sizes):,} bytes, more than MAX_BYTES + 1")
        return data

    monkeypatch.setattr(safeio.os, "read", recording_read)
    return sizes


def test_a_50_mb_file_is_refused_without_being_read(
    tmp_path: Path, recorded_reads: list[int]
) -> None:
    path = tmp_path / "huge.json"
    chunk = b'{"a": [1, 2, 3], "b": "text"},' * 1000
    with open(path, "wb") as handle:
        handle.write(b"[")
        while handle.tell() < 50_000_000:
            handle.write(chunk)
        handle.write(b"0]")
    with pytest.raises(FileError) as info:
        load_json_file(path)
    assert "file is larger than 1 MB" in str(info.value)
    assert recorded_reads == []  # refused by its size alone


def test_a_file_growing_past_its_size_is_read_only_up_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recorded_reads: list[int]
) -> None:
    # A file that grows after fstat looked at it: the read stops at MAX_BYTES + 1.
    path = tmp_path / "growing.json"
    path.write_bytes(b" " * (3 * MAX_BYTES))
    real_fstat = os.fstat

    def small_fstat(fd: int) -> os.stat_result:
        info = list(real_fstat(fd))
        info[stat.ST_SIZE] = 10
        return os.stat_result(info)

    monkeypatch.setattr(safeio.os, "fstat", small_fstat)
    with pytest.raises(FileError, match="larger than 1 MB"):
        load_json_file(path)
    assert sum(recorded_reads) == MAX_BYTES + 1


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_refused_unread(recorded_reads: list[int]) -> None:
    with pytest.raises(FileError, match=r"not a regular file \(a character device\)"):
        load_json_file("/dev/zero")
    assert recorded_reads == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "level.json"
    os.mkfifo(fifo)
    # A plain open() would block here forever: no process ever writes to it.
    with pytest.raises(FileError, match=r"not a regular file \(a FIFO\)"):
        load_json_file(fifo)


def make_level_collection(size: int) -> str:
    """About ``size`` characters of realistic, level-like JSON."""
    levels = []
    i = 0
    text = ""
    while len(text) < size:
        for _ in range(50):
            levels.append(
                {
                    "id": f"level-{i:05d}",
                    "title": {"en": f"Valley {i}", "fr": f"Vallée n°{i}", "ja": "谷"},
                    "loss": "0.1*x^4 - x^2 + 0.3*x + sin(3*x)\\n",
                    "domain": {"x": [-3.5, 3.5], "y": [-2, 2]},
                    "start": [i * 0.001 - 1.5, 2.25e-3],
                    "steps": 100 + i,
                    "fog": {"radius": 0.08, "enabled": i % 2 == 0},
                    "noise": None,
                    "demos": {
                        "win": [
                            {
                                "strategy": {
                                    "optimizer": {"name": "adam", "lr": 1e-2, "betas": [0.9, 0.999]}
                                }
                            }
                        ]
                    },
                }
            )
            i += 1
        text = json.dumps(levels, indent=2, ensure_ascii=False)
    return text


def test_a_900_kb_level_file_parses_to_what_json_loads_gives(tmp_path: Path) -> None:
    text = make_level_collection(900_000)
    path = tmp_path / "big.json"
    path.write_text(text, encoding="utf-8")
    size = path.stat().st_size
    assert 900_000 <= size <= MAX_BYTES
    doc = load_json_file(path)
    expected = json.loads(text)
    assert doc.value == expected
    last = len(doc.value) - 1
    assert (
        json.JSONDecoder().raw_decode(text, doc.position((last, "start", 1)).offset)[0] == 2.25e-3
    )
    compact = json.dumps(expected, separators=(",", ":"), ensure_ascii=False)
    compact_doc = parse_json(compact)
    assert compact_doc.value == expected
    assert compact.startswith('"level-', compact_doc.position((last, "id")).offset)
