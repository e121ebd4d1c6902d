"""The worst input the resource limits allow: time and peak memory of whole commands.

Builds the costliest level the limits let through (a 2-D washboard with the
most minima the engine tracks, a 10,000-step budget, the most goal points and
demos taking the whole demo budget) and a loss at the operation-steps limit,
then runs ``lrgame validate``, ``simulate`` and the largest allowed ``sweep``
on them, each in its own process, and prints wall time and peak resident
memory. The targets (issue 13) are under 1 GB and under 10 s here. Not a
test: nothing here asserts a time.

    python benchmarks/bench_limits.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from lrgame.engine.limits import (  # noqa: E402
    MAX_DEMO_STEPS,
    MAX_GOAL_POINTS,
    MAX_OPERATION_STEPS,
    MAX_RUN_STEPS,
    MAX_WORK,
    affordable_runs,
)
from lrgame.engine.strategy import MAX_STEPS  # noqa: E402

WASHBOARD = "0.02*(x^2 + y^2) - cos(2*x)*cos(2*y)"


def worst_level(steps: int) -> dict[str, object]:
    """Hundreds of minima, the most goal points, demos filling the demo budget."""
    goal = [[0.0, 0.0]] + [
        [round(30 * math.cos(k), 3), round(30 * math.sin(k), 3)] for k in range(MAX_GOAL_POINTS - 1)
    ]
    demo_count = max(1, MAX_DEMO_STEPS // steps)
    optimizers = [
        {"name": "sgd", "lr": 0.05},
        {"name": "sgd", "lr": 0.05, "momentum": 0.9},
        {"name": "adam", "lr": 0.1},
        {"name": "rmsprop", "lr": 0.01},
        {"name": "adagrad", "lr": 0.5},
    ]
    demos = [
        {"strategy": {"optimizer": optimizers[i % len(optimizers)]}, "outcome": "stuck_local"}
        for i in range(demo_count)
    ]
    return {
        "id": "worst",
        "title": "Worst allowed",
        "loss": WASHBOARD,
        "domain": {"x": [-40, 40], "y": [-40, 40]},
        "start": [33.3, -27.1],
        "steps": steps,
        "goal": {"minimum": goal},
        "demos": {"lose": demos},
    }


def long_loss_level() -> tuple[dict[str, object], int, int]:
    """A loss as long as the parser allows, with as many steps as the operation limit leaves."""
    from lrgame.engine.expr import Expression

    terms = [f"sin({i}*x + y)*cos(x - {i}*y)/{i + 1}" for i in range(1, 60)]
    text = "0.01*(x^2 + y^2) + " + " + ".join(terms)
    ops = Expression.parse(text, ("x", "y")).gradient_operations
    steps = min(MAX_STEPS, MAX_OPERATION_STEPS // ops)
    level = {
        "id": "long-loss",
        "title": "Long loss",
        "loss": text,
        "domain": {"x": [-5, 5], "y": [-5, 5]},
        "start": [3.1, -2.2],
        "steps": steps,
        "goal": {"minimum": [[0.0, 0.0]]},
    }
    return level, ops, steps


def run(args: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS in MB, exit status and the last line of output of one command."""
    code = (
        "import resource, sys, time\n"
        "from lrgame.__main__ import main\n"
        "t = time.perf_counter()\n"
        "status = main(sys.argv[1:])\n"
        "sys.stdout.flush()\n"
        "print(f'@@ {time.perf_counter() - t:.3f} "
        "{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=HERE.parent,
        check=False,
    )
    marker = [line for line in proc.stderr.splitlines() if line.startswith("@@ ")]
    if not marker:
        raise SystemExit(f"lrgame {' '.join(args)} failed:\n{proc.stderr}")
    seconds, rss_kb = marker[-1].split()[1:]
    lines = (proc.stdout.strip() or proc.stderr.strip()).splitlines()
    return float(seconds), int(rss_kb) / 1024, proc.returncode, lines[-1][:70] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a 1,000-step level and sweep")
    args = parser.parse_args()
    steps = 1000 if args.quick else MAX_STEPS
    print(
        f"limits: {MAX_RUN_STEPS:,} run-steps per command, {MAX_OPERATION_STEPS:,} "
        f"operation-steps per run, {MAX_WORK:,} operations per command, "
        f"{MAX_DEMO_STEPS:,} demo steps, {MAX_GOAL_POINTS} goal points"
    )
    with tempfile.TemporaryDirectory() as tmp:
        worst = Path(tmp) / "worst.json"
        worst.write_text(json.dumps(worst_level(steps)))
        long_level, ops, long_steps = long_loss_level()
        long_path = Path(tmp) / "long.json"
        long_path.write_text(json.dumps(long_level))
        points = MAX_RUN_STEPS // steps
        sgd = ["--optimizer", "sgd", "--lr", "0.05"]
        cases = [
            ("validate worst level", ["validate", str(worst)]),
            ("simulate worst level", ["simulate", str(worst), *sgd]),
            ("simulate worst --json", ["simulate", str(worst), *sgd, "--json"]),
            (
                f"sweep {points:,} x {steps:,}",
                ["sweep", str(worst), *sgd, "--points", str(points), "--json"],
            ),
            (f"simulate {ops}-op loss x {long_steps}", ["simulate", str(long_path), *sgd]),
            (
                f"sweep {affordable_runs(long_steps, ops):,} x {ops}-op loss",
                [
                    "sweep",
                    str(long_path),
                    *sgd,
                    "--points",
                    str(affordable_runs(long_steps, ops)),
                    "--json",
                ],
            ),
            ("find-lr worst level", ["find-lr", str(worst), *sgd, "--points", "10000"]),
        ]
        print(f"{'command':<34} {'seconds':>8} {'peak MB':>8}  exit")
        for name, argv in cases:
            seconds, mb, status, _ = run(argv)
            print(f"{name:<34} {seconds:8.2f} {mb:8.0f}  {status}")


if __name__ == "__main__":
    main()
