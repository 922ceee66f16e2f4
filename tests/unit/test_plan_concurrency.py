"""At most PLAN_CONCURRENCY digests are ranked at once in a process, however many channels are
in flight: ranking is CPU work, and each plan holds its channel's profile in memory."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.clock import FixedClock
from bot.config import Settings
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Platform
from bot.ranking import Ranker
from bot.service import PaperBot
from tests.conftest import make_paper
from tests.fakes import MemoryStore

T0 = datetime(2026, 6, 29, 9, tzinfo=UTC)


class CountingRanker(Ranker):
    """The real ranker, counting how many rank at the same moment."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0

    def rank(self, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(0.02)  # long enough for the other threads to arrive
            return super().rank(*args, **kwargs)
        finally:
            with self.lock:
                self.now -= 1


def test_plans_run_at_most_plan_concurrency_at_once(memory_store: MemoryStore) -> None:
    memory_store.upsert_papers(
        [make_paper(f"2606.{i:05d}", f"Robot study {i}") for i in range(8)], T0 - timedelta(hours=1)
    )
    channels = [
        memory_store.add_channel(
            ChannelRef(Platform.CONSOLE, "lab", f"c{i}"),
            f"c{i}",
            ChannelSettings(size=3),
            [Interest(InterestKind.TOPIC, "robot")],
            now=T0 - timedelta(days=1),
        )
        for i in range(24)
    ]
    ranker = CountingRanker()
    settings = Settings(_env_file=None, plan_concurrency=3)  # type: ignore[call-arg]
    core = PaperBot(memory_store, FixedClock(T0), settings, {}, ranker=ranker)
    plans: list[int] = []
    threads = [
        threading.Thread(target=lambda c=c: plans.append(len(core.plan(c).picks))) for c in channels
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert plans == [3] * 24  # every channel planned, each with its digest
    assert ranker.most == 3  # never more than three at once, and the limit was reached
