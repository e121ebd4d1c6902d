"""Ghost races without a terminal: which racers to offer, how they stand, who finished first.

The race screens (:mod:`lrgame.ui.screens.race`) only show what this module
decides: the candidates a level allows (the player's strategy, their saved
best, presets each tuned by its own sweep), the standings at a step (only what
has happened by then counts) and the finish order.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrgame.engine.outcome import Outcome, Verdict
from lrgame.engine.simulate import Run, run_sweeps
from lrgame.engine.strategy import Strategy
from lrgame.i18n import _
from lrgame.levels.model import Level
from lrgame.numfmt import rate

MAX_RACERS = 4


# -- the racers ------------------------------------------------------------


@dataclass(frozen=True)
class RaceCandidate:
    """A racer the setup offers: a short label (the legend's), its strategy file form, and details."""

    key: str
    label: str
    strategy_json: dict[str, Any]
    detail: str


def _g(value: float) -> str:
    return f"{value:.3g}"


def describe_strategy(strategy: Strategy) -> str:
    """A short line: ``sgd lr 0.1 · momentum 0.9 · step``."""
    opt = strategy.optimizer
    parts = [_("{name} lr {lr}", name=opt.display_name, lr=_g(strategy.lr))]
    momentum = opt.params.get("momentum")
    if momentum:
        parts.append(_("momentum {m}", m=_g(float(momentum))))
    if opt.params.get("nesterov"):
        parts.append(_("Nesterov"))
    if strategy.schedule.name != "constant":
        parts.append(strategy.schedule.name.replace("_", "-"))
    return " · ".join(parts)


def race_candidates(
    level: Level, strategy: Strategy, best_json: Mapping[str, Any] | None = None
) -> list[RaceCandidate]:
    """The racers to offer, in order: yours, your best (if any), then presets the level allows.

    Presets that the level refuses, that do not parse, or that repeat an earlier
    racer exactly are left out.
    """
    out: list[RaceCandidate] = []
    seen: dict[str, int] = {}

    def add(key: str, label: str, obj: Mapping[str, Any]) -> None:
        try:
            parsed = level.strategy(json.loads(json.dumps(obj)))
        except Exception:  # noqa: BLE001 - a preset or saved best the level refuses is not offered
            return
        if level.allowed.refusal(parsed) is not None:
            return
        canonical = json.dumps(parsed.to_json(), sort_keys=True)
        if canonical in seen:
            if key == "best":
                # Your best is your current strategy: say so on the one entry.
                first = out[seen[canonical]]
                out[seen[canonical]] = RaceCandidate(
                    first.key, first.label, first.strategy_json, first.detail + _(" (= your best)")
                )
            return
        seen[canonical] = len(out)
        out.append(RaceCandidate(key, label, parsed.to_json(), describe_strategy(parsed)))

    add("yours", _("you"), strategy.to_json())
    if best_json is not None:
        add("best", _("your best"), best_json)
    lr = float(strategy.lr)
    optimizer = strategy.optimizer.with_lr(lr).to_json()
    # Each preset ghost runs at the best rate a sweep finds for its own optimizer and schedule
    # on this level, so a race compares tools, not one tool at another's rate.
    presets: list[tuple[str, str, dict[str, Any]]] = [
        ("sgd", _("SGD"), {"optimizer": {"name": "sgd", "lr": lr}}),
        (
            "momentum",
            _("SGD + momentum 0.9"),
            {"optimizer": {"name": "sgd", "lr": lr, "momentum": 0.9}},
        ),
        ("adam", _("Adam"), {"optimizer": {"name": "adam", "lr": lr}}),
        ("step", _("step decay"), {"optimizer": optimizer, "schedule": "step"}),
        (
            "warmup_cosine",
            _("warmup-cosine"),
            {"optimizer": optimizer, "schedule": "warmup_cosine"},
        ),
    ]
    tuned = best_rates(level, [obj for _, _, obj in presets])
    for (key, label, obj), best in zip(presets, tuned, strict=True):
        if best is None:
            continue
        parsed = level.strategy(obj).with_lr(best)
        add(key, _("{name}, best lr {lr}", name=label, lr=rate(best, 2)), parsed.to_json())
    add("slower", _("your lr ÷ 3"), strategy.with_lr(float(f"{lr / 3:.3g}")).to_json())
    add("faster", _("your lr × 3"), strategy.with_lr(float(f"{lr * 3:.3g}")).to_json())
    return out


GHOST_RATES = np.unique([float(f"{x:.2g}") for x in np.geomspace(1e-6, 1e2, 161)])
"""The rates a ghost's sweep tries: two significant digits, so the legend's rate is exact."""


def best_rates(level: Level, presets: Sequence[Mapping[str, Any]]) -> list[float | None]:
    """For each preset the level offers, the sweep rate with the best score (None if refused).

    One engine batch for all presets; ties go to the faster walk, then the lower rate.
    """
    parsed: list[Strategy | None] = []
    for obj in presets:
        try:
            candidate = level.strategy(json.loads(json.dumps(obj)))
        except Exception:  # noqa: BLE001 - a preset the level cannot read is not offered
            candidate = None
        if candidate is not None and level.allowed.refusal(candidate) is not None:
            candidate = None
        parsed.append(candidate)
    offered = [p for p in parsed if p is not None]
    if not offered:
        return [None] * len(parsed)
    batch = run_sweeps(
        level.landscape, level.start, [(p, GHOST_RATES) for p in offered], level.noise
    )
    verdicts = level.judge(batch)
    out: list[float | None] = []
    k = 0
    for candidate in parsed:
        if candidate is None:
            out.append(None)
            continue
        rows = verdicts[k * len(GHOST_RATES) : (k + 1) * len(GHOST_RATES)]
        k += 1
        best = min(
            range(len(rows)),
            key=lambda i: (-rows[i].score, rows[i].steps_to_goal or 10**9, i),
        )
        out.append(float(GHOST_RATES[best]))
    return out


def default_picks(candidates: Sequence[RaceCandidate]) -> set[int]:
    """The racers ticked at first: yours, your best (when offered), then the next in order, four in all."""
    picked = {0} if candidates else set()
    picked.update(i for i, c in enumerate(candidates) if c.key == "best")
    for i in range(len(candidates)):
        if len(picked) >= MAX_RACERS:
            break
        picked.add(i)
    return picked


# -- the race ---------------------------------------------------------------


def finish_order(verdicts: Sequence[Verdict]) -> list[int]:
    """Racer indices, first to last.

    Those that reached the goal come first, by steps to the goal (then final
    loss); then those that stopped short (stuck or out of steps), by final loss;
    then those that diverged, the one that held out longest first.
    """

    def key(i: int) -> tuple[int, float, float]:
        v = verdicts[i]
        loss = v.final_loss if v.final_loss is not None else math.inf
        if v.outcome == Outcome.REACHED_GOAL and v.steps_to_goal is not None:
            return (0, float(v.steps_to_goal), loss)
        if v.outcome == Outcome.DIVERGED:
            return (2, -float(v.steps), 0.0)
        return (1, loss, 0.0)

    return sorted(range(len(verdicts)), key=lambda i: (*key(i), i))


def ordinal(place: int) -> str:
    names = {1: _("1st"), 2: _("2nd"), 3: _("3rd"), 4: _("4th")}
    return names.get(place, _("{n}th", n=place))


def _num(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return _("∞ (blown up)")
    return f"{value:.3g}"


def arrived(verdict: Verdict, t: int) -> bool:
    """The racer has reached the goal by step t."""
    return (
        verdict.outcome == Outcome.REACHED_GOAL
        and verdict.steps_to_goal is not None
        and t >= verdict.steps_to_goal
    )


def standing(run: Run, verdict: Verdict, t: int) -> str:
    """A racer's state at step t, in words."""
    done = t >= run.steps
    if arrived(verdict, t):
        return _("goal at step {n}", n=verdict.steps_to_goal)
    if done:
        if verdict.outcome == Outcome.DIVERGED:
            return _("diverged at step {n}", n=run.steps)
        if verdict.outcome == Outcome.STUCK_LOCAL:
            return _("stuck in a local minimum, loss {loss}", loss=_num(verdict.final_loss))
        if verdict.outcome == Outcome.OUT_OF_STEPS:
            return _("out of steps, loss {loss}", loss=_num(verdict.final_loss))
    index = min(t, len(run.loss) - 1)
    return _("loss {loss}", loss=_num(float(run.loss[index])))


def standings(runs: Sequence[Run], verdicts: Sequence[Verdict], t: int) -> list[int]:
    """Racer indices as the race stands at step t: arrivals by arrival, then by current loss.

    Only what has happened by step t counts, so the standings never give the result away.
    """

    def key(i: int) -> tuple[int, float]:
        run, verdict = runs[i], verdicts[i]
        if arrived(verdict, t):
            return (0, float(verdict.steps_to_goal or 0))
        if verdict.outcome == Outcome.DIVERGED and t >= run.steps:
            return (2, -float(run.steps))
        loss = float(run.loss[min(t, len(run.loss) - 1)])
        return (1, loss if math.isfinite(loss) else math.inf)

    return sorted(range(len(runs)), key=lambda i: (*key(i), i))
