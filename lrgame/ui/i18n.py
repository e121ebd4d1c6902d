"""The UI's view of the translation catalog (it lives in ``lrgame.i18n``, shared with the CLI)."""

from lrgame.i18n import (
    LANGUAGE_NAMES,
    N_,
    OtherLanguageName,
    _,
    available_languages,
    choose_language,
    detect_language,
    language,
    next_language,
    set_language,
)

__all__ = [
    "LANGUAGE_NAMES",
    "N_",
    "OtherLanguageName",
    "_",
    "available_languages",
    "choose_language",
    "detect_language",
    "language",
    "next_language",
    "set_language",
]
