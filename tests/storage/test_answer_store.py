"""The full-text cache and the question-event dedupe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.answers.models import FullText, Section
from bot.errors import NotFound
from storage.store import SqlStore
from tests.conftest import make_paper

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)


def test_full_text_round_trips_and_is_replaced(store: SqlStore) -> None:
    store.upsert_papers([make_paper("2606.00001", "FakeNet")], T0)
    assert store.get_full_text("2606.00001") is None
    missing = FullText("2606.00001", (), T0, found=False)
    store.save_full_text(missing)
    assert store.get_full_text("2606.00001") == missing
    sections = (
        Section("4.1 Datasets", ("We train on ImageNet-1k “quoted” ∑ text.", "Second.")),
        Section("full text", ("Trailing paragraph.",)),
    )
    found = FullText("2606.00001", sections, T0 + timedelta(days=1))
    store.save_full_text(found)
    assert store.get_full_text("2606.00001") == found


def test_full_text_of_an_unknown_paper_is_refused(store: SqlStore) -> None:
    with pytest.raises(NotFound):
        store.save_full_text(FullText("2606.99999", (), T0, found=False))


def test_a_question_event_is_handled_once_and_pruned_with_the_others(store: SqlStore) -> None:
    assert store.mark_event_handled("Ev1", T0) is True
    assert store.mark_event_handled("Ev1", T0 + timedelta(seconds=5)) is False
    assert store.prune_events(T0 + timedelta(hours=1)) == 1
    assert store.mark_event_handled("Ev1", T0 + timedelta(hours=2)) is True


def test_a_retried_reaction_event_id_counts_once_on_every_database(store: SqlStore) -> None:
    # the handled-event record is shared with reactions; on PostgreSQL it once relied on a
    # rowcount that psycopg reports as -1 there, so every retry looked new
    from bot.models import ChannelRef, ChannelSettings, Platform

    store.upsert_papers([make_paper("2606.00001", "FakeNet")], T0)
    ref = ChannelRef(Platform.SLACK, "T0LAB", "C0PAPERS")
    channel = store.add_channel(ref, "papers", ChannelSettings(), now=T0)
    args = (channel.id, "2606.00001", "U0ADA", "+1", 1)
    assert store.record_reaction(*args, added=True, now=T0, event_id="EvR", at=T0) is True
    later = T0 + timedelta(seconds=1)
    assert store.record_reaction(*args, added=False, now=later, event_id="EvR", at=later) is False
    assert [f.value for f in store.feedback(channel.id)] == [1]
