"""Many channels in flight inside one worker: each channel at its own declared pace, a global
cap over all of them, a 429 holding only its channel, vote reactions never holding up posts,
and every digest still posted exactly once (outbox and leases as in the sequential pass)."""

from __future__ import annotations

import itertools
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime

from bot.config import Settings
from bot.digest.inflight import Finished
from bot.digest.pacing import POST, Pacer
from bot.digest.schedule import parse_schedule
from bot.digest.worker import Worker
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Platform, Release
from bot.service import PaperBot
from storage.store import SqlStore
from tests.conftest import make_paper
from tests.fakes import PacedChat
from tests.fault_runs import RunningClock

T0 = datetime(2026, 6, 29, 9, tzinfo=UTC)
PAPERS = 3  # a digest: a header and three papers


def setup(
    store: SqlStore, settings: Settings, chat: PacedChat, channels: int, concurrency: int
) -> Worker:
    seen = datetime(2026, 6, 29, 8, tzinfo=UTC)
    store.upsert_papers(
        [make_paper(f"2606.{i:05d}", f"Robot study {i}") for i in range(PAPERS)], seen
    )
    for i in range(channels):
        channel = store.add_channel(
            ChannelRef(Platform.CONSOLE, "lab", f"c{i}"),
            f"c{i}",
            ChannelSettings(size=PAPERS, schedule=parse_schedule("09:00 UTC daily")),
            [Interest(InterestKind.TOPIC, "robot")],
            now=seen,
        )
        store.set_next_run(channel.id, T0)
    settings = settings.model_copy(update={"claim_batch_size": 50})
    core = PaperBot(
        store, RunningClock(T0), settings, {Platform.CONSOLE: chat}, pacer=Pacer(margin=0.05)
    )
    return Worker(core, worker_id="w1", concurrency=concurrency)


def check_exactly_once(chat: PacedChat, channels: int) -> None:
    counts = Counter((name, what) for name, what, _at in chat.posts)
    assert len(counts) == channels * (PAPERS + 1)
    assert set(counts.values()) == {1}


def test_channels_overlap_each_at_its_own_pace(store: SqlStore, settings: Settings) -> None:
    chat = PacedChat(per_channel=10.0)  # 0.1 s between two posts to one channel
    worker = setup(store, settings, chat, channels=30, concurrency=30)
    started = time.monotonic()
    report = worker.tick(sleep=time.sleep)
    elapsed = time.monotonic() - started
    assert len(report.delivered) == 30 and not report.errors
    check_exactly_once(chat, 30)
    for i in range(30):
        at = chat.times(f"c{i}")
        gaps = [round(b - a, 4) for a, b in itertools.pairwise(at)]
        # booked 0.105 s apart (the 5% margin); a thread may wake a few ms late
        assert min(gaps) >= 0.09 and sum(gaps) / len(gaps) >= 0.1, gaps
    assert elapsed < 30 * 0.3 / 2  # one at a time would take 9 s (30 channels x 0.3 s)
    assert store.unfinished_digests() == []


def test_a_global_cap_holds_over_all_channels(store: SqlStore, settings: Settings) -> None:
    chat = PacedChat(per_channel=100.0, global_rate=40.0)
    worker = setup(store, settings, chat, channels=10, concurrency=10)
    worker.tick(sleep=time.sleep)
    check_exactly_once(chat, 10)
    at = sorted(t for _name, _what, t in chat.posts)
    busiest = max(sum(1 for t in at if s <= t < s + 0.25) for s in at)
    assert busiest <= 10 + 2  # 40 a second: 10 in a quarter second, give or take a wake-up
    assert at[-1] - at[0] < 39 * 0.025 * 1.05 + 1.5  # and not far below it (a loaded CI box)


def test_retry_after_holds_its_channel_only(store: SqlStore, settings: Settings) -> None:
    chat = PacedChat(per_channel=50.0, retry_after=0.5, rate_limit={"c0": 1})
    worker = setup(store, settings, chat, channels=6, concurrency=6)
    report = worker.tick(sleep=time.sleep)
    check_exactly_once(chat, 6)
    assert list(report.deferred) == [1]  # c0, resumed in the same pass
    (limited_at,) = (at for name, at in chat.limited)
    c0 = chat.times("c0")
    assert c0[0] - limited_at >= 0.5  # waited out its Retry-After
    assert len(chat.limited) == 1  # the hold kept c0 from asking again too early
    assert worker.core.pacer.delay(chat.lanes(worker.store.get_channel(2), POST)) < 0.1


