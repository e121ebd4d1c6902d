"""``lrgame serve``: the game in the browser for a class, through textual-serve.

Each browser tab gets its own game process (``python -m lrgame`` in serve mode),
started without a shell from a fixed argument list: nothing a student types
reaches a command line. What textual-serve 1.1 does not do, and a classroom
needs, is added here by subclassing its ``Server`` and ``AppService``:

- a limit on live games (``--max-players``): the page, or the terminal of a
  late tab, says the class is full instead of starting one more process;
- a game that exits or crashes closes its tab's connection (the page offers a
  restart) and never the server;
- on Ctrl+C or SIGTERM every game is asked to quit, then terminated, then
  killed (each in its own process group), all within ``STOP_SECONDS``;
- page and websocket URLs follow the address the browser used, so a server
  bound to every interface works from the students' machines without
  ``--public-url``.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import ipaddress
import logging
import os
import signal
import socket
import sys
from asyncio.subprocess import Process
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import WSMsgType, web
from aiohttp.web_runner import GracefulExit
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from .classroom import SERVE_ENV

log = logging.getLogger("lrgame.serve")

STOP_SECONDS = 5.0
"""Ctrl+C to the last game process gone, at most."""
QUIT_GRACE = 1.5
"""Seconds a game has to quit by itself before it is terminated, then as long again to die."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def lan_address() -> str | None:
    """This machine's address on the local network, to print for students (no packet is sent)."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.255.255.255", 1))
        address: str = probe.getsockname()[0]
        if not ipaddress.ip_address(address).is_loopback:
            return address
    return None


class GameService(AppService):
    """One tab's game: started from an argument list, in its own process group,
    and stopped for sure (quit, then SIGTERM, then SIGKILL)."""

    def __init__(
        self, argv: list[str], env: dict[str, str], on_exit: Callable[[], None], **kwargs: Any
    ) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = argv
        self.extra_env = env
        self.on_exit = on_exit

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        environment = self._build_environment(width=width, height=height)
        environment.update(self.extra_env)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            # Its own group: a signal for the server is not one for the games, and
            # stopping a game reaches anything it started.
            start_new_session=True,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    async def run(self) -> None:
        try:
            await super().run()
        finally:
            code = None if self._process is None else self._process.returncode
            if code not in (None, 0):
                log.warning("a game process ended with status %s", code)
            self.on_exit()
            # The game is over (quit, crashed or killed): the page then offers a restart.
            with contextlib.suppress(Exception):
                await self.remote_close()

    async def stop(self) -> None:
        """Ask the game to quit; terminate it if it has not after QUIT_GRACE, then kill it."""
        if self._task is None:
            await self._reap()
            return
        with contextlib.suppress(Exception):
            await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        task = self._task
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.send_meta({"type": "quit"}), QUIT_GRACE)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(task), QUIT_GRACE)
        await self._reap()
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(task, QUIT_GRACE)
        self._task = None

    async def _reap(self) -> None:
        process = self._process
        if process is None or process.returncode is not None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, sig)
            try:
                await asyncio.wait_for(process.wait(), QUIT_GRACE / 2)
                return
            except TimeoutError:
                continue


FULL_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>lrgame: the class is full</title>
<style>body{{background:#0c181f;color:#eee;font-family:sans-serif;display:flex;
align-items:center;justify-content:center;height:90vh}}div{{max-width:36em;line-height:1.5}}</style>
</head><body><div><h1>The class is full</h1>
<p>{players} games are open on this server, its limit. When someone closes a tab,
a place frees up: <a href="">reload this page</a> to try again.</p></div></body></html>
"""

FULL_TERMINAL = (
    "\r\n  The class is full: {players} games are open on this server, its limit.\r\n"
    "  Close this tab and open the page again in a minute.\r\n"
)


