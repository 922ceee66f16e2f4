"""Lease-safe outbox writes, on SQLite and PostgreSQL: a worker whose claim expired and was
taken over cannot change the outbox rows the new owner works on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import LeaseLost
from bot.models import (
    Channel,
    ChannelRef,
    ChannelSettings,
    Digest,
    ItemStatus,
    Lease,
    Platform,
    ScoredPaper,
)
from storage.store import SqlStore
from tests.conftest import make_paper

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)
LEASE = 60.0


def due_digest(store: SqlStore) -> tuple[int, Digest]:
    papers = [make_paper(f"2606.0000{i}", f"Paper {i}") for i in (1, 2)]
    store.upsert_papers(papers, T0)
    channel = store.add_channel(
        ChannelRef(Platform.CONSOLE, "local", "lab"), "lab", ChannelSettings(), now=T0
    )
    store.set_next_run(channel.id, T0)
    picks = [(ScoredPaper(p, 0.5), "") for p in papers]
    digest, _ = store.create_digest(channel.id, "k", picks, candidates=2, now=T0, watermark=None)
    return channel.id, digest


def claim(store: SqlStore, worker: str, at: datetime) -> Lease:
    (channel,) = store.claim_due_channels(worker, at, lease_seconds=LEASE, limit=1)
    assert channel.lease_token
    return Lease(channel.id, worker, channel.lease_token)


def late_writes(store: SqlStore, digest_id: int) -> dict[str, Callable[[Lease], object]]:
    return {
        "posted": lambda lease: store.mark_item_posted(
            digest_id, "2606.00001", "A-late", now=T0, lease=lease
        ),
        "failed": lambda lease: store.mark_item_failed(
            digest_id, "2606.00001", "late", lease=lease
        ),
        "uncertain": lambda lease: store.mark_item_uncertain(
            digest_id, "2606.00001", "late", lease=lease
        ),
        "sending": lambda lease: store.mark_item_sending(digest_id, "2606.00002", lease=lease),
        "header": lambda lease: store.set_header_message(digest_id, "A-head", lease=lease),
        "complete": lambda lease: store.complete_digest(digest_id, now=T0, lease=lease),
    }


@pytest.mark.parametrize(
    "write", ["posted", "failed", "uncertain", "sending", "header", "complete"]
)
def test_a_write_under_a_lost_lease_is_refused_and_changes_nothing(
    store: SqlStore, write: str, caplog: pytest.LogCaptureFixture
) -> None:
    _, digest = due_digest(store)
    assert digest.id is not None
    first = claim(store, "A", T0)
    assert store.mark_item_sending(digest.id, "2606.00001", lease=first)  # A is posting it
    # A stalls; its lease runs out (the injected clock) and B takes the channel over
    assert (
        store.claim_due_channels("B", T0 + timedelta(seconds=30), lease_seconds=LEASE, limit=1)
        == []
    )
    second = claim(store, "B", T0 + timedelta(seconds=LEASE + 1))
    assert store.mark_item_posted(digest.id, "2606.00001", "B-1", now=T0, lease=second) is None
    before = store.get_digest(digest.id)

    with pytest.raises(LeaseLost, match="lost its claim"):
        late_writes(store, digest.id)[write](first)

    assert store.get_digest(digest.id) == before  # nothing applied
    assert store.unfinished_digests() == [before]
    assert "refused" in caplog.text
    late_writes(store, digest.id)[write](second)  # the owner's own writes still apply


def test_a_new_claim_by_the_same_worker_fences_off_its_old_one(store: SqlStore) -> None:
    """The token, not the worker name, decides: a restarted worker with the same id that
    re-claimed the channel is a different claim from the one that stalled."""
    channel_id, digest = due_digest(store)
    assert digest.id is not None
    old = claim(store, "A", T0)
    new = claim(store, "A", T0 + timedelta(seconds=LEASE + 1))
    assert old.token != new.token
    with pytest.raises(LeaseLost):
        store.mark_item_posted(digest.id, "2606.00001", "old", now=T0, lease=old)
    assert not store.renew_lease(channel_id, "A", T0 + timedelta(hours=1), token=old.token)
    assert not store.release_channel(
        channel_id, "A", next_run_at=None, retry_at=None, token=old.token
    )
    store.mark_item_posted(digest.id, "2606.00001", "new", now=T0, lease=new)
    item = store.find_item(channel_id, "2606.00001")
    assert item is not None and item.message_id == "new" and item.status is ItemStatus.POSTED
    assert store.renew_lease(channel_id, "A", T0 + timedelta(hours=1), token=new.token)
    assert store.release_channel(channel_id, "A", next_run_at=None, retry_at=None, token=new.token)
    assert store.get_channel(channel_id).lease_token is None


def test_a_lease_is_checked_against_its_own_channel(store: SqlStore) -> None:
    _, digest = due_digest(store)
    assert digest.id is not None
    other: Channel = store.add_channel(
        ChannelRef(Platform.CONSOLE, "local", "other"), "other", ChannelSettings(), now=T0
    )
    store.set_next_run(other.id, T0 - timedelta(minutes=1))
    (claimed,) = store.claim_due_channels("A", T0, lease_seconds=LEASE, limit=1)
    assert claimed.id == other.id and claimed.lease_token
    wrong = Lease(other.id, "A", claimed.lease_token)  # a live lease, but on another channel
    assert not store.mark_item_sending(digest.id, "2606.00001", lease=wrong)
    assert store.get_digest(digest.id).items[0].status is ItemStatus.PENDING
