"""The UI's view of the translation catalog (it lives in ``lrgame.i18n``, shared with the CLI)."""

from lrgame.i18n import _, available_languages, detect_language, language, set_language

__all__ = ["_", "available_languages", "detect_language", "language", "set_language"]
