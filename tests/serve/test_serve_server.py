"""``lrgame serve`` without a browser: its pages, its websocket, its limits and its stop.

The websocket is spoken as textual-serve's page speaks it (``["stdin", text]``,
``["resize", {...}]``); game processes are found by their unique LRGAME_HOME.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest
from conftest import Served, free_port, game_pids, wait_for

from lrgame.serve import ClassroomServer, is_loopback


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


async def first_bytes(ws: aiohttp.ClientWebSocketResponse, timeout: float = 20.0) -> bytes:
    while True:
        message = await ws.receive(timeout=timeout)
        if message.type == aiohttp.WSMsgType.BINARY:
            return bytes(message.data)
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            raise AssertionError("the server closed the websocket")


def test_page_points_the_browser_back_at_the_address_it_used(serve: Callable[..., Served]) -> None:
    served = serve()
    status, page = get(served.url)
    assert status == 200
    assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in page
    status, page = get(f"http://localhost:{served.port}/")
    assert f'data-session-websocket-url="ws://localhost:{served.port}/ws"' in page


async def test_a_tab_gets_a_game_and_closing_it_ends_the_game(serve: Callable[..., Served]) -> None:
    served = serve()
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"ws://127.0.0.1:{served.port}/ws?width=90&height=30") as ws:
            assert await first_bytes(ws)
            pids = game_pids(served.home)
            assert len(pids) == 1
            await ws.send_str("not json")  # a malformed message is ignored, not fatal
            await ws.send_str(json.dumps(["resize", {"width": "x"}]))
            await ws.send_str(json.dumps(["ping", "1"]))
            reply = await ws.receive(timeout=10)
            while reply.type == aiohttp.WSMsgType.BINARY:
                reply = await ws.receive(timeout=10)
            assert json.loads(reply.data) == ["pong", "1"]
        wait_for(lambda: not game_pids(served.home), 10, "the game to end with its tab")


async def test_a_crashed_game_closes_its_tab_and_not_the_server(
    serve: Callable[..., Served],
) -> None:
    served = serve()
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"ws://127.0.0.1:{served.port}/ws") as ws:
            assert await first_bytes(ws)
            (pid,) = game_pids(served.home)
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while not ws.closed and time.monotonic() < deadline:
                await ws.receive(timeout=10)
            assert ws.closed
        assert served.process.poll() is None
        async with session.ws_connect(f"ws://127.0.0.1:{served.port}/ws") as ws:
            assert await first_bytes(ws)  # the next student still gets a game
            assert len(game_pids(served.home)) == 1


async def test_more_players_than_the_limit_are_told_the_class_is_full(
    serve: Callable[..., Served],
) -> None:
    served = serve("--max-players", "1")
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"ws://127.0.0.1:{served.port}/ws") as first:
            assert await first_bytes(first)
            status, page = get(served.url)
            assert status == 503 and "The class is full" in page
            async with session.ws_connect(f"ws://127.0.0.1:{served.port}/ws") as late:
                text = (await first_bytes(late)).decode("utf-8")
                assert "class is full" in text
            assert len(game_pids(served.home)) == 1
        wait_for(lambda: not game_pids(served.home), 10, "the game to end")
        status, _page = get(served.url)
        assert status == 200  # the place is free again


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])  # SIGINT: Ctrl+C
async def test_a_stop_signal_ends_the_server_and_every_game_within_five_seconds(
    serve: Callable[..., Served], sig: int
) -> None:
    served = serve()
    async with aiohttp.ClientSession() as session:
        sockets = [await session.ws_connect(f"ws://127.0.0.1:{served.port}/ws") for _ in range(3)]
        for ws in sockets:
            assert await first_bytes(ws)
        assert len(game_pids(served.home)) == 3
        took = served.stop(sig)
        assert served.process.returncode == 0
        assert took < 5.0
        assert game_pids(served.home) == []
        output = served.process.stdout.read() if served.process.stdout else ""
        assert f"open http://127.0.0.1:{served.port}" in output
        for ws in sockets:
            await ws.close()


def run_lrgame(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LRGAME_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "lrgame", *args], env=env, capture_output=True, text=True, timeout=30
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--port", "70000"], "--port must be from 1 to 65535"),
        (["--max-players", "0"], "--max-players must be at least 1"),
        (["--public-url", "javascript:alert(1)"], "--public-url must start with http"),
        (["--levels", "/no/such/folder"], "not a folder of level files"),
    ],
)
def test_bad_serve_arguments_get_one_line(args: list[str], says: str, tmp_path: Path) -> None:
    result = run_lrgame("serve", *args, home=tmp_path)
    assert result.returncode == 2
    assert says in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_a_port_in_use_gets_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_lrgame("serve", "--port", str(port), home=tmp_path)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1 port {port}" in result.stderr
    assert result.stderr.count("\n") == 1


def test_only_loopback_hosts_pass_without_a_warning() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20")
    banner = ClassroomServer(["x"], {}, host="0.0.0.0", port=free_port()).banner()
    assert "open http://" in banner and "0.0.0.0" not in banner
    fixed = ClassroomServer(["x"], {}, public_url="https://lab.example/lr/").banner()
    assert "open https://lab.example/lr" in fixed


def test_games_start_without_a_shell_and_in_serve_mode(tmp_path: Path) -> None:
    from lrgame.serve import game_command, game_environment

    odd = tmp_path / "levels; rm -rf ~ $(x)"
    argv = game_command(odd)
    assert argv[:3] == [sys.executable, "-m", "lrgame"] and argv[-1] == str(odd)
    assert game_environment(tmp_path) == {"LRGAME_SERVE": "1", "LRGAME_HOME": str(tmp_path)}


async def test_a_hung_game_is_killed_within_the_stop_time(serve: Callable[..., Served]) -> None:
    served = serve()
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(f"ws://127.0.0.1:{served.port}/ws")
        assert await first_bytes(ws)
        (pid,) = game_pids(served.home)
        os.kill(pid, signal.SIGSTOP)  # answers nothing, not even SIGTERM
        took = served.stop()
        assert took < 5.0
        assert game_pids(served.home) == []
        await ws.close()
