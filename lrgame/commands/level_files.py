"""Commands about level files: validate, levels, export, schema, new, edit."""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from ..engine.errors import LrgameError, ProblemsError, SpecError
from ..levels.loader import (
    campaign_files,
    check_file,
    load_campaign,
    load_level,
    locate,
)
from ..levels.template import create_level_file, new_level_file
from ..safeio import printable, read_capped
from .common import all_problems, campaign_dir, level_file, load_strategy_file


def validate(args: argparse.Namespace) -> int:
    files = args.files
    if not files:
        # Nothing named: the --levels folder, checked whole; a bare "validate" is misuse.
        if not getattr(args, "levels", None):
            raise LrgameError("validate: give FILE... to check, or --levels DIR for a whole folder")
        files = [str(path) for path in campaign_files(campaign_dir(args))]
    found = False
    for file in files:
        checked = check_file(file)
        for line in checked.lines:
            print(line)
            found = True
    if not found:
        print(f"{len(files)} level file{'s' if len(files) != 1 else ''} OK")
    return 1 if found else 0


def levels(args: argparse.Namespace) -> int:
    directory = args.dir or campaign_dir(args)
    try:
        entries = load_campaign(directory)
    except OSError as error:
        raise LrgameError(f"cannot read the folder {directory}: {error.strerror}") from None
    if not entries:
        print(printable(f"no level files in {directory}"))
        return 0
    for entry in entries:
        level = entry.checked.level
        if level is None:
            print(printable(f"{entry.order:>3}  BROKEN  {entry.file}: {entry.checked.reason}"))
        else:
            dim = f"{level.dim}-D"
            print(
                printable(
                    f"{entry.order:>3}  {level.id:<24} {level.lesson:<14} {dim}  {level.title}"
                )
            )
    return 0


def export(args: argparse.Namespace) -> int:
    from ..engine.strategy import parse_strategy
    from ..export import torch_code

    document = load_strategy_file(args.strategy)
    level = load_level(level_file(args, args.level)) if args.level else None
    steps = document.value.get("steps", 100)
    level_steps = level.steps if level is not None else steps if isinstance(steps, int) else 100
    try:
        if level is not None:
            strategy = level.strategy(document.value)
        else:
            strategy = parse_strategy(document.value, level_steps=level_steps)
    except SpecError as error:
        problems = locate(document, all_problems(document.value, level_steps, error))
        raise ProblemsError([p.line(args.strategy) for p in problems]) from None
    sys.stdout.write(torch_code(strategy, level))
    return 0


def schema(args: argparse.Namespace) -> int:
    name = "strategy.schema.json" if args.strategy else "level.schema.json"
    sys.stdout.write(resources.files("lrgame.levels").joinpath(name).read_text(encoding="utf-8"))
    return 0


def new_level(args: argparse.Namespace) -> int:
    """``lrgame new NAME``: write NAME.json from the template; never overwrite a file."""
    path = create_level_file(new_level_file(args.name), model=getattr(args, "model", False))
    print(printable(f"wrote {path}; edit it with: lrgame edit {path}"))
    return 0


def edit(args: argparse.Namespace) -> int:
    """``lrgame edit FILE.json``: the level editor (Textual is imported only here)."""
    from ..i18n import detect_language, set_language

    path = Path(args.file)
    if path.is_dir():
        raise LrgameError(f"{path}: is a directory, not a file")
    if path.exists():
        try:
            data = read_capped(path)
        except OSError as error:
            raise LrgameError(f"{path}: cannot read: {error.strerror or error}") from None
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise LrgameError(f"{path}: not UTF-8 text; the editor cannot open it") from None
    else:
        create_level_file(path)
    # Before any screen module is imported, so class-level labels are translated too.
    set_language(detect_language(args.lang))
    levels_dir = Path(args.levels) if args.levels else None
    if levels_dir is not None and not levels_dir.is_dir():
        raise LrgameError(f"{levels_dir}: not a folder of level files")

    from ..ui.app import LrgameApp

    app = LrgameApp(
        levels_dir=levels_dir, unlock_all=args.unlock_all, lang=args.lang, edit_file=path
    )
    app.run()
    return app.return_code or 0
