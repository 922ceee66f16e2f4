"""The worker's scheduling pass with injected time: catch-up, empty days, retries, pauses."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.digest.schedule import parse_schedule
from bot.digest.worker import Worker
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, ItemStatus, Platform
from bot.service import PaperBot
from tests.conftest import make_paper
from tests.fakes import MemoryStore, RecordingAdapter


@pytest.fixture
def store() -> MemoryStore:
    """The in-memory store: the outbox and claims it fakes are proven in tests/contracts."""
    return MemoryStore()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def setup(
    store: MemoryStore,
    settings: Settings,
    now: datetime,
    *channels: tuple[str, str],
    announce_empty: bool = False,
    size: int = 3,
    concurrency: int | None = None,
) -> tuple[Worker, RecordingAdapter, FixedClock]:
    clock = FixedClock(now)
    adapter = RecordingAdapter()
    core = PaperBot(store, clock, settings, {Platform.CONSOLE: adapter})
    for name, schedule in channels:
        store.add_channel(
            ChannelRef(Platform.CONSOLE, "local", name),
            name,
            ChannelSettings(
                size=size, schedule=parse_schedule(schedule), announce_empty=announce_empty
            ),
            [Interest(InterestKind.TOPIC, "robot")],
            now=now,
        )
    return Worker(core, worker_id="w1", concurrency=concurrency), adapter, clock


def add_papers(store: MemoryStore, at: datetime, *ids: str) -> None:
    store.upsert_papers([make_paper(i, f"Robot study {i}") for i in ids], at)


def test_first_tick_schedules_then_delivers_at_local_time(
    store: MemoryStore, settings: Settings
) -> None:
    worker, adapter, clock = setup(
        store, settings, utc(2026, 6, 29, 6), ("berlin", "09:00 Europe/Berlin weekdays")
    )
    report = worker.tick()
    assert report.scheduled == 1 and report.claimed == 0
    assert store.list_channels()[0].next_run_at == utc(2026, 6, 29, 7)  # 09:00 CEST
    add_papers(store, utc(2026, 6, 29, 6, 30), "2606.00001", "2606.00002")

    clock.set(utc(2026, 6, 29, 7, 0, 5))
    report = worker.tick()
    assert report.delivered == [(1, "2026-06-29")]
    assert sorted(adapter.items("berlin")) == ["2606.00001", "2606.00002"]
    channel = store.list_channels()[0]
    assert channel.next_run_at == utc(2026, 6, 30, 7)
    assert worker.tick().claimed == 0  # nothing due: nothing posted twice
    assert len(adapter.items()) == 2


def test_weekend_downtime_is_caught_up_once(store: MemoryStore, settings: Settings) -> None:
    worker, adapter, clock = setup(store, settings, utc(2026, 6, 25, 6), ("lab", "09:00 UTC daily"))
    worker.tick()
    add_papers(store, utc(2026, 6, 25, 7), "2606.00001")
    clock.set(utc(2026, 6, 25, 9, 1))  # Thursday's run
    worker.tick()
    assert adapter.items() == ["2606.00001"]

    # Down from Thursday 10:00 to Monday 08:00: Fri, Sat, Sun, and Mon's slot not yet due.
    add_papers(store, utc(2026, 6, 26, 1), "2606.00002")  # Thursday evening's mailing
    add_papers(store, utc(2026, 6, 29, 1), "2606.00003")  # Sunday evening's mailing
    clock.set(utc(2026, 6, 29, 8))
    report = worker.tick()
    # Sunday's 09:00 slot is 23 h old: beyond the 12 h grace, so no stale digest now...
    assert report.delivered == [] and report.skipped == [(1, "2026-06-28")]
    clock.set(utc(2026, 6, 29, 9, 0, 30))
    report = worker.tick()
    # ...and Monday's digest carries everything new since Thursday, once.
    assert report.delivered == [(1, "2026-06-29")]
    assert sorted(adapter.items()) == ["2606.00001", "2606.00002", "2606.00003"]


def test_missed_slot_within_grace_runs_once_not_per_day(
    store: MemoryStore, settings: Settings
) -> None:
    settings = settings.model_copy(update={"catchup_grace_hours": 72})
    worker, adapter, clock = setup(store, settings, utc(2026, 6, 26, 6), ("lab", "09:00 UTC daily"))
    worker.tick()
    add_papers(store, utc(2026, 6, 26, 7), "2606.00001", "2606.00002")
    clock.set(utc(2026, 6, 28, 20))  # three slots missed (Fri, Sat, Sun)
    report = worker.tick()
    assert report.delivered == [(1, "2026-06-28")]
    assert len(adapter.items()) == 2 and len([p for p in adapter.posts if p.kind == "header"]) == 1
    assert store.list_channels()[0].next_run_at == utc(2026, 6, 29, 9)


def test_friday_and_holiday_get_one_short_line(store: MemoryStore, settings: Settings) -> None:
    worker, adapter, clock = setup(
        store,
        settings,
        utc(2026, 11, 25, 6),
        ("lab", "09:00 Europe/Berlin daily"),
        announce_empty=True,
    )
    worker.tick()
    add_papers(store, utc(2026, 11, 26, 1, 30), "2611.00001")  # Wednesday evening's mailing
    clock.set(utc(2026, 11, 26, 8, 0, 1))  # Thu 09:00 Berlin
    worker.tick()
    assert adapter.items() == ["2611.00001"]
    clock.set(utc(2026, 11, 27, 8, 0, 1))  # Fri: Thursday was Thanksgiving, no mailing
    worker.tick()
    clock.set(utc(2026, 11, 28, 8, 0, 1))  # Sat: arXiv does not announce on Fridays
    worker.tick()
    clock.set(utc(2026, 11, 28, 8, 30))  # a second tick the same day says nothing more
    worker.tick()
    assert adapter.notices() == [
        "No new papers today (Thu 26 Nov is an arXiv holiday: no announcement).",
        "No new papers today (arXiv does not announce on Fridays/Saturdays).",
    ]


def test_empty_day_is_silent_by_default(store: MemoryStore, settings: Settings) -> None:
    worker, adapter, clock = setup(store, settings, utc(2026, 6, 27, 6), ("lab", "09:00 UTC daily"))
    worker.tick()
    clock.set(utc(2026, 6, 27, 9, 1))
    assert worker.tick().delivered == [(1, "2026-06-27")]
    assert adapter.posts == []


def test_tokyo_and_los_angeles_get_their_own_mornings(
    store: MemoryStore, settings: Settings
) -> None:
    worker, adapter, clock = setup(
        store,
        settings,
        utc(2026, 6, 29, 12),
        ("tokyo", "09:00 Asia/Tokyo weekdays"),
        ("la", "09:00 America/Los_Angeles weekdays"),
    )
    worker.tick()
    add_papers(store, utc(2026, 6, 29, 12, 30), "2606.00001")
    clock.set(utc(2026, 6, 29, 16, 1))  # 09:01 in LA (PDT), 01:01 Tuesday in Tokyo
    worker.tick()
    assert adapter.items("la") == ["2606.00001"] and adapter.items("tokyo") == []
    clock.set(utc(2026, 6, 30, 0, 1))  # 09:01 Tuesday in Tokyo
    report = worker.tick()
    assert report.delivered == [(1, "2026-06-30")]
    assert adapter.items("tokyo") == ["2606.00001"]


def test_failed_items_are_retried_with_backoff(store: MemoryStore, settings: Settings) -> None:
    worker, adapter, clock = setup(store, settings, utc(2026, 6, 29, 8), ("lab", "09:00 UTC daily"))
    worker.tick()
    add_papers(store, utc(2026, 6, 29, 8, 30), "2606.00001", "2606.00002")
    adapter.fail["2606.00002"] = 2
    clock.set(utc(2026, 6, 29, 9))
    report = worker.tick()
    assert adapter.items() == ["2606.00001"] and 1 in report.deferred
    channel = store.list_channels()[0]
    assert channel.retry_at == utc(2026, 6, 29, 9, 1)  # 60 s after the first failure

    clock.set(utc(2026, 6, 29, 9, 1))
    worker.tick()  # fails again: the wait doubles
    assert store.list_channels()[0].retry_at == utc(2026, 6, 29, 9, 3)
    clock.set(utc(2026, 6, 29, 9, 2))
    assert worker.tick().claimed == 0  # not yet
    clock.set(utc(2026, 6, 29, 9, 3))
    worker.tick()
    assert sorted(adapter.items()) == ["2606.00001", "2606.00002"]
    channel = store.list_channels()[0]
    assert channel.retry_at is None and store.unfinished_digests() == []
    assert len([p for p in adapter.posts if p.kind == "header"]) == 1


def test_an_item_that_keeps_failing_is_abandoned(store: MemoryStore, settings: Settings) -> None:
    settings = settings.model_copy(update={"delivery_max_attempts": 2})
    worker, adapter, clock = setup(store, settings, utc(2026, 6, 29, 8), ("lab", "09:00 UTC daily"))
    worker.tick()
    add_papers(store, utc(2026, 6, 29, 8, 30), "2606.00001")
    adapter.fail["2606.00001"] = 99
    for minute in (0, 1, 3, 10):
        clock.set(utc(2026, 6, 29, 9, minute))
        worker.tick()
    assert adapter.items() == [] and store.unfinished_digests() == []
    item = store.find_item(1, "2606.00001")
    assert item is not None and item.status is ItemStatus.FAILED and item.attempts == 2


def test_rate_limit_defers_the_channel_only(store: MemoryStore, settings: Settings) -> None:
    # one channel at a time: the fake rate-limits a paper id once, whichever channel is first
    worker, adapter, clock = setup(
        store,
        settings,
        utc(2026, 6, 29, 8),
        ("a", "09:00 UTC daily"),
        ("b", "09:00 UTC daily"),
        concurrency=1,
    )
    worker.tick()
    add_papers(store, utc(2026, 6, 29, 8, 30), "2606.00001", "2606.00002")
    adapter.rate_limit["2606.00002"] = 1.5
    clock.set(utc(2026, 6, 29, 9))
    report = worker.tick()
    assert list(report.deferred) == [1]
    assert store.get_channel(1).retry_at == utc(2026, 6, 29, 9) + timedelta(seconds=1.5)
    assert sorted(adapter.items("b")) == ["2606.00001", "2606.00002"]
    clock.advance(timedelta(seconds=2))
    worker.tick()
    assert sorted(adapter.items("a")) == ["2606.00001", "2606.00002"]
    # a rate limit does not use up an attempt
    item = store.find_item(1, "2606.00002")
    assert item is not None and item.attempts == 0


def test_unavailable_channel_is_paused_and_unscheduled(
    store: MemoryStore, settings: Settings
) -> None:
    worker, adapter, clock = setup(
        store, settings, utc(2026, 6, 29, 8), ("gone", "09:00 UTC daily")
    )
    worker.tick()
    add_papers(store, utc(2026, 6, 29, 8, 30), "2606.00001")
    adapter.gone.add("gone")
    clock.set(utc(2026, 6, 29, 9))
    report = worker.tick()
    channel = store.get_channel(1)
    assert channel.settings.paused and channel.next_run_at is None
    assert "paused" in report.errors[1]
    clock.set(utc(2026, 6, 30, 9))
    assert worker.tick().claimed == 0


def test_stop_request_releases_claimed_channels(store: MemoryStore, settings: Settings) -> None:
    # one channel at a time (with more in flight, each running channel is finished)
    worker, _adapter, clock = setup(
        store,
        settings,
        utc(2026, 6, 29, 8),
        ("a", "09:00 UTC daily"),
        ("b", "09:00 UTC daily"),
        concurrency=1,
    )
    worker.tick()
    add_papers(store, utc(2026, 6, 29, 8, 30), "2606.00001")
    clock.set(utc(2026, 6, 29, 9))
    original = worker.process

    def process_then_stop(*args: object) -> object:
        outcome = original(*args)  # type: ignore[arg-type]
        worker.request_stop()
        return outcome

    worker.process = process_then_stop  # type: ignore[method-assign]
    report = worker.tick()
    assert report.delivered == [(1, "2026-06-29")]
    b = store.get_channel(2)
    assert b.next_run_at == utc(2026, 6, 29, 9)  # still due, for the next worker
    other = Worker(worker.core, worker_id="w2")
    assert other.tick().delivered == [(2, "2026-06-29")]


@pytest.mark.parametrize("kind", ["arxiv", "hf"])
def test_fetch_runs_once_per_announcement(
    store: MemoryStore, settings: Settings, kind: str
) -> None:
    calls: list[str] = []
    clock = FixedClock(utc(2026, 11, 24, 1, 30))  # Monday's mailing was 30 min ago
    core = PaperBot(store, clock, settings, {})
    worker = Worker(core, worker_id="w1", fetchers={kind: lambda: calls.append(kind)})
    assert worker.fetch(kind) is True
    assert worker.fetch(kind) is False  # the same announcement / hour: done already
    other = Worker(core, worker_id="w2", fetchers={kind: lambda: calls.append("other")})
    assert other.fetch(kind) is False
    clock.set(utc(2026, 11, 25, 1, 30))
    assert other.fetch(kind) is True
    assert calls == [kind, "other"]
    assert worker.fetch("unknown") is False


def test_a_running_worker_waits_out_short_rate_limits_in_the_same_pass(
    store: MemoryStore, settings: Settings
) -> None:
    worker, adapter, clock = setup(
        store, settings, utc(2026, 6, 29, 8), ("a", "09:00 UTC daily"), ("b", "09:00 UTC daily")
    )
    worker.tick()
    add_papers(store, utc(2026, 6, 29, 8, 30), "2606.00001", "2606.00002", "2606.00003")
    adapter.rate_limit["2606.00002"] = 1.0  # channel "a" is told to slow down to 1 msg/s
    clock.set(utc(2026, 6, 29, 9))
    naps: list[float] = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        clock.advance(timedelta(seconds=seconds))

    report = worker.tick(sleep=sleep)
    assert report.claimed == 2  # "a" was never released and claimed again
    assert (
        sorted(adapter.items("a"))
        == sorted(adapter.items("b"))
        == [
            "2606.00001",
            "2606.00002",
            "2606.00003",
        ]
    )
    # after the 429 the worker paced "a" itself (1 s apart): no further 429, no re-claim
    assert naps == [1.0, 1.0]
    assert store.get_channel(1).retry_at is None and store.unfinished_digests() == []


def test_a_rate_limited_empty_day_notice_is_sent_later_once(
    store: MemoryStore, settings: Settings
) -> None:
    worker, adapter, clock = setup(
        store, settings, utc(2026, 6, 27, 6), ("lab", "09:00 UTC daily"), announce_empty=True
    )
    worker.tick()
    adapter.rate_limit_notice = 2.0
    clock.set(utc(2026, 6, 27, 9, 1))  # Saturday: nothing new
    assert 1 in worker.tick().deferred
    assert adapter.notices() == []
    clock.advance(timedelta(seconds=3))
    worker.tick()
    clock.advance(timedelta(minutes=5))
    worker.tick()
    assert adapter.notices() == [
        "No new papers today (arXiv does not announce on Fridays/Saturdays)."
    ]
    assert store.unfinished_digests() == []


def test_a_year_missing_from_arxiv_holidays_is_warned_once(
    store: MemoryStore, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    dates_only = settings.model_copy(update={"arxiv_holidays": "2026-11-26,2026-12-25"})
    worker, _, clock = setup(store, dates_only, utc(2026, 12, 30, 6))
    with caplog.at_level(logging.WARNING, logger="bot.digest.worker"):
        worker.tick()  # 2026 is listed
        assert not [r for r in caplog.records if "ARXIV_HOLIDAYS" in r.getMessage()]
        clock.set(utc(2027, 1, 4, 6))
        worker.tick()
        worker.tick()
    warned = [r.getMessage() for r in caplog.records if "ARXIV_HOLIDAYS" in r.getMessage()]
    assert len(warned) == 1 and "no arXiv holiday in 2027" in warned[0]


def test_the_default_holiday_rules_cover_every_year_without_a_warning(
    store: MemoryStore, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    worker, _, clock = setup(store, settings, utc(2027, 1, 4, 6))
    with caplog.at_level(logging.WARNING, logger="bot.digest.worker"):
        worker.tick()
        clock.set(utc(2031, 1, 6, 6))
        worker.tick()
    assert not [r for r in caplog.records if "ARXIV_HOLIDAYS" in r.getMessage()]
    assert not worker.calendar.announces_on(date(2027, 11, 25))  # Thanksgiving 2027
