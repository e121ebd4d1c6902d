"""Model levels: a network, a dataset and mini-batches instead of a loss formula.

A level with a ``model`` field is a ``Level`` whose landscape is the training
loss over the flattened weights, so every command that runs levels runs it; the
goal is a loss (``goal.loss``) reached by the settling rule, not a point. Its
file is read by :mod:`lrgame.levels.lab_reader` (``reader.read_level`` hands it
over).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from lrgame.engine.data import GENERATOR_PARAMS, Dataset
from lrgame.engine.lab import ModelLandscape, judge_model
from lrgame.engine.mlp import MLP
from lrgame.engine.outcome import Goal, Verdict
from lrgame.engine.simulate import BatchRun

from .model import Level

MAX_SAMPLES = 10_000
MAX_PARAMETERS = 20_000
MAX_LAYERS = 16
MAX_WIDTH = 4096
MAX_CSV_BYTES = 1_000_000
MAX_RUN_WORK = 2_000_000_000
"""Parameters × training samples × steps of one run: about the multiply-adds of its
full-loss forward passes, a few seconds of NumPy. A sweep multiplies it by its rates."""

MODEL_KEYS = (
    "$schema",
    "id",
    "title",
    "lesson",
    "briefing",
    "hint",
    "author",
    "model",
    "data",
    "batch_size",
    "steps",
    "goal",
    "par",
    "allowed",
    "fog",
    "demos",
    "setup",
)
DATA_KEYS: tuple[str, ...] = (
    "generator",
    "n",
    "seed",
    "noise",
    "holdout",
    "scale",
    "x",
    "y",
    "csv",
    "a",
    "b",
)
DATA_KEYS += tuple(k for keys in GENERATOR_PARAMS.values() for k in keys if k not in DATA_KEYS)


@dataclass(frozen=True)
class ModelLevel(Level):
    """A level whose loss is a network's on data; ``start`` is the flat initial weights."""

    mlp: MLP = MLP((1, 1))
    dataset: Dataset | None = None
    batch_size: int | None = None
    data_seed: int = 0
    goal_loss: float = 0.0
    data_spec: Mapping[str, Any] | None = None
    """The data object as checked, with a CSV's rows read into x and y."""

    @property
    def dim(self) -> int:
        return self.mlp.size

    @cached_property
    def landscape(self) -> ModelLandscape:  # type: ignore[override]
        assert self.dataset is not None
        return ModelLandscape(
            self.mlp, self.dataset, self.batch_size, self.data_seed, domain=self.domain
        )

    @cached_property
    def goal(self) -> Goal:
        return Goal(tolerance=math.nan, minima=np.zeros((0, self.dim)), loss=self.goal_loss)

    @property
    def local_minima(self) -> list[tuple[float, ...]]:
        return []

    def judge(self, batch: BatchRun) -> list[Verdict]:
        return judge_model(batch, self.goal_loss, self.par)