class ClassroomServer(Server):
    """textual-serve's server with a player limit, sure stops and per-request URLs."""

    def __init__(
        self,
        game_argv: list[str],
        game_env: dict[str, str],
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        max_players: int = 40,
        public_url: str | None = None,
        out: Callable[[str], None] = print,
    ) -> None:
        super().__init__(
            " ".join(game_argv), host=host, port=port, title="lrgame", public_url=public_url
        )
        self.game_argv = game_argv
        self.game_env = game_env
        self.max_players = max_players
        self.fixed_public_url = public_url.rstrip("/") if public_url else None
        self.out = out
        self.services: set[GameService] = set()
        self.sockets: set[web.WebSocketResponse] = set()
        self.started = 0
        """Game processes started since the server started (for the log and the tests)."""

    # -- pages ----------------------------------------------------------------

    def _base_url(self, request: web.Request) -> str:
        # The address the browser used: right on a LAN even when bound to 0.0.0.0.
        return self.fixed_public_url or f"{request.scheme}://{request.host}"

    async def handle_index(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        if len(self.services) >= self.max_players:
            return web.Response(
                status=503,
                text=FULL_PAGE.format(players=html.escape(str(self.max_players))),
                content_type="text/html",
                headers={"Retry-After": "60"},
            )
        base = self._base_url(request)
        router = request.app.router
        websocket = f"{base}{router['websocket'].url_for()}"
        websocket = ("wss:" if websocket.startswith("https:") else "ws:") + websocket.split(":", 1)[
            1
        ]
        static = f"{base}{router['static'].url_for(filename='/')}".rstrip("/") + "/"
        context = {
            "font_size": max(8, min(to_int(request.query.get("fontsize", "16"), 16), 48)),
            "app_websocket_url": websocket,
            "config": {"static": {"url": static}},
            "application": {"name": "lrgame"},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15)
        width = max(10, min(to_int(request.query.get("width", "80"), 80), 500))
        height = max(5, min(to_int(request.query.get("height", "24"), 24), 200))
        await websocket.prepare(request)
        self.sockets.add(websocket)
        try:
            if len(self.services) >= self.max_players:
                await websocket.send_bytes(
                    FULL_TERMINAL.format(players=self.max_players).encode("utf-8")
                )
                # Kept open (no process behind it) so the message stays readable.
                async for _message in websocket:
                    pass
                return websocket
            await self._play(websocket, width, height)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await websocket.close()
        except Exception as error:  # noqa: BLE001 - one tab's trouble must not stop the class
            log.exception(error)
        finally:
            self.sockets.discard(websocket)
        return websocket

    async def _play(self, websocket: web.WebSocketResponse, width: int, height: int) -> None:
        service: GameService | None = None

        def ended() -> None:
            if service is not None:
                self.services.discard(service)

        service = GameService(
            self.game_argv,
            self.game_env,
            ended,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        self.services.add(service)
        try:
            await service.start(width, height)
            self.started += 1
            await self._process_messages(websocket, service)
        finally:
            # A closed tab ends its game.
            await service.stop()
            self.services.discard(service)

    async def _process_messages(
        self, websocket: web.WebSocketResponse, app_service: AppService
    ) -> None:
        """textual-serve's loop, tolerating malformed messages from the browser."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = message.json()
                kind, data = envelope[0], envelope[1]
                if kind == "stdin" and isinstance(data, str):
                    await app_service.send_bytes(data.encode("utf-8"))
                elif kind == "resize" and isinstance(data, dict):
                    width = max(10, min(to_int(str(data.get("width")), 80), 500))
                    height = max(5, min(to_int(str(data.get("height")), 24), 200))
                    await app_service.set_terminal_size(width, height)
                elif kind == "ping":
                    await websocket.send_json(["pong", data])
                elif kind == "blur":
                    await app_service.blur()
                elif kind == "focus":
                    await app_service.focus()
            except (ValueError, TypeError, IndexError, KeyError):
                continue

    # -- start and stop -----------------------------------------------------

    async def on_startup(self, app: web.Application) -> None:
        self.out(self.banner())

    def banner(self) -> str:
        port = f":{self.port}"
        lines = []
        if self.fixed_public_url:
            lines.append(f"lrgame serve: open {self.fixed_public_url}")
        elif is_loopback(self.host):
            host = f"[{self.host}]" if ":" in self.host else self.host
            lines.append(f"lrgame serve: open http://{host}{port}")
            lines.append("  (this machine only; use --host 0.0.0.0 to let the room's computers in)")
        else:
            shown = (
                self.host
                if self.host not in ("0.0.0.0", "::")
                else (lan_address() or "THIS-COMPUTER")
            )
            shown = f"[{shown}]" if ":" in shown else shown
            lines.append(f"lrgame serve: open http://{shown}{port}")
        lines.append(f"  at most {self.max_players} players at once; Ctrl+C stops the server")
        return "\n".join(lines)

    async def on_shutdown(self, app: web.Application) -> None:
        """Stop every game (in parallel) and close every tab, within STOP_SECONDS."""
        services = list(self.services)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*(s.stop() for s in services), return_exceptions=True),
                STOP_SECONDS - 1.0,
            )
        for service in services:  # whatever is left after the wait
            process = service._process
            if process is not None and process.returncode is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
        for websocket in list(self.sockets):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(websocket.close(), 0.5)

    def serve(self, debug: bool = False) -> None:
        self.debug = debug
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, self.request_exit)
        try:
            web.run_app(
                self._make_app(),
                host=self.host,
                port=self.port,
                handle_signals=False,
                loop=loop,
                print=lambda *args: None,
                shutdown_timeout=1.0,
                access_log=None,
            )
        except GracefulExit:
            pass


def game_command(levels_dir: Path | None) -> list[str]:
    """The argument list of one tab's game: this Python, this lrgame, no shell."""
    argv = [sys.executable, "-m", "lrgame"]
    if levels_dir is not None:
        argv += ["--levels", str(levels_dir)]
    return argv


def game_environment(home: Path) -> dict[str, str]:
    return {SERVE_ENV: "1", "LRGAME_HOME": str(home)}


def check_port(host: str, port: int) -> str | None:
    """Why the server could not listen there (in use, not an address here), or None."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        return error.strerror or str(error)
    return None
