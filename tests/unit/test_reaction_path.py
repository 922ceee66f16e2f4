"""The core's reaction path on the in-memory store: one store call per reaction event."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.models import ChannelRef, ChannelSettings, Platform, ReactionEvent, ScoredPaper
from bot.service import PaperBot
from tests.conftest import make_paper
from tests.fakes import MemoryStore

REF = ChannelRef(Platform.SLACK, "T1", "C1")
PAPER = make_paper("2607.00001", "Robot manipulation")


@pytest.fixture
def core(memory_store: MemoryStore, clock: FixedClock, settings: Settings) -> PaperBot:
    memory_store.upsert_papers([PAPER], clock.now())
    channel = memory_store.add_channel(REF, "lab", ChannelSettings(), now=clock.now())
    picks = [(ScoredPaper(PAPER, 1.0, ()), "")]
    digest, _ = memory_store.create_digest(
        channel.id, "d1", picks, candidates=1, now=clock.now(), watermark=None
    )
    assert digest.id is not None
    memory_store.mark_item_posted(digest.id, PAPER.id, "m1", now=clock.now())
    memory_store.events.clear()
    return PaperBot(memory_store, clock, settings)


def event(emoji: str, *, message: str = "m1", added: bool = True, eid: str = "E1") -> ReactionEvent:
    return ReactionEvent(Platform.SLACK, "T1", "C1", message, "U1", emoji, added, event_id=eid)


def names(store: MemoryStore) -> list[tuple[str, object]]:
    return [(c.name, c.args[-1]) for c in store.events]


def test_a_reaction_is_one_store_call(core: PaperBot, memory_store: MemoryStore) -> None:
    core.event_ids.maybe_prune(core.clock.now())  # the hourly prune, out of the way
    memory_store.events.clear()
    assert core.on_reaction(event("+1")) is True
    assert core.on_reaction(event("+1")) is False  # a retry
    assert core.on_reaction(event("thumbsdown", eid="E2")) is True
    assert names(memory_store) == [
        ("record_message_reaction", "changed"),
        ("record_message_reaction", "duplicate"),
        ("record_message_reaction", "changed"),
    ]
    assert [(f.paper_id, f.value) for f in core.opinions(core.store.get_channel(1))] == [
        (PAPER.id, -1)
    ]


def test_an_emoji_that_is_no_opinion_never_reaches_the_store(
    core: PaperBot, memory_store: MemoryStore
) -> None:
    assert core.on_reaction(event("wave")) is False
    assert memory_store.events == []


def test_a_reaction_on_another_message_records_nothing(
    core: PaperBot, memory_store: MemoryStore, clock: FixedClock
) -> None:
    assert core.on_reaction(event("+1", message="m-other")) is False
    assert ("record_message_reaction", "not a posted paper") in names(memory_store)
    assert memory_store.reactions == {} and memory_store.processed == {}
    clock.advance(timedelta(seconds=1))
    assert core.on_reaction(event("+1")) is True  # E1 was not used up
