"""Type hints throughout: the package passes mypy (settings in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_package_type_checks() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "lrgame", "--no-error-summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_lint_is_clean() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "lrgame", "tests", "tools", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_format_is_clean() -> None:
    # The whole repository, as the config says ruff formats the code: a diff here is a
    # merge or an editor that skipped `ruff format`.
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--output-format", "concise", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
