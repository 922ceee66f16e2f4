"""Vote reactions waiting in the store, on SQLite and PostgreSQL: taken oldest first, each by
one taker only, only for the platforms asked, gone with their channel."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from bot.models import ChannelRef, ChannelSettings, PendingVote, Platform
from storage.store import SqlStore

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)


def channel(store: SqlStore, platform: Platform, name: str) -> int:
    ref = ChannelRef(platform, "lab", name)
    return store.add_channel(ref, name, ChannelSettings(), now=T0).id


def test_votes_come_back_oldest_first_with_their_tries(store: SqlStore) -> None:
    cid = channel(store, Platform.SLACK, "C1")
    store.save_votes([PendingVote(cid, f"1.{i}", "+1", tries=i % 2) for i in range(5)], now=T0)
    first = store.take_votes(3, [Platform.SLACK])
    assert [v.message_id for v in first] == ["1.0", "1.1", "1.2"]
    assert [v.tries for v in first] == [0, 1, 0]
    assert [v.message_id for v in store.take_votes(10, [Platform.SLACK])] == ["1.3", "1.4"]
    assert store.take_votes(10, [Platform.SLACK]) == []


def test_only_the_platforms_asked_for_and_not_after_the_channel_is_gone(store: SqlStore) -> None:
    slack, discord = channel(store, Platform.SLACK, "C1"), channel(store, Platform.DISCORD, "9")
    store.save_votes([PendingVote(slack, "1.1", "+1"), PendingVote(discord, "77", "👍")], now=T0)
    assert store.take_votes(10, [Platform.DISCORD]) == [PendingVote(discord, "77", "👍")]
    store.remove_channel(slack)
    assert store.take_votes(10, [Platform.SLACK, Platform.DISCORD]) == []
    assert store.take_votes(10, []) == []


def test_two_takers_at_once_never_get_the_same_vote(store: SqlStore) -> None:
    cid = channel(store, Platform.SLACK, "C1")
    store.save_votes([PendingVote(cid, f"1.{i}", "+1") for i in range(400)], now=T0)
    got: list[list[PendingVote]] = [[], [], [], []]
    start = threading.Barrier(4)

    def take(n: int) -> None:
        start.wait()
        while batch := store.take_votes(7, [Platform.SLACK]):
            got[n].extend(batch)

    threads = [threading.Thread(target=take, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    taken = [v.message_id for batch in got for v in batch]
    assert len(taken) == len(set(taken)) == 400
