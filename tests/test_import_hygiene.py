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
        "import lrgame.engine.simulate, lrgame.engine.finder, lrgame.levels.loader, lrgame.commands,"
        " lrgame.analysis.race, lrgame.analysis.sweep_view, lrgame.analysis.campaign"
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
