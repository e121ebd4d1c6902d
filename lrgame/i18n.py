"""One translation catalog for every player-facing string of the UI.

Strings are written in English in the code and wrapped in ``_()`` (gettext's
convention: the English text is the message id). A language is a JSON file
``locales/<lang>.json`` mapping English text to its translation; English needs
no file, so it is always complete. Missing translations fall back to English.
Placeholders use ``str.format`` names: ``_("Step {step} of {total}", step=3, total=9)``.

Strings made when a module is imported (a screen's ``BINDINGS``) use ``N_()``
instead: a lazy marker that translates each time it is shown, so a language
switch at run time reaches the footer too, and screens import in any order.

The language follows ``--lang``, else the saved setting, else the environment
(``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English: see :func:`choose_language`.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

_catalog: dict[str, str] = {}
_language = "en"

LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}
"""Each language by its own name, as a player looking for it would recognise it."""


class UnknownLanguage(ValueError):
    """A ``--lang`` code lrgame has no catalog for."""


def _code(value: str) -> str:
    """``ja`` from ``ja_JP.UTF-8``, ``ja-JP`` or ``JA``; ``en`` from ``C`` and ``POSIX``."""
    code = value.split(".")[0].split("@")[0].replace("_", "-")
    if code in ("C", "POSIX"):
        return "en"
    return code.split("-")[0].lower() or "en"


def detect_language(explicit: str | None = None) -> str:
    """``ja`` from ``--lang ja``, or from ``LANG=ja_JP.UTF-8``; ``en`` when unknown."""
    for value in (
        explicit,
        os.environ.get("LC_ALL"),
        os.environ.get("LC_MESSAGES"),
        os.environ.get("LANG"),
    ):
        if value:
            return _code(value)
    return "en"


def available_languages() -> list[str]:
    names = ["en"]
    for entry in resources.files("lrgame").joinpath("locales").iterdir():
        # messages.json is the translators' template, not a language.
        if entry.name.endswith(".json") and entry.name != "messages.json":
            names.append(entry.name.removesuffix(".json"))
    return sorted(set(names))


def checked_language(value: str) -> str:
    """The code of a language the player asked for by name (``--lang``), or UnknownLanguage."""
    code = _code(value.strip()) if value.strip() else ""
    known = available_languages()
    if code not in known:
        raise UnknownLanguage(
            f"unknown language {value!r} for --lang: expected one of {', '.join(known)}"
        )
    return code


def choose_language(explicit: str | None = None, saved: str | None = None) -> str:
    """The language to play in: ``--lang``, else the saved setting, else the environment.

    An unknown saved or environment language falls back to the next source and
    finally to English; an unknown explicit one is the caller's to refuse first
    (:func:`checked_language`).
    """
    known = available_languages()
    for candidate in (explicit, saved):
        if candidate and _code(candidate) in known:
            return _code(candidate)
    detected = detect_language()
    return detected if detected in known else "en"


def saved_language(home: Path | None = None) -> str | None:
    """The language in the player's settings, read without touching the save file.

    Headless commands use this: a save they cannot read is the game's to report
    (and set aside), not theirs, so any problem here just means "no setting".
    """
    from .storage import FILE_NAME, default_home

    try:
        data = json.loads(((home or default_home()) / FILE_NAME).read_bytes().decode("utf-8"))
        value = data["settings"]["language"]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def set_language(lang: str) -> str:
    """Load ``lang``'s catalog (falling back to English); returns the language in use."""
    global _catalog, _language
    _catalog, _language = {}, "en"
    if lang != "en":
        try:
            text = resources.files("lrgame").joinpath("locales", f"{lang}.json").read_text("utf-8")
            data = json.loads(text)
        except (OSError, ValueError):
            return _language
        if isinstance(data, dict):
            # Empty values are untranslated entries copied from the template.
            _catalog = {str(k): v for k, v in data.items() if isinstance(v, str) and v}
            _language = lang
    return _language


def language() -> str:
    return _language


def _(message: str, /, **values: Any) -> str:
    """The player's-language version of an English UI string, with placeholders filled."""
    text = _catalog.get(message, message)
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return message.format(**values)
    return text


class LazyText(str):
    """An English message that shows in the player's language of the moment.

    A ``str`` so Textual takes it wherever a label goes (a ``Binding``
    description is copied and compared as a string). Its characters are the
    translation current when it was made, for readers that take them as they
    are (markup parsing, tooltips); every way the footer reads it, ``str()``,
    concatenation, formatting and ``translate``, gives the translation current
    at that moment, so a language switch reaches it without rebuilding it.
    """

    message: str

    def __new__(cls, message: str) -> LazyText:
        made = super().__new__(cls, _(message))
        made.message = message
        return made

    def resolve(self) -> str:
        return _(self.message)

    def __str__(self) -> str:
        return self.resolve()

    def __format__(self, spec: str) -> str:
        return format(self.resolve(), spec)

    def __add__(self, other: str) -> str:  # type: ignore[override]
        return self.resolve() + other

    def __radd__(self, other: str) -> str:
        # Tried before str.__add__, since LazyText subclasses str: the footer's
        # " " * padding + description gives the translation.
        return other + self.resolve()

    def translate(self, table: Any) -> str:
        # Rich's Text() sanitises control codes with str.translate: the shown text.
        return self.resolve().translate(table)

    def __repr__(self) -> str:
        return f"N_({self.message!r})"


class OtherLanguageName(LazyText):
    """The name of the language a switch would change to, in that language's own words."""

    def __new__(cls, message: str = "") -> OtherLanguageName:
        made = str.__new__(cls, LANGUAGE_NAMES.get(next_language(), next_language()))
        made.message = message
        return made

    def resolve(self) -> str:
        return LANGUAGE_NAMES.get(next_language(), next_language())


def N_(message: str, /) -> str:  # noqa: N802 - gettext's name for a deferred translation
    """A lazy translation marker for strings made at import time, such as ``BINDINGS``."""
    return LazyText(message)


def next_language() -> str:
    """The language after the current one, in a cycle through every available one."""
    known = available_languages()
    current = _language if _language in known else "en"
    return known[(known.index(current) + 1) % len(known)]
