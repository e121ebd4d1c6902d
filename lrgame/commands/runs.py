"""Commands that run a strategy on a level: simulate, sweep, find-lr."""

from __future__ import annotations

import argparse
import math
import textwrap
from typing import Any

import numpy as np

from .. import numfmt
from ..coach import diagnose, explain
from ..engine.errors import LrgameError
from ..engine.finder import DEFAULT_LR_MAX, DEFAULT_LR_MIN, DEFAULT_POINTS, MIN_POINTS
from ..engine.finder import find_lr as run_finder
from ..engine.limits import check_operation_steps, check_run_steps, check_work
from ..engine.outcome import Verdict
from ..engine.scoring import Modifiers, apply_modifiers
from ..engine.simulate import Run, run_batch, run_sweep
from ..engine.strategy import Strategy
from ..levels.lab import ModelLevel
from ..levels.loader import (
    load_level,
)
from ..safeio import printable
from .common import describe_strategy, emit_json, finite, fmt, level_file, read_strategy


def simulate(args: argparse.Namespace) -> int:
    level = load_level(level_file(args, args.level))
    strategy = read_strategy(args, level)
    batch = run_batch(level.landscape, level.start, [strategy], level.noise)
    run = batch.row(0)
    judged = level.judge(batch)[0]
    modifiers = Modifiers(practice=args.practice, used_finder=args.used_finder)
    verdict = apply_modifiers(judged, modifiers)
    if isinstance(level, ModelLevel):
        return simulate_model(args, level, strategy, run, verdict, judged, modifiers)
    diagnosis = diagnose(level, strategy, run, verdict, used_finder=modifiers.used_finder)
    if args.json:
        emit_json(
            {
                **run_head(level.id, strategy.to_json(full=True), run, verdict, judged, modifiers),
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
    verdict: Verdict,
    judged: Verdict,
    modifiers: Modifiers,
) -> int:
    """simulate on a model level: the run plus what torch needs to replay it."""
    from ..labcoach import (
        batches_json,
        dataset_json,
        diagnose_model,
        explain_model,
        parameters_json,
    )

    diagnosis = diagnose_model(level, strategy, run, verdict)
    holdout = level.landscape.holdout_loss(run.trajectory)
    if args.json:
        batches = batches_json(level, run.steps)
        emit_json(
            {
                **run_head(level.id, strategy.to_json(), run, verdict, judged, modifiers),
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


def run_head(
    level_id: str,
    strategy: dict[str, Any],
    run: Run,
    verdict: Verdict,
    judged: Verdict,
    modifiers: Modifiers,
) -> dict[str, Any]:
    """What ``simulate --json`` says first of any run: the level, the strategy and the verdict,
    with the scoring rules applied (``verdict``) and the score before them (``judged``)."""
    return {
        "level": level_id,
        "strategy": strategy,
        "outcome": verdict.outcome,
        "steps": run.steps,
        "steps_to_goal": verdict.steps_to_goal,
        "final_loss": verdict.final_loss,
        "score": verdict.score,
        "stars": verdict.stars,
        # Which rules changed the judged score, and what it was before them.
        "modifiers": modifiers.to_json(),
        "judged": {"score": judged.score, "stars": judged.stars},
    }


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
