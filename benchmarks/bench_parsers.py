"""Parser speed: the loss-expression parser and the position-recording JSON reader.

Prints figures measured in this one run, each the median of repeats (a fast
call is timed over a loop of many calls and divided). The JSON reader is
compared against the standard library's ``json.loads`` as the baseline.
Not a test: nothing here asserts a time. The tests in tests/engine/test_expr.py
and tests/levels/test_jsonpos.py check the same behaviour without timing it.

    python benchmarks/bench_parsers.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from lrgame.engine.errors import ExpressionError  # noqa: E402
from lrgame.engine.expr import Expression  # noqa: E402
from lrgame.levels.jsonpos import MAX_BYTES, FileError, load_json_file, parse_json  # noqa: E402

ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"
XY = ("x", "y")
WIDTH = 60  # label column


def median_time(fn: Callable[[], Any], repeat: int, number: int = 1) -> float:
    """Median over ``repeat`` runs of the time of one call, each run timing ``number`` calls."""
    fn()  # warm up: first-call compilation and caches are not what is measured
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:9.1f} µs"
    return f"{seconds * 1e3:9.2f} ms"


def row(label: str, seconds: float, extra: str = "") -> None:
    print(f"  {label:<{WIDTH}}{fmt(seconds)}{extra}")


def refused(fn: Callable[[], Any], error: type[Exception], must_say: str) -> Callable[[], None]:
    """``fn`` wrapped to check that it is refused with ``error`` mentioning ``must_say``."""

    def call() -> None:
        try:
            fn()
        except error as exc:
            if must_say not in str(exc):
                raise RuntimeError(f"refused for the wrong reason: {exc}") from exc
            return
        raise RuntimeError("expected a refusal, but the input was accepted")

    return call


def make_level_collection(size: int) -> str:
    """About ``size`` characters of realistic, level-like, indented JSON."""
    levels: list[dict[str, Any]] = []
    i = 0
    text = ""
    while len(text) < size:
        for _ in range(50):
            levels.append(
                {
                    "id": f"level-{i:05d}",
                    "title": {"en": f"Valley {i}", "fr": f"Vallée n°{i}", "ja": "谷"},
                    "loss": "0.1*x^4 - x^2 + 0.3*x + sin(3*x)\\n",
                    "domain": {"x": [-3.5, 3.5], "y": [-2, 2]},
                    "start": [i * 0.001 - 1.5, 2.25e-3],
                    "steps": 100 + i,
                    "fog": {"radius": 0.08, "enabled": i % 2 == 0},
                    "noise": None,
                    "demos": {
                        "win": [
                            {
                                "strategy": {
                                    "optimizer": {"name": "adam", "lr": 1e-2, "betas": [0.9, 0.999]}
                                }
                            }
                        ]
                    },
                }
            )
            i += 1
        text = json.dumps(levels, indent=2, ensure_ascii=False)
    return text


def write_50_mb_file(path: Path) -> int:
    chunk = b'{"a": [1, 2, 3], "b": "text"},' * 1000
    with open(path, "wb") as handle:
        handle.write(b"[")
        while handle.tell() < 50_000_000:
            handle.write(chunk)
        handle.write(b"0]")
        return handle.tell()


def bench_expressions(repeat: int) -> None:
    print(f"Expression parser (lrgame.engine.expr), median of {repeat} repeats")
    row(
        "Expression.parse, Rosenbrock",
        median_time(lambda: Expression.parse(ROSENBROCK, XY), repeat, 500),
    )
    expr = Expression.parse(ROSENBROCK, XY)
    rng = np.random.default_rng(1)
    for n in (1, 1000):
        pts = rng.normal(size=(n, 2))
        number = 2000 if n == 1 else 200
        row(
            f"value_and_grad, points shape ({n}, 2)",
            median_time(lambda pts=pts: expr.value_and_grad(pts), repeat, number),
        )
        row(
            f"hessian, points shape ({n}, 2)",
            median_time(lambda pts=pts: expr.hessian(pts), repeat, number),
        )

    parens = "(" * 10_000 + "x" + ")" * 10_000
    row(
        "refuse 10,000 nested parentheses",
        median_time(
            refused(lambda: Expression.parse(parens, XY), ExpressionError, "longer than"),
            repeat,
            1000,
        ),
    )
    one_mb = "x" * 1_000_000
    row(
        "refuse a 1 MB string",
        median_time(
            refused(lambda: Expression.parse(one_mb, XY), ExpressionError, "longer than"),
            repeat,
            1000,
        ),
    )


def bench_json(repeat: int, tmp: Path) -> None:
    print(f"JSON reader (lrgame.levels.jsonpos), median of {repeat} repeats")
    path = tmp / "levels.json"
    path.write_text(make_level_collection(900_000), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    size = path.stat().st_size
    if parse_json(text).value != json.loads(text):
        raise RuntimeError("parse_json and json.loads disagree on the level file")

    ours = median_time(lambda: parse_json(text), repeat)
    baseline = median_time(lambda: json.loads(text), repeat)
    label = f"{size / 1000:.0f} KB indented level file"
    row(f"parse_json, {label}", ours)
    row(f"json.loads (baseline), {label}", baseline)
    print(f"  {'ratio parse_json / json.loads':<{WIDTH}}{ours / baseline:9.1f} x")
    row(
        f"load_json_file (read + parse), {label}", median_time(lambda: load_json_file(path), repeat)
    )

    huge = tmp / "huge.json"
    huge_size = write_50_mb_file(huge)
    row(
        f"load_json_file refuses a {huge_size / 1e6:.0f} MB file (> {MAX_BYTES:,} bytes)",
        median_time(
            refused(lambda: load_json_file(huge), FileError, "larger than 1 MB"), repeat, 100
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="repeats per figure (median)")
    args = parser.parse_args()
    repeat = max(1, args.repeat)
    print(f"Python {sys.version.split()[0]}, numpy {np.__version__}")
    bench_expressions(repeat)
    with tempfile.TemporaryDirectory(prefix="bench_parsers-") as tmp:
        bench_json(repeat, Path(tmp))


if __name__ == "__main__":
    main()
