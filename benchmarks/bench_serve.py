"""What one student costs a ``lrgame serve`` machine: time to the first screen and the
memory of a game process (at the title, and after a level's walk), over a few tabs.

    python benchmarks/bench_serve.py [TABS]

Loopback only; the server and its games are stopped at the end.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

OPEN: list[aiohttp.ClientWebSocketResponse] = []


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return float("nan")


def games(home: str) -> list[int]:
    marker = f"LRGAME_HOME={home}".encode() + b"\0"
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if marker in Path(f"/proc/{entry}/environ").read_bytes():
                    out.append(int(entry))
            except OSError:
                pass
    return out


async def tab(session: aiohttp.ClientSession, port: int, name: str) -> float:
    start = time.monotonic()
    ws = await session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=100&height=32")
    while (await ws.receive(timeout=60)).type != aiohttp.WSMsgType.BINARY:
        pass
    first = time.monotonic() - start
    await asyncio.sleep(1.0)
    # Name, map -> briefing -> setup -> run (Ctrl+R) -> skip to the end.
    for keys, pause in ((name + "\r", 2), ("\r", 2), ("\r", 3), ("\x12", 4), ("e", 1)):
        await ws.send_str(json.dumps(["stdin", keys]))
        await asyncio.sleep(pause)
    OPEN.append(ws)  # kept open: a closed tab would end its game before it is measured
    return first


async def main(tabs: int) -> None:
    with tempfile.TemporaryDirectory() as home, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        env = {**os.environ, "LRGAME_HOME": home}
        server = subprocess.Popen(
            [sys.executable, "-m", "lrgame", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        await asyncio.sleep(2.0)
        try:
            async with aiohttp.ClientSession() as session:
                firsts = await asyncio.gather(
                    *(tab(session, port, f"student {i}") for i in range(tabs))
                )
                waited = time.monotonic()
                rows: list[object] = []
                while len(rows) < tabs and time.monotonic() - waited < 60:
                    out = subprocess.run(
                        [sys.executable, "-m", "lrgame", "leaderboard", "--json"],
                        env=env,
                        capture_output=True,
                        text=True,
                    )
                    rows = json.loads(out.stdout)["rows"]
                sizes = [rss_mib(pid) for pid in games(home)]
                print(f"tabs: {tabs}")
                print(f"first screen: {min(firsts):.2f}-{max(firsts):.2f} s")
                print(
                    f"game process after a walk: {min(sizes):.0f}-{max(sizes):.0f} MiB RSS "
                    f"(server {rss_mib(server.pid):.0f} MiB)"
                )
                print(
                    f"attempts recorded: {len(rows)} of {tabs}, "
                    f"{time.monotonic() - waited:.1f} s after the last key"
                )
                started = time.monotonic()
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=10)
                while games(home) and time.monotonic() - started < 10:
                    time.sleep(0.05)
                print(f"SIGTERM to all games gone: {time.monotonic() - started:.2f} s")
        finally:
            if server.poll() is None:
                server.kill()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 4))
