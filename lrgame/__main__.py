"""The ``lrgame`` command line: the game, and headless commands that never import Textual."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from . import __version__
from .engine.errors import LrgameError, ProblemsError

_OPTIMIZERS = "{optimizers}"
"""Stands for the registry's optimizer names in a help text."""


class _Formatter(argparse.HelpFormatter):
    """Fills in the optimizer names only when help is printed, so that starting needs no NumPy."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = super()._get_help_string(action)
        if text is None or _OPTIMIZERS not in text:
            return text
        from .engine.optim import ALIAS_OF, REGISTRY

        names = f"{', '.join(REGISTRY)} (also {', '.join(ALIAS_OF)})"
        return text.replace(_OPTIMIZERS, names)


class _Parser(argparse.ArgumentParser):
    """argparse that reports misuse as one line on stderr and exits 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lrgame",
        description="A terminal game that teaches the learning rate.",
    )
    parser.add_argument("--version", action="version", version=f"lrgame {__version__}")
    parser.add_argument(
        "--levels",
        metavar="DIR",
        help="a folder of levels as its own campaign: the game and every command use it",
    )
    parser.add_argument(
        "--unlock-all", action="store_true", help="open every level of the campaign"
    )
    parser.add_argument(
        "--lang",
        metavar="en|ja",
        help="language of the game's text (default: the saved setting, else LANG)",
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    level_help = "a level file, or a level of the campaign by number, id or file name"

    def levels_arg(p: argparse.ArgumentParser) -> None:
        # SUPPRESS: unset here, it must not clobber `lrgame --levels DIR COMMAND`.
        p.add_argument(
            "--levels",
            metavar="DIR",
            default=argparse.SUPPRESS,
            help="the campaign folder (as lrgame --levels DIR COMMAND)",
        )

    def strategy_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("level", metavar="LEVEL", help=level_help)
        levels_arg(p)
        p.add_argument(
            "--strategy",
            metavar="S.json",
            help="a strategy file (with no strategy flags: the game's starting setup)",
        )
        p.add_argument("--optimizer", help=_OPTIMIZERS)
        p.add_argument("--lr", type=float, help="learning rate (for onecycle/cyclic: max_lr)")
        p.add_argument("--momentum", type=float, help="SGD/RMSprop momentum")
        p.add_argument("--schedule", help="a schedule name with its defaults (see the README)")
        p.add_argument("--steps", type=int, help="steps to take (default: the level's budget)")
        p.add_argument(
            "--strict", action="store_true", help="apply the level's limits on strategies"
        )
        p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("simulate", help="run one strategy on a level")
    strategy_args(p)
    p.add_argument(
        "--practice", action="store_true", help="score as a practice run (half the points)"
    )
    p.add_argument(
        "--used-finder", action="store_true", help="score as a run set up with the LR finder"
    )
    p = sub.add_parser("sweep", help="run a strategy at many learning rates in one batch")
    strategy_args(p)
    p.add_argument("--lr-min", type=float, default=1e-6)
    p.add_argument("--lr-max", type=float, default=1e2)
    p.add_argument("--points", type=int, default=50)
    p = sub.add_parser("find-lr", help="the LR range test")
    strategy_args(p)
    p.add_argument("--lr-min", type=float, default=None)
    p.add_argument("--lr-max", type=float, default=None)
    p.add_argument("--points", type=int, default=None)
    p = sub.add_parser(
        "validate", help="check level files (none given: every file of --levels DIR)"
    )
    p.add_argument("files", nargs="*", metavar="FILE")
    levels_arg(p)
    p = sub.add_parser("levels", help="list the campaign (--levels DIR: that folder's)")
    p.add_argument("--dir", help="a folder of level files (as lrgame --levels DIR levels)")
    levels_arg(p)
    p = sub.add_parser("play", help="play one level file (any file, also outside the campaign)")
    p.add_argument("level", metavar="LEVEL", help=level_help)
    levels_arg(p)
    p.add_argument(
        "--strategy", metavar="S.json", help="start the descent at once with this strategy"
    )
    p = sub.add_parser(
        "edit", help="edit a level file with a live preview (a missing file starts from a template)"
    )
    p.add_argument("file", metavar="FILE.json")
    p = sub.add_parser("new", help="write NAME.json, a new level to start from (never overwrites)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--model", action="store_true", help="a model level: a network trained on data")
    p = sub.add_parser("export", help="print a strategy as PyTorch code")
    p.add_argument("strategy", metavar="S.json")
    p.add_argument("--level", metavar="LEVEL", help="include the level's loss and start point")
    levels_arg(p)
    p = sub.add_parser("schema", help="print the JSON Schema of level files")
    p.add_argument("--strategy", action="store_true", help="print the strategy-file schema instead")
    p = sub.add_parser("reset-progress", help="forget a campaign's progress (settings are kept)")
    which = p.add_mutually_exclusive_group()
    # SUPPRESS: an unset subcommand --levels must not clobber `lrgame --levels DIR reset-progress`.
    which.add_argument(
        "--levels",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the folder campaign to reset (default: the shipped campaign)",
    )
    which.add_argument("--all", action="store_true", help="reset every campaign")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p = sub.add_parser(
        "progress", help="show a campaign's saved progress: passed, stars, best score, attempts"
    )
    # SUPPRESS, as for reset-progress: `lrgame --levels DIR progress` works too.
    p.add_argument(
        "--levels",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="a folder campaign (default: the shipped campaign)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p = sub.add_parser("serve", help="serve the game to a class's browsers (textual-serve)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument(
        "--levels",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="a folder of levels to serve (default: the shipped campaign)",
    )
    p.add_argument(
        "--max-players", type=int, default=40, help="games open at once, at most (default 40)"
    )
    p.add_argument("--public-url", metavar="URL", help="the address students open, behind a proxy")
    p = sub.add_parser("leaderboard", help="every player's best score, stars and attempts")
    p.add_argument(
        "--levels",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the folder campaign (default: the shipped campaign)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    return parser


GAME_COMMANDS = (None, "play", "edit")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    headless = args.command not in GAME_COMMANDS
    if headless and sys.stdout is None:
        _say("standard output is closed; there is nowhere to print to")
        return 2
    from .i18n import (
        UnknownLanguage,
        checked_language,
        choose_language,
        saved_language,
        set_language,
    )

    if args.lang is not None:
        try:
            args.lang = checked_language(args.lang)
        except UnknownLanguage as error:
            _say(str(error))
            return 2
    if headless:
        # The game resolves its own (it reads the save anyway); a headless command
        # only peeks at the saved setting when --lang does not decide.
        set_language(choose_language(args.lang, None if args.lang else saved_language()))
    try:
        if args.command in (None, "play"):
            from .game import start_game

            return start_game(args)

        from . import commands

        handler = {
            "simulate": commands.simulate,
            "sweep": commands.sweep,
            "find-lr": commands.find_lr,
            "validate": commands.validate,
            "levels": commands.levels,
            "schema": commands.schema,
            "export": commands.export,
            "reset-progress": commands.reset_progress,
            "edit": commands.edit,
            "new": commands.new_level,
            "progress": commands.progress,
            "serve": commands.serve,
            "leaderboard": commands.leaderboard,
        }[args.command]
        import numpy as np

        # Overflow in a hostile level is an outcome (a diverged run, a null in
        # JSON), never a NumPy warning on stderr; the engine guards its own
        # arithmetic, and this catches any that slips through elsewhere.
        with np.errstate(all="ignore"):
            status = handler(args)
        if headless:
            # Inside the try: a full disk or a closed pipe is reported here, not at exit.
            sys.stdout.flush()
        return status
    except ProblemsError as error:
        for line in error.lines:
            _say(line)
        return 2
    except LrgameError as error:
        _say(str(error))
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader stopped reading (``| head``): what it wanted was printed.
        _discard_stdout()
        return 0
    except OSError as error:
        if error.filename is not None:
            raise
        _discard_stdout()
        _say(f"cannot write to standard output: {error.strerror or error}")
        return 1


def _say(message: str) -> None:
    """One line on stderr, with any control characters from files made visible."""
    from .safeio import printable

    if sys.stderr is None:
        return
    try:
        print(f"lrgame: {printable(message)}", file=sys.stderr)
    except OSError:
        pass


def _discard_stdout() -> None:
    """Point stdout at the null device, so the flush at exit cannot fail a second time."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, AttributeError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
