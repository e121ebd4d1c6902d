"""The real game: start-up time to the first screen, and the descent screen's frame rate.

- Start-up: the wall time of a whole process that starts the app (headless) and
  exits once the title screen is up, against the floor of starting Python with
  NumPy imported (the title screen itself no longer imports NumPy). The package is
  byte-compiled first, as pip does on install: with PYTHONDONTWRITEBYTECODE set
  every run would otherwise pay ~0.1 s compiling lrgame's sources.
- Headless: the wall time of ``lrgame simulate`` as a whole process, coach and its
  sweep included, on the first level (30 steps) and on a 200-step one.
- Descent: the real DescentScreen playing a campaign level with its own timer
  (60 ticks a second, the walker at top speed so every tick advances it), at
  120x40: frames actually rendered per second (counted where the compositor hands
  an update to the terminal) and the CPU time each frame cost, for a 1-D and a
  2-D level.

Prints figures measured in this one run (medians of --repeat processes); nothing
here asserts a time. ``--profile`` prints where a 2-D descent frame's CPU goes
(cProfile over the timer ticks, one step per tick) instead.

    python benchmarks/bench_game.py [--repeat 7] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import cProfile
import pstats
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


def wall(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def descent_fps(
    level_file: str, strategy: dict, seconds: float = 3.0, profile: cProfile.Profile | None = None
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
        if profile is not None:
            # The profiler slows every tick, which would then take several steps: one
            # step a tick keeps the profiled frames like the measured ones.
            def one_step(_seconds: float) -> int:
                if playback.paused or playback.finished:
                    return 0
                playback.step += 1
                return 1

            playback.tick = one_step  # type: ignore[method-assign,assignment]
        counter = FrameCounter(app)
        start_step = playback.step
        started, cpu = time.perf_counter(), time.process_time()
        if profile is not None:
            profile.enable()
        while time.perf_counter() - started < seconds and not playback.finished:
            await asyncio.sleep(0.01)
        if profile is not None:
            profile.disable()
        elapsed = time.perf_counter() - started
        cpu_used = time.process_time() - cpu
        return (
            counter.frames / elapsed,
            1000 * cpu_used / max(counter.frames, 1),
            playback.step - start_step,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="processes per whole-process figure")
    parser.add_argument("--profile", action="store_true", help="profile a 2-D descent frame")
    args = parser.parse_args()
    if args.profile:
        profile = cProfile.Profile()
        name = "2-D (14-the-banana-valley)"
        _fps, cpu_ms, steps = asyncio.run(descent_fps(*LEVELS[name], seconds=2.0, profile=profile))
        print(f"descent {name}: {cpu_ms:.1f} ms CPU per frame under the profiler ({steps} steps)")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        return
    compileall.compile_dir(ROOT / "lrgame", quiet=1)
    floor = wall([sys.executable, "-c", "import numpy"], args.repeat)
    startup = wall([sys.executable, "-c", STARTUP], args.repeat)
    print(f"start-up to the title screen (whole process):    {startup * 1e3:7.0f} ms")
    for level in ("01-first-steps", "08-loose-finish"):
        path = str(ROOT / "levels" / f"{level}.json")
        simulate = wall([sys.executable, "-m", "lrgame", "simulate", path], args.repeat)
        print(f"lrgame simulate {level + ' (whole process):':<33}{simulate * 1e3:7.0f} ms")
    print(f"floor: python -c 'import numpy':                 {floor * 1e3:7.0f} ms")
    for name, (file, strategy) in LEVELS.items():
        fps, cpu_ms, steps = asyncio.run(descent_fps(file, strategy))
        print(
            f"descent {name:<28} {fps:6.1f} frames/s, {cpu_ms:5.1f} ms CPU per frame ({steps} steps shown)"
        )


if __name__ == "__main__":
    main()
