"""A worker holds the learned profiles of the channels it has claimed, and no others."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime

import numpy as np
import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.digest.schedule import parse_schedule
from bot.digest.worker import Worker
from bot.feedback.learned import LearnedProfiles, Opinion
from bot.models import Channel, ChannelRef, ChannelSettings, Interest, InterestKind, Paper, Platform
from bot.ranking import Profile
from bot.service import PaperBot
from storage.store import SqlStore
from tests.conftest import make_paper
from tests.fakes import RecordingAdapter

T0 = datetime(2026, 6, 29, 8, tzinfo=UTC)
CHANNELS = 12
BATCH = 4


class _Watched(LearnedProfiles):
    """Records, at every profile built, which channels' learned states are held."""

    def __init__(self, claimed: Callable[[], set[int]]) -> None:
        super().__init__()
        self.claimed = claimed
        self.seen: list[tuple[set[int], set[int]]] = []  # (held, claimed) after each build

    def profile(
        self,
        channel: Channel,
        opinions: Iterable[Opinion],
        papers: Callable[[list[str]], Mapping[str, Paper]],
        vectors: Callable[[list[Paper]], Mapping[str, np.ndarray]],
    ) -> Profile:
        built = super().profile(channel, opinions, papers, vectors)
        self.seen.append((set(self._learned), self.claimed()))
        return built


def _setup(
    store: SqlStore, settings: Settings, concurrency: int
) -> tuple[Worker, _Watched, RecordingAdapter]:
    clock = FixedClock(T0)
    adapter = RecordingAdapter()
    core = PaperBot(store, clock, settings, {Platform.CONSOLE: adapter})
    papers = [make_paper(f"2606.{i:05d}", f"Robot grasping study {i}") for i in range(40)]
    store.upsert_papers(papers, T0)
    for n in range(CHANNELS):
        channel = store.add_channel(
            ChannelRef(Platform.CONSOLE, "local", f"c{n}"),
            f"c{n}",
            ChannelSettings(size=2, schedule=parse_schedule("09:00 UTC daily")),
            [Interest(InterestKind.TOPIC, "robot grasping")],
            now=T0,
        )
        for k in range(3):  # every channel has learned something
            paper = papers[(n + 7 * k) % len(papers)]
            store.record_reaction(
                channel.id, paper.id, f"u{k}", "+1", 1 if k else -1, added=True, now=T0
            )
    worker = Worker(core, worker_id="w1", concurrency=concurrency)
    watched = _Watched(lambda: set(worker._leases))
    core.learned = watched
    return worker, watched, adapter


@pytest.mark.parametrize("concurrency", [1, 3])
def test_profile_cache_is_bounded_by_claimed_channels(
    sqlite_store: SqlStore, settings: Settings, concurrency: int
) -> None:
    """One channel at a time: at most a claim batch is held; with channels in flight, at most
    the channels being delivered."""
    settings = settings.model_copy(update={"claim_batch_size": BATCH})
    worker, watched, adapter = _setup(sqlite_store, settings, concurrency)
    bound = BATCH if concurrency == 1 else concurrency
    worker.tick()  # schedules every channel for 09:00
    worker.clock.set(datetime(2026, 6, 29, 9, 0, 5, tzinfo=UTC))  # type: ignore[attr-defined]
    report = worker.tick()
    assert len(report.delivered) == CHANNELS and len(adapter.items()) == 2 * CHANNELS
    assert len(watched.seen) == CHANNELS  # one learned profile per digest
    for held, claimed in watched.seen:
        assert held <= claimed, f"holds {sorted(held - claimed)} it has not claimed"
        assert len(held) <= bound
    assert len(watched) == 0  # every channel was given back, and its learned state with it


def test_learned_states_outside_a_worker_are_capped() -> None:
    learned = LearnedProfiles(kept=3)
    paper = make_paper("2606.00001", "Robot grasping")

    def papers(ids: list[str]) -> dict[str, Paper]:
        return {paper.id: paper} if paper.id in ids else {}

    for n in range(10):
        channel = Channel(
            id=n,
            ref=ChannelRef(Platform.CONSOLE, "local", f"c{n}"),
            name=f"c{n}",
            interests=(Interest(InterestKind.TOPIC, "robots"),),
        )
        learned.profile(channel, [(paper.id, 1)], papers, lambda _: {})
    assert len(learned) == 3
    learned.forget(9)
    assert len(learned) == 2
