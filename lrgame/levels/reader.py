"""Reading a level file as untrusted input: every problem collected, none raised.

Reading never stops at the first problem: every problem found is collected
with the field path of the offending value, so ``lrgame validate`` can list
them all, each with its line and column. What a level *is* lives in
:mod:`lrgame.levels.model`; model levels extend :class:`LevelReader` in
:mod:`lrgame.levels.lab_reader`.

One class on purpose (a little over 500 lines): each top-level field is one
method, they share the reader's problem list and helpers, and model levels
override some of them.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrgame.engine.errors import ExpressionError, SpecError
from lrgame.engine.expr import Expression
from lrgame.engine.limits import MAX_DEMO_STEPS, MAX_GOAL_POINTS, operation_steps_problem
from lrgame.engine.optimizers import OPTIMIZER_NAMES
from lrgame.engine.outcome import LOSING_OUTCOMES, Outcome
from lrgame.engine.params import as_bool, as_float, describe
from lrgame.engine.problems import FieldPath, Problem
from lrgame.engine.schedules import SCHEDULE_NAMES
from lrgame.engine.simulate import Noise
from lrgame.engine.strategy import MAX_STEPS, Strategy
from lrgame.engine.strategy_problems import read_strategy
from lrgame.numfmt import num
from lrgame.safeio import printable

from .model import (
    DEFAULT_FOG_RADIUS,
    DEFAULT_TOLERANCE_FRACTION,
    ID_PATTERN,
    LANG_PATTERN,
    LESSONS,
    TOP_KEYS,
    Allowed,
    Demo,
    Fog,
    Level,
    Text,
)


def read_level(
    data: Any, *, source: str = "", digest_text: str = ""
) -> tuple[Level | None, list[Problem]]:
    """Read a parsed level document; returns the level (if playable) and all problems."""
    if isinstance(data, Mapping) and "model" in data:
        from .lab_reader import read_model_level  # it builds on this module

        return read_model_level(data, source=source, digest_text=digest_text)
    reader = LevelReader()
    level = reader.level(data, source, digest_text)
    return (level if not reader.problems else None), reader.problems


@dataclass(frozen=True)
class Heading:
    """A level's identity and texts, as read (``id``/``title`` None where they were bad)."""

    id: str | None
    title: Text | None
    lesson: str
    briefing: Text
    hint: Text
    author: str


