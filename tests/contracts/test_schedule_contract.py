"""ScheduleStore contract: due channels are leased to one worker at a time, a lease is renewed
and released only by its holder (and claim token), jobs are recorded once."""

from __future__ import annotations

import uuid
from datetime import timedelta

from bot.models import ChannelRef, ChannelSettings, Platform, Release
from bot.ports import Store
from tests.contracts.conftest import REF, T0

H = timedelta(hours=1)


def test_due_channels_are_claimed_once_until_their_lease_runs_out(any_store: Store) -> None:
    a = any_store.add_channel(REF, "a", ChannelSettings(), now=T0).id
    b = any_store.add_channel(
        ChannelRef(Platform.SLACK, "T1", "C2"), "b", ChannelSettings(), now=T0
    ).id
    c = any_store.add_channel(
        ChannelRef(Platform.SLACK, "T1", "C3"), "c", ChannelSettings(), now=T0
    ).id
    assert {ch.id for ch in any_store.channels_to_schedule()} == {a, b, c}
    any_store.set_next_run(a, T0 - H)
    any_store.set_next_run(b, T0 - 2 * H)
    any_store.set_next_run(c, T0 + H)  # not due yet
    assert [ch.id for ch in any_store.channels_to_schedule()] == []
    assert any_store.next_due_at() == T0 - 2 * H
    got = any_store.claim_due_channels("w1", T0, lease_seconds=60, limit=5)
    assert [ch.id for ch in got] == [b, a]  # the most overdue first
    assert any_store.claim_due_channels("w2", T0, lease_seconds=60, limit=5) == []
    token = got[0].lease_token
    assert any_store.renew_lease(b, "w2", T0 + H) is False
    assert any_store.renew_lease(b, "w1", T0 + H, token="other") is False
    assert any_store.renew_lease(b, "w1", T0 + H, token=token) is True
    later = T0 + timedelta(seconds=61)
    assert [
        ch.id for ch in any_store.claim_due_channels("w2", later, lease_seconds=60, limit=5)
    ] == [a]
    assert any_store.release_channel(a, "w1", next_run_at=T0 + H, retry_at=None) is False
    assert any_store.release_channel(b, "w1", next_run_at=T0 + 3 * H, retry_at=None, token=token)
    assert any_store.get_channel(b).next_run_at == T0 + 3 * H
    assert any_store.get_channel(b).lease_token is None


def test_many_channels_are_released_at_once_only_by_their_holder(any_store: Store) -> None:
    ids = [
        any_store.add_channel(
            ChannelRef(Platform.SLACK, "T1", f"C{i}"), f"c{i}", ChannelSettings(), now=T0
        ).id
        for i in range(5)
    ]
    for i in ids:
        any_store.set_next_run(i, T0 - H)
    mine = {ch.id: ch for ch in any_store.claim_due_channels("w1", T0, lease_seconds=60, limit=3)}
    theirs = any_store.claim_due_channels("w2", T0, lease_seconds=60, limit=5)
    a, b, c = sorted(mine)
    d = theirs[0].id
    releases = [
        Release(a, T0 + 24 * H, None, mine[a].lease_token),
        Release(b, T0 + 24 * H, T0 + 2 * H),  # no token: whatever w1's claim
        Release(c, T0 + 24 * H, None, "an-older-claim"),  # refused: not this claim
        Release(d, T0 + 24 * H, None),  # refused: w2's channel
    ]
    assert any_store.release_channels("w1", releases) == 2
    assert any_store.release_channels("w1", []) == 0
    got = {i: any_store.get_channel(i) for i in (a, b, c, d)}
    assert (got[a].next_run_at, got[a].retry_at, got[a].lease_token) == (T0 + 24 * H, None, None)
    assert (got[b].next_run_at, got[b].retry_at) == (T0 + 24 * H, T0 + 2 * H)
    assert got[c].next_run_at == T0 - H and got[c].lease_token == mine[c].lease_token
    assert got[d].next_run_at == T0 - H and got[d].lease_token is not None
    later = T0 + timedelta(seconds=30)  # a and b are free again, c and d still leased
    assert any_store.claim_due_channels("w3", later, lease_seconds=60, limit=5) == []
    retried = any_store.claim_due_channels("w3", T0 + 2 * H, lease_seconds=60, limit=5)
    assert b in {ch.id for ch in retried} and a not in {ch.id for ch in retried}


def test_a_retry_time_makes_a_channel_due(any_store: Store) -> None:
    a = any_store.add_channel(REF, "a", ChannelSettings(), now=T0).id
    any_store.set_next_run(a, T0 + H)
    (claimed,) = any_store.claim_due_channels("w1", T0 + H, lease_seconds=60, limit=1)
    any_store.release_channel(
        a, "w1", next_run_at=T0 + 24 * H, retry_at=T0 + 2 * H, token=claimed.lease_token
    )
    assert any_store.next_due_at() == T0 + 2 * H
    assert (
        any_store.claim_due_channels(
            "w1", T0 + 90 * timedelta(minutes=1), lease_seconds=60, limit=1
        )
        == []
    )
    assert [
        ch.id for ch in any_store.claim_due_channels("w1", T0 + 2 * H, lease_seconds=60, limit=1)
    ] == [a]


def test_paused_channels_are_never_due(any_store: Store) -> None:
    a = any_store.add_channel(REF, "a", ChannelSettings(paused=True), now=T0).id
    any_store.set_next_run(a, T0 - H)
    assert any_store.claim_due_channels("w1", T0, lease_seconds=60, limit=5) == []
    assert any_store.next_due_at() is None
    assert any_store.channels_to_schedule() == []


def test_a_job_is_recorded_once(any_store: Store) -> None:
    assert any_store.job_done("fetch", "2026-06-30") is False
    assert any_store.record_job("fetch", "2026-06-30", worker="w1", now=T0) is True
    assert any_store.record_job("fetch", "2026-06-30", worker="w2", now=T0) is False
    assert any_store.job_done("fetch", "2026-06-30") is True
    name = f"contract-{uuid.uuid4().hex}"  # PostgreSQL advisory locks are server-wide
    with any_store.exclusive(name) as got:
        assert got is True
