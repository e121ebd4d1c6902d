"""Commands about saved progress: progress, reset-progress, leaderboard."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..engine.errors import LrgameError
from ..levels.loader import load_campaign
from ..levels.paths import shipped_levels_dir
from ..safeio import printable
from ..storage import ProgressStore
from .common import emit_json


def reset_progress(args: argparse.Namespace) -> int:
    if args.all and args.levels:
        raise LrgameError("reset-progress: give --levels DIR or --all, not both")
    # Piped stdin cannot say yes: refuse rather than guess, so scripts must opt in.
    if not args.yes and not sys.stdin.isatty():
        raise LrgameError(
            "reset-progress: stdin is not a terminal; pass --yes to reset without asking"
        )
    store = ProgressStore()
    campaign = None if args.all else store.campaign_key(Path(args.levels) if args.levels else None)
    if args.all:
        what = "every campaign"
    elif campaign == "default":
        what = "the shipped campaign"
    else:
        what = f"the campaign in {Path(args.levels).expanduser().resolve()}"
    for notice in store.notices:  # loading may have moved a corrupt save aside: say so
        print(f"lrgame: {printable(notice)}", file=sys.stderr)
    seen = len(store.notices)
    if not store.has_progress(campaign):
        print(printable(f"No saved progress for {what} in {store.path}"))
        return 0
    if not args.yes:
        try:
            answer = input(printable(f"Reset the progress of {what} ({store.path})? [y/N] "))
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing was reset.")
            return 1
    store.reset(campaign)
    failed = store.notices[seen:]
    for notice in failed:
        print(f"lrgame: {printable(notice)}", file=sys.stderr)
    if failed:
        return 1
    print(printable(f"Reset the progress of {what} (settings kept)."))
    return 0


def progress(args: argparse.Namespace) -> int:
    """``lrgame progress``: each level of a campaign with its saved record."""
    levels_dir = Path(args.levels) if getattr(args, "levels", None) else None
    if levels_dir is not None and not levels_dir.is_dir():
        raise LrgameError(f"{levels_dir}: not a folder of level files")
    directory = levels_dir or shipped_levels_dir()
    try:
        entries = load_campaign(directory)
    except OSError as error:
        raise LrgameError(f"cannot read the folder {directory}: {error.strerror}") from None
    store = ProgressStore()
    campaign = store.campaign_key(levels_dir)
    for notice in store.notices:  # a save moved aside, or a save folder that is not one
        print(f"lrgame: {notice}", file=sys.stderr)
    rows: list[dict[str, Any]] = []
    for entry in entries:
        level = entry.checked.level
        record = None if level is None else store.level_record(campaign, level.id, level.digest)
        rows.append(
            {
                "order": entry.order,
                "file": Path(entry.file).name,
                "id": None if level is None else level.id,
                "broken": level is None,
                "passed": record is not None and record.passed,
                "stars": 0 if record is None else record.stars,
                "best_score": None if record is None else record.best_score,
                "best_steps_to_goal": None if record is None else record.best_steps_to_goal,
                "attempts": 0 if record is None else record.plays,
            }
        )
    if args.json:
        emit_json({"levels": rows})
        return 0
    if not rows:
        print(f"no level files in {directory}")
        return 0
    print(f"{'':>3}  {'level':<24} {'passed':<6}  {'stars':<5}  {'best':>4}  {'attempts':>8}")
    for row in rows:
        if row["broken"]:
            print(f"{row['order']:>3}  BROKEN  {row['file']}")
            continue
        best = "" if row["best_score"] is None else str(row["best_score"])
        stars = "*" * row["stars"] + "." * (3 - row["stars"])
        passed = "yes" if row["passed"] else "no"
        print(
            f"{row['order']:>3}  {row['id']:<24} {passed:<6}  {stars:<5}  {best:>4}  "
            f"{row['attempts']:>8}"
        )
    return 0


def leaderboard(args: argparse.Namespace) -> int:
    """``lrgame leaderboard``: every player's best score, stars and attempts per level."""
    from .. import classroom

    levels_dir = getattr(args, "levels", None)
    directory = Path(levels_dir) if levels_dir else shipped_levels_dir()
    if not directory.is_dir():
        raise LrgameError(f"{directory}: not a folder of level files")
    try:
        entries = load_campaign(directory)
    except OSError as error:
        raise LrgameError(f"cannot read the folder {directory}: {error.strerror}") from None
    levels = [(e.checked.level.id, e.checked.level.digest) for e in entries if e.checked.level]
    titles = {e.checked.level.id: e.checked.level.title for e in entries if e.checked.level}
    store = ProgressStore()
    campaign = store.campaign_key(Path(levels_dir) if levels_dir else None)
    stores = classroom.player_stores()
    rows = classroom.leaderboard(levels, campaign, stores)
    for notice in classroom.notices(stores):
        print(f"lrgame: {notice}", file=sys.stderr)
    if args.json:
        emit_json({"rows": [row.as_json() for row in rows]})
        return 0
    if not rows:
        print(f"No finished runs yet in {classroom.players_root()} or {store.path}")
        return 0
    width = max(classroom.cells(row.player) for row in rows)
    current = None
    for row in rows:
        if row.level != current:
            current = row.level
            print(f"{row.level}  {titles.get(row.level, '')}")
        stars = "*" * row.stars + "." * (3 - row.stars)
        # Padded by cell width: a name in Japanese takes two columns a character.
        name = row.player + " " * (width - classroom.cells(row.player))
        print(f"  {name}  {row.best_score:>6}  {stars}  {row.attempts:>4} attempts")
    return 0
