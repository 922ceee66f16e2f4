"""ReactionStore contract: the latest event per key decides (a removal wins a tie), event ids
count once, a reaction on an unknown message records nothing."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from bot.models import ChannelRef, Platform
from bot.ports import Store
from tests.contracts.conftest import REF, T0, posted_channel
from tests.fakes import MemoryStore

P1, P2 = "2607.00001", "2607.00002"


def at(ms: int):  # type: ignore[no-untyped-def]
    return T0 + timedelta(milliseconds=ms)


def react(store: Store, cid: int, added: bool, ms: int, **kw: object) -> bool:
    user, paper, emoji = kw.pop("user", "U1"), kw.pop("paper", P1), kw.pop("emoji", "+1")
    value = kw.pop("value", 1)
    return store.record_reaction(
        cid,
        paper,
        user,
        emoji,
        value,
        added=added,
        now=T0,
        at=at(ms),
        **kw,  # type: ignore[arg-type]
    )


def test_a_newer_event_decides_and_an_older_one_never_overrides(any_store: Store) -> None:
    cid = posted_channel(any_store).id
    assert react(any_store, cid, True, 10) is True
    assert react(any_store, cid, False, 20) is True
    assert react(any_store, cid, True, 15) is False  # the add from before the removal, late
    assert any_store.feedback(cid) == []
    assert react(any_store, cid, True, 30) is True
    assert [(f.paper_id, f.value, f.at) for f in any_store.feedback(cid)] == [(P1, 1, at(30))]


def test_a_removal_wins_a_tie_in_either_arrival_order(any_store: Store) -> None:
    cid = posted_channel(any_store).id
    assert react(any_store, cid, True, 10, user="U1") is True
    assert react(any_store, cid, False, 10, user="U1") is True
    assert react(any_store, cid, False, 10, user="U2") is False  # nothing to remove yet
    assert react(any_store, cid, True, 10, user="U2") is False  # the removal already won
    assert any_store.feedback(cid) == []


EVENTS = [(True, 10), (False, 20), (True, 30), (False, 30)]  # ends removed (a tie: removal)


def replay(store: Store, order: tuple[int, ...]) -> None:
    cid = posted_channel(store).id
    for i in order:
        react(store, cid, EVENTS[i][0], EVENTS[i][1])
    assert store.feedback(cid) == []
    react(store, cid, True, 31)
    assert store.reaction_counts(cid) == (1, 0)


@pytest.mark.parametrize("order", [(0, 1, 2, 3), (3, 2, 1, 0), (2, 0, 3, 1)])
def test_arrival_order_does_not_matter(any_store: Store, order: tuple[int, ...]) -> None:
    replay(any_store, order)


def test_no_arrival_order_matters_to_the_fake() -> None:
    for order in itertools.permutations(range(len(EVENTS))):
        replay(MemoryStore(), order)


def test_the_latest_opinion_per_person_and_paper(any_store: Store) -> None:
    cid = posted_channel(any_store).id
    react(any_store, cid, True, 10, emoji="+1", value=1)
    react(any_store, cid, True, 20, emoji="-1", value=-1)
    react(any_store, cid, True, 20, emoji="heart", value=1, user="U2")
    react(any_store, cid, True, 20, emoji="-1", value=-1, user="U2")  # a tie: 👎 outranks
    react(any_store, cid, True, 5, emoji="+1", value=1, paper=P2)
    got = sorted((f.paper_id, f.user_id, f.value) for f in any_store.feedback(cid))
    assert got == [(P1, "U1", -1), (P1, "U2", -1), (P2, "U1", 1)]
    assert any_store.reaction_counts(cid) == (1, 2)


def test_an_event_id_counts_once_until_pruned(any_store: Store) -> None:
    cid = posted_channel(any_store).id
    assert react(any_store, cid, True, 10, event_id="Ev1") is True
    assert react(any_store, cid, False, 20, event_id="Ev1") is False  # a retry: same id
    assert len(any_store.feedback(cid)) == 1
    assert any_store.prune_events(T0 - timedelta(hours=1)) == 0
    assert any_store.prune_events(T0 + timedelta(seconds=1)) == 1
    assert react(any_store, cid, False, 20, event_id="Ev1") is True  # forgotten: applied
    assert any_store.feedback(cid) == []


def test_a_reaction_on_a_message_in_one_call(any_store: Store) -> None:
    channel = posted_channel(any_store)
    kw = {"added": True, "now": T0, "at": at(10)}
    assert (
        any_store.record_message_reaction(REF, "m-x", "U1", "+1", 1, event_id="E1", **kw) is False
    )
    other = ChannelRef(Platform.SLACK, "T1", "C2")
    assert (
        any_store.record_message_reaction(other, f"m-{P1}", "U1", "+1", 1, event_id="E1", **kw)
        is False
    )
    assert any_store.feedback(channel.id) == []
    # nothing was recorded for E1, so its delivery on a posted paper counts
    assert (
        any_store.record_message_reaction(REF, f"m-{P2}", "U1", "+1", 1, event_id="E1", **kw)
        is True
    )
    assert (
        any_store.record_message_reaction(REF, f"m-{P2}", "U1", "+1", 1, event_id="E1", **kw)
        is False
    )
    assert [(f.paper_id, f.user_id, f.value) for f in any_store.feedback(channel.id)] == [
        (P2, "U1", 1)
    ]


def test_a_reaction_on_an_unknown_paper_or_channel_is_refused(any_store: Store) -> None:
    cid = posted_channel(any_store).id
    assert react(any_store, cid, True, 10, paper="2607.99999", event_id="E9") is False
    assert react(any_store, cid + 100, True, 10, event_id="E9") is False
    assert react(any_store, cid, True, 10, event_id="E9") is True  # E9 was never consumed
