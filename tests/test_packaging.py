"""The package list in pyproject.toml names every package, so an install ships them all."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "lrgame").rglob("__init__.py")
    }
    assert found <= listed, f"add to pyproject.toml: {sorted(found - listed)}"
    assert config["package-dir"]["lrgame.campaign"] == "levels"


def test_the_lab_chapter_ships_with_the_campaign() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "lab/*.json" in config["package-data"]["lrgame.campaign"]
    assert list((ROOT / "levels" / "lab").glob("*.json"))
