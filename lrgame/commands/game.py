"""``lrgame serve``: the game for a class (``play`` starts from :mod:`lrgame.game`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..engine.errors import LrgameError
from ..storage import ProgressStore


def serve(args: argparse.Namespace) -> int:
    """``lrgame serve``: the game for a class, one game process per browser tab."""
    from .. import serve as serving

    if not 1 <= args.port <= 65535:
        raise LrgameError(f"serve: --port must be from 1 to 65535, not {args.port}")
    if args.max_players < 1:
        raise LrgameError(f"serve: --max-players must be at least 1, not {args.max_players}")
    public_url = args.public_url
    if public_url is not None and not public_url.startswith(("http://", "https://")):
        raise LrgameError(f"serve: --public-url must start with http:// or https://: {public_url}")
    levels_dir = getattr(args, "levels", None)
    directory = Path(levels_dir).expanduser().resolve() if levels_dir else None
    if directory is not None and not directory.is_dir():
        raise LrgameError(f"{levels_dir}: not a folder of level files")
    store = ProgressStore()
    problem = store.home_problem()
    if problem is not None:
        raise LrgameError(f"serve: the data folder {store.home} {problem}")
    busy = serving.check_port(args.host, args.port)
    if busy is not None:
        raise LrgameError(f"serve: cannot listen on {args.host} port {args.port}: {busy}")
    if not serving.is_loopback(args.host):
        print(
            f"lrgame serve: warning: listening on {args.host}: anyone who can reach port "
            f"{args.port} can play (and their names and scores are kept in {store.home})",
            file=sys.stderr,
        )
    server = serving.ClassroomServer(
        serving.game_command(directory),
        serving.game_environment(store.home.resolve()),
        host=args.host,
        port=args.port,
        max_players=args.max_players,
        public_url=public_url,
        out=lambda text: print(text, flush=True),
    )
    server.serve()
    print("lrgame serve: stopped", flush=True)
    return 0
