"""The vote lane's backlog: at most `max_queued` vote reactions wait in memory, the rest in the
store; a stopping worker keeps what it had not added and the next one adds it, each once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence

from bot.config import Settings
from bot.digest.pacing import Pacer
from bot.digest.votes import Vote, VoteLane
from bot.digest.worker import Worker
from bot.errors import DeliveryError
from bot.models import Channel, ChannelRef, ChannelSettings, Platform
from bot.service import PaperBot
from storage.store import SqlStore
from tests.fakes import PacedChat
from tests.fault_runs import RunningClock
from tests.unit.test_inflight import PAPERS, T0, check_exactly_once, setup

CHANNEL = Channel(1, ChannelRef(Platform.CONSOLE, "lab", "c1"), "c1", ChannelSettings())


class ListBacklog:
    """A `VoteBacklog` on a list, recording every save and take."""

    def __init__(self) -> None:
        self.kept: list[Vote] = []
        self.saves: list[int] = []

    def save(self, votes: Sequence[Vote]) -> None:
        self.saves.append(len(votes))
        self.kept.extend(votes)

    def take(self, limit: int) -> list[Vote]:
        taken, self.kept = self.kept[:limit], self.kept[limit:]
        return taken


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_the_lane_holds_at_most_its_cap_and_adds_every_vote_once() -> None:
    chat = PacedChat(votes_per_second=400.0)
    backlog = ListBacklog()
    lane = VoteLane(Pacer(), backlog=backlog, max_queued=10, spill_batch=4, recheck_seconds=0.05)
    try:
        for i in range(40):  # 80 votes
            lane.submit(chat, CHANNEL, f"m{i}")
            assert lane.pending() <= 10
        assert sum(backlog.saves) >= 60  # past the cap: kept in batches of 4
        assert all(n == 4 for n in backlog.saves)
        wait_for(lambda: len(chat.votes) == 80)
    finally:
        lane.stop()
    added = Counter(message for _channel, message, _at in chat.votes)
    assert added == {f"m{i}": 2 for i in range(40)}  # both emoji under each message, once
    assert lane.stats.kept == lane.stats.restored == sum(backlog.saves)
    assert backlog.kept == []


def test_rate_limited_votes_wait_their_turn_and_are_never_dropped() -> None:
    """A 429 is no failed try (the platform said when): one vote answered 429 five times,
    more than `max_tries`, is still added, once, after the last Retry-After."""
    chat = PacedChat(retry_after=0.02, vote_rate_limit=5, vote_emoji=("+1",))
    lane = VoteLane(Pacer(), threads=1, max_tries=3)
    try:
        lane.submit(chat, CHANNEL, "m1")
        wait_for(lambda: len(chat.votes) == 1)
    finally:
        lane.stop()
    assert lane.stats.rate_limited == 5 and lane.stats.failed == 0 and lane.stats.added == 1
    assert [message for _c, message, _at in chat.votes] == ["m1"]
    assert chat.votes[0][2] >= chat.limited[-1][1] + 0.02  # held until the Retry-After


def test_a_vote_added_after_a_429_is_not_kept_again_at_stop() -> None:
    """Re-queued after its 429 and then added: nothing of it is left to keep when the lane stops."""
    chat = PacedChat(retry_after=0.02, vote_rate_limit=1, vote_emoji=("+1",))
    backlog = ListBacklog()
    lane = VoteLane(Pacer(), threads=1, backlog=backlog)
    lane.submit(chat, CHANNEL, "m1")
    wait_for(lambda: len(chat.votes) == 1)
    assert lane.stop() == 0
    assert backlog.kept == [] and lane.stats.rate_limited == 1


def test_a_stopped_lane_keeps_its_votes_for_the_next_worker(
    store: SqlStore, settings: Settings
) -> None:
    slow = PacedChat(per_channel=50.0, votes_per_second=4.0)
    first = setup(store, settings, slow, channels=6, concurrency=6)
    lane = first.defer_votes()
    first.tick(sleep=time.sleep)
    check_exactly_once(slow, 6)
    time.sleep(0.3)
    first.core.stop_vote_lane()
    queued = 6 * PAPERS * 2
    assert lane.stats.kept == queued - len(slow.votes) > 0  # kept, not dropped
    assert lane.pending() == 0

    fast = PacedChat(votes_per_second=500.0)  # the next worker, after a restart
    core = PaperBot(store, RunningClock(T0), settings, {Platform.CONSOLE: fast}, pacer=Pacer())
    second = Worker(core, worker_id="w2", concurrency=4)
    again = second.defer_votes()
    try:
        wait_for(lambda: len(fast.votes) == lane.stats.kept)
    finally:
        second.core.stop_vote_lane()
    assert again.stats.restored == lane.stats.kept and again.stats.kept == 0
    added = Counter(message for _name, message, _at in slow.votes + fast.votes)
    assert len(added) == 6 * PAPERS and set(added.values()) == {2}  # every paper, once each
    assert store.take_votes(100, [Platform.CONSOLE]) == []


def test_a_vote_still_being_added_at_stop_is_kept_too() -> None:
    """A platform call that outlasts the stop's wait: its vote is kept with the queued ones."""
    release = threading.Event()

    class Stuck(PacedChat):
        def add_vote(self, channel: Channel, message_id: str, emoji: str) -> None:
            if message_id == "m0":
                release.wait(10)
                raise DeliveryError("connection closed by the stopping worker")
            super().add_vote(channel, message_id, emoji)

    chat = Stuck(vote_emoji=("+1",))
    backlog = ListBacklog()
    lane = VoteLane(Pacer(), threads=1, backlog=backlog)
    lane.submit(chat, CHANNEL, "m0")
    lane.submit(chat, CHANNEL, "m1")
    wait_for(lambda: lane.pending() == 1)  # m0 taken by the thread, m1 queued behind it
    assert lane.stop(timeout=0.1) == 2
    release.set()
    assert sorted(v.message_id for v in backlog.kept) == ["m0", "m1"]
    assert chat.votes == []


def test_a_store_that_fails_loses_votes_not_posts() -> None:
    class Down(ListBacklog):
        def save(self, votes: Sequence[Vote]) -> None:
            raise OSError("database unavailable")

    chat = PacedChat(votes_per_second=0.5)
    lane = VoteLane(Pacer(), backlog=Down(), max_queued=4, spill_batch=2)
    for i in range(4):
        lane.submit(chat, CHANNEL, f"m{i}")
    assert lane.stop() == 0
    assert lane.stats.failed >= 4  # counted, logged; submit never raised
