"""Fixtures for the email adapter: a local SMTP server, an email channel with papers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.adapters.email.fake_smtp import FakeSmtp


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    with FakeSmtp() as server:
        yield server
