"""A real ``lrgame serve`` on a free loopback port, and a way to find its games.

Every wait is bounded; the server is stopped with SIGTERM and must be gone,
with all its game processes, within the 5 s the README promises.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

STOP_SECONDS = 5.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def game_pids(home: Path) -> list[int]:
    """Processes started for this test's data folder (their LRGAME_HOME is unique)."""
    marker = f"LRGAME_HOME={home}".encode() + b"\0"
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            environ = Path(f"/proc/{entry}/environ").read_bytes()
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # A zombie has finished; it only waits for its parent to read its status.
        if marker in environ and b"LRGAME_SERVE=1" in environ and ") Z " not in stat:
            found.append(int(entry))
    return found


def wait_for(check: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    port: int
    home: Path
    env: dict[str, str]

    def stop(self, sig: int = signal.SIGTERM) -> float:
        """SIGTERM (or ``sig``); returns the seconds the server and its games took to be gone."""
        start = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=STOP_SECONDS + 5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        wait_for(lambda: not game_pids(self.home), STOP_SECONDS + 5, "the games to end")
        return time.monotonic() - start

    def leaderboard(self) -> dict[str, object]:
        import json

        out = subprocess.run(
            [sys.executable, "-m", "lrgame", "leaderboard", "--json"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        data: dict[str, object] = json.loads(out.stdout)
        return data


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status in (200, 503))
    except OSError:
        return False


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(*extra: str) -> Served:
        home = tmp_path / f"home{len(started)}"
        port = free_port()
        env = {**os.environ, "LRGAME_HOME": str(home)}
        env.pop("LRGAME_SERVE", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "lrgame", "serve", "--port", str(port), *extra],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        served = Served(process, f"http://127.0.0.1:{port}/", port, home, env)
        started.append(served)
        wait_for(lambda: _http_ok(served.url) or process.poll() is not None, 30, "the server")
        assert process.poll() is None, process.communicate()[0]
        return served

    yield start
    for served in started:
        served.stop()
