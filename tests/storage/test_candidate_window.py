"""The candidate window is read once per change: every channel gets the same paper objects, and
a paper ingested or changed between two channels' plans (by this process or another) is seen
by the next plan, which ranks as a fresh core would."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

from bot.clock import FixedClock
from bot.config import Settings
from bot.models import Channel, ChannelRef, ChannelSettings, Interest, InterestKind, Platform
from bot.service import DigestPlan, PaperBot
from storage.store import SqlStore
from tests.conftest import make_paper

PAPERS = [
    make_paper("2607.00001", "Robot manipulation with tactile sensing", categories=("cs.RO",)),
    make_paper("2607.00002", "Motion planning for robot arms in clutter", categories=("cs.RO",)),
    make_paper("2607.00003", "Image generation with diffusion", categories=("cs.CV",)),
    make_paper("2607.00004", "Speech recognition at scale", categories=("eess.AS",)),
    make_paper("2607.00005", "Language model reasoning benchmarks", categories=("cs.CL",)),
]
TOPICS = ["robot manipulation", "diffusion", "speech recognition", "language model"]


def _setup(
    store: SqlStore, settings: Settings, clock: FixedClock
) -> tuple[PaperBot, list[Channel]]:
    core = PaperBot(store, clock, settings)
    core.ingest(PAPERS)
    channels = [
        store.add_channel(
            ChannelRef(Platform.CONSOLE, "local", f"c{i}"),
            f"c{i}",
            ChannelSettings(size=2),
            [Interest(InterestKind.TOPIC, topic)],
            now=clock.now() - timedelta(days=1),
        )
        for i, topic in enumerate(TOPICS)
    ]
    clock.set(clock.now() + timedelta(minutes=1))
    return core, channels


def _picks(plan: DigestPlan) -> list[tuple[str, float, str]]:
    return [(s.paper.id, s.score, line) for s, line in plan.picks]


def _fresh(store: SqlStore, settings: Settings, clock: FixedClock, channel: Channel) -> DigestPlan:
    return PaperBot(store, clock, settings).plan(store.get_channel(channel.id))


def test_channels_share_the_window_objects(
    store: SqlStore, settings: Settings, clock: FixedClock
) -> None:
    core, channels = _setup(store, settings, clock)
    first, _ = core.candidates(channels[0])
    again, _ = core.candidates(channels[1])
    assert [p.id for p in first] == [p.id for p in again]
    assert all(a is b for a, b in zip(first, again, strict=True))
    assert core.batch_for(first) is core.batch_for(again)


def test_a_paper_ingested_or_changed_mid_pass_is_seen_by_the_next_plan(
    store: SqlStore, settings: Settings, clock: FixedClock
) -> None:
    core, channels = _setup(store, settings, clock)
    core.plan(channels[0])
    # this process, same frozen time: a new paper and a changed one
    core.ingest([make_paper("2607.00006", "Robot manipulation of cloth", categories=("cs.RO",))])
    core.ingest([replace(PAPERS[2], title="Speech recognition with diffusion", version=2)])
    plan = core.plan(channels[0])
    assert "2607.00006" in {s.paper.id for s, _ in plan.picks}
    assert _picks(plan) == _picks(_fresh(store, settings, clock, channels[0]))
    changed = core.plan(channels[2])
    assert _picks(changed) == _picks(_fresh(store, settings, clock, channels[2]))
    # another process (a second store on the same database), a minute later
    other = SqlStore(store.engine)
    other.upsert_papers([replace(PAPERS[4], upvotes=500)], clock.now() + timedelta(minutes=1))
    window, _ = core.candidates(channels[3])
    assert {p.id: p.upvotes for p in window}["2607.00005"] == 500


def test_a_changed_channel_profile_is_seen_by_the_next_plan(
    store: SqlStore, settings: Settings, clock: FixedClock
) -> None:
    core, channels = _setup(store, settings, clock)
    before = core.plan(channels[0])
    assert before.picks[0][0].paper.id == "2607.00001"
    store.add_interest(channels[0].id, Interest(InterestKind.TOPIC, "speech"), now=clock.now())
    store.remove_interest(channels[0].id, Interest(InterestKind.TOPIC, "robot manipulation"))
    after = core.plan(store.get_channel(channels[0].id))
    assert after.picks[0][0].paper.id == "2607.00004"
    assert _picks(after) == _picks(_fresh(store, settings, clock, channels[0]))


def test_channels_planned_at_once_get_their_own_digests(
    store: SqlStore, settings: Settings, clock: FixedClock
) -> None:
    core, channels = _setup(store, settings, clock)
    expected = {c.id: _picks(_fresh(store, settings, clock, c)) for c in channels}
    got: dict[int, list[list[tuple[str, float, str]]]] = {c.id: [] for c in channels}
    start = threading.Barrier(8)

    def run(channel: Channel) -> None:
        start.wait()
        for _ in range(3):
            got[channel.id].append(_picks(core.plan(channel)))

    threads = [threading.Thread(target=run, args=(c,)) for c in channels * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(runs == [expected[cid]] * 6 for cid, runs in got.items())


def test_a_change_at_the_same_instant_is_seen(store: SqlStore, clock: FixedClock) -> None:
    now = clock.now()
    store.upsert_papers(PAPERS, now)
    first = store.papers_seen_since(now - timedelta(hours=1))
    store.upsert_papers([replace(PAPERS[0], upvotes=7)], now)  # same updated_at
    again = store.papers_seen_since(now - timedelta(hours=1))
    assert {p.id: p.upvotes for p in again}["2607.00001"] == 7
    assert [p.id for p in again] == [p.id for p in first]
    assert sum(a is b for a, b in zip(first, again, strict=True)) == len(PAPERS) - 1


def test_a_kept_window_serves_later_starts_and_limits_as_a_fresh_read(
    store: SqlStore, clock: FixedClock
) -> None:
    start = clock.now()
    for i, paper in enumerate(PAPERS):  # one a minute
        store.upsert_papers([paper], start + timedelta(minutes=i))
    fresh = SqlStore(store.engine)  # another process: nothing kept
    since = start - timedelta(hours=1)
    assert [p.id for p in store.papers_seen_since(since)] == [
        p.id for p in fresh.papers_seen_since(since)
    ]
    for minutes in (0, 1, 3, 10):
        later = start + timedelta(minutes=minutes)
        for limit in (1, 2, 5000):
            kept = [p.id for p in store.papers_seen_since(later, limit)]
            assert kept == [p.id for p in SqlStore(store.engine).papers_seen_since(later, limit)]
    # another process changes a paper and adds one: the kept window is read again
    fresh.upsert_papers([replace(PAPERS[1], upvotes=3)], start + timedelta(minutes=30))
    fresh.upsert_papers([make_paper("2607.00009", "Late paper")], start + timedelta(minutes=31))
    again = store.papers_seen_since(start + timedelta(seconds=30))
    assert again[0].id == "2607.00009"
    assert {p.id: p.upvotes for p in again}["2607.00002"] == 3
