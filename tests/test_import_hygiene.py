"""The layers import downwards only (engine < levels < ui), and the headless commands start
without Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest


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
        "import lrgame.engine.simulate, lrgame.engine.finder, lrgame.levels.loader\n"
        "import lrgame.commands.runs, lrgame.commands.level_files, lrgame.commands.saves\n"
        "import lrgame.analysis.race, lrgame.analysis.sweep_view, lrgame.analysis.campaign"
    )
    for ui in ("textual", "plotext", "rich", "textual_plotext"):
        assert ui not in loaded, f"{ui} was imported by headless code"


PACKAGE = Path(__file__).resolve().parents[1] / "lrgame"
# Each layer and the packages it must never reach, even through a lazy import in a function.
FORBIDDEN = {
    "engine": ("lrgame.levels", "lrgame.storage", "lrgame.ui"),
    "levels": ("lrgame.ui",),
    "analysis": ("lrgame.ui",),
}


def imported_names(file: Path) -> list[tuple[int, str]]:
    """Every module a file imports, anywhere in it, as absolute names, with its line."""
    package = ".".join(file.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def layer_violations(layer: str) -> list[str]:
    out = []
    for file in sorted((PACKAGE / layer).rglob("*.py")):
        for line, name in imported_names(file):
            for banned in FORBIDDEN[layer]:
                if name == banned or name.startswith(banned + "."):
                    out.append(f"{file.relative_to(PACKAGE.parent)}:{line}: imports {name}")
    return out


def test_imported_names_resolve_relative_imports() -> None:
    # The guard below is only as good as this: a relative import must count as the real name.
    file = PACKAGE / "engine" / "strategy.py"
    names = {name for _line, name in imported_names(file)}
    assert "lrgame.engine.errors" in names and "lrgame.engine.errors.SpecError" in names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layers_import_only_downwards(layer: str) -> None:
    assert layer_violations(layer) == []


def test_the_layer_guard_catches_a_lazy_import(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "lrgame"
    (fake / "engine").mkdir(parents=True)
    (fake / "engine" / "bad.py").write_text(
        "def f():\n    from ..ui import app\n    import lrgame.storage\n", encoding="utf-8"
    )
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    assert layer_violations("engine") == [
        "lrgame/engine/bad.py:2: imports lrgame.ui",
        "lrgame/engine/bad.py:2: imports lrgame.ui.app",
        "lrgame/engine/bad.py:3: imports lrgame.storage",
    ]


def test_importing_the_whole_engine_loads_no_level_storage_or_ui_module() -> None:
    engine = sorted(p.stem for p in (PACKAGE / "engine").glob("*.py") if p.stem != "__init__")
    loaded = modules_after("import " + ", ".join(f"lrgame.engine.{m}" for m in engine))
    assert sorted(m for m in loaded if m.startswith(FORBIDDEN["engine"])) == []


def test_no_module_names_anything_but_pathlib_path_path() -> None:
    # A field-path alias called Path once shadowed pathlib.Path in the level model.
    import importlib
    import pathlib

    shadows = []
    for file in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(file.relative_to(PACKAGE.parent).with_suffix("").parts)
        if name.endswith("__main__"):
            continue
        module = importlib.import_module(name.removesuffix(".__init__"))
        if getattr(module, "Path", pathlib.Path) is not pathlib.Path:
            shadows.append(name)
    assert shadows == []


# What the title screen does not need, and so must not load before it: the engine and
# NumPy come with the first level, charts and screens with the screens that draw them.
# Start-up is paid once per student in a served classroom (benchmarks/bench_game.py).
LAZY_FOR_THE_TITLE = (
    "numpy",
    "plotext",
    "textual_plotext",
    "textual_serve",
    "lrgame.coach",
    "lrgame.commands",
    "lrgame.engine.simulate",
    "lrgame.levels.loader",
    "lrgame.levels.model",
    "lrgame.ui.widgets",
    "lrgame.ui.screens.campaign",
    "lrgame.ui.screens.descent",
    "lrgame.ui.screens.setup",
    "lrgame.ui.screens.editor",
)

TO_THE_TITLE = """
import asyncio, sys, tempfile
from pathlib import Path
import lrgame.__main__, lrgame.game
from lrgame.storage import ProgressStore
from lrgame.ui.app import LrgameApp
from lrgame.ui.screens.title import TitleScreen

async def main():
    app = LrgameApp(store=ProgressStore(Path(tempfile.mkdtemp())))
    async with app.run_test(size=(100, 30)) as pilot:
        while not isinstance(app.screen, TitleScreen):
            await pilot.pause(0.01)
        await pilot.pause()
asyncio.run(main())
"""


def loaded_of(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_the_title_screen_loads_neither_the_engine_nor_the_other_screens() -> None:
    loaded = modules_after(TO_THE_TITLE)
    assert "lrgame.ui.screens.title" in loaded  # the script did reach the title
    assert loaded_of(loaded, LAZY_FOR_THE_TITLE) == []


def test_the_title_guard_sees_what_a_level_loads() -> None:
    # The guard can fail: reading a level brings in what the title screen does without.
    loaded = modules_after(
        "from lrgame.analysis.campaign import Campaign\n"
        "from lrgame.levels.paths import shipped_levels_dir\n"
        "Campaign.load(shipped_levels_dir(), 'default')"
    )
    assert {"numpy", "lrgame.levels.loader", "lrgame.engine.simulate"} <= set(
        loaded_of(loaded, LAZY_FOR_THE_TITLE)
    )


def test_headless_simulate_runs_without_textual() -> None:
    level = PACKAGE.parent / "levels" / "01-first-steps.json"
    loaded = modules_after(
        "import contextlib, io, lrgame.__main__ as m\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert m.main(['simulate', {str(level)!r}]) == 0"
    )
    assert "lrgame.coach" in loaded  # the command ran to its diagnosis
    assert loaded_of(loaded, ("textual", "rich", "plotext", "textual_plotext")) == []
