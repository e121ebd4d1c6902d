"""Descent-screen frame rate: the chart widgets against textual-plotext redrawing everything.

A frame is one screen update that moves the walker one step with every chart
current. Each frame here sets the step on the landscape, moves the cursors of
the loss and learning-rate charts, updates a stats panel, and then waits until
Textual has actually composed and "written" the update. Headless Textual skips
the terminal output, so the benchmark hooks ``App._display`` to count a frame
only when the compositor hands over an update, and to turn that update into
the escape sequences a real terminal would be sent (the cost a real run pays).

The naive baseline is the same layout with textual-plotext's ``PlotextPlot``
widgets, each re-plotting its whole chart every frame (a ``matrix_plot`` map
for the 2-D level).

Prints figures measured in this one run. Not a test: nothing here asserts a time.

    python benchmarks/bench_frames.py [--steps 300] [--repeat 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from textual.app import App, ComposeResult  # noqa: E402
from textual.containers import Horizontal, Vertical  # noqa: E402
from textual.widget import Widget  # noqa: E402
from textual.widgets import Static  # noqa: E402
from textual_plotext import PlotextPlot  # noqa: E402

from lrgame.engine.simulate import Run, simulate  # noqa: E402
from lrgame.levels.loader import check_text  # noqa: E402
from lrgame.levels.model import Level  # noqa: E402
from lrgame.ui.widgets.charts import LossChart, LrChart  # noqa: E402
from lrgame.ui.widgets.landscape import LandscapeView  # noqa: E402
from lrgame.ui.widgets.map_scene import MAP_COLORS  # noqa: E402

SIZE = (120, 40)

LEVEL_1D = {
    "id": "bench-wells",
    "title": "Two wells",
    "lesson": "local_minimum",
    "loss": "x**4 - 3*x**2 + x",
    "domain": {"x": [-2.2, 2.2]},
    "start": [2.0],
    "steps": 300,
}
LEVEL_2D = {
    "id": "bench-banana",
    "title": "Banana valley",
    "lesson": "adaptive",
    "loss": "(1 - x)**2 + 100*(y - x**2)**2",
    "domain": {"x": [-2, 2], "y": [-1, 3]},
    "start": [-1.5, 2.0],
    "steps": 300,
}
STRATEGY_1D = {"optimizer": {"name": "sgd", "lr": 0.01}}
STRATEGY_2D = {"optimizer": {"name": "adam", "lr": 0.05}}

CSS = """
Horizontal { height: 1fr; }
#land { width: 3fr; height: 1fr; }
#side { width: 2fr; }
#loss { height: 2fr; }
#lr { height: 1fr; }
#stats { height: 6; }
"""


def load(data: dict[str, Any]) -> Level:
    checked = check_text(json.dumps(data))
    if checked.level is None:
        raise SystemExit("\n".join(checked.lines))
    return checked.level


class FrameCounter:
    """Counts real renders: compositor updates handed to the app for display.

    Headless Textual drops the update before encoding it; the hook encodes it
    exactly as the terminal path does (``render_segments``), so a counted frame
    has paid for composing, rendering every dirty line and producing the bytes.
    """

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.frames = 0
        self.bytes = 0
        self.event = asyncio.Event()
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            render = getattr(renderable, "render_segments", None)
            if render is not None:
                self.bytes += len(render(app.console))
            self.frames += 1
            self.event.set()

        app._display = display  # type: ignore[method-assign]

    async def next_frame(self, timeout: float = 5.0) -> None:
        await asyncio.wait_for(self.event.wait(), timeout)
        self.event.clear()


def time_first_render(widget: Widget, record: dict[str, float], name: str) -> None:
    """Record how long the widget's first full render (all its lines) took."""
    original = widget.render_lines

    def render_lines(crop: Any) -> Any:
        started = time.perf_counter()
        strips = original(crop)
        if name not in record:
            record[name] = time.perf_counter() - started
        return strips

    widget.render_lines = render_lines  # type: ignore[method-assign]


