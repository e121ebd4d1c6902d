"""Lab (model level) speed, as issue 15 states it. Prints figures; asserts nothing.

1. A 200-rate sweep of 300 mini-batch steps of a [2, 16, 1] MLP on 200 samples
   (batches of 32), batched: the whole process (`lrgame sweep ... --json`), and
   the engine part alone.
2. A single run's playback start: what the game computes before the first frame
   (the run, its verdict and held-out loss) on that level and on the Lab's
   largest level (5,409 weights).
3. The Lab chapter's own sweeps (200 rates each) for scale.
4. ``lrgame sweep levels/lab/04-warmup.json`` (50 rates of the 5,409-weight
   network) as a whole process: wall time and CPU time (user + system). CPU time
   is the figure to compare on a shared machine, where the wall time mostly
   measures the wait for a core.

    python benchmarks/bench_lab.py [--repeat N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from lrgame.engine.simulate import run_batch, run_sweep  # noqa: E402
from lrgame.levels.loader import check_file, load_level  # noqa: E402

LEVEL = {
    "id": "bench-mlp",
    "title": "Bench MLP",
    "model": {"layers": [2, 16, 1], "activation": "tanh", "loss": "bce", "init_seed": 0},
    "data": {"generator": "moons", "n": 200, "noise": 0.1, "seed": 0},
    "batch_size": 32,
    "steps": 300,
    "goal": {"loss": 0.05},
}


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


async def first_frame(level_path: Path) -> float:
    """Seconds from the Lab screen's mount to its first playback frame, in a headless app."""
    from lrgame.storage import ProgressStore
    from lrgame.ui.app import LrgameApp
    from lrgame.ui.screens.lab import LabScreen

    with tempfile.TemporaryDirectory() as home:
        app = LrgameApp(
            levels_dir=level_path.parent,
            store=ProgressStore(Path(home)),
            play_file=level_path,
            play_strategy={"optimizer": {"name": "adam", "lr": 0.01}},
        )
        async with app.run_test(size=(120, 40)) as pilot:
            while not isinstance(app.screen, LabScreen):
                await pilot.pause(0.001)
            t0 = time.perf_counter()
            screen = app.screen
            while screen.playback is None:
                await pilot.pause(0.001)
            return time.perf_counter() - t0


WARMUP_BEFORE = "wall 12.5-15.3 s, CPU 5.3-5.5 s (user 2.9-3.0 + system 2.3-2.5)"
"""Measured on this machine (2 cores shared, load 6-7) before the MLP passes stopped
allocating per step and glibc kept freed blocks (see ``engine.lab._reuse_freed_memory``)."""


WARMUP_SWEEP_BEFORE = "15.4-15.9 s (user 9.7-9.8 + system 5.7-6.1), 1.69 million page faults"


def process_seconds(command: list[str]) -> tuple[float, float, float]:
    """Wall, user and system seconds of one run of a command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench-mlp.json"
        path.write_text(json.dumps(LEVEL), encoding="utf-8")
        command = [
            sys.executable, "-m", "lrgame", "sweep", str(path), "--optimizer", "sgd",
            "--lr-min", "1e-4", "--lr-max", "100", "--points", "200", "--json",
        ]  # fmt: skip
        whole = timed(lambda: subprocess.run(command, check=True, capture_output=True), args.repeat)
        level = load_level(path)
        strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 0.1}})
        lrs = np.geomspace(1e-4, 100, 200)
        engine = timed(
            lambda: level.judge(run_sweep(level.landscape, level.start, strategy, lrs)),
            args.repeat,
        )
        print("200-rate sweep, 300 mini-batch steps, [2, 16, 1] MLP, 200 samples, batches of 32")
        print(f"  whole process (lrgame sweep --json)  {whole:6.2f} s   (issue: under 3 s)")
        print(f"  engine: runs + verdicts              {engine:6.2f} s")

        def start_playback(level_path: Path) -> None:
            lvl = load_level(level_path)
            s = lvl.strategy({"optimizer": {"name": "adam", "lr": 0.01}})
            batch = run_batch(lvl.landscape, lvl.start, [s])
            lvl.judge(batch)
            lvl.landscape.holdout_loss(batch.row(0).trajectory)

        print("single run, from the level file to everything the first frame needs")
        print(
            f"  [2, 16, 1] bench level               {timed(lambda: start_playback(path), args.repeat):6.2f} s   (issue: within 0.5 s)"
        )
    print("  in the game (headless Textual): from the run's start to the first frame of playback")
    for name in ("03-adam-on-moons.json", "04-warmup.json"):
        seconds = asyncio.run(first_frame(ROOT / "levels" / "lab" / name))
        print(f"  {name:<28} {seconds:6.2f} s")
    warmup = [
        sys.executable,
        "-m",
        "lrgame",
        "sweep",
        str(ROOT / "levels" / "lab" / "04-warmup.json"),
    ]
    runs = [process_seconds(warmup) for _ in range(args.repeat)]
    wall, user, system = (statistics.median(r[i] for r in runs) for i in range(3))
    print("lrgame sweep levels/lab/04-warmup.json (50 rates, 5,409 weights, 300 steps)")
    print(
        f"  now      wall {wall:5.2f} s, CPU {user + system:5.2f} s (user {user:.2f} + system {system:.2f})"
    )
    print(f"  before   {WARMUP_BEFORE}")
    for lab in sorted((ROOT / "levels" / "lab").glob("*.json")):
        lvl = check_file(lab, run_demos=False).level
        assert lvl is not None
        t = timed(lambda lab=lab: start_playback(lab), args.repeat)  # type: ignore[misc]
        s = lvl.strategy({"optimizer": {"name": "adam", "lr": 0.01}})
        cpu0 = time.process_time()
        sweep_t = timed(
            lambda lvl=lvl, s=s: lvl.judge(  # type: ignore[misc]
                run_sweep(lvl.landscape, lvl.start, s, np.geomspace(1e-4, 1, 200))
            ),
            1,
        )
        cpu = time.process_time() - cpu0
        print(
            f"  {lab.name:<28} {lvl.dim:>5} weights: single run {t:5.2f} s, "
            f"200-rate sweep {sweep_t:6.2f} s (CPU {cpu:6.2f} s)"
        )
    print(f"  before: 04-warmup's 200-rate sweep took CPU {WARMUP_SWEEP_BEFORE}")


if __name__ == "__main__":
    main()
