"""The queries the channel page adds, on SQLite and PostgreSQL: posted digests, app secrets."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from bot.models import ChannelRef, ChannelSettings, Platform, ScoredPaper
from storage.store import SqlStore
from tests.conftest import make_paper

NOW = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)


def _digest(store: SqlStore, channel_id: int, key: str, ids: list[str], when: datetime) -> int:
    picks = [
        (ScoredPaper(make_paper(pid, f"Paper {pid}"), 1.0 - n / 10), "")
        for n, pid in enumerate(ids)
    ]
    digest, _ = store.create_digest(
        channel_id, key, picks, candidates=len(ids), now=when, watermark=when
    )
    assert digest.id is not None
    return digest.id


def test_posted_digests_newest_first_posted_items_only(store: SqlStore) -> None:
    papers = [make_paper(f"2606.0000{n}", f"Paper {n}") for n in range(6)]
    store.upsert_papers(papers, NOW)
    ch = store.add_channel(ChannelRef(Platform.SLACK, "T", "C"), "c", ChannelSettings(), now=NOW)
    other = store.add_channel(ChannelRef(Platform.SLACK, "T", "D"), "d", ChannelSettings(), now=NOW)
    first = _digest(
        store,
        ch.id,
        "2026-06-29",
        ["2606.00000", "2606.00001", "2606.00002"],
        NOW - timedelta(days=1),
    )
    second = _digest(store, ch.id, "2026-06-30", ["2606.00003", "2606.00004"], NOW)
    _digest(store, other.id, "2026-06-30", ["2606.00005"], NOW)
    later = NOW + timedelta(hours=1)
    empty, _ = store.create_digest(ch.id, "now-1", [], candidates=0, now=later, watermark=later)
    for digest_id, pid in [(first, "2606.00000"), (first, "2606.00002"), (second, "2606.00004")]:
        store.mark_item_posted(digest_id, pid, f"m-{pid}", now=NOW)
    store.mark_item_failed(second, "2606.00003", "boom")

    got = store.posted_digests(ch.id)
    assert [(d.digest_id, d.run_key, d.paper_ids) for d in got] == [
        (empty.id, "now-1", ()),
        (second, "2026-06-30", ("2606.00004",)),
        (first, "2026-06-29", ("2606.00000", "2606.00002")),
    ]
    assert got[1].created_at == NOW
    assert [d.digest_id for d in store.posted_digests(ch.id, limit=1)] == [empty.id]
    assert store.posted_digests(ch.id, limit=0) == []
    assert store.posted_digests(12345) == []


def test_app_secret_is_made_once_and_shared(store: SqlStore, db_url: str) -> None:
    made: list[str] = []

    def make() -> str:
        made.append(f"secret-{len(made)}")
        return made[-1]

    first = store.app_secret("link_signing_key", make, now=NOW)
    assert first == "secret-0"
    assert store.app_secret("link_signing_key", make, now=NOW) == "secret-0"
    assert store.app_secret("other", make, now=NOW) != first
    second_process = SqlStore.open(db_url)
    try:
        assert second_process.app_secret("link_signing_key", lambda: "new", now=NOW) == first
    finally:
        second_process.close()


def test_app_secret_racing_first_use_agrees(store: SqlStore, db_url: str) -> None:
    stores = [SqlStore.open(db_url) for _ in range(4)]
    results: list[str] = []
    barrier = threading.Barrier(len(stores))

    def first_use(n: int) -> None:
        barrier.wait()
        results.append(stores[n].app_secret("race", lambda: f"from-{n}", now=NOW))

    threads = [threading.Thread(target=first_use, args=(n,)) for n in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert len(results) == 4 and len(set(results)) == 1
