"""``lrgame`` and ``lrgame play``: start the Textual game.

Apart from :mod:`lrgame.commands` because that module imports the whole engine
(and NumPy) for the headless commands, while the title screen needs none of it:
a served classroom starts one game process per student, so start-up counts
(tests/test_import_hygiene.py keeps the first screen free of the engine).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .engine.errors import LrgameError
from .i18n import detect_language, set_language


def start_game(args: argparse.Namespace) -> int:
    """The game itself; Textual is imported only here, so headless commands stay fast."""
    # Before any screen module is imported, so class-level labels are translated too.
    set_language(detect_language(args.lang))
    play_file = None
    play_strategy = None
    if getattr(args, "level", None):
        # A level named on the command line is found and read with the headless tools.
        from .commands.common import level_file, load_strategy_file

        play_file = Path(level_file(args, args.level))
        if not play_file.is_file():
            reason = "not a regular file" if play_file.exists() else "no such file"
            raise LrgameError(f"{play_file}: cannot read: {reason}")
        if args.strategy:
            play_strategy = load_strategy_file(args.strategy).value
    levels_dir = Path(args.levels) if args.levels else None
    if levels_dir is not None and not levels_dir.is_dir():
        raise LrgameError(f"{levels_dir}: not a folder of level files")

    from .ui.app import LrgameApp

    app = LrgameApp(
        levels_dir=levels_dir,
        unlock_all=args.unlock_all,
        lang=args.lang,
        play_file=play_file,
        play_strategy=play_strategy,
    )
    app.run()
    # Non-zero after a crash (Textual sets 1), so scripts and shells can tell.
    return app.return_code or 0
