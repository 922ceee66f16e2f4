"""OutboxStore contract: a digest is written once per run key, a paper once per channel, items
move pending -> sending -> posted/failed, and writes under a lost lease are refused."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.errors import DigestInProgress, LeaseLost
from bot.models import (
    ChannelRef,
    ChannelSettings,
    DigestRequest,
    ItemStatus,
    Lease,
    MarkRequest,
    OutboxMark,
    Platform,
    ScoredPaper,
)
from bot.ports import Store
from tests.conftest import make_paper
from tests.contracts.conftest import REF, T0

PAPERS = [make_paper(f"2607.{i:05d}", f"Paper {i}") for i in range(1, 4)]
PICKS = [(ScoredPaper(p, 1.0 - i / 10, ()), f"tldr {i}") for i, p in enumerate(PAPERS)]


def channel_id(store: Store, next_run_in: timedelta | None = None) -> int:
    store.upsert_papers(PAPERS, T0)
    cid = store.add_channel(REF, "lab", ChannelSettings(), now=T0).id
    if next_run_in is not None:
        store.set_next_run(cid, T0 + next_run_in)
    return cid


def test_a_digest_is_written_once_per_run_key(any_store: Store) -> None:
    cid = channel_id(any_store)
    digest, created = any_store.create_digest(
        cid, "d1", PICKS[:2], candidates=9, now=T0, watermark=T0
    )
    again, created_again = any_store.create_digest(
        cid, "d1", PICKS, candidates=9, now=T0, watermark=T0
    )
    assert created and not created_again and again == digest
    assert [(i.paper.id, i.rank, i.tldr, i.status) for i in digest.items] == [
        (PAPERS[0].id, 1, "tldr 0", ItemStatus.PENDING),
        (PAPERS[1].id, 2, "tldr 1", ItemStatus.PENDING),
    ]
    assert any_store.posted_paper_ids(cid) == {PAPERS[0].id, PAPERS[1].id}
    channel = any_store.get_channel(cid)
    assert channel.watermark == T0 and channel.last_digest_at == T0
    with pytest.raises(DigestInProgress):  # another run key, a paper already in a digest
        any_store.create_digest(cid, "d2", PICKS[1:], candidates=9, now=T0, watermark=T0)
    assert any_store.find_digest(cid, "d2") is None


def test_items_move_through_their_states(any_store: Store) -> None:
    cid = channel_id(any_store)
    digest, _ = any_store.create_digest(cid, "d1", PICKS, candidates=3, now=T0, watermark=None)
    did, (p1, p2, p3) = digest.id, (p.id for p in PAPERS)
    assert did is not None
    assert any_store.mark_item_sending(did, p1) is True
    assert any_store.mark_item_sending(did, p1) is False  # already being sent
    any_store.mark_item_posted(did, p1, "m1", now=T0)
    any_store.mark_item_failed(did, p2, "500")
    any_store.mark_item_failed(did, p2, "429", count=False)
    assert any_store.mark_item_sending(did, p2) is True  # a failed item is tried again
    any_store.mark_item_uncertain(did, p3, "timeout")
    any_store.set_header_message(did, "h1")
    got = any_store.get_digest(did)
    assert got.header_message_id == "h1"
    assert [(i.status, i.message_id, i.attempts) for i in got.items] == [
        (ItemStatus.POSTED, "m1", 0),
        (ItemStatus.SENDING, None, 1),
        (ItemStatus.SENDING, None, 1),
    ]
    assert any_store.find_item_by_message(cid, "m1") == p1
    assert any_store.find_item_by_message(cid, "m2") is None
    found = any_store.find_item(cid, p1)
    assert found is not None and found.message_id == "m1"
    assert [d.id for d in any_store.unfinished_digests(cid)] == [did]
    any_store.complete_digest(did, now=T0)
    assert any_store.unfinished_digests() == []


def test_recent_digests_newest_first(any_store: Store) -> None:
    cid = channel_id(any_store)
    for n, pick in enumerate(PICKS):
        any_store.create_digest(cid, f"d{n}", [pick], candidates=1, now=T0, watermark=T0)
    assert [d.run_key for d in any_store.recent_digests(cid, limit=2)] == ["d2", "d1"]


def test_outbox_writes_under_a_lost_lease_are_refused(any_store: Store) -> None:
    cid = channel_id(any_store, next_run_in=timedelta(0))
    (claimed,) = any_store.claim_due_channels("w1", T0, lease_seconds=60, limit=5)
    assert claimed.lease_token is not None
    old = Lease(cid, "w1", claimed.lease_token)
    digest, _ = any_store.create_digest(cid, "d1", PICKS[:2], candidates=2, now=T0, watermark=T0)
    did, p1, p2 = digest.id, PAPERS[0].id, PAPERS[1].id
    assert did is not None
    assert any_store.mark_item_sending(did, p1, lease=old) is True
    any_store.mark_item_posted(did, p1, "m1", now=T0, lease=old)
    # the lease runs out (a stalled worker) and w2 takes the channel over
    later = T0 + timedelta(seconds=61)
    (taken,) = any_store.claim_due_channels("w2", later, lease_seconds=60, limit=5)
    assert taken.lease_token not in (None, old.token)
    with pytest.raises(LeaseLost):
        any_store.mark_item_sending(did, p2, lease=old)
    with pytest.raises(LeaseLost):
        any_store.mark_item_posted(did, p2, "m-stale", now=later, lease=old)
    with pytest.raises(LeaseLost):
        any_store.complete_digest(did, now=later, lease=old)
    assert [i.status for i in any_store.get_digest(did).items] == [
        ItemStatus.POSTED,
        ItemStatus.PENDING,
    ]
    new = Lease(cid, "w2", taken.lease_token or "")
    assert any_store.mark_item_sending(did, p2, lease=new) is True
    any_store.complete_digest(did, now=later, lease=new)
    assert any_store.unfinished_digests(cid) == []


def test_posted_digests_list_only_what_was_posted_newest_first(any_store: Store) -> None:
    cid = channel_id(any_store)
    first, _ = any_store.create_digest(cid, "d1", PICKS, candidates=3, now=T0, watermark=None)
    assert first.id is not None
    p1, p2, _p3 = (p.id for p in PAPERS)
    any_store.mark_item_posted(first.id, p2, "m2", now=T0)
    any_store.mark_item_posted(first.id, p1, "m1", now=T0)
    any_store.mark_item_failed(first.id, _p3, "500")
    later = make_paper("2607.00099", "Later")
    any_store.upsert_papers([later], T0)
    second, _ = any_store.create_digest(
        cid,
        "d2",
        [(ScoredPaper(later, 0.5), "tl;dr")],
        candidates=1,
        now=T0 + timedelta(days=1),
        watermark=T0,
    )
    got = any_store.posted_digests(cid)
    assert [(d.run_key, d.paper_ids) for d in got] == [("d2", ()), ("d1", (p1, p2))]
    assert [d.run_key for d in any_store.posted_digests(cid, limit=1)] == ["d2"]
    assert second.id == got[0].digest_id


def test_marks_apply_in_order_in_one_call(any_store: Store) -> None:
    cid = channel_id(any_store)
    digest, _ = any_store.create_digest(cid, "d1", PICKS, candidates=3, now=T0, watermark=None)
    did, (p1, p2, p3) = digest.id, (p.id for p in PAPERS)
    assert did is not None
    assert any_store.apply_marks(did, [OutboxMark.header("h1"), OutboxMark.sending(p1)])
    assert any_store.apply_marks(did, [OutboxMark.posted(p1, "m1", T0), OutboxMark.sending(p2)])
    # the record applies even when the next item is not ours to post any more
    assert not any_store.apply_marks(did, [OutboxMark.posted(p2, "m2", T0), OutboxMark.sending(p2)])
    assert any_store.mark_item_sending(did, p3)
    assert any_store.apply_marks(did, [OutboxMark.posted(p3, "m3", T0), OutboxMark.complete(T0)])
    got = any_store.get_digest(did)
    assert got.header_message_id == "h1"
    assert [(i.status, i.message_id) for i in got.items] == [
        (ItemStatus.POSTED, "m1"),
        (ItemStatus.POSTED, "m2"),
        (ItemStatus.POSTED, "m3"),
    ]
    assert any_store.unfinished_digests(cid) == []
    assert any_store.find_item_by_message(cid, "m3") == p3


def test_marks_under_a_lost_lease_apply_none(any_store: Store) -> None:
    cid = channel_id(any_store, next_run_in=timedelta(0))
    (claimed,) = any_store.claim_due_channels("w1", T0, lease_seconds=60, limit=5)
    old = Lease(cid, "w1", claimed.lease_token or "")
    digest, _ = any_store.create_digest(cid, "d1", PICKS[:2], candidates=2, now=T0, watermark=T0)
    did, p1, p2 = digest.id, PAPERS[0].id, PAPERS[1].id
    assert did is not None
    assert any_store.apply_marks(did, [OutboxMark.sending(p1)], lease=old)
    later = T0 + timedelta(seconds=61)
    (taken,) = any_store.claim_due_channels("w2", later, lease_seconds=60, limit=5)
    for marks in (
        [OutboxMark.posted(p1, "m1", later), OutboxMark.sending(p2)],
        [OutboxMark.header("h1"), OutboxMark.complete(later)],
    ):
        with pytest.raises(LeaseLost):
            any_store.apply_marks(did, marks, lease=old)
    got = any_store.get_digest(did)
    assert got.header_message_id is None
    assert [(i.status, i.message_id) for i in got.items] == [
        (ItemStatus.SENDING, None),
        (ItemStatus.PENDING, None),
    ]
    new = Lease(cid, "w2", taken.lease_token or "")
    marks = [OutboxMark.posted(p1, "m1", later), OutboxMark.sending(p2)]
    assert any_store.apply_marks(did, marks, lease=new)
    assert [i.status for i in any_store.get_digest(did).items] == [
        ItemStatus.POSTED,
        ItemStatus.SENDING,
    ]


def _two_channels_claimed(store: Store) -> tuple[list[Lease], list[int]]:
    """Two channels, each claimed by w1 with a digest of its own (papers 1-2 and 3)."""
    store.upsert_papers(PAPERS, T0)
    cids = [
        store.add_channel(
            ChannelRef(Platform.SLACK, "T1", f"C{n}"), "lab", ChannelSettings(), now=T0
        ).id
        for n in (1, 2)
    ]
    for cid in cids:
        store.set_next_run(cid, T0)
    claimed = {c.id: c for c in store.claim_due_channels("w1", T0, lease_seconds=60, limit=5)}
    leases = [Lease(cid, "w1", claimed[cid].lease_token or "") for cid in cids]
    digests = [
        store.create_digest(cid, "d1", picks, candidates=2, now=T0, watermark=T0)[0]
        for cid, picks in zip(cids, (PICKS[:2], PICKS[2:]), strict=True)
    ]
    return leases, [d.id for d in digests if d.id is not None]


def test_many_requests_apply_in_one_call_each_as_if_alone(any_store: Store) -> None:
    (l1, l2), (d1, d2) = _two_channels_claimed(any_store)
    p1, p2, p3 = (p.id for p in PAPERS)
    got = any_store.apply_marks_many(
        [
            MarkRequest(d1, (OutboxMark.header("h1"), OutboxMark.sending(p1)), l1),
            MarkRequest(d2, (OutboxMark.header("h2"), OutboxMark.sending(p3)), l2),
            # the same item twice in one batch: only the first is ours to post
            MarkRequest(d1, (OutboxMark.sending(p1),), l1),
            MarkRequest(d2, (), l2),
        ]
    )
    assert got == [True, True, False, False]
    got = any_store.apply_marks_many(
        [
            MarkRequest(d1, (OutboxMark.posted(p1, "m1", T0), OutboxMark.sending(p2)), l1),
            # a request touching one row twice reads as apply_marks reads it
            MarkRequest(d2, (OutboxMark.posted(p3, "m3", T0), OutboxMark.sending(p3)), l2),
            MarkRequest(d2, (OutboxMark.complete(T0),), None),
        ]
    )
    assert got == [True, False, True]
    first, second = any_store.get_digest(d1), any_store.get_digest(d2)
    assert first.header_message_id == "h1" and second.header_message_id == "h2"
    assert [(i.status, i.message_id) for i in first.items] == [
        (ItemStatus.POSTED, "m1"),
        (ItemStatus.SENDING, None),
    ]
    assert [(i.status, i.message_id) for i in second.items] == [(ItemStatus.POSTED, "m3")]
    assert [d.id for d in any_store.unfinished_digests()] == [d1]
    assert any_store.apply_marks_many([]) == []


def test_a_lost_lease_in_a_batch_fails_only_its_own_request(any_store: Store) -> None:
    (l1, l2), (d1, d2) = _two_channels_claimed(any_store)
    p1, p2, p3 = (p.id for p in PAPERS)
    later = T0 + timedelta(seconds=61)
    any_store.renew_lease(l2.channel_id, "w1", later + timedelta(seconds=60), token=l2.token)
    (taken,) = any_store.claim_due_channels("w2", later, lease_seconds=60, limit=5)
    assert taken.id == l1.channel_id  # channel 1 was taken over; channel 2's lease holds
    got = any_store.apply_marks_many(
        [
            MarkRequest(d1, (OutboxMark.header("h1"), OutboxMark.sending(p1)), l1),
            MarkRequest(d2, (OutboxMark.header("h2"), OutboxMark.sending(p3)), l2),
            MarkRequest(d1, (OutboxMark.posted(p2, "m2", later), OutboxMark.complete(later)), l1),
        ]
    )
    assert isinstance(got[0], LeaseLost) and isinstance(got[2], LeaseLost)
    assert got[1] is True
    first, second = any_store.get_digest(d1), any_store.get_digest(d2)
    assert first.header_message_id is None  # nothing of the refused requests applied
    assert [i.status for i in first.items] == [ItemStatus.PENDING, ItemStatus.PENDING]
    assert second.header_message_id == "h2"
    assert [i.status for i in second.items] == [ItemStatus.SENDING]
    new = Lease(l1.channel_id, "w2", taken.lease_token or "")
    assert any_store.apply_marks_many([MarkRequest(d1, (OutboxMark.sending(p2),), new)]) == [True]


def test_unfinished_digests_of_many_channels_in_one_call(any_store: Store) -> None:
    (l1, l2), (d1, d2) = _two_channels_claimed(any_store)
    p3 = PAPERS[2].id
    c1, c2 = l1.channel_id, l2.channel_id
    assert any_store.apply_marks(d2, [OutboxMark.posted(p3, "m3", T0), OutboxMark.complete(T0)])
    got = any_store.unfinished_digests_many([c2, c1, 999, c1])
    assert [[d.id for d in ds] for ds in got] == [[], [d1], [], [d1]]
    assert got[1] == any_store.unfinished_digests(c1)
    assert any_store.unfinished_digests_many([]) == []


def _two_channels(store: Store) -> list[int]:
    store.upsert_papers(PAPERS, T0)
    refs = [ChannelRef(Platform.SLACK, "T1", f"C{n}") for n in (1, 2)]
    return [store.add_channel(ref, "lab", ChannelSettings(), now=T0).id for ref in refs]


def _request(cid: int, key: str, picks: list[Any], wm: datetime | None = T0) -> DigestRequest:
    return DigestRequest(cid, key, tuple(picks), len(picks), T0, wm)


def test_many_digests_are_recorded_in_one_call_each_as_if_alone(any_store: Store) -> None:
    c1, c2 = _two_channels(any_store)
    later = T0 + timedelta(hours=1)
    got = any_store.create_digests(
        [_request(c1, "d1", PICKS[:2]), _request(c2, "d1", PICKS[2:], wm=None)]
    )
    assert all(isinstance(g, tuple) and g[1] for g in got)
    for (digest, _), cid in zip(got, (c1, c2), strict=True):  # type: ignore[misc]
        assert any_store.find_digest(cid, "d1") == digest
    assert any_store.get_channel(c1).watermark == T0
    assert any_store.get_channel(c2).watermark is None
    assert any_store.get_channel(c2).last_digest_at == T0
    # a conflict in the batch (a run key recorded, a paper in another digest) is its own
    again = any_store.create_digests(
        [_request(c1, "d1", PICKS[:1], wm=later), _request(c2, "d2", PICKS[2:])]
    )
    assert isinstance(got[0], tuple) and again[0] == (got[0][0], False)
    assert isinstance(again[1], DigestInProgress)
    third = any_store.create_digests([_request(c1, "d3", PICKS[2:]), _request(c1, "d4", [])])
    assert all(isinstance(g, tuple) and g[1] for g in third)
    assert any_store.find_digest(c2, "d2") is None
    assert any_store.get_channel(c1).watermark == T0  # the conflicting digest wrote nothing
    assert any_store.create_digests([]) == []