class Descent(App[None]):
    """The descent layout; subclasses draw the charts."""

    CSS = CSS

    def __init__(self, level: Level, run: Run) -> None:
        super().__init__()
        self.level = level
        self.run_ = run
        self.first: dict[str, float] = {}

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield self.landscape_widget()
            with Vertical(id="side"):
                yield self.loss_widget()
                yield self.lr_widget()
                yield Static("", id="stats")

    def landscape_widget(self) -> Widget:
        raise NotImplementedError

    def loss_widget(self) -> Widget:
        raise NotImplementedError

    def lr_widget(self) -> Widget:
        raise NotImplementedError

    def on_mount(self) -> None:
        for name in ("land", "loss", "lr"):
            time_first_render(self.query_one(f"#{name}"), self.first, name)
        self.prepare()

    def prepare(self) -> None:
        raise NotImplementedError

    def frame(self, t: int) -> None:
        raise NotImplementedError

    def stats(self, t: int) -> None:
        run = self.run_
        i = min(t, run.steps)
        lr = run.lr[min(i, run.steps - 1)]
        point = ", ".join(f"{v:+.4f}" for v in run.trajectory[i])
        # layout=False: the panel's size is fixed, so the text change needs no relayout.
        self.query_one("#stats", Static).update(
            f"step {i}/{run.steps}\nloss {run.loss[i]:.6g}\nlr {lr:.4g}\nat ({point})",
            layout=False,
        )


class FastDescent(Descent):
    """lrgame's widgets: drawn once, then masked and overlaid per frame."""

    def landscape_widget(self) -> Widget:
        return LandscapeView(id="land")

    def loss_widget(self) -> Widget:
        return LossChart(id="loss")

    def lr_widget(self) -> Widget:
        return LrChart(id="lr")

    def prepare(self) -> None:
        land = self.query_one(LandscapeView)
        land.set_level(self.level)
        land.set_runs([self.run_])
        self.query_one(LossChart).set_runs([self.run_], self.level.goal.loss)
        self.query_one(LrChart).set_rates([self.run_.lr])
        self.frame(0)

    def frame(self, t: int) -> None:
        self.query_one(LandscapeView).set_step(t)
        self.query_one(LossChart).set_cursor(t)
        self.query_one(LrChart).set_cursor(t)
        self.stats(t)


class NaiveDescent(Descent):
    """textual-plotext: every chart re-plotted from scratch each frame."""

    def landscape_widget(self) -> Widget:
        return PlotextPlot(id="land")

    def loss_widget(self) -> Widget:
        return PlotextPlot(id="loss")

    def lr_widget(self) -> Widget:
        return PlotextPlot(id="lr")

    def prepare(self) -> None:
        level, run = self.level, self.run_
        domain = level.domain
        self.gap = np.maximum(run.loss - level.goal.loss, 1e-30)
        if level.dim == 1:
            self.xs = np.linspace(domain[0, 0], domain[0, 1], 400)
            with np.errstate(all="ignore"):
                self.ys = level.landscape.loss(self.xs[:, None])
        else:
            # The map at about the widget's canvas size, coloured as LandscapeView colours it.
            cols, rows = 66, 34
            xs = np.linspace(domain[0, 0], domain[0, 1], cols)
            ys = np.linspace(domain[1, 1], domain[1, 0], rows)
            mesh = np.stack(np.meshgrid(xs, ys, indexing="xy"), axis=-1)
            with np.errstate(all="ignore"):
                values = level.landscape.loss(mesh)
                gap = values - np.nanmin(values)
                top = np.percentile(gap, 99)
                t = np.log1p(gap / (top * 10**-3.5)) / np.log1p(10**3.5)
            bands = np.minimum(
                (np.clip(t, 0, 1) * len(MAP_COLORS)).astype(int), len(MAP_COLORS) - 1
            )
            rgb = [tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in MAP_COLORS]
            self.map = [[rgb[b] for b in row] for row in bands]
            self.map_axes = (xs, ys)
        self.frame(0)

    def frame(self, t: int) -> None:
        level, run = self.level, self.run_
        i = min(t, run.steps)
        land = self.query_one("#land", PlotextPlot)
        plt = land.plt
        plt.clear_data()
        if level.dim == 1:
            plt.plot(self.xs.tolist(), self.ys.tolist(), marker="braille")
            trail = run.trajectory[max(0, i - 8) : i + 1, 0]
            plt.scatter(trail.tolist(), run.loss[max(0, i - 8) : i + 1].tolist(), marker="dot")
            plt.scatter([float(run.trajectory[i, 0])], [float(run.loss[i])], marker="●")
        else:
            matrix = [row[:] for row in self.map]
            xs, ys = self.map_axes
            for p in run.trajectory[: i + 1]:
                c = int(np.clip(np.searchsorted(xs, p[0]), 0, len(xs) - 1))
                r = int(np.clip(np.searchsorted(-ys, -p[1]), 0, len(ys) - 1))
                matrix[r][c] = (255, 255, 255)
            plt.matrix_plot(matrix)
        land.refresh()
        loss = self.query_one("#loss", PlotextPlot)
        loss.plt.clear_data()
        loss.plt.yscale("log")
        loss.plt.plot(list(range(i + 1)), self.gap[: i + 1].tolist(), marker="braille")
        loss.plt.xlim(0, run.steps)
        loss.plt.title("Loss above the minimum (log)")
        loss.refresh()
        lr = self.query_one("#lr", PlotextPlot)
        lr.plt.clear_data()
        j = max(1, min(i, run.steps))
        lr.plt.plot(list(range(j)), run.lr[:j].tolist(), marker="braille")
        lr.plt.xlim(0, run.steps)
        lr.plt.title("Learning rate")
        lr.refresh()
        self.stats(t)


