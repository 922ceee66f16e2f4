"""PostgreSQL connections are pinged before use only after sitting idle: a connection the
server dropped while idle is replaced quietly; one dropped moments after use fails one
statement, and the next gets a fresh connection."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from storage.db import ping_when_idle

pytestmark = pytest.mark.postgres


@pytest.fixture
def admin(pg_schema_url: str) -> Iterator[Engine]:
    engine = create_engine(pg_schema_url)
    yield engine
    engine.dispose()


def backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def drop(admin: Engine, pid: int) -> None:
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar_one()


def test_a_connection_dropped_while_idle_is_replaced_quietly(
    pg_schema_url: str, admin: Engine
) -> None:
    engine = create_engine(pg_schema_url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle_seconds=0.0)  # every checkout counts as after a long idle
    try:
        first = backend_pid(engine)
        drop(admin, first)
        assert backend_pid(engine) != first  # pinged, thrown away, connected afresh
    finally:
        engine.dispose()


def test_a_connection_used_moments_ago_is_not_pinged(pg_schema_url: str, admin: Engine) -> None:
    engine = create_engine(pg_schema_url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle_seconds=3600.0)
    try:
        first = backend_pid(engine)
        drop(admin, first)
        with pytest.raises(OperationalError):  # not pinged: the one statement fails
            backend_pid(engine)
        assert backend_pid(engine) != first  # the pool was invalidated: a fresh connection
    finally:
        engine.dispose()
