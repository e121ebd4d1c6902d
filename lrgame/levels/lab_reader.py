"""Reading a model level's file (``model``, ``data``, a CSV beside it) as untrusted input.

Builds on :class:`~lrgame.levels.reader.LevelReader`: every problem collected
with its field path, none raised. What a model level is lives in
:mod:`lrgame.levels.lab`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from lrgame.engine.data import GENERATOR_PARAMS, GENERATORS, Dataset, from_spec
from lrgame.engine.expr import Expression
from lrgame.engine.mlp import ACTIVATIONS, LOSSES, MLP
from lrgame.engine.params import describe
from lrgame.engine.problems import FieldPath, Problem
from lrgame.engine.simulate import Noise
from lrgame.engine.strategy import MAX_STEPS
from lrgame.numfmt import num

from .lab import (
    DATA_KEYS,
    MAX_CSV_BYTES,
    MAX_LAYERS,
    MAX_PARAMETERS,
    MAX_RUN_WORK,
    MAX_SAMPLES,
    MAX_WIDTH,
    MODEL_KEYS,
    ModelLevel,
)
from .model import Level
from .reader import LevelReader


def read_model_level(
    data: Mapping[str, Any], *, source: str = "", digest_text: str = ""
) -> tuple[Level | None, list[Problem]]:
    reader = _ModelReader(source)
    level = reader.read(data, digest_text)
    return (level if not reader.problems else None), reader.problems


class _ModelReader(LevelReader):
    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def read(self, data: Mapping[str, Any], digest_text: str) -> ModelLevel | None:
        for key in data:
            if key not in MODEL_KEYS:
                why = (
                    " (a model level's loss is model.loss and its start model.init)"
                    if key in ("loss", "domain", "start", "noise")
                    else ""
                )
                self.fail(
                    (key,),
                    f"unknown field {key!r} in a model level{why}; expected one of: "
                    + ", ".join(MODEL_KEYS),
                )
        heading = self.heading(data)
        steps = self.integer(data, ("steps",), data.get("steps"), 1, MAX_STEPS, required=True)
        spec = self.data_object(data.get("data"))
        dataset = None
        if spec is not None:
            with np.errstate(all="ignore"):
                dataset = from_spec(spec)
        model = self.model(data.get("model"), dataset)
        batch_size = None
        if "batch_size" in data:
            batch_size = self.integer(data, ("batch_size",), data["batch_size"], 1, MAX_SAMPLES)
        goal_loss = self.goal_loss(data.get("goal"))
        par = steps // 2 if steps else 1
        if "par" in data:
            par = self.integer(data, ("par",), data["par"], 1, MAX_STEPS) or par
        if model is not None and dataset is not None and steps:
            work = model[0].size * dataset.n * steps
            if work > MAX_RUN_WORK:
                self.fail(
                    ("steps",),
                    f"{model[0].size:,} parameters × {dataset.n:,} training samples × "
                    f"{steps:,} steps is {work:,}, over the limit of {MAX_RUN_WORK:,} per run; "
                    "use fewer steps, samples or weights",
                )
        allowed = self.allowed(data.get("allowed"))
        fog = self.fog(data.get("fog"))
        demos = self.demos(data.get("demos"), steps or 1)
        setup = self.setup(data, steps or 1, allowed)
        if self.problems or model is None or dataset is None or spec is None or not steps:
            return None
        assert heading.id is not None and heading.title is not None and goal_loss is not None
        mlp, start = model
        dim = mlp.size
        return ModelLevel(
            id=heading.id,
            title=heading.title,
            lesson=heading.lesson,
            briefing=heading.briefing,
            hint=heading.hint,
            author=heading.author,
            loss="",
            expression=Expression.parse("0", ("x",)),
            domain=np.tile([-1e6, 1e6], (dim, 1)).astype(np.float64),
            start=tuple(float(v) for v in start),
            steps=steps,
            tolerance=math.nan,
            stated_minima=None,
            par=max(1, par),
            allowed=allowed,
            noise=Noise(),
            fog=fog,
            demos=demos,
            setup=setup,
            digest=hashlib.sha256(digest_text.encode("utf-8")).hexdigest()[:16],
            source=self.source,
            raw=data,
            mlp=mlp,
            dataset=dataset,
            batch_size=batch_size,
            data_seed=int(spec.get("seed", 0)),
            goal_loss=goal_loss,
            data_spec=spec,
        )

    # -- the model ------------------------------------------------------------

    def model(self, value: Any, dataset: Dataset | None) -> tuple[MLP, np.ndarray] | None:
        path: FieldPath = ("model",)
        if value is None:
            self.fail(path, 'missing: expected {"layers": [2, 8, 1], "loss": "bce"}')
            return None
        if not isinstance(value, Mapping):
            self.fail(path, f'expected {{"layers": [...], "loss": ...}}, got {describe(value)}')
            return None
        keys = ("layers", "activation", "loss", "init_seed", "init_scale", "init")
        for key in value:
            if key not in keys:
                self.fail(
                    (*path, key), f"unknown field {key!r}; expected one of: {', '.join(keys)}"
                )
        layers = self.layers(value.get("layers"))
        activation = self.choice(
            value, (*path, "activation"), value.get("activation", "tanh"), ACTIVATIONS
        )
        if "loss" not in value:
            self.fail((*path, "loss"), f"missing: expected one of {', '.join(LOSSES)}")
            loss = None
        else:
            loss = self.choice(value, (*path, "loss"), value["loss"], LOSSES)
        seed = self.integer(value, (*path, "init_seed"), value.get("init_seed", 0), 0, 2**32 - 1)
        scale = self.number(value.get("init_scale", 1.0), (*path, "init_scale"))
        if scale is not None and not 0 < scale <= 1e3:
            self.fail((*path, "init_scale"), f"expected a factor in (0, 1000], got {num(scale, 6)}")
            scale = None
        if layers is None or activation is None or loss is None or seed is None or scale is None:
            return None
        mlp = MLP(layers, activation, loss)
        if mlp.size > MAX_PARAMETERS:
            self.fail(
                (*path, "layers"),
                f"these layers have {mlp.size:,} parameters, over the limit of {MAX_PARAMETERS:,}",
            )
            return None
        out = layers[-1]
        if loss in ("mse", "bce") and out != 1:
            self.fail((*path, "layers"), f"a {loss} model has one output; the last size is {out}")
            return None
        if loss == "cross_entropy" and out < 2:
            self.fail(
                (*path, "layers"), "a cross_entropy model has one output per class (at least 2)"
            )
            return None
        if dataset is not None:
            if dataset.features != layers[0]:
                self.fail(
                    (*path, "layers"),
                    f"the first size is the number of input features: the data has "
                    f"{dataset.features}, the layers start with {layers[0]}",
                )
                return None
            labels = np.concatenate([dataset.y, dataset.y_holdout])
            if loss == "bce" and not np.all((labels == 0) | (labels == 1)):
                self.fail(("data",), "a bce model needs targets 0 or 1")
                return None
            if loss == "cross_entropy" and not np.all(
                (labels == np.round(labels)) & (labels >= 0) & (labels < out)
            ):
                self.fail(("data",), f"a cross_entropy model needs class labels 0 to {out - 1}")
                return None
        if "init" in value:
            init = self.numbers(value["init"], (*path, "init"), mlp.size)
            if init is None:
                return None
            return mlp, init
        return mlp, mlp.init(seed, scale)

    def layers(self, value: Any) -> tuple[int, ...] | None:
        path: FieldPath = ("model", "layers")
        if value is None:
            self.fail(path, "missing: expected the layer sizes, e.g. [2, 8, 1]")
            return None
        if not isinstance(value, list) or not 2 <= len(value) <= MAX_LAYERS + 1:
            self.fail(
                path,
                f"expected a list of 2 to {MAX_LAYERS + 1} layer sizes, got {describe(value)}",
            )
            return None
        sizes = [self.integer({}, (*path, i), v, 1, MAX_WIDTH) for i, v in enumerate(value)]
        if any(s is None for s in sizes):
            return None
        return tuple(s for s in sizes if s is not None)

    def numbers(self, value: Any, path: FieldPath, count: int) -> np.ndarray | None:
        if not isinstance(value, list) or len(value) != count:
            self.fail(path, f"expected a list of {count} numbers, got {describe(value)}")
            return None
        out = [self.number(v, (*path, i)) for i, v in enumerate(value)]
        if any(v is None for v in out):
            return None
        return np.asarray(out, dtype=np.float64)

    # -- the data -------------------------------------------------------------

    def data_object(self, value: Any) -> dict[str, Any] | None:
        path: FieldPath = ("data",)
        if value is None:
            self.fail(
                path, 'missing: expected {"generator": "moons", "n": 200} or {"x": ..., "y": ...}'
            )
            return None
        if not isinstance(value, Mapping):
            self.fail(path, f"expected an object, got {describe(value)}")
            return None
        ok = True
        for key in value:
            if key not in DATA_KEYS:
                self.fail(
                    (*path, key), f"unknown field {key!r}; expected one of: {', '.join(DATA_KEYS)}"
                )
                ok = False
        sources = [k for k in ("generator", "x", "csv") if k in value]
        if len(sources) != 1:
            self.fail(path, "expected exactly one of generator, x (with y) or csv")
            return None
        spec: dict[str, Any] = {}
        seed = self.integer(value, (*path, "seed"), value.get("seed", 0), 0, 2**32 - 1)
        spec["seed"] = seed or 0
        if "generator" in value:
            name = self.choice(value, (*path, "generator"), value["generator"], GENERATORS)
            n = self.integer(value, (*path, "n"), value.get("n"), 2, MAX_SAMPLES, required=True)
            if name is None or n is None:
                return None
            spec.update(generator=name, n=n)
            for key in value:
                if key in DATA_KEYS[:6] or key in ("generator", "n"):
                    continue
                if key not in GENERATOR_PARAMS[name]:
                    self.fail(
                        (*path, key),
                        f"the {name} generator has no {key!r}; it reads "
                        f"{', '.join(GENERATOR_PARAMS[name]) or 'only n and seed'}",
                    )
                    ok = False
            if "noise" in value:
                noise = self.number(value["noise"], (*path, "noise"))
                if noise is None or not 0 <= noise <= 1e3:
                    self.fail((*path, "noise"), "expected a noise level from 0 to 1000")
                    ok = False
                spec["noise"] = noise
            if "factor" in value:
                factor = self.number(value["factor"], (*path, "factor"))
                if factor is None or not 0 < factor < 1:
                    self.fail((*path, "factor"), "expected the inner circle's radius in (0, 1)")
                    ok = False
                spec["factor"] = factor
            if "classes" in value:
                classes = self.integer(value, (*path, "classes"), value["classes"], 2, 100)
                ok = ok and classes is not None
                spec["classes"] = classes
            if "a" in value:
                a = value["a"]
                if isinstance(a, list):
                    got = self.numbers(a, (*path, "a"), len(a)) if 1 <= len(a) <= 1000 else None
                    if got is None:
                        self.fail((*path, "a"), "expected 1 to 1000 slopes")
                        ok = False
                    else:
                        spec["a"] = got.tolist()
                else:
                    spec["a"] = self.number(a, (*path, "a"))
                    ok = ok and spec["a"] is not None
            if "b" in value:
                spec["b"] = self.number(value["b"], (*path, "b"))
                ok = ok and spec["b"] is not None
            features = (
                (len(spec["a"]) if isinstance(spec.get("a"), list) else 1)
                if name == "linear"
                else 2
            )
        else:
            if "csv" in value:
                rows = self.csv_rows(value["csv"])
            else:
                for key in ("noise", "factor", "classes", "a", "b", "n"):
                    if key in value:
                        self.fail(
                            (*path, key), f"{key!r} belongs to a generator, not to inline data"
                        )
                        ok = False
                rows = self.inline_rows(value.get("x"), value.get("y"))
            if rows is None:
                return None
            spec["x"], spec["y"] = rows
            features = len(spec["x"][0])
        if "holdout" in value:
            holdout = self.number(value["holdout"], (*path, "holdout"))
            if holdout is None or not 0 <= holdout <= 0.9:
                self.fail((*path, "holdout"), "expected the held-out share, from 0 to 0.9")
                ok = False
            spec["holdout"] = holdout
        if "scale" in value:
            scale = self.numbers(value["scale"], (*path, "scale"), features)
            if scale is not None and not np.all((scale > 0) & (scale <= 1e6)):
                self.fail((*path, "scale"), "expected factors in (0, 1e6]")
                scale = None
            if scale is None:
                ok = False
            else:
                spec["scale"] = scale.tolist()
        return spec if ok else None

    def inline_rows(self, x: Any, y: Any) -> tuple[list[list[float]], list[float]] | None:
        path: FieldPath = ("data",)
        if not isinstance(x, list) or not 2 <= len(x) <= MAX_SAMPLES:
            self.fail(
                (*path, "x"), f"expected 2 to {MAX_SAMPLES:,} samples, each a list of numbers"
            )
            return None
        if not isinstance(y, list) or len(y) != len(x):
            self.fail((*path, "y"), f"expected {len(x)} targets, one per sample of x")
            return None
        width = len(x[0]) if isinstance(x[0], list) else 0
        if not 1 <= width <= MAX_WIDTH:
            self.fail((*path, "x", 0), f"expected a list of 1 to {MAX_WIDTH} numbers")
            return None
        rows: list[list[float]] = []
        for i, row in enumerate(x):
            if not isinstance(row, list) or len(row) != width:
                self.fail(
                    (*path, "x", i), f"expected a list of {width} numbers, as in the first sample"
                )
                return None
            got = self.numbers(row, (*path, "x", i), width)
            if got is None:
                return None
            rows.append(got.tolist())
        targets = self.numbers(y, (*path, "y"), len(y))
        if targets is None:
            return None
        return rows, targets.tolist()

    def csv_rows(self, name: Any) -> tuple[list[list[float]], list[float]] | None:
        path: FieldPath = ("data", "csv")
        if (
            not isinstance(name, str)
            or not name
            or "/" in name
            or "\\" in name
            or name.startswith(".")
        ):
            self.fail(path, 'expected the name of a CSV file beside the level, e.g. "points.csv"')
            return None
        file = Path(self.source).parent / name if self.source else Path(name)
        try:
            info = os.stat(file)
            if not stat.S_ISREG(info.st_mode):
                self.fail(path, f"{name}: not a regular file")
                return None
            if info.st_size > MAX_CSV_BYTES:
                self.fail(path, f"{name}: larger than {MAX_CSV_BYTES:,} bytes; refusing to read it")
                return None
            with open(file, "rb") as handle:
                raw = handle.read(MAX_CSV_BYTES + 1)
            text = raw.decode("utf-8-sig")
        except FileNotFoundError:
            self.fail(path, f"{name}: no such file beside the level")
            return None
        except (OSError, UnicodeDecodeError) as error:
            self.fail(path, f"{name}: cannot read: {type(error).__name__}")
            return None
        x: list[list[float]] = []
        y: list[float] = []
        width = None
        for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if not row or all(not cell.strip() for cell in row):
                continue
            try:
                numbers = [float(cell) for cell in row]
            except ValueError:
                if line == 1 and not x:
                    continue  # a header row
                self.fail(path, f"{name}:{line}: expected numbers separated by commas")
                return None
            if not all(math.isfinite(v) for v in numbers):
                self.fail(path, f"{name}:{line}: expected finite numbers")
                return None
            if width is None:
                width = len(numbers)
                if width < 2:
                    self.fail(path, f"{name}:{line}: expected the features then the target")
                    return None
            elif len(numbers) != width:
                self.fail(path, f"{name}:{line}: expected {width} columns, as in the first row")
                return None
            x.append(numbers[:-1])
            y.append(numbers[-1])
            if len(x) > MAX_SAMPLES:
                self.fail(path, f"{name}: more than {MAX_SAMPLES:,} samples")
                return None
        if len(x) < 2:
            self.fail(path, f"{name}: expected at least 2 samples")
            return None
        return x, y

    def goal_loss(self, value: Any) -> float | None:
        path: FieldPath = ("goal",)
        if not isinstance(value, Mapping) or "loss" not in value:
            self.fail(path, 'missing: a model level\'s goal is a training loss, {"loss": 0.05}')
            return None
        for key in value:
            if key != "loss":
                self.fail(
                    (*path, key), f"unknown field {key!r}; a model level's goal has only loss"
                )
        loss = self.number(value["loss"], (*path, "loss"))
        if loss is not None and loss < 0:
            self.fail((*path, "loss"), f"expected a loss >= 0, got {num(loss, 6)}")
            return None
        return loss
