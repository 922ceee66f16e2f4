"""Shared fixtures: a migrated store on SQLite and (when available) on a real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.clock import FixedClock
from bot.config import Settings
from bot.models import Paper
from storage.store import SqlStore

# Tests rank with the default tier unless they pass an embedder themselves: a developer machine
# with the semantic extra installed must not load a model (or rank differently) in every test.
os.environ.setdefault("RANKER", "lexical")

PG_URL_ENV = "PAPERBOT_TEST_PG_URL"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _pg_base_url() -> str | None:
    url = os.environ.get(PG_URL_ENV)
    if url:
        return url
    # A developer machine with a local trust-auth PostgreSQL is used when it answers.
    try:
        engine = create_engine(DEFAULT_PG_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return DEFAULT_PG_URL
    except Exception:
        return None


_PG_URL: str | None = None
_PG_CHECKED = False


def pg_url_or_skip() -> str:
    global _PG_URL, _PG_CHECKED
    if not _PG_CHECKED:
        _PG_URL, _PG_CHECKED = _pg_base_url(), True
    if _PG_URL is None:
        if os.environ.get("PAPERBOT_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL is required here (CI) but {PG_URL_ENV} is not reachable")
        pytest.skip(
            f"no PostgreSQL server reachable (set {PG_URL_ENV} to run the PostgreSQL suite)"
        )
    return _PG_URL


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A URL whose connections live in a fresh schema, dropped afterwards (parallel-safe)."""
    base = pg_url_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    else:
        yield request.getfixturevalue("pg_schema_url")


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    s = SqlStore.open(db_url)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqlStore]:
    s = SqlStore.open(f"sqlite:///{tmp_path / 'test.db'}")
    yield s
    s.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 6, 30, 9, 0, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None, database_url=f"sqlite:///{tmp_path / 'cfg.db'}", ranker="lexical"
    )  # type: ignore[call-arg]


def make_paper(pid: str, title: str, abstract: str = "", **kw: object) -> Paper:
    defaults: dict[str, object] = {
        "categories": ("cs.LG",),
        "primary_category": "cs.LG",
        "published": date(2026, 6, 30),
        "sources": ("test",),
    }
    defaults.update(kw)
    return Paper(id=pid, title=title, abstract=abstract or f"We study {title.lower()}.", **defaults)  # type: ignore[arg-type]
