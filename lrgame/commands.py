"""The headless commands: simulate, sweep, find-lr, validate, levels, schema, new, reset-progress.

They print JSON or a readable summary, and never import Textual, so they start fast.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import sys
import textwrap
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from . import numfmt
from .coach import diagnose, explain
from .engine.errors import LrgameError, SpecError
from .engine.finder import DEFAULT_LR_MAX, DEFAULT_LR_MIN, DEFAULT_POINTS, MIN_POINTS
from .engine.finder import find_lr as run_finder
from .engine.limits import check_operation_steps, check_run_steps, check_work
from .engine.outcome import Verdict
from .engine.scoring import Modifiers, apply_modifiers
from .engine.simulate import Run, run_batch, run_sweep
from .engine.strategy import Strategy
from .levels.jsonpos import Document, FileError, JsonError, load_json_file
from .levels.lab import ModelLevel
from .levels.loader import (
    campaign_files,
    check_file,
    load_campaign,
    load_level,
    locate,
    shipped_levels_dir,
)
from .levels.model import Level, default_setup
from .levels.template import create_level_file, new_level_file
from .safeio import printable, read_capped
from .storage import ProgressStore


def finite(values: Any) -> Any:
    """Lists of floats for JSON, with non-finite numbers written as null."""
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if isinstance(values, list):
        return [finite(v) for v in values]
    if isinstance(values, float) and not math.isfinite(values):
        return None
    return values


def json_ready(value: Any) -> Any:
    """``value`` with every non-finite number, however deep, as None (JSON's null).

    JSON has no NaN or Infinity; the README promises null for them in every
    JSON output, whichever measurement (a stability limit, a curvature) they
    turn up in.
    """
    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(item) for item in value]
    return value


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(json_ready(obj), allow_nan=False) + "\n")


def load_strategy_file(path: str) -> Document:
    """A strategy file's JSON (an object), or one line saying where it is broken."""
    try:
        document = load_json_file(path)
    except JsonError as error:
        raise LrgameError(f"{path}:{error.line}:{error.column}: {error.message}") from None
    except FileError as error:
        raise LrgameError(f"{path}: {error}") from None
    if not isinstance(document.value, dict):
        raise LrgameError(f"{path}:1:1: a strategy is a JSON object")
    return document


def read_strategy(args: argparse.Namespace, level: Level) -> Strategy:
    """The strategy from --strategy and the inline flags (flags win)."""
    data: dict[str, Any] = {}
    document = None
    if args.strategy:
        document = load_strategy_file(args.strategy)
        data = copy.deepcopy(document.value)
    elif args.optimizer is None and args.lr is None and args.momentum is None:
        # No strategy named: the one the game's setup screen starts from.
        data = copy.deepcopy(dict(level.raw.get("setup") or default_setup(level.allowed)))
    if args.optimizer is not None:
        data["optimizer"] = {"name": args.optimizer}
    elif "optimizer" not in data and (args.lr is not None or args.momentum is not None):
        data["optimizer"] = {"name": "sgd"}
    if "optimizer" not in data:
        raise LrgameError("no strategy: give --strategy S.json, or --optimizer and --lr")
    if args.momentum is not None:
        optimizer = data["optimizer"]
        optimizer = {"name": optimizer} if isinstance(optimizer, str) else optimizer
        if isinstance(optimizer, dict):
            data["optimizer"] = {**optimizer, "momentum": args.momentum}
    if args.schedule is not None:
        data["schedule"] = args.schedule
    if args.steps is not None:
        data["steps"] = args.steps
    try:
        strategy = level.strategy(data)
        # --lr is the headline rate, as a sweep varies it (max_lr for onecycle and cyclic).
        if args.lr is not None:
            strategy = level.strategy(
                {**strategy.with_lr(args.lr).to_json(), "steps": strategy.steps}
            )
    except SpecError as error:
        problem = error.problem
        if document is not None:
            problem = locate(document, [problem])[0]
        raise LrgameError(problem.line(args.strategy or "strategy")) from None
    if args.strict:
        refusal = level.allowed.refusal(strategy)
        if refusal:
            raise LrgameError(f"--strict: {refusal}")
    check_operation_steps(level.expression.gradient_operations, strategy.steps)
    return strategy


def campaign_dir(args: argparse.Namespace) -> Path:
    """The campaign a command works on: ``--levels DIR``, else the shipped one."""
    given = getattr(args, "levels", None)
    if not given:
        return shipped_levels_dir()
    directory = Path(given)
    if not directory.is_dir():
        raise LrgameError(f"{directory}: not a folder of level files")
    return directory


def level_file(args: argparse.Namespace, name: str) -> str:
    """LEVEL as given on the command line: a file, else a level of the campaign.

    A path that names a file wins; otherwise ``name`` is looked up in the campaign
    (``--levels DIR`` or the shipped one) as a file name, a file name without
    ``.json``, a level number (1, 2, ...) or a level id. Nothing found: ``name``
    itself, so the usual "no such file" line follows.
    """
    if Path(name).is_file() or Path(name).name != name:
        return name
    try:
        files = campaign_files(campaign_dir(args))
    except OSError:
        return name
    for path in files:
        if name in (path.name, path.stem):
            return str(path)
    if name.isdigit() and 1 <= int(name) <= len(files):
        return str(files[int(name) - 1])
    for path in files:
        checked = check_file(path, run_demos=False)
        if checked.level is not None and checked.level.id == name:
            return str(path)
    return name


def simulate(args: argparse.Namespace) -> int:
    level = load_level(level_file(args, args.level))
    strategy = read_strategy(args, level)
    batch = run_batch(level.landscape, level.start, [strategy], level.noise)
    run = batch.row(0)
    judged = level.judge(batch)[0]
    modifiers = Modifiers(practice=args.practice, used_finder=args.used_finder)
    verdict = apply_modifiers(judged, modifiers)
    if isinstance(level, ModelLevel):
        return simulate_model(args, level, strategy, run, judged, modifiers)
    diagnosis = diagnose(level, strategy, run, verdict, used_finder=modifiers.used_finder)
    if args.json:
        emit_json(
            {
                "level": level.id,
                "strategy": strategy.to_json(full=True),
                "outcome": verdict.outcome,
                "steps": run.steps,
                "steps_to_goal": verdict.steps_to_goal,
                "final_loss": verdict.final_loss,
                "score": verdict.score,
                "stars": verdict.stars,
                # Which rules changed the judged score, and what it was before them.
                "modifiers": modifiers.to_json(),
                "judged": {"score": judged.score, "stars": judged.stars},
                "trajectory": finite(run.trajectory),
                "loss": finite(run.loss),
                "lr": finite(run.lr),
                **({"momentum": finite(run.momentum)} if run.momentum is not None else {}),
                "coach": {**diagnosis.to_json(), "text": explain(diagnosis)},
            }
        )
        return 0
    point = ", ".join(numfmt.num(v, 4) for v in run.trajectory[-1])
    print(printable(f"{level.title}  ({level.id})"))
    print(f"  strategy   {describe_strategy(strategy)}")
    print(f"  outcome    {verdict.outcome.past} after {run.steps} of {strategy.steps} steps")
    if verdict.steps_to_goal is not None:
        print(f"  goal       reached at step {verdict.steps_to_goal} (par {level.par})")
    print(
        f"  end        ({point})  loss {fmt(verdict.final_loss)}  (minimum {fmt(level.goal.loss)})"
    )
    print(f"  score      {score_line(verdict, judged, modifiers)}")
    print()
    text = textwrap.fill(explain(diagnosis), width=88, initial_indent="  ", subsequent_indent="  ")
    print(printable(text, multiline=True))
    return 0


def simulate_model(
    args: argparse.Namespace,
    level: ModelLevel,
    strategy: Strategy,
    run: Run,
    judged: Verdict,
    modifiers: Modifiers,
) -> int:
    """simulate on a model level: the run plus what torch needs to replay it."""
    from .labcoach import batches_json, dataset_json, diagnose_model, explain_model, parameters_json

    verdict = apply_modifiers(judged, modifiers)
    diagnosis = diagnose_model(level, strategy, run, verdict)
    holdout = level.landscape.holdout_loss(run.trajectory)
    if args.json:
        batches = batches_json(level, run.steps)
        emit_json(
            {
                "level": level.id,
                "strategy": strategy.to_json(),
                "outcome": verdict.outcome,
                "steps": run.steps,
                "steps_to_goal": verdict.steps_to_goal,
                "final_loss": verdict.final_loss,
                "score": verdict.score,
                "stars": verdict.stars,
                "modifiers": modifiers.to_json(),
                "judged": {"score": judged.score, "stars": judged.stars},
                "parameters": parameters_json(level),
                "dataset": dataset_json(level),
                **({"batches": batches} if batches is not None else {}),
                "trajectory": finite(run.trajectory),
                "loss": finite(run.loss),
                **({"holdout_loss": finite(holdout)} if holdout is not None else {}),
                "lr": finite(run.lr),
                **({"momentum": finite(run.momentum)} if run.momentum is not None else {}),
                "coach": {**diagnosis.to_json(), "text": explain_model(diagnosis)},
            }
        )
        return 0
    print(f"{level.title}  ({level.id})")
    print(
        f"  model      {level.mlp.layers} {level.mlp.activation}, {level.mlp.loss}, "
        f"{level.dim} parameters, {level.landscape.data.n} training samples"
    )
    print(f"  strategy   {describe_strategy(strategy)}")
    print(f"  outcome    {verdict.outcome.past} after {run.steps} of {strategy.steps} steps")
    if verdict.steps_to_goal is not None:
        print(f"  goal       reached at step {verdict.steps_to_goal} (par {level.par})")
    end = f"  end        training loss {fmt(verdict.final_loss)} (goal {fmt(level.goal_loss)})"
    if holdout is not None:
        end += f", held-out loss {fmt(float(holdout[-1]))}"
    print(end)
    print(f"  score      {score_line(verdict, judged, modifiers)}")
    print()
    print(
        textwrap.fill(
            explain_model(diagnosis), width=88, initial_indent="  ", subsequent_indent="  "
        )
    )
    return 0


def score_line(verdict: Verdict, judged: Verdict, modifiers: Modifiers) -> str:
    """``310  *..  (practice, LR finder: judged 720 **.)``: the help's price in plain sight."""
    line = f"{verdict.score}  {'*' * verdict.stars}{'.' * (3 - verdict.stars)}"
    if modifiers.any:
        helps = [
            name
            for on, name in ((modifiers.practice, "practice"), (modifiers.used_finder, "LR finder"))
            if on
        ]
        stars = "*" * judged.stars + "." * (3 - judged.stars)
        line += f"  ({', '.join(helps)}: judged {judged.score} {stars})"
    return line


def describe_strategy(strategy: Strategy) -> str:
    opt = strategy.optimizer
    extras = ", ".join(
        f"{k}={v}" for k, v in opt.params.items() if k in ("momentum", "nesterov") and v
    )
    schedule = strategy.schedule.name
    lr = numfmt.num(opt.lr, 6)
    return f"{opt.alias or opt.name} lr={lr}{', ' + extras if extras else ''}, schedule {schedule}"


def fmt(value: float | None) -> str:
    """A loss as the game shows it (below 1e-6 in size: "≈ 0")."""
    if value is None or not math.isfinite(value):
        return "n/a"
    return numfmt.loss(value, 4)


def sweep(args: argparse.Namespace) -> int:
    level = load_level(level_file(args, args.level))
    strategy = read_strategy(args, level)
    if not (args.lr_min > 0 and args.lr_max >= args.lr_min and math.isfinite(args.lr_max)):
        raise LrgameError(
            f"expected 0 < --lr-min <= --lr-max, got {args.lr_min:g} and {args.lr_max:g}"
        )
    if not 1 <= args.points <= 100_000:
        raise LrgameError(f"expected 1 to 100000 --points, got {args.points}")
    check_run_steps(args.points, strategy.steps, f"--points {args.points}")
    operations = level.expression.gradient_operations
    check_work(args.points, strategy.steps, operations, f"--points {args.points}")
    lrs = np.geomspace(args.lr_min, args.lr_max, args.points)
    batch = run_sweep(level.landscape, level.start, strategy, lrs, level.noise)
    verdicts = level.judge(batch)
    if args.json:
        emit_json(
            {
                "level": level.id,
                "strategy": strategy.to_json(full=True),
                "lr": lrs.tolist(),
                "final_loss": [v.final_loss for v in verdicts],
                "outcome": [v.outcome for v in verdicts],
                "steps_to_goal": [v.steps_to_goal for v in verdicts],
                "score": [v.score for v in verdicts],
            }
        )
        return 0
    print(printable(f"{level.title}: {describe_strategy(strategy)}, {args.points} rates"))
    print(f"  {'lr':>12}  {'outcome':<14} {'final loss':>12}  {'to goal':>7}")
    for lr, verdict in zip(lrs, verdicts, strict=True):
        to_goal = "" if verdict.steps_to_goal is None else str(verdict.steps_to_goal)
        print(
            f"  {numfmt.rate(lr, 4):>12}  {verdict.outcome:<14} {fmt(verdict.final_loss):>12}  {to_goal:>7}"
        )
    return 0


def find_lr(args: argparse.Namespace) -> int:
    level = load_level(level_file(args, args.level))
    strategy = read_strategy(args, level)
    lr_min = DEFAULT_LR_MIN if args.lr_min is None else args.lr_min
    lr_max = DEFAULT_LR_MAX if args.lr_max is None else args.lr_max
    points = DEFAULT_POINTS if args.points is None else args.points
    if not (lr_min > 0 and lr_max > lr_min and math.isfinite(lr_max)):
        raise LrgameError(f"expected 0 < --lr-min < --lr-max, got {lr_min:g} and {lr_max:g}")
    if not MIN_POINTS <= points <= 10_000:
        raise LrgameError(f"expected {MIN_POINTS} to 10000 --points, got {points}")
    check_operation_steps(level.expression.gradient_operations, points)
    if args.strict and not level.allowed.finder:
        raise LrgameError("--strict: this level does not offer the LR finder")
    result = run_finder(
        level.landscape,
        level.start,
        strategy,
        level.goal.loss,
        lr_min=lr_min,
        lr_max=lr_max,
        points=points,
        noise=level.noise,
    )
    if args.json:
        emit_json(
            {
                "level": level.id,
                "lr": finite(result.lr),
                "loss": finite(result.loss),
                "smoothed_gap": finite(result.smoothed_gap),
                "suggestions": result.suggestions,
                "stopped_early": result.stopped_early,
                "stop": result.stop,
                "num_it": result.num_it,
            }
        )
        return 0
    ended = {None: "", "blowup": " (stopped: over 4x its best)", "walk_ended": " (the walk ended)"}
    title = printable(level.title)
    print(
        f"LR range test on {title}: {len(result.lr)} of {result.num_it} steps"
        f" from {numfmt.rate(lr_min)} to {numfmt.rate(result.lr[-1])}{ended[result.stop]}"
    )
    for name, value in result.suggestions.items():
        print(f"  {name:<8} {numfmt.rate(value)}")
    return 0


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
    from .engine.strategy import parse_strategy
    from .export import torch_code

    document = load_strategy_file(args.strategy)
    level = load_level(level_file(args, args.level)) if args.level else None
    try:
        if level is not None:
            strategy = level.strategy(document.value)
        else:
            steps = document.value.get("steps", 100)
            strategy = parse_strategy(
                document.value, level_steps=steps if isinstance(steps, int) else 100
            )
    except SpecError as error:
        (problem,) = locate(document, [error.problem])
        raise LrgameError(problem.line(args.strategy)) from None
    sys.stdout.write(torch_code(strategy, level))
    return 0


def schema(args: argparse.Namespace) -> int:
    name = "strategy.schema.json" if args.strategy else "level.schema.json"
    sys.stdout.write(resources.files("lrgame.levels").joinpath(name).read_text(encoding="utf-8"))
    return 0


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


def start_game(args: argparse.Namespace) -> int:
    """The game itself; Textual is imported only here, so headless commands stay fast."""
    from pathlib import Path

    from .i18n import detect_language, set_language

    # Before any screen module is imported, so class-level labels are translated too.
    set_language(detect_language(args.lang))
    play_file = Path(level_file(args, args.level)) if getattr(args, "level", None) else None
    play_strategy = None
    if play_file is not None:
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


def new_level(args: argparse.Namespace) -> int:
    """``lrgame new NAME``: write NAME.json from the template; never overwrite a file."""
    path = create_level_file(new_level_file(args.name), model=getattr(args, "model", False))
    print(printable(f"wrote {path}; edit it with: lrgame edit {path}"))
    return 0


def edit(args: argparse.Namespace) -> int:
    """``lrgame edit FILE.json``: the level editor (Textual is imported only here)."""
    from .i18n import detect_language, set_language

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

    from .ui.app import LrgameApp

    app = LrgameApp(
        levels_dir=levels_dir, unlock_all=args.unlock_all, lang=args.lang, edit_file=path
    )
    app.run()
    return app.return_code or 0


def leaderboard(args: argparse.Namespace) -> int:
    """``lrgame leaderboard``: every player's best score, stars and attempts per level."""
    from . import classroom

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


def serve(args: argparse.Namespace) -> int:
    """``lrgame serve``: the game for a class, one game process per browser tab."""
    from . import serve as serving

    if not 1 <= args.port <= 65535:
        raise LrgameError(f"serve: --port must be from 1 to 65535, not {args.port}")
    if args.max_players < 1:
        raise LrgameError(f"serve: --max-players must be at least 1, not {args.max_players}")
    public_url = args.public_url
    if public_url is not None and not public_url.startswith(("http://", "https://")):
        raise LrgameError(f"serve: --public-url must start with http:// or https://: {public_url}")
    levels_dir = getattr(args, "levels", None)
    directory = Path(levels_dir).expanduser().resolve() if levels_dir else None
    if directory is not None and not directory.is_dir():
        raise LrgameError(f"{levels_dir}: not a folder of level files")
    store = ProgressStore()
    problem = store.home_problem()
    if problem is not None:
        raise LrgameError(f"serve: the data folder {store.home} {problem}")
    busy = serving.check_port(args.host, args.port)
    if busy is not None:
        raise LrgameError(f"serve: cannot listen on {args.host} port {args.port}: {busy}")
    if not serving.is_loopback(args.host):
        print(
            f"lrgame serve: warning: listening on {args.host}: anyone who can reach port "
            f"{args.port} can play (and their names and scores are kept in {store.home})",
            file=sys.stderr,
        )
    server = serving.ClassroomServer(
        serving.game_command(directory),
        serving.game_environment(store.home.resolve()),
        host=args.host,
        port=args.port,
        max_players=args.max_players,
        public_url=public_url,
        out=lambda text: print(text, flush=True),
    )
    server.serve()
    print("lrgame serve: stopped", flush=True)
    return 0
