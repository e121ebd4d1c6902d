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
    """Tests marked ``long`` run first: with a worker per core (pytest-xdist), a test
    that takes a minute started last would leave the other workers idle at the end."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
