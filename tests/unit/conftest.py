"""Core unit tests run on the in-memory store (`tests.fakes.MemoryStore`): no database."""

from __future__ import annotations

import pytest

from tests.fakes import MemoryStore


@pytest.fixture
def memory_store() -> MemoryStore:
    return MemoryStore()
