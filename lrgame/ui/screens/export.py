"""A strategy as PyTorch code, and saved as a strategy file, so the lesson carries over."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static, TextArea

from lrgame.atomic import write_atomically
from lrgame.classroom import serve_mode
from lrgame.engine.strategy import Strategy
from lrgame.export import torch_code
from lrgame.levels.model import Level

from ..i18n import N_, _
from .guarded import GuardedModalScreen


class ExportScreen(GuardedModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", N_("Close")),
        Binding("ctrl+s", "save", N_("Save strategy")),
    ]

    def __init__(
        self,
        level: Level,
        strategy: Strategy,
        strategy_json: dict[str, Any],
        *,
        serving: bool | None = None,
    ) -> None:
        """``serving``: served to a browser, so a saved file is a download (by default: the
        environment says so, as ``lrgame serve`` sets it; never a path on the server)."""
        super().__init__()
        self.serving = serve_mode() if serving is None else serving
        self.level = level
        self.strategy = strategy
        self.strategy_json = strategy_json

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box", classes="dialog"):
            yield Static(_("The same walk in PyTorch"), classes="heading")
            code = TextArea(torch_code(self.strategy, self.level), read_only=True, id="export-code")
            try:
                code.language = "python"
            except Exception:  # noqa: BLE001 - highlighting is a nicety; plain text still reads
                pass
            yield code
            yield Static(_("Save the strategy as a file (lrgame simulate --strategy reads it):"))
            with Horizontal(classes="buttons"):
                yield Input(value=f"{self.level.id}-strategy.json", id="export-path")
                yield Button(_("Save (ctrl+s)"), id="save", variant="primary")
                yield Button(_("Close"), id="close")
            yield Static("", id="export-status")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_close()

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        status = self.query_one("#export-status", Static)
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            status.update(_("✗ Give a file name."))
            return
        text = json.dumps(self.strategy_json, indent=2) + "\n"
        if self.serving:
            # In a browser the file goes to the player's own downloads: a path typed
            # here must never name a file on the server.
            name = safe_file_name(raw, f"{self.level.id}-strategy.json")
            self.app.deliver_text(
                io.StringIO(text), save_filename=name, mime_type="application/json"
            )
            status.update(_("✓ Sent {path} to your browser's downloads", path=name))
            return
        path = Path(raw).expanduser()
        try:
            write_atomically(path, text)
        except OSError as error:
            status.update(
                _(
                    "✗ Could not save {path}: {reason}",
                    path=str(path),
                    reason=error.strerror or str(error),
                )
            )
            return
        status.update(_("✓ Saved {path}", path=str(path)))

    def action_close(self) -> None:
        self.dismiss(None)


def safe_file_name(typed: str, default: str) -> str:
    """The last part of ``typed`` reduced to letters, digits, ``-``, ``_`` and ``.``
    (a download's suggested name, never a path); ``default`` if nothing is left."""
    name = re.sub(r"[^\w.-]+", "-", typed.replace("\\", "/").rsplit("/", 1)[-1]).strip(".-")
    return name[:80] or default
