"""Each store port's contract, run against the in-memory fake, SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.models import Channel, ChannelRef, ChannelSettings, Platform, ScoredPaper
from bot.ports import Store
from storage.store import SqlStore
from tests.conftest import make_paper
from tests.fakes import MemoryStore

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)
REF = ChannelRef(Platform.SLACK, "T1", "C1")


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The same port behind three implementations; a contract test passes on all three."""
    if request.param == "memory":
        yield MemoryStore()
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'contract.db'}"
    else:
        url = request.getfixturevalue("pg_schema_url")
    store = SqlStore.open(url)
    yield store
    store.close()


def posted_channel(store: Store, n_papers: int = 2, ref: ChannelRef = REF) -> Channel:
    """A channel whose digest posted papers 2607.00001.. as messages m-<paper id>."""
    papers = [make_paper(f"2607.{i:05d}", f"Paper {i}") for i in range(1, n_papers + 1)]
    store.upsert_papers(papers, T0)
    channel = store.add_channel(ref, "lab", ChannelSettings(), now=T0)
    picks = [(ScoredPaper(p, 1.0, ()), "") for p in papers]
    digest, _ = store.create_digest(
        channel.id, "d1", picks, candidates=n_papers, now=T0, watermark=T0
    )
    assert digest.id is not None
    for p in papers:
        store.mark_item_posted(digest.id, p.id, f"m-{p.id}", now=T0)
    return channel
