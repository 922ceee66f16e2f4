"""A worker that stalls mid-post past its lease: another worker takes the channel over and
finishes the digest; the stalled worker's late write-back is refused, never applied."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.digest.schedule import parse_schedule
from bot.digest.worker import Worker
from bot.models import (
    Channel,
    ChannelRef,
    ChannelSettings,
    Digest,
    DigestItem,
    Interest,
    InterestKind,
    ItemStatus,
    Platform,
)
from bot.service import PaperBot
from storage.store import SqlStore
from tests.conftest import make_paper
from tests.fakes import ReconcilingRecordingAdapter

T_RUN = datetime(2026, 6, 29, 9, 0, 5, tzinfo=UTC)
PAPERS = ["2606.00001", "2606.00002", "2606.00003"]


@dataclass
class StallingAdapter(ReconcilingRecordingAdapter):
    """Posting `stall_on` takes so long that `while_stalled` (the other worker) runs first."""

    stall_on: str = ""
    while_stalled: list[object] = field(default_factory=list)

    def post_item(self, channel: Channel, digest: Digest, item: DigestItem) -> str:
        if item.paper.id == self.stall_on and self.while_stalled:
            takeover = self.while_stalled.pop()
            takeover()  # type: ignore[operator]
        return super().post_item(channel, digest, item)


def test_a_stalled_worker_cannot_overwrite_the_new_owners_outbox(
    store: SqlStore, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FixedClock(datetime(2026, 6, 29, 8, tzinfo=UTC))
    adapter = StallingAdapter(stall_on="2606.00002")
    core = PaperBot(store, clock, settings, {Platform.CONSOLE: adapter})
    store.add_channel(
        ChannelRef(Platform.CONSOLE, "local", "lab"),
        "lab",
        ChannelSettings(size=3, schedule=parse_schedule("09:00 UTC daily")),
        [Interest(InterestKind.TOPIC, "robot")],
        now=clock.now(),
    )
    store.upsert_papers([make_paper(p, f"Robot study {p}") for p in PAPERS], clock.now())
    Worker(core, worker_id="setup").tick()
    clock.set(T_RUN)
    reports = []

    def takeover() -> None:
        clock.advance(timedelta(seconds=settings.claim_lease_seconds + 1))
        reports.append(Worker(core, worker_id="B").tick())

    adapter.while_stalled.append(takeover)
    with caplog.at_level(logging.WARNING):
        stalled = Worker(core, worker_id="A").tick()

    (b,) = reports
    assert b.claimed == 1 and not b.errors and b.delivered
    digest = store.find_digest(1, "2026-06-29")
    assert digest is not None and all(i.status is ItemStatus.POSTED for i in digest.items)
    first_ids: dict[str, str] = {}  # A's late post of 2606.00002 comes after B's
    for post in adapter.posts:
        if post.kind == "item":
            first_ids.setdefault(post.text, post.message_id)
    assert {i.paper.id: i.message_id for i in digest.items} == first_ids  # B's record stands...
    assert "lost its claim" in stalled.errors[1]  # A's write-back was refused
    assert "refused" in caplog.text and "leaving the channel to its new owner" in caplog.text
    # A posted 2606.00002 while B did too (an in-flight post during a takeover: the one
    # duplicate a lease cannot prevent), but A recorded nothing over B's rows.
    assert [p.text for p in adapter.posts if p.kind == "item"].count("2606.00002") == 2
    assert store.unfinished_digests() == []
    channel = store.get_channel(1)
    assert channel.next_run_at == datetime(2026, 6, 30, 9, tzinfo=UTC)