class LevelReader:
    """Reads one level document, collecting problems in ``problems``."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, path: FieldPath, message: str, offset: int | None = None) -> None:
        self.problems.append(Problem(path, message, offset=offset))

    def level(self, data: Any, source: str, digest_text: str) -> Level | None:
        if not isinstance(data, Mapping):
            self.fail((), f"a level is a JSON object, got {describe(data)}")
            return None
        for key in data:
            if key not in TOP_KEYS:
                self.fail((key,), f"unknown field {key!r}; expected one of: {', '.join(TOP_KEYS)}")
        heading = self.heading(data)
        domain = self.domain(data)
        dim = 0 if domain is None else len(domain)
        expression = self.expression(data, dim)
        start = self.point(data.get("start"), ("start",), dim, required="start" in data)
        if "start" not in data:
            self.fail(("start",), "missing: where the walker starts, e.g. [1.5]")
        elif start is not None and domain is not None:
            if not all(lo <= v <= hi for v, (lo, hi) in zip(start, domain, strict=True)):
                self.fail(("start",), f"the start {list(start)} lies outside the domain")
        steps = self.integer(data, ("steps",), data.get("steps"), 1, MAX_STEPS, required=True)
        # hypot, not a sum of squares: a domain of +-1e200 is wide, not an OverflowError.
        size = 0.0 if domain is None else math.hypot(*(hi - lo for lo, hi in domain))
        tolerance, minima = self.goal(data.get("goal"), dim, size)
        par = steps // 2 if steps else 1
        if "par" in data:
            par = self.integer(data, ("par",), data["par"], 1, MAX_STEPS) or par
        allowed = self.allowed(data.get("allowed"))
        noise = self.noise(data.get("noise"))
        fog = self.fog(data.get("fog"))
        demos = self.demos(data.get("demos"), steps or 1)
        if expression is not None and steps:
            self.cost(expression, steps, demos)
        setup = self.setup(data, steps or 1, allowed)
        if self.problems or domain is None or expression is None or start is None or not steps:
            return None
        assert heading.id is not None and heading.title is not None and tolerance is not None
        level = Level(
            id=heading.id,
            title=heading.title,
            lesson=heading.lesson,
            briefing=heading.briefing,
            hint=heading.hint,
            author=heading.author,
            loss=data["loss"],
            expression=expression,
            domain=np.asarray(domain, dtype=np.float64),
            start=start,
            steps=steps,
            tolerance=tolerance,
            stated_minima=minima,
            par=max(1, par),
            allowed=allowed,
            noise=noise,
            fog=fog,
            demos=demos,
            setup=setup,
            digest=hashlib.sha256(digest_text.encode("utf-8")).hexdigest()[:16],
            source=source,
            raw=data,
        )
        return level

    # -- fields ---------------------------------------------------------

    def cost(self, expression: Expression, steps: int, demos: tuple[Demo, ...]) -> None:
        """Refuse a level whose runs would cost more than the limits allow."""
        operations = expression.gradient_operations
        problem = operation_steps_problem(operations, steps)
        if problem:
            self.fail(("steps",), problem)
        for demo in demos:
            problem = operation_steps_problem(operations, demo.strategy.steps)
            if problem:
                self.fail(demo.path, problem)
        total = sum(demo.strategy.steps for demo in demos)
        if total > MAX_DEMO_STEPS:
            self.fail(
                ("demos",),
                f"the demos take {total:,} steps together, over the limit of {MAX_DEMO_STEPS:,}",
            )

    def heading(self, data: Mapping[str, Any]) -> Heading:
        """The fields every level has, landscape or model: who it is and what it says."""
        level_id = self.string(
            data,
            "id",
            required=True,
            pattern=ID_PATTERN,
            what="an id of lowercase letters, digits, '-' or '_'",
        )
        title = self.text(data, "title", required=True)
        lesson = self.choice(data, ("lesson",), data.get("lesson", "mixed"), LESSONS)
        briefing = self.text(data, "briefing")
        hint = self.text(data, "hint")
        if "$schema" in data and not isinstance(data["$schema"], str):
            self.fail(("$schema",), f"expected a string, got {describe(data['$schema'])}")
        return Heading(
            id=level_id,
            title=title,
            lesson=lesson or "mixed",
            briefing=briefing or Text({"en": ""}),
            hint=hint or Text({"en": ""}),
            # Shown on the map and in the editor: one line, no escape sequences.
            author=printable(self.string(data, "author") or ""),
        )

    def string(
        self,
        data: Mapping[str, Any],
        key: str,
        *,
        required: bool = False,
        pattern: re.Pattern[str] | None = None,
        what: str = "a string",
    ) -> str | None:
        if key not in data:
            if required:
                self.fail((key,), f"missing: expected {what}")
            return None
        value = data[key]
        if not isinstance(value, str) or (pattern is not None and not pattern.match(value)):
            self.fail((key,), f"expected {what}, got {describe(value)}")
            return None
        return value

    def text(self, data: Mapping[str, Any], key: str, *, required: bool = False) -> Text | None:
        if key not in data:
            if required:
                self.fail((key,), 'missing: expected a text (a string, or {"en": ..., "ja": ...})')
            return None
        return self.text_value(data[key], (key,))

    def text_value(self, value: Any, path: FieldPath) -> Text | None:
        """A player-facing text, with control characters made visible (see ``printable``).

        Whatever shows it (a terminal line, the game's screens), an escape
        sequence from the file must never reach the terminal; a title is one
        line, so its line breaks are escaped too.
        """
        multiline = path[:1] != ("title",)
        if isinstance(value, str):
            return Text({"en": printable(value, multiline=multiline)})
        if isinstance(value, Mapping):
            ok = True
            for lang, text in value.items():
                if not LANG_PATTERN.match(str(lang)):
                    self.fail(
                        (*path, lang),
                        f"expected a language code such as 'en' or 'ja', got {lang!r}",
                    )
                    ok = False
                elif not isinstance(text, str):
                    self.fail((*path, lang), f"expected a string, got {describe(text)}")
                    ok = False
            if "en" not in value:
                self.fail(path, "a text in several languages needs an English ('en') version")
                ok = False
            if not ok:
                return None
            return Text(
                {lang: printable(text, multiline=multiline) for lang, text in value.items()}
            )
        self.fail(path, f"expected a string or an object keyed by language, got {describe(value)}")
        return None

    def choice(
        self, data: Mapping[str, Any], path: FieldPath, value: Any, choices: tuple[str, ...]
    ) -> str | None:
        if value not in choices or not isinstance(value, str):
            self.fail(path, f"expected one of {', '.join(choices)}; got {describe(value)}")
            return None
        return value

    def number(self, value: Any, path: FieldPath) -> float | None:
        try:
            return as_float(value, ())
        except SpecError as error:
            self.fail(path, error.message)
            return None

    def integer(
        self,
        data: Mapping[str, Any],
        path: FieldPath,
        value: Any,
        low: int,
        high: int,
        *,
        required: bool = False,
    ) -> int | None:
        if value is None and path[-1] not in data:
            if required:
                self.fail(path, f"missing: expected an integer from {low} to {high}")
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (isinstance(value, float) and (not math.isfinite(value) or value != int(value)))
        ):
            self.fail(path, f"expected an integer, got {describe(value)}")
            return None
        if not low <= value <= high:
            self.fail(path, f"expected an integer from {low} to {high}, got {describe(value)}")
            return None
        return int(value)

    def boolean(self, value: Any, path: FieldPath, default: bool) -> bool:
        if value is None:
            return default
        try:
            return as_bool(value, ())
        except SpecError as error:
            self.fail(path, error.message)
            return default

    def point(
        self, value: Any, path: FieldPath, dim: int, *, required: bool
    ) -> tuple[float, ...] | None:
        if value is None and not required:
            return None
        if not isinstance(value, list) or not value or len(value) > 2:
            self.fail(
                path,
                f"expected a point: a list of {dim or '1 or 2'} numbers, got {describe(value)}",
            )
            return None
        numbers = [self.number(v, (*path, i)) for i, v in enumerate(value)]
        if any(n is None for n in numbers):
            return None
        if dim and len(numbers) != dim:
            self.fail(
                path,
                f"expected {dim} coordinate{'s' if dim > 1 else ''} (the domain is {dim}-D), got {len(numbers)}",
            )
            return None
        return tuple(n for n in numbers if n is not None)

    def domain(self, data: Mapping[str, Any]) -> list[tuple[float, float]] | None:
        if "domain" not in data:
            self.fail(
                ("domain",), 'missing: expected {"x": [lo, hi]} or {"x": [lo, hi], "y": [lo, hi]}'
            )
            return None
        value = data["domain"]
        if not isinstance(value, Mapping):
            self.fail(("domain",), f'expected {{"x": [lo, hi], ...}}, got {describe(value)}')
            return None
        ok = True
        for key in value:
            if key not in ("x", "y"):
                self.fail(("domain", key), f"unknown axis {key!r}; expected x, or x and y")
                ok = False
        if "x" not in value:
            self.fail(("domain",), 'missing the x axis: expected {"x": [lo, hi]}')
            return None
        axes = []
        for axis in ("x", "y"):
            if axis not in value:
                continue
            bounds = value[axis]
            if not isinstance(bounds, list) or len(bounds) != 2:
                self.fail(("domain", axis), f"expected [lo, hi], got {describe(bounds)}")
                ok = False
                continue
            lo = self.number(bounds[0], ("domain", axis, 0))
            hi = self.number(bounds[1], ("domain", axis, 1))
            if lo is None or hi is None:
                ok = False
                continue
            if not lo < hi or not math.isfinite(hi - lo):
                self.fail(("domain", axis), f"expected lo < hi, got [{num(lo, 6)}, {num(hi, 6)}]")
                ok = False
                continue
            axes.append((lo, hi))
        return axes if ok else None

    def expression(self, data: Mapping[str, Any], dim: int) -> Expression | None:
        if "loss" not in data:
            self.fail(("loss",), "missing: expected an expression over x (1-D) or x and y (2-D)")
            return None
        text = data["loss"]
        if not isinstance(text, str):
            self.fail(("loss",), f"expected an expression as a string, got {describe(text)}")
            return None
        variables = ("x",) if dim == 1 else ("x", "y")
        try:
            return Expression.parse(text, variables)
        except ExpressionError as error:
            self.fail(("loss",), error.message, offset=error.position)
            return None

    def goal(
        self, value: Any, dim: int, size: float
    ) -> tuple[float | None, tuple[tuple[float, ...], ...] | None]:
        tolerance = DEFAULT_TOLERANCE_FRACTION * size
        if value is None:
            return tolerance, None
        if not isinstance(value, Mapping):
            self.fail(
                ("goal",),
                f'expected {{"tolerance": r, "minimum": [[x, y], ...]}}, got {describe(value)}',
            )
            return None, None
        for key in value:
            if key not in ("tolerance", "minimum"):
                self.fail(("goal", key), f"unknown field {key!r}; expected tolerance or minimum")
        if "tolerance" in value:
            t = self.number(value["tolerance"], ("goal", "tolerance"))
            if t is not None and t <= 0:
                self.fail(("goal", "tolerance"), f"expected a distance > 0, got {num(t, 6)}")
            tolerance = t if t is not None and t > 0 else tolerance
        minima = None
        if "minimum" in value:
            raw = value["minimum"]
            if not isinstance(raw, list) or not raw:
                self.fail(("goal", "minimum"), f"expected a list of points, got {describe(raw)}")
            elif len(raw) > MAX_GOAL_POINTS:
                self.fail(
                    ("goal", "minimum"),
                    f"{len(raw):,} points, over the limit of {MAX_GOAL_POINTS} goal points",
                )
            else:
                points = [
                    self.point(p, ("goal", "minimum", i), dim, required=True)
                    for i, p in enumerate(raw)
                ]
                if all(p is not None for p in points):
                    minima = tuple(p for p in points if p is not None)
        return tolerance, minima

    def allowed(self, value: Any) -> Allowed:
        if value is None:
            return Allowed()
        if not isinstance(value, Mapping):
            self.fail(("allowed",), f"expected an object, got {describe(value)}")
            return Allowed()
        for key in value:
            if key not in ("optimizers", "momentum", "schedules", "finder"):
                self.fail(
                    ("allowed", key),
                    f"unknown field {key!r}; expected optimizers, momentum, schedules or finder",
                )
        optimizers = self.names(value.get("optimizers"), ("allowed", "optimizers"), OPTIMIZER_NAMES)
        schedules = self.names(value.get("schedules"), ("allowed", "schedules"), SCHEDULE_NAMES)
        return Allowed(
            optimizers=optimizers,
            momentum=self.boolean(value.get("momentum"), ("allowed", "momentum"), True),
            schedules=schedules,
            finder=self.boolean(value.get("finder"), ("allowed", "finder"), True),
        )

    def names(self, value: Any, path: FieldPath, choices: tuple[str, ...]) -> tuple[str, ...]:
        if value is None:
            return choices
        if not isinstance(value, list) or not value:
            self.fail(path, f"expected a non-empty list of names, got {describe(value)}")
            return choices
        out = []
        for i, name in enumerate(value):
            if name not in choices or not isinstance(name, str):
                self.fail((*path, i), f"expected one of {', '.join(choices)}; got {describe(name)}")
            else:
                out.append(name)
        return tuple(out)

    def noise(self, value: Any) -> Noise:
        if value is None:
            return Noise()
        if not isinstance(value, Mapping):
            self.fail(("noise",), f'expected {{"std": s, "seed": n}}, got {describe(value)}')
            return Noise()
        for key in value:
            if key not in ("std", "seed"):
                self.fail(("noise", key), f"unknown field {key!r}; expected std or seed")
        std = self.number(value.get("std", 0.0), ("noise", "std"))
        if std is not None and std < 0:
            self.fail(("noise", "std"), f"expected a standard deviation >= 0, got {num(std, 6)}")
        seed = self.integer(value, ("noise", "seed"), value.get("seed", 0), 0, 2**32 - 1)
        return Noise(std=max(std or 0.0, 0.0), seed=seed or 0)

    def fog(self, value: Any) -> Fog:
        if value is None:
            return Fog()
        if not isinstance(value, Mapping):
            self.fail(("fog",), f'expected {{"radius": r, "enabled": true}}, got {describe(value)}')
            return Fog()
        for key in value:
            if key not in ("radius", "enabled"):
                self.fail(("fog", key), f"unknown field {key!r}; expected radius or enabled")
        radius = self.number(value.get("radius", DEFAULT_FOG_RADIUS), ("fog", "radius"))
        if radius is not None and not 0 < radius <= 1:
            self.fail(
                ("fog", "radius"),
                f"expected a fraction of the domain in (0, 1], got {num(radius, 6)}",
            )
            radius = None
        return Fog(
            radius=radius or DEFAULT_FOG_RADIUS,
            enabled=self.boolean(value.get("enabled"), ("fog", "enabled"), True),
        )

    def setup(self, data: Mapping[str, Any], steps: int, allowed: Allowed) -> Strategy | None:
        if "setup" not in data:
            return None
        strategy, problems = read_strategy(data["setup"], level_steps=steps, prefix=("setup",))
        self.problems += problems
        if strategy is None:
            return None
        if strategy.steps != steps:
            # The setup screen always plays the level's own budget.
            self.fail(
                ("setup", "steps"),
                f"expected the level's budget of {steps} steps (or no steps), got {strategy.steps}",
            )
            return None
        refusal = allowed.refusal(strategy)
        if refusal is not None:
            self.fail(("setup",), f"{refusal}: a setup uses only what 'allowed' offers")
            return None
        return strategy

    def demos(self, value: Any, steps: int) -> tuple[Demo, ...]:
        if value is None:
            return ()
        if not isinstance(value, Mapping):
            self.fail(
                ("demos",), f'expected {{"lose": [...], "win": [...]}}, got {describe(value)}'
            )
            return ()
        for key in value:
            if key not in ("lose", "win"):
                self.fail(("demos", key), f"unknown field {key!r}; expected lose or win")
        out: list[Demo] = []
        for kind in ("lose", "win"):
            items = value.get(kind, [])
            if not isinstance(items, list):
                self.fail(("demos", kind), f"expected a list of demos, got {describe(items)}")
                continue
            for i, item in enumerate(items):
                path: FieldPath = ("demos", kind, i)
                if not isinstance(item, Mapping):
                    self.fail(path, f'expected {{"strategy": {{...}}}}, got {describe(item)}')
                    continue
                allowed_keys = (
                    ("strategy", "outcome", "note") if kind == "lose" else ("strategy", "note")
                )
                for key in item:
                    if key not in allowed_keys:
                        self.fail(
                            (*path, key),
                            f"unknown field {key!r}; expected {' or '.join(allowed_keys)}",
                        )
                if "strategy" not in item:
                    self.fail(path, "missing: a demo needs a strategy")
                    continue
                outcome: Outcome | None = Outcome.REACHED_GOAL
                if kind == "lose":
                    chosen = self.choice(
                        item, (*path, "outcome"), item.get("outcome"), LOSING_OUTCOMES
                    )
                    outcome = None if chosen is None else Outcome(chosen)
                note = self.text_value(item["note"], (*path, "note")) if "note" in item else None
                strategy, problems = read_strategy(
                    item["strategy"], level_steps=steps, prefix=(*path, "strategy")
                )
                self.problems += problems
                if strategy is None:
                    continue
                if outcome is not None:
                    out.append(Demo(strategy, outcome, note, (*path, "strategy")))
        return tuple(out)
