"""A strategy: the optimizer, its schedule and the number of steps to take.

The strategy-file shape is ``{"optimizer": {...}, "schedule": {...}, "steps": N}``
with torch's parameter names; ``schedule`` defaults to constant and ``steps``
to the level's budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import SpecError
from .optimizers import OptimizerSpec, parse_optimizer
from .params import as_int, check_keys, join
from .problems import FieldPath
from .schedules import (
    HEADLINE_SCHEDULES,
    ScheduleSpec,
    headline_lr,
    parse_schedule,
    with_headline_lr,
)

MAX_STEPS = 10_000

__all__ = ["HEADLINE_SCHEDULES", "MAX_STEPS", "Strategy", "parse_strategy"]


@dataclass(frozen=True)
class Strategy:
    optimizer: OptimizerSpec
    schedule: ScheduleSpec
    steps: int
    """The number of optimizer steps the run may take."""

    @property
    def lr(self) -> float:
        """The headline learning rate: the optimizer's, or ``max_lr`` for onecycle/cyclic."""
        return headline_lr(self.schedule, self.optimizer.lr)

    def with_lr(self, lr: float) -> Strategy:
        """The same strategy at another headline learning rate (what a sweep varies)."""
        if self.schedule.name in HEADLINE_SCHEDULES:
            return Strategy(self.optimizer, with_headline_lr(self.schedule, lr), self.steps)
        return Strategy(self.optimizer.with_lr(lr), self.schedule, self.steps)

    def to_json(self, *, full: bool = False) -> dict[str, Any]:
        """The strategy-file form; ``full`` spells out every optimizer default too."""
        return {
            "optimizer": self.optimizer.to_json(full=full),
            "schedule": self.schedule.to_json(),
            "steps": self.steps,
        }


def parse_strategy(obj: Any, path: FieldPath = (), *, level_steps: int) -> Strategy:
    """Read a strategy object, refusing unknown keys and invalid values by field path."""
    data = check_keys(obj, path, ("optimizer", "schedule", "steps"))
    if "optimizer" not in data:
        raise SpecError(join(path, "optimizer"), "missing: every strategy names an optimizer")
    steps = level_steps
    if "steps" in data:
        steps = as_int(data["steps"], join(path, "steps"), low=1, high=MAX_STEPS)
    optimizer = parse_optimizer(data["optimizer"], join(path, "optimizer"))
    schedule = parse_schedule(
        data.get("schedule"),
        join(path, "schedule"),
        steps=steps,
        optimizer_name=optimizer.name,
        optimizer_lr=optimizer.lr,
        has_momentum=optimizer.has_momentum,
    )
    return Strategy(optimizer, schedule, steps)
