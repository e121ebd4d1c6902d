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
