"""Pilot-test fixtures: a temporary save directory and a small campaign."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lrgame.storage import ProgressStore

CAMPAIGN = Path(__file__).resolve().parents[1] / "fixtures" / "campaign"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("LRGAME_HOME", str(home))
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield home


@pytest.fixture
def store(home: Path) -> ProgressStore:
    return ProgressStore(home)
