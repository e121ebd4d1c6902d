"""The level model: what a level says once read (a :class:`Level` and its parts).

Reading a level file, problem by problem, is :mod:`lrgame.levels.reader`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from lrgame.engine.expr import Expression
from lrgame.engine.landscape import Landscape
from lrgame.engine.optimizers import OPTIMIZER_NAMES
from lrgame.engine.outcome import Goal, Outcome, Verdict, judge_batch
from lrgame.engine.problems import FieldPath
from lrgame.engine.schedules import SCHEDULE_NAMES
from lrgame.engine.simulate import BatchRun, Noise
from lrgame.engine.strategy import Strategy, parse_strategy

LESSONS = (
    "step_size",
    "divergence",
    "too_slow",
    "local_minimum",
    "momentum",
    "step_decay",
    "adaptive",
    "lr_finder",
    "warmup",
    "noise",
    "adaptive_finish",
    "mixed",
)
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
LANG_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
DEFAULT_FOG_RADIUS = 0.08
DEFAULT_TOLERANCE_FRACTION = 0.02
DEFAULT_SETUP_LR = 0.01
"""The setup screen's starting rate when a level names no ``setup``."""
TOP_KEYS = (
    "$schema",
    "id",
    "title",
    "lesson",
    "briefing",
    "hint",
    "author",
    "loss",
    "domain",
    "start",
    "steps",
    "goal",
    "par",
    "allowed",
    "setup",
    "noise",
    "fog",
    "demos",
)


@dataclass(frozen=True)
class Text:
    """A player-facing text in one or more languages; English is the fallback."""

    by_lang: Mapping[str, str]

    def get(self, lang: str = "en") -> str:
        if lang in self.by_lang:
            return self.by_lang[lang]
        base = lang.split("-")[0].split("_")[0]
        return self.by_lang.get(base, self.by_lang.get("en", ""))

    def __str__(self) -> str:
        return self.get("en")


@dataclass(frozen=True)
class Allowed:
    optimizers: tuple[str, ...] = OPTIMIZER_NAMES
    momentum: bool = True
    schedules: tuple[str, ...] = SCHEDULE_NAMES
    finder: bool = True

    def refusal(self, strategy: Strategy) -> str | None:
        """Why this level does not offer the strategy, or None if it does."""
        opt = strategy.optimizer
        if opt.name not in self.optimizers:
            return f"this level does not offer the optimizer {opt.name!r}"
        if not self.momentum and opt.name in ("sgd", "rmsprop"):
            if opt.params.get("momentum", 0) != 0:
                return "this level does not offer momentum"
            # onecycle and cyclic would switch momentum on by cycling it.
            if strategy.schedule.params.get("cycle_momentum"):
                return "this level does not offer momentum (set cycle_momentum to false)"
        if strategy.schedule.name not in self.schedules:
            return f"this level does not offer the schedule {strategy.schedule.name!r}"
        return None


@dataclass(frozen=True)
class Fog:
    radius: float = DEFAULT_FOG_RADIUS
    enabled: bool = True


@dataclass(frozen=True)
class Demo:
    strategy: Strategy
    outcome: Outcome  # REACHED_GOAL for winning demos
    note: Text | None
    path: FieldPath


@dataclass(frozen=True)
class Level:
    id: str
    title: Text
    lesson: str
    briefing: Text
    hint: Text
    author: str
    loss: str
    expression: Expression
    domain: np.ndarray  # [d, 2]
    start: tuple[float, ...]
    steps: int
    tolerance: float
    stated_minima: tuple[tuple[float, ...], ...] | None
    par: int
    allowed: Allowed
    noise: Noise
    fog: Fog
    demos: tuple[Demo, ...]
    setup: Strategy | None
    """The strategy the setup screen starts from (None: the default, see ``starting_strategy``)."""
    digest: str
    """A hash of the file's content: progress is keyed by it, so an edited level starts afresh."""
    source: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def dim(self) -> int:
        return len(self.start)

    @cached_property
    def landscape(self) -> Landscape:
        return Landscape(self.expression, self.domain)

    @cached_property
    def goal(self) -> Goal:
        if self.stated_minima is not None:
            minima = np.asarray(self.stated_minima, dtype=np.float64)
            with np.errstate(all="ignore"):
                loss = float(np.min(self.landscape.loss(minima)))
        else:
            found = self.landscape.global_minima
            minima = np.asarray([m.point for m in found], dtype=np.float64).reshape(-1, self.dim)
            loss = found[0].loss if found else math.nan
        return Goal(tolerance=self.tolerance, minima=minima, loss=loss)

    @property
    def local_minima(self) -> list[tuple[float, ...]]:
        """Minima that are not the goal's, for the stuck-in-a-local-minimum verdict."""
        goal = self.goal
        out = []
        for m in self.landscape.minima:
            point = np.asarray(m.point)
            if np.min(np.linalg.norm(goal.minima - point, axis=-1)) > goal.tolerance:
                out.append(m.point)
        return out

    def judge(self, batch: BatchRun) -> list[Verdict]:
        """The verdict on each run of a batch, by this level's goal, minima and par."""
        return judge_batch(
            batch.trajectory,
            batch.loss,
            batch.steps,
            batch.diverged,
            self.goal,
            self.local_minima,
            self.par,
        )

    def strategy(self, obj: Any, path: FieldPath = ()) -> Strategy:
        """Read a strategy for this level (steps default to the level's budget)."""
        return parse_strategy(obj, path, level_steps=self.steps)

    def starting_strategy(self) -> Strategy:
        """What a player runs without changing anything: the level's ``setup``, or else the
        first optimizer it offers at lr 0.01 with a constant rate (the first schedule it
        offers if not constant). ``simulate`` without strategy flags runs exactly this."""
        if self.setup is not None:
            return self.setup
        return self.strategy(default_setup(self.allowed))


def default_setup(allowed: Allowed) -> dict[str, Any]:
    """The starting strategy of a level that names none, as strategy JSON."""
    optimizer = next(n for n in OPTIMIZER_NAMES if n in allowed.optimizers)
    schedule = "constant" if "constant" in allowed.schedules else allowed.schedules[0]
    return {"optimizer": {"name": optimizer, "lr": DEFAULT_SETUP_LR}, "schedule": schedule}
