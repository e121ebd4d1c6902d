"""The coach's cost: diagnosis time per shipped level, and the result screen's delay.

- Diagnosis: ``diagnose`` (the 200-rate sweep, its checked intervals, the tool
  probes) on lost runs at constant rates 0, 1e-3 … 10, per shipped level.
- Result delay: the real game, a lost run on each level, skipped to its end at
  once (the worst case: the coach starts when the walk does and has the least
  time); the wall time from the last step shown to the result screen.

Prints figures measured in this run; nothing here asserts a time.

    python benchmarks/bench_coach.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lrgame.coach import diagnose  # noqa: E402
from lrgame.engine.simulate import run_batch  # noqa: E402
from lrgame.levels.loader import campaign_files, load_level  # noqa: E402
from lrgame.levels.paths import shipped_levels_dir  # noqa: E402
from lrgame.storage import ProgressStore  # noqa: E402
from lrgame.ui.app import LrgameApp  # noqa: E402
from lrgame.ui.screens.descent import DescentScreen  # noqa: E402
from lrgame.ui.screens.result import ResultScreen  # noqa: E402

RATES = (0.0, 1e-3, 1e-2, 1e-1, 1.0, 10.0)


def diagnosis_times() -> None:
    print("diagnosis time per lost run (ms): median / max over rates 0, 1e-3 … 10")
    for path in campaign_files(shipped_levels_dir()):
        level = load_level(path)
        times = []
        for lr in RATES:
            strategy = level.strategy(
                {"optimizer": {"name": level.allowed.optimizers[0], "lr": lr}}
            )
            batch = run_batch(level.landscape, level.start, [strategy], level.noise)
            verdict = level.judge(batch)[0]
            if verdict.outcome == "reached_goal":
                continue
            started = time.perf_counter()
            diagnose(level, strategy, batch.row(0), verdict)
            times.append(1000 * (time.perf_counter() - started))
        if times:
            print(f"  {path.name:<28} {statistics.median(times):7.1f} {max(times):7.1f}")


async def result_delay(path: Path) -> float:
    level = load_level(path)
    strategy = {"optimizer": {"name": level.allowed.optimizers[0], "lr": 1e-3}}
    store = ProgressStore(Path(tempfile.mkdtemp()))
    app = LrgameApp(store=store, play_file=path, play_strategy=strategy)
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, DescentScreen) and app.screen.playback is not None):
            await pilot.pause(0.002)
        screen = app.screen
        await pilot.press("e")
        while not (screen.playback is not None and screen.playback.finished):
            await pilot.pause(0.002)
        last_step = time.perf_counter()
        while not isinstance(app.screen, ResultScreen):
            await pilot.pause(0.002)
        return time.perf_counter() - last_step


def main() -> None:
    diagnosis_times()
    print("\nresult screen after the last step, walk skipped at once (s)")
    delays = []
    for path in campaign_files(shipped_levels_dir()):
        delay = asyncio.run(result_delay(path))
        delays.append(delay)
        print(f"  {path.name:<28} {delay:6.3f}")
    print(f"  worst {max(delays):.3f} s, median {statistics.median(delays):.3f} s")


if __name__ == "__main__":
    main()
