"""Engine speed: single runs, a batched sweep against a loop of single runs, memory.

Prints figures measured in this one run (medians of repeats), and the ratio
against the naive baseline (a Python loop of single runs), as the engine
issue asks. Not a test: nothing here asserts a time.

    python benchmarks/bench_engine.py [--loop-runs N]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from lrgame.engine.expr import Expression  # noqa: E402
from lrgame.engine.landscape import Landscape  # noqa: E402
from lrgame.engine.simulate import run_sweep, simulate  # noqa: E402
from lrgame.engine.strategy import parse_strategy  # noqa: E402

START = [-1.5, 2.0]


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--loop-runs",
        type=int,
        default=1000,
        help="single runs in the naive loop (1000 = the whole sweep)",
    )
    args = parser.parse_args()

    land = Landscape(
        Expression.parse("(1 - x)**2 + 100*(y - x**2)**2", ("x", "y")),
        np.array([[-2.0, 2.0], [-1.0, 3.0]]),
    )
    adam_1000 = parse_strategy({"optimizer": {"name": "adam", "lr": 0.01}}, level_steps=1000)
    adam_500 = parse_strategy({"optimizer": {"name": "adam", "lr": 0.01}}, level_steps=500)
    lrs = np.geomspace(1e-5, 1.0, 1000)

    single = timed(lambda: simulate(land, START, adam_1000), 7)
    print(f"single Adam run, 1,000 steps, Rosenbrock:       {single * 1e3:8.1f} ms")

    batched = timed(lambda: run_sweep(land, START, adam_500, lrs), 5)
    print(f"sweep 1,000 lrs x 500 steps, one batch:         {batched * 1e3:8.1f} ms")

    n = max(1, min(args.loop_runs, len(lrs)))
    t0 = time.perf_counter()
    for lr in lrs[:n]:
        simulate(land, START, adam_500.with_lr(float(lr)))
    loop = (time.perf_counter() - t0) * len(lrs) / n
    note = "" if n == len(lrs) else f" (measured on {n} runs, scaled)"
    print(f"same sweep as a Python loop of single runs:     {loop * 1e3:8.1f} ms{note}")
    print(f"batched speed-up over the loop:                 {loop / batched:8.1f} x")

    tracemalloc.start()
    run_sweep(land, START, adam_500, lrs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak traced memory of the batched sweep:        {peak / 2**20:8.1f} MiB")
    print(
        f"peak resident memory of this process:           "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.1f} MiB"
    )

    exe = [sys.executable, "-m", "lrgame"]
    level = str(HERE / "rosenbrock-500.json")
    strategy = str(HERE / "adam.json")

    def sweep_process() -> None:
        subprocess.run(
            [
                *exe,
                "sweep",
                level,
                "--strategy",
                strategy,
                "--lr-min",
                "1e-5",
                "--lr-max",
                "1",
                "--points",
                "1000",
                "--json",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def simulate_process() -> None:
        subprocess.run(
            [*exe, "simulate", level, "--strategy", strategy, "--steps", "200", "--json"],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def bare_python() -> None:
        subprocess.run([sys.executable, "-c", "import numpy"], check=True)

    print(
        f"whole process: lrgame sweep, 1,000 x 500:       {timed(sweep_process, 5) * 1e3:8.1f} ms"
    )
    print(
        f"whole process: lrgame simulate, 200 steps:      {timed(simulate_process, 5) * 1e3:8.1f} ms"
    )
    print(f"floor: python -c 'import numpy':                {timed(bare_python, 5) * 1e3:8.1f} ms")


if __name__ == "__main__":
    main()
