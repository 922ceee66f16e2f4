"""Leases on due channels, advisory locks and job runs, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bot.models import ChannelRef, ChannelSettings, Platform
from storage.store import SqlStore

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)


def channels(store: SqlStore, n: int, *, due: datetime | None = T0) -> list[int]:
    ids = []
    for i in range(n):
        ch = store.add_channel(
            ChannelRef(Platform.CONSOLE, "local", f"c{i}"), f"c{i}", ChannelSettings(), now=T0
        )
        store.set_next_run(ch.id, due)
        ids.append(ch.id)
    return ids


def test_claim_leases_due_channels_once(store: SqlStore) -> None:
    ids = channels(store, 5)
    store.set_next_run(ids[4], T0 + timedelta(hours=1))  # not due yet
    first = store.claim_due_channels("w1", T0, lease_seconds=60, limit=3)
    second = store.claim_due_channels("w2", T0, lease_seconds=60, limit=3)
    assert [c.id for c in first] == ids[:3]
    assert [c.id for c in second] == [ids[3]]
    assert store.claim_due_channels("w3", T0, lease_seconds=60, limit=10) == []


def test_expired_lease_is_taken_over(store: SqlStore) -> None:
    (cid,) = channels(store, 1)
    assert store.claim_due_channels("dead", T0, lease_seconds=60, limit=5)
    later = T0 + timedelta(seconds=59)
    assert store.claim_due_channels("w2", later, lease_seconds=60, limit=5) == []
    later = T0 + timedelta(seconds=61)
    assert [c.id for c in store.claim_due_channels("w2", later, lease_seconds=60, limit=5)] == [cid]
    # the dead worker cannot release or renew what it lost
    assert not store.release_channel(cid, "dead", next_run_at=None, retry_at=None)
    assert not store.renew_lease(cid, "dead", later + timedelta(minutes=5))
    assert store.renew_lease(cid, "w2", later + timedelta(minutes=5))
    assert store.release_channel(
        cid, "w2", next_run_at=T0 + timedelta(days=1), retry_at=T0 + timedelta(minutes=2)
    )
    ch = store.get_channel(cid)
    assert ch.next_run_at == T0 + timedelta(days=1) and ch.retry_at == T0 + timedelta(minutes=2)


def test_retry_time_makes_a_channel_due(store: SqlStore) -> None:
    (cid,) = channels(store, 1)
    assert store.claim_due_channels("w1", T0, lease_seconds=60, limit=5)
    retry = T0 + timedelta(minutes=1)
    assert store.release_channel(cid, "w1", next_run_at=T0 + timedelta(days=1), retry_at=retry)
    assert store.next_due_at() == retry
    assert store.claim_due_channels("w1", T0, lease_seconds=60, limit=5) == []
    assert [c.id for c in store.claim_due_channels("w1", retry, lease_seconds=60, limit=5)] == [cid]


def test_paused_and_unscheduled_channels_are_not_claimed(store: SqlStore) -> None:
    a, b = channels(store, 2)
    store.update_settings(a, ChannelSettings(paused=True, paused_reason="archived"))
    store.set_next_run(b, None)
    assert store.claim_due_channels("w1", T0, lease_seconds=60, limit=5) == []
    assert [c.id for c in store.channels_to_schedule()] == [b]


def test_job_runs_are_recorded_once(store: SqlStore) -> None:
    assert not store.job_done("fetch-arxiv", "2026-06-29")
    assert store.record_job("fetch-arxiv", "2026-06-29", worker="w1", now=T0)
    assert not store.record_job("fetch-arxiv", "2026-06-29", worker="w2", now=T0)
    assert store.job_done("fetch-arxiv", "2026-06-29")


def test_exclusive_lock(store: SqlStore) -> None:
    with store.exclusive("fetch") as got:
        assert got
        if store.dialect == "postgresql":
            other = SqlStore.open(str(store.engine.url.render_as_string(hide_password=False)))
            with other.exclusive("fetch") as second:
                assert not second
            with other.exclusive("another") as third:
                assert third
            other.close()
    with store.exclusive("fetch") as again:
        assert again


def test_skip_locked_passes_over_a_row_being_claimed(pg_schema_url: str) -> None:
    store = SqlStore.open(pg_schema_url)
    a, b = channels(store, 2)
    with store.engine.connect() as conn:
        conn.execute(text("SELECT id FROM channel WHERE id = :id FOR UPDATE"), {"id": a})
        claimed = store.claim_due_channels("w2", T0, lease_seconds=60, limit=5)
        assert [c.id for c in claimed] == [b]  # did not wait for the lock, did not take `a`
        conn.rollback()
    assert [c.id for c in store.claim_due_channels("w3", T0, lease_seconds=60, limit=5)] == [a]
    store.close()
