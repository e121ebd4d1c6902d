"""The real game: start-up time to the first screen, and the descent screen's frame rate.

- Start-up: the wall time of a whole process that starts the app (headless) and
  exits once the title screen is up, against the floor of starting Python with
  NumPy imported.
- Descent: the real DescentScreen playing a campaign level with its own timer
  (60 ticks a second, the walker at top speed so every tick advances it), at
  120x40: frames actually rendered per second (counted where the compositor hands
  an update to the terminal) and the CPU time each frame cost, for a 1-D and a
  2-D level.

Prints figures measured in this one run; nothing here asserts a time.

    python benchmarks/bench_game.py
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from bench_frames import FrameCounter  # noqa: E402

from lrgame.playback import SPEEDS  # noqa: E402
from lrgame.storage import ProgressStore  # noqa: E402
from lrgame.ui.app import LrgameApp  # noqa: E402
from lrgame.ui.screens.descent import DescentScreen  # noqa: E402

STARTUP = """
import asyncio, sys, tempfile
from pathlib import Path
from lrgame.storage import ProgressStore
from lrgame.ui.app import LrgameApp
from lrgame.ui.screens.title import TitleScreen

async def main():
    app = LrgameApp(store=ProgressStore(Path(tempfile.mkdtemp())))
    async with app.run_test(size=(120, 40)) as pilot:
        while not isinstance(app.screen, TitleScreen):
            await pilot.pause(0.005)
asyncio.run(main())
"""

LEVELS = {
    "1-D (04-false-bottom)": ("04-false-bottom.json", {"optimizer": {"name": "sgd", "lr": 0.3}}),
    "2-D (14-the-banana-valley)": (
        "14-the-banana-valley.json",
        {"optimizer": {"name": "sgd", "lr": 0.003, "momentum": 0.9}},
    ),
}


def wall(command: list[str], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def descent_fps(
    level_file: str, strategy: dict, seconds: float = 3.0
) -> tuple[float, float, int]:
    app = LrgameApp(
        store=ProgressStore(Path(tempfile.mkdtemp())),
        play_file=ROOT / "levels" / level_file,
        play_strategy=strategy,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, DescentScreen) and app.screen.playback is not None):
            await pilot.pause(0.01)
        screen = app.screen
        assert isinstance(screen, DescentScreen) and screen.playback is not None
        playback = screen.playback
        # At least one step every tick, so every frame moves the walker.
        playback.speed_index = len(SPEEDS) - 1
        playback.base_rate = max(playback.base_rate, 60.0 / SPEEDS[-1])
        counter = FrameCounter(app)
        start_step = playback.step
        started, cpu = time.perf_counter(), time.process_time()
        while time.perf_counter() - started < seconds and not playback.finished:
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
        cpu_used = time.process_time() - cpu
        return (
            counter.frames / elapsed,
            1000 * cpu_used / max(counter.frames, 1),
            playback.step - start_step,
        )


def main() -> None:
    python = [sys.executable, "-c", "import numpy"]
    floor = wall(python)
    startup = wall([sys.executable, "-c", STARTUP])
    print(f"start-up to the title screen (whole process):    {startup * 1e3:7.0f} ms")
    print(f"floor: python -c 'import numpy':                 {floor * 1e3:7.0f} ms")
    for name, (file, strategy) in LEVELS.items():
        fps, cpu_ms, steps = asyncio.run(descent_fps(file, strategy))
        print(
            f"descent {name:<28} {fps:6.1f} frames/s, {cpu_ms:5.1f} ms CPU per frame ({steps} steps shown)"
        )


if __name__ == "__main__":
    main()
