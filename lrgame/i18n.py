"""One translation catalog for every player-facing string of the UI.

Strings are written in English in the code and wrapped in ``_()`` (gettext's
convention: the English text is the message id). A language is a JSON file
``locales/<lang>.json`` mapping English text to its translation; English needs
no file, so it is always complete. Missing translations fall back to English.
Placeholders use ``str.format`` names: ``_("Step {step} of {total}", step=3, total=9)``.

The language follows ``--lang``, else the environment (``LC_ALL``, ``LC_MESSAGES``,
``LANG``), else English.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from typing import Any

_catalog: dict[str, str] = {}
_language = "en"


def detect_language(explicit: str | None = None) -> str:
    """``ja`` from ``--lang ja``, or from ``LANG=ja_JP.UTF-8``; ``en`` when unknown."""
    for value in (
        explicit,
        os.environ.get("LC_ALL"),
        os.environ.get("LC_MESSAGES"),
        os.environ.get("LANG"),
    ):
        if value:
            code = value.split(".")[0].split("@")[0].replace("_", "-")
            if code in ("C", "POSIX"):
                return "en"
            return code.split("-")[0].lower() or "en"
    return "en"


def available_languages() -> list[str]:
    names = ["en"]
    for entry in resources.files("lrgame").joinpath("locales").iterdir():
        # messages.json is the translators' template, not a language.
        if entry.name.endswith(".json") and entry.name != "messages.json":
            names.append(entry.name.removesuffix(".json"))
    return sorted(set(names))


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
