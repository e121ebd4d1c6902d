"""What the headless commands share: reading a strategy and a level from the arguments, JSON output."""

from __future__ import annotations

import argparse
import copy
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .. import numfmt
from ..engine.errors import LrgameError, ProblemsError, SpecError
from ..engine.limits import check_operation_steps
from ..engine.problems import Problem
from ..engine.strategy import Strategy
from ..levels.jsonpos import Document, FileError, JsonError, load_json_file
from ..levels.loader import (
    campaign_files,
    check_file,
    locate,
)
from ..levels.model import Level, default_setup
from ..levels.paths import shipped_levels_dir


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
        problems = all_problems(data, level.steps, error)
        if document is not None:
            problems = locate(document, problems)
        raise ProblemsError([p.line(args.strategy or "strategy") for p in problems]) from None
    if args.strict:
        refusal = level.allowed.refusal(strategy)
        if refusal:
            raise LrgameError(f"--strict: {refusal}")
    check_operation_steps(level.expression.gradient_operations, strategy.steps)
    return strategy


def all_problems(data: Any, level_steps: int, error: SpecError) -> list[Problem]:
    """Every problem of a strategy that failed with ``error``, not only its first field's."""
    from ..engine.strategy_problems import read_strategy as strategy_problems

    _strategy, problems = strategy_problems(data, level_steps=level_steps)
    return problems or error.problems


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
