"""Fixtures for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lrgame import i18n


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    """The language is process-wide: a test that plays in Japanese must not leak it."""
    yield
    i18n.set_language("en")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``long`` run first: with workers in parallel (pytest-xdist), a test
    that takes a minute started last would leave the other workers idle at the end."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Two workers a core for ``-n auto``: a pilot test spends much of its time waiting
    (timers, pauses, a served game's subprocess, a browser), and a second worker on
    the same core runs meanwhile. Measured on 2 cores: 178 s with 2 workers, 155 s
    with 4, all else equal."""
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 2 * (cores or 1)
