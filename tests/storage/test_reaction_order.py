"""Reactions in the order they happened, on SQLite and PostgreSQL: whatever order add/remove
events arrive in, re-delivered or not, the stored opinions and the learned profile are what the
latest event per (person, message, emoji) implies. Property-based (Hypothesis)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from bot.clock import FixedClock
from bot.config import Settings
from bot.feedback.learned import LearnedProfiles
from bot.models import (
    Channel,
    ChannelRef,
    ChannelSettings,
    Interest,
    InterestKind,
    Platform,
    ReactionEvent,
    ScoredPaper,
)
from bot.ranking import Profile
from bot.service import PaperBot
from storage.store import SqlStore
from storage.tables import ReactionRow
from tests.conftest import make_paper

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)
PAPERS = [
    make_paper("2607.00001", "Robot manipulation with tactile sensing", categories=("cs.RO",)),
    make_paper("2607.00002", "Image generation with diffusion", categories=("cs.CV",)),
]
USERS = ("U1", "U2")
EMOJI = {"+1": 1, "-1": -1}
Key = tuple[str, str, str]  # (user, paper id, emoji)
KEYS: list[Key] = [(u, p.id, e) for u in USERS for p in PAPERS for e in EMOJI]
Event = tuple[Key, int, bool]  # (key, time in ms after T0, added)
_channels = itertools.count(1)


@pytest.fixture
def core(store: SqlStore, tmp_path) -> Iterator[PaperBot]:  # type: ignore[no-untyped-def]
    cfg = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'x.db'}", ranker="lexical")  # type: ignore[call-arg]
    bot = PaperBot(store, FixedClock(T0), cfg)
    bot.ingest(PAPERS)
    yield bot


def fresh_channel(core: PaperBot) -> Channel:
    """A channel of its own (one per example) where each paper was posted as `m-<paper id>`."""
    ref = ChannelRef(Platform.SLACK, "T1", f"C{next(_channels)}")
    store = core.store
    channel = store.add_channel(
        ref, "lab", ChannelSettings(), [Interest(InterestKind.TOPIC, "robot")], now=T0
    )
    picks = [(ScoredPaper(p, 1.0, ()), "") for p in PAPERS]
    digest, _ = store.create_digest(channel.id, "d1", picks, candidates=2, now=T0, watermark=T0)
    assert digest.id is not None
    for p in PAPERS:
        store.mark_item_posted(digest.id, p.id, f"m-{p.id}", now=T0)
    return channel


def deliver(core: PaperBot, channel: Channel, event: Event, event_id: str | None) -> bool:
    (user, paper_id, emoji), ms, added = event
    return core.on_reaction(
        ReactionEvent(
            platform=channel.ref.platform,
            workspace=channel.ref.workspace,
            channel=channel.ref.channel,
            message_id=f"m-{paper_id}",
            user_id=user,
            emoji=emoji,
            added=added,
            event_id=event_id,
            at=T0 + timedelta(milliseconds=ms),
        )
    )


# ------------------------------------------------------------------ the oracle
def latest_state(events: Sequence[Event]) -> dict[Key, tuple[int, bool]]:
    """Per key: (time, active) of its latest event; at equal times a removal wins."""
    state: dict[Key, tuple[int, bool]] = {}
    for key, ms, added in events:
        if key not in state or ms > state[key][0]:
            state[key] = (ms, added)
        elif ms == state[key][0]:
            state[key] = (ms, state[key][1] and added)
    return state


def expected_opinions(events: Sequence[Event]) -> dict[tuple[str, str], int]:
    """(paper, user) -> value of their latest active reaction (a 👎 outranks a 👍 at a tie)."""
    best: dict[tuple[str, str], tuple[int, int, str]] = {}
    for (user, paper_id, emoji), (ms, active) in latest_state(events).items():
        if active:
            rank = (ms, -EMOJI[emoji], emoji)
            best[(paper_id, user)] = max(best.get((paper_id, user), rank), rank)
    return {k: -rank[1] for k, rank in best.items()}


def stored_active(core: PaperBot, channel: Channel) -> dict[Key, bool]:
    assert isinstance(core.store, SqlStore)
    with Session(core.store.engine) as s:
        rows = s.exec(select(ReactionRow).where(ReactionRow.channel_id == channel.id))
        return {(r.user_id, r.paper_id, r.emoji): r.active for r in rows}


def profile_state(profile: Profile) -> dict[str, object]:
    return {
        "counts": (profile.positives, profile.negatives),
        "cats": ({k: round(v, 9) for k, v in profile.cat_pos.items()}, profile.cat_neg),
        "authors": (profile.author_pos, profile.author_neg),
        "terms": {t: round(w, 9) for t, w in profile.term_weights.items() if abs(w) > 1e-9},
        "liked": sorted(pid for pid, _, _ in profile.liked),
    }


def rebuilt_profile(core: PaperBot, channel: Channel, opinions: list[tuple[str, int]]) -> Profile:
    def vectors(papers: Sequence[object]) -> dict[str, np.ndarray]:
        return {}

    return LearnedProfiles().profile(channel, opinions, core.store.get_papers, vectors)


# ------------------------------------------------------------------ properties
events_st = st.lists(
    st.tuples(st.sampled_from(KEYS), st.integers(0, 5), st.booleans()), min_size=1, max_size=12
)


@settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=events_st, data=st.data())
def test_any_interleaving_with_redeliveries_ends_in_the_latest_state(
    core: PaperBot, events: list[Event], data: st.DataObject
) -> None:
    channel = fresh_channel(core)
    n = len(events)
    again = data.draw(st.lists(st.integers(0, n - 1), max_size=n), label="re-delivered")
    order = data.draw(st.permutations([*range(n), *again]), label="arrival order")
    slack_ids = data.draw(st.booleans(), label="events carry Slack event ids")
    learn_at = data.draw(st.integers(0, len(order)), label="a digest is ranked after")
    for step, i in enumerate(order):
        if step == learn_at:  # the learned state is kept and later brought up to date
            core.profile_for(channel)
        deliver(core, channel, events[i], f"Ev{channel.id}-{i}" if slack_ids else None)

    active = {k for k, (_, on) in latest_state(events).items() if on}
    assert {k for k, on in stored_active(core, channel).items() if on} == active
    opinions = expected_opinions(events)
    got = {(f.paper_id, f.user_id): f.value for f in core.store.feedback(channel.id)}
    assert got == opinions
    learned = core.profile_for(channel)
    want = rebuilt_profile(core, channel, [(pid, v) for (pid, _), v in sorted(opinions.items())])
    assert profile_state(learned) == profile_state(want)


def test_sixty_back_to_back_pairs_with_a_late_older_add_stay_removed(core: PaperBot) -> None:
    """The tester's run: 👍 then remove, 60 times, each pair's add delivered again after its
    remove (a Slack retry whose first attempt was lost): before, 35 of 60 stayed 👍."""
    channel = fresh_channel(core)
    user, paper_id = "U1", PAPERS[0].id
    for pair in range(60):
        key = (f"U{pair}", paper_id, "+1")
        add: Event = (key, 2 * pair, True)
        remove: Event = (key, 2 * pair + 1, False)
        deliver(core, channel, add, f"EvA{pair}")
        deliver(core, channel, remove, f"EvR{pair}")
        deliver(core, channel, add, None)  # the older add again, under no id we know
    assert core.store.feedback(channel.id) == []
    # and the same person flipping back and forth: their last event, an add, holds
    for t in range(10):
        deliver(core, channel, ((user, paper_id, "+1"), 1000 + t, t % 2 == 1), None)
    deliver(core, channel, ((user, paper_id, "+1"), 1002, True), None)  # late, changes nothing
    assert [(f.user_id, f.value) for f in core.store.feedback(channel.id)] == [(user, 1)]


def test_the_return_value_says_whether_the_reaction_changed(core: PaperBot) -> None:
    channel = fresh_channel(core)
    key: Key = ("U1", PAPERS[0].id, "+1")
    assert not deliver(core, channel, (key, 10, False), "r")  # nothing to remove (remembered)
    assert not deliver(core, channel, (key, 9, True), "a")  # older than the removal
    assert deliver(core, channel, (key, 11, True), "b")
    assert not deliver(core, channel, (key, 11, True), "b")  # a retry
    assert not deliver(core, channel, (key, 12, True), "c")  # newer, but already on
    assert not deliver(core, channel, (key, 11, False), None)  # older than the add at 12
    assert deliver(core, channel, (key, 12, False), None)  # a tie: the removal wins
    assert stored_active(core, channel) == {key: False}