def test_vote_reactions_never_hold_up_the_posts(store: SqlStore, settings: Settings) -> None:
    chat = PacedChat(per_channel=50.0, votes_per_second=2.0)  # 2 reactions a second in all
    worker = setup(store, settings, chat, channels=8, concurrency=8)
    lane = worker.defer_votes()
    try:
        started = time.monotonic()
        worker.tick(sleep=time.sleep)
        posts_done = time.monotonic() - started
        check_exactly_once(chat, 8)
        assert posts_done < 2.0  # 48 reactions at 2 a second take 24 s
        assert lane.stats.queued == 8 * PAPERS * 2 and lane.pending() > 30
        time.sleep(1.2)
        votes = [at for _name, _message, at in chat.votes]
        elapsed = time.monotonic() - started
        # the lane keeps its own pace meanwhile: 2 a second since the first post, not 48 at once
        assert 1 <= len(votes) <= 1 + 2.0 * elapsed
        assert votes[-1] - votes[0] >= (len(votes) - 1) * 0.45
    finally:
        worker.core.stop_vote_lane()
    assert chat.defer_votes is False  # back to inline votes once the lane is gone


def test_stopping_gives_back_the_channels_not_started(store: SqlStore, settings: Settings) -> None:
    chat = PacedChat(per_channel=10.0)
    worker = setup(store, settings, chat, channels=20, concurrency=2)
    original = worker.process

    def process_then_stop(*args: object) -> object:
        outcome = original(*args)  # type: ignore[arg-type]
        worker.request_stop()
        return outcome

    worker.process = process_then_stop  # type: ignore[method-assign]
    report = worker.tick(sleep=time.sleep)
    assert 1 <= len(report.delivered) <= 2  # the channels already running were finished
    other = Worker(worker.core, worker_id="w2", concurrency=8)
    rest = other.tick(sleep=time.sleep)  # the rest are due again and nobody's: w2 takes them
    assert len(rest.delivered) == 20 - len(report.delivered)
    check_exactly_once(chat, 20)


def test_claims_and_releases_reach_the_store_in_batches(
    store: SqlStore, settings: Settings
) -> None:
    """A few channels are claimed ahead of the free threads and finished ones are given back
    together: fewer claim and release statements than channels, every channel given back."""
    chat = PacedChat(per_channel=100.0)
    worker = setup(store, settings, chat, channels=40, concurrency=8)
    calls: Counter[str] = Counter()
    released: list[int] = []
    claim, release_many = store.claim_due_channels, store.release_channels

    def counted_claim(*args: object, **kwargs: object) -> object:
        calls["claim"] += 1
        return claim(*args, **kwargs)  # type: ignore[arg-type]

    def counted_release(worker_id: str, releases: list[Release]) -> int:
        calls["release"] += 1
        released.extend(r.channel_id for r in releases)
        return release_many(worker_id, releases)

    store.claim_due_channels = counted_claim  # type: ignore[method-assign,assignment]
    store.release_channels = counted_release  # type: ignore[method-assign]
    store.release_channel = None  # type: ignore[method-assign,assignment]  # never one by one
    report = worker.tick(sleep=time.sleep)
    assert len(report.delivered) == 40 and not report.errors
    check_exactly_once(chat, 40)
    assert sorted(released) == sorted(c.id for c in store.list_channels())
    assert calls["claim"] <= 40 // 2 + 2 and calls["release"] <= 40 // 2 + 2
    assert all(c.lease_token is None for c in store.list_channels())


def test_finished_futures_are_taken_in_order_and_all_at_once() -> None:
    """The pass waits on its own completion queue (not `concurrent.futures.wait` over every
    running future): each take returns everything finished so far, or nothing after the
    timeout."""
    finished = Finished()
    futures: list[Future[Release | None]] = [Future() for _ in range(3)]
    for f in futures:
        f.add_done_callback(finished.put)
    assert finished.take(timeout=0.01) == []
    futures[1].set_result(None)
    futures[0].set_result(None)
    assert finished.take(timeout=0.01) == [futures[1], futures[0]]
    pool = ThreadPoolExecutor(1)
    later = pool.submit(lambda: (time.sleep(0.05), futures[2].set_result(None)))
    assert finished.take(timeout=5.0) == [futures[2]]  # waited for it
    later.result()
    pool.shutdown()
