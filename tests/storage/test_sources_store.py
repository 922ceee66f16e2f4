"""Store extensions for sources, on SQLite and PostgreSQL: cache, shared gate, replace filter."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.sources.http import CachedResponse, ResponseCache
from storage.store import SqlStore
from tests.conftest import make_paper

NOW = datetime(2026, 6, 12, 14, 0, tzinfo=UTC)


def test_response_cache_round_trip(store: SqlStore) -> None:
    assert isinstance(store, ResponseCache)
    assert store.get_cached_response("k") is None
    body = b"\x00<rss>\xff binary-safe</rss>"
    store.put_cached_response(CachedResponse("k", "https://x.test/rss", body, NOW, etag='"1"'))
    store.put_cached_response(
        CachedResponse("k", "https://x.test/rss", body + b"!", NOW, last_modified="Fri")
    )
    got = store.get_cached_response("k")
    assert got is not None and got.body == body + b"!" and got.fetched_at == NOW
    assert got.etag is None and got.last_modified == "Fri"


def test_papers_first_seen_as_replacements_are_not_new(store: SqlStore) -> None:
    fresh = make_paper("2606.00001", "Fresh", announce_type="new")
    replaced = make_paper("2606.00002", "Old paper v2", announce_type="replace", version=2)
    from_hf = make_paper("2606.00003", "On HF", sources=("hf",))
    store.upsert_papers([fresh, replaced, from_hf], NOW)
    # a later replace announcement of papers first seen as new / on HF changes nothing of that
    store.upsert_papers(
        [
            replace(fresh, announce_type="replace", version=2),
            replace(from_hf, announce_type="replace-cross", version=2, sources=("arxiv",)),
        ],
        NOW + timedelta(days=1),
    )
    seen = {p.id for p in store.papers_seen_since(NOW - timedelta(hours=1))}
    assert seen == {"2606.00001", "2606.00003"}
    stored = store.get_paper("2606.00001")
    assert stored is not None and stored.version == 2 and stored.announce_type == "new"
    assert store.get_paper("2606.00002") is not None


def test_hf_comments_are_stored(store: SqlStore) -> None:
    store.upsert_papers([make_paper("2606.00009", "T", hf_comments=4)], NOW)
    got = store.get_paper("2606.00009")
    assert got is not None and got.hf_comments == 4


def test_shared_rate_gate(store: SqlStore) -> None:
    clock = {"t": 1_000.0}
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        clock["t"] += seconds

    gate = store.shared_rate_gate("arxiv", 3.0, sleep=sleep, now=lambda: clock["t"])
    if store.dialect != "postgresql":
        assert gate is None  # SQLite: one host, the lock file does it
        return
    assert gate is not None
    other = store.shared_rate_gate("arxiv", 3.0, sleep=sleep, now=lambda: clock["t"])
    assert other is not None
    with gate.hold():
        clock["t"] += 0.5
    clock["t"] += 1.0
    with other.hold():  # another worker: waits out what is left of the interval
        pass
    assert slept == [2.0]
