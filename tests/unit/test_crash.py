"""Crash injection: a worker dies mid-digest, its lease expires, another worker finishes.

The outbox marks an item `sending` before the post and `posted` with its message id after. The
window between the two is closed when the adapter can look the message up (ReconcilingAdapter);
otherwise DELIVERY_UNCERTAIN picks at-least-once (`repost`, default) or at-most-once (`skip`).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.digest.schedule import parse_schedule
from bot.digest.worker import Worker
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, ItemStatus, Platform
from bot.service import PaperBot
from storage.store import SqlStore
from tests.conftest import make_paper
from tests.fakes import Crash, ReconcilingRecordingAdapter, RecordingAdapter

T_RUN = datetime(2026, 6, 29, 9, 0, 5, tzinfo=UTC)
PAPERS = ["2606.00001", "2606.00002", "2606.00003"]


def prepare(
    store: SqlStore, settings: Settings, adapter: RecordingAdapter
) -> tuple[PaperBot, FixedClock]:
    clock = FixedClock(datetime(2026, 6, 29, 8, tzinfo=UTC))
    core = PaperBot(store, clock, settings, {Platform.CONSOLE: adapter})
    store.add_channel(
        ChannelRef(Platform.CONSOLE, "local", "lab"),
        "lab",
        ChannelSettings(size=3, schedule=parse_schedule("09:00 UTC daily")),
        [Interest(InterestKind.TOPIC, "robot")],
        now=clock.now(),
    )
    store.upsert_papers([make_paper(p, f"Robot study {p}") for p in PAPERS], clock.now())
    Worker(core, worker_id="setup").tick()  # first next run: 09:00
    clock.set(T_RUN)
    return core, clock


def crash_then_recover(
    core: PaperBot, clock: FixedClock, key: str = "2026-06-29", items: int = 3
) -> None:
    with pytest.raises(Crash):
        Worker(core, worker_id="dies").tick()
    # The dead worker still holds the lease: nobody touches the channel until it expires.
    assert Worker(core, worker_id="w2").tick().claimed == 0
    clock.advance(timedelta(seconds=core.settings.claim_lease_seconds + 1))
    report = Worker(core, worker_id="w2").tick()
    assert report.claimed == 1 and not report.errors
    assert core.store.unfinished_digests() == []
    digest = core.store.find_digest(1, key)
    assert digest is not None
    assert all(i.status is ItemStatus.POSTED for i in digest.items)
    assert len(digest.items) == items


def test_crash_after_writing_items_before_posting(store: SqlStore, settings: Settings) -> None:
    adapter = RecordingAdapter(crash_on_header=True)
    core, clock = prepare(store, settings, adapter)
    crash_then_recover(core, clock)
    assert sorted(adapter.items()) == PAPERS  # no loss, no duplicate
    assert [p.kind for p in adapter.posts].count("header") == 1


def test_crash_between_two_items(store: SqlStore, settings: Settings) -> None:
    adapter = RecordingAdapter(crash_before_post={"2606.00002"})
    core, clock = prepare(store, settings, adapter)
    crash_then_recover(core, clock)
    assert sorted(adapter.items()) == sorted(PAPERS)
    assert Counter(adapter.items()).most_common(1)[0][1] == 1


def test_crash_after_post_before_recording_is_reconciled(
    store: SqlStore, settings: Settings
) -> None:
    adapter = ReconcilingRecordingAdapter(crash_after_post={"2606.00002"})
    core, clock = prepare(store, settings, adapter)
    crash_then_recover(core, clock)
    assert sorted(adapter.items()) == sorted(PAPERS)  # looked up, not re-posted
    item = store.find_item(1, "2606.00002")
    assert item is not None and item.message_id is not None
    assert store.find_item_by_message(1, item.message_id) == "2606.00002"  # reactions map


def test_uncertain_item_is_reposted_without_reconciliation(
    store: SqlStore, settings: Settings
) -> None:
    """The honest remaining window: an adapter that cannot look messages up, a crash right
    after the platform accepted the post: at-least-once means that one paper appears twice."""
    adapter = RecordingAdapter(crash_after_post={"2606.00002"})
    core, clock = prepare(store, settings, adapter)
    crash_then_recover(core, clock)
    assert Counter(adapter.items()) == {"2606.00001": 1, "2606.00002": 2, "2606.00003": 1}


def test_uncertain_item_is_skipped_when_at_most_once(store: SqlStore, settings: Settings) -> None:
    settings = settings.model_copy(update={"delivery_uncertain": "skip"})
    adapter = RecordingAdapter(crash_after_post={"2606.00002"})
    core, clock = prepare(store, settings, adapter)
    crash_then_recover(core, clock)
    assert sorted(adapter.items()) == sorted(PAPERS)  # no duplicate...

    lost = RecordingAdapter(crash_before_post={"2606.00002"})
    core.adapters[Platform.CONSOLE] = lost
    store.upsert_papers(
        [make_paper(p, f"Robot study {p}") for p in ("2606.00011", "2606.00012")], clock.now()
    )
    clock.set(datetime(2026, 6, 30, 9, 0, 5, tzinfo=UTC))
    lost.crash_before_post = {"2606.00012"}
    crash_then_recover(core, clock, key="2026-06-30", items=2)
    # ...but a crash after marking and before the post loses that paper: at-most-once.
    assert sorted(lost.items()) == ["2606.00011"]
