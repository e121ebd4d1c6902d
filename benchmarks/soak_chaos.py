"""A long chaos soak: the seeded monkey of ``lrgame.ui.chaos`` against the whole game.

Runs rounds of random keys (bursts, the palette included) and random terminal
sizes from 20x8 to 250x70, each round a fresh app on the shipped campaign with
every level unlocked and a throw-away ``LRGAME_HOME`` and working directory.
Prints per round the keys sent, the resizes, the screens visited and how long
it took; a crash prints its traceback and the seed that reproduces it, and the
script exits 1. Not run by CI (the suite's ``tests/ui/test_chaos.py`` is the
short version).

    python benchmarks/soak_chaos.py [--rounds 20] [--keys 3000] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from lrgame.storage import ProgressStore  # noqa: E402
from lrgame.ui.app import LrgameApp  # noqa: E402
from lrgame.ui.chaos import check_alive, unleash  # noqa: E402


async def one_round(seed: int, keys: int, work: Path) -> tuple[int, int, int, list[str], float]:
    """``keys`` keys over as many game sessions as it takes (the monkey may quit the
    game: Q on the title, the palette's Quit; a clean quit starts the next session)."""
    start = time.perf_counter()
    sent = resizes = sessions = 0
    screens: set[str] = set()
    while sent < keys:
        sessions += 1
        app = LrgameApp(unlock_all=True, store=ProgressStore(work / "home"))
        async with app.run_test(size=(120, 40)) as pilot:
            tally = await unleash(pilot, seed=seed * 1000 + sessions, keys=keys - sent)
            check_alive(app)
        if app._exception is not None:
            raise app._exception
        if app.return_code not in (None, 0):
            raise RuntimeError(f"the app stopped with return code {app.return_code}")
        sent, resizes = sent + tally.keys, resizes + tally.resizes
        screens |= tally.screens
    return sent, resizes, sessions, sorted(screens), time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--keys", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="lrgame-soak-") as folder:
        work = Path(folder)
        os.chdir(work)  # the export screen saves strategy files into the working folder
        os.environ["LRGAME_HOME"] = str(work / "home")
        for seed in range(args.seed, args.seed + args.rounds):
            try:
                sent, resizes, sessions, screens, took = asyncio.run(
                    one_round(seed, args.keys, work)
                )
            except Exception:  # noqa: BLE001 - a soak reports every crash and goes on
                failures += 1
                print(f"seed {seed}: CRASH")
                traceback.print_exc()
                continue
            print(
                f"seed {seed}: {sent} keys, {resizes} resizes, {sessions} sessions, "
                f"{took:.1f} s, "
                f"screens: {', '.join(screens)}",
                flush=True,
            )
    print(f"{args.rounds} rounds, {failures} crashed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
