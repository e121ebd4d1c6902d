"""The engine and level code import no UI, and the headless commands start without Textual."""

from __future__ import annotations

import subprocess
import sys


def modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_engine_and_levels_import_no_ui() -> None:
    loaded = modules_after(
        "import lrgame.engine.simulate, lrgame.engine.finder, lrgame.levels.loader, lrgame.commands"
    )
    for ui in ("textual", "plotext", "rich", "textual_plotext"):
        assert ui not in loaded, f"{ui} was imported by headless code"
