"""Sweep and race screens: how long from opening the screen to its first frame with the chart.

For each level (a 1-D and a 2-D one from ``levels/``) this opens, headless at
120x40 under ``App.run_test``:

- the learning-rate sweep (200 rates x the level's steps, plus the player's own
  rate, in one engine batch), and
- a four-way ghost race (the first four racers the race setup offers).

"build" is the wall time from pushing the screen to the first frame the
compositor hands over after the results arrived (engine in the worker thread,
then the first render of every chart); "first" is the screen's first frame
(header, footer, "computing" text: what the player sees at once). "engine" is the worker's batch plus
verdicts; "draw" is the charts' own first render (plotext and overlays). The
sweep's y toggle (final loss <-> steps to goal) is timed the same way.
Textual headless skips the terminal output, so the benchmark hooks
``App._display`` to take the time when an update is handed over, and encodes
it as a terminal would be sent it.

Prints figures measured in this one run (median and worst of the repeats; the
first repeat includes warm-up). Not a test: nothing here asserts a time.

    python benchmarks/bench_screens.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from textual.app import App  # noqa: E402

from lrgame.levels.loader import load_level  # noqa: E402
from lrgame.levels.model import Level  # noqa: E402
from lrgame.ui.screens.race import RaceScreen, race_candidates  # noqa: E402
from lrgame.ui.screens.sweep import SweepScreen  # noqa: E402
from lrgame.ui.widgets.charts import LossChart  # noqa: E402
from lrgame.ui.widgets.landscape import LandscapeView  # noqa: E402
from lrgame.ui.widgets.sweep_chart import SweepChart  # noqa: E402

SIZE = (120, 40)
LEVELS = HERE.parent / "levels"
CASES = [
    ("1-D", "04-false-bottom.json", {"optimizer": {"name": "sgd", "lr": 0.1}}),
    ("2-D", "14-the-banana-valley.json", {"optimizer": {"name": "sgd", "lr": 0.001}}),
]


class Frames:
    """Times each compositor update handed to the app for display (encoded as for a terminal)."""

    def __init__(self, app: App[Any]) -> None:
        self.times: list[float] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            render = getattr(renderable, "render_segments", None)
            if render is not None:
                render(app.console)
            self.times.append(time.perf_counter())

        app._display = display  # type: ignore[method-assign]

    async def after(self, moment: float, timeout: float = 10.0) -> float:
        """The time of the first frame handed over after ``moment``."""
        await until(lambda: bool(self.times) and self.times[-1] > moment, timeout)
        return next(t for t in self.times if t > moment)


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen never finished")
        await asyncio.sleep(0.0005)


async def open_screen(app: App[Any], frames: Frames, screen: Any) -> tuple[float, float]:
    """Push the screen; seconds until its first frame, and until the first frame after its results."""
    arrived: list[float] = []
    original = screen._ready

    def ready(*args: Any) -> None:
        original(*args)
        arrived.append(time.perf_counter())

    screen._ready = ready  # the worker calls self._ready on the event loop
    started = time.perf_counter()
    app.push_screen(screen)
    await until(lambda: bool(arrived))
    shown = await frames.after(arrived[0])
    first = next(t for t in frames.times if t > started)
    return first - started, shown - started


async def measure(
    level: Level, strategy_json: dict[str, Any], repeat: int
) -> dict[str, list[float]]:
    strategy = level.strategy(strategy_json)
    racers = [
        (c.label, level.strategy(c.strategy_json)) for c in race_candidates(level, strategy)[:4]
    ]
    out: dict[str, list[float]] = {}

    def add(name: str, value: float) -> None:
        out.setdefault(name, []).append(value)

    app: App[None] = App()
    async with app.run_test(size=SIZE) as pilot:
        frames = Frames(app)
        for _ in range(repeat):
            sweep = SweepScreen(level, strategy)
            first, seconds = await open_screen(app, frames, sweep)
            chart = sweep.query_one(SweepChart)
            assert sweep.result is not None and chart.render_count >= 1
            add("sweep first", first)
            add("sweep build", seconds)
            add("sweep engine", sweep.result.seconds)
            add("sweep draw", chart.build_seconds)
            started = time.perf_counter()
            await pilot.press("y")
            add("sweep toggle", await frames.after(started) - started)
            app.pop_screen()
            await pilot.pause()

            race = RaceScreen(level, racers)
            first, seconds = await open_screen(app, frames, race)
            race.action_pause()  # hold the clock: later frames are playback, not the build
            add("race first", first)
            add("race build", seconds)
            add("race engine", race.compute_seconds)
            add(
                "race draw",
                race.query_one(LossChart).build_seconds
                + race.query_one(LandscapeView).build_seconds,
            )
            app.pop_screen()
            await pilot.pause()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"Sweep and race screens at {SIZE[0]}x{SIZE[1]}, headless; milliseconds,")
    print(f"median (worst) of {args.repeat} openings, the first one included.")
    print()
    for kind, file, strategy_json in CASES:
        level = load_level(LEVELS / file)
        figures = asyncio.run(measure(level, strategy_json, args.repeat))
        racers = ", ".join(
            c.label for c in race_candidates(level, level.strategy(strategy_json))[:4]
        )
        print(f"{kind} {file}: {level.steps} steps; sweep 200 rates + yours; race: {racers}")
        for name, values in figures.items():
            ms = [v * 1000 for v in values]
            print(f"  {name:13} {statistics.median(ms):7.1f}  ({max(ms):.1f})")
        print()


if __name__ == "__main__":
    main()
