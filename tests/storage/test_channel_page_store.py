"""The query the channel page adds, on SQLite and PostgreSQL: the papers each digest posted."""

from __future__ import annotations

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