async def measure(
    make: Callable[[], Descent], steps: int
) -> tuple[float, float, dict[str, float], float]:
    """Frames per second and CPU ms per frame over ``steps`` frames, first-render times, start-up.

    Textual composes at most ``TEXTUAL_FPS`` (60) times a second, so a fast
    widget set reads about 60 frames/s however little work a frame takes; the
    CPU time per frame shows the headroom under that cap.
    """
    started = time.perf_counter()
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        counter = FrameCounter(app)
        await pilot.pause()
        startup = time.perf_counter() - started
        counter.event.clear()
        t0, cpu0 = time.perf_counter(), time.process_time()
        for t in range(1, steps + 1):
            app.frame(t)
            await counter.next_frame()
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        first = dict(app.first)
        if isinstance(app, FastDescent):
            # The plotext draw (or map build) inside that first render, for the record.
            for name, widget in (
                ("land", app.query_one(LandscapeView)),
                ("loss", app.query_one(LossChart)),
                ("lr", app.query_one(LrChart)),
            ):
                first[name + " build"] = widget.build_seconds
    return steps / elapsed, cpu / steps * 1000, first, startup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--steps", type=int, default=300, help="frames (one step each) per measurement"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="measurements per case (the median is shown)"
    )
    args = parser.parse_args()

    cases = []
    for label, data, strategy in (("1-D", LEVEL_1D, STRATEGY_1D), ("2-D", LEVEL_2D, STRATEGY_2D)):
        level = load(data)
        run = simulate(level.landscape, level.start, level.strategy(strategy))
        cases.append((label, level, run))

    print(
        f"Descent screen at {SIZE[0]}x{SIZE[1]}, headless, one step per frame, {args.steps} frames"
    )
    print("naive = textual-plotext PlotextPlot redrawing every chart each frame")
    print(
        f"{'level':6} {'widgets fps':>12} {'naive fps':>10} {'ratio':>6}"
        f" {'widgets cpu ms/frame':>21} {'naive cpu ms/frame':>19} {'ratio':>6}"
    )
    firsts: list[tuple[str, str, dict[str, float], float]] = []
    for label, level, run in cases:
        steps = min(args.steps, run.steps)
        rates: dict[str, list[float]] = {"fast": [], "naive": []}
        costs: dict[str, list[float]] = {"fast": [], "naive": []}
        for _ in range(args.repeat):
            for kind, cls in (("fast", FastDescent), ("naive", NaiveDescent)):
                fps, cpu_ms, first, startup = asyncio.run(measure(partial(cls, level, run), steps))
                rates[kind].append(fps)
                costs[kind].append(cpu_ms)
                firsts.append((label, kind, first, startup))
        fast, naive = statistics.median(rates["fast"]), statistics.median(rates["naive"])
        fast_ms, naive_ms = statistics.median(costs["fast"]), statistics.median(costs["naive"])
        print(
            f"{label:6} {fast:12.1f} {naive:10.1f} {fast / naive:5.1f}x"
            f" {fast_ms:21.1f} {naive_ms:19.1f} {naive_ms / fast_ms:5.1f}x"
        )

    print()
    print(
        "First render of each widget, ms (all its lines; 'build' = the plotext draw or map inside it)"
    )
    seen = set()
    for label, kind, first, startup in firsts:
        if (label, kind) in seen:
            continue
        seen.add((label, kind))
        parts = "  ".join(f"{name} {seconds * 1000:.1f}" for name, seconds in first.items())
        name = "widgets" if kind == "fast" else "naive"
        print(f"{label:6} {name:8} {parts}   (app start to first frame {startup * 1000:.0f})")


if __name__ == "__main__":
    main()
