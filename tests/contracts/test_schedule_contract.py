"""ScheduleStore contract: due channels are leased to one worker at a time, a lease is renewed
and released only by its holder (and claim token), jobs are recorded once."""

from __future__ import annotations

import uuid
from datetime import timedelta

from bot.models import ChannelRef, ChannelSettings, Platform
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
