"""`plan_inputs` reads what a plan needs in one statement while the candidate window is
unchanged, and gives what the separate reads give: the window, the posted papers, the opinions
(latest per person and paper, removed ones left out), for a channel with none of them too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot.errors import StorageError
from bot.models import ChannelRef, ChannelSettings, Platform, ScoredPaper
from storage.store import SqlStore
from tests.conftest import make_paper

NOW = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)
PAPERS = [make_paper(f"2606.0000{n}", f"Paper {n}") for n in range(5)]


@contextmanager
def _statements(store: SqlStore) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def _channel(store: SqlStore, name: str) -> int:
    ch = store.add_channel(ChannelRef(Platform.SLACK, "T", name), name, ChannelSettings(), now=NOW)
    assert ch.id is not None
    return ch.id


def _seed(store: SqlStore) -> tuple[int, int]:
    store.upsert_papers(PAPERS, NOW)
    busy, quiet = _channel(store, "C1"), _channel(store, "C2")
    picks = [(ScoredPaper(PAPERS[0], 1.0), ""), (ScoredPaper(PAPERS[1], 0.5), "")]
    store.create_digest(busy, "2026-06-30", picks, candidates=5, now=NOW, watermark=NOW)
    at = NOW + timedelta(minutes=5)
    store.record_reaction(busy, PAPERS[0].id, "u1", "+1", 1, added=True, now=at)
    store.record_reaction(busy, PAPERS[0].id, "u1", "-1", -1, added=True, now=at)  # 👎 wins a tie
    store.record_reaction(busy, PAPERS[1].id, "u2", "+1", 1, added=True, now=at)
    later = at + timedelta(minutes=1)
    store.record_reaction(busy, PAPERS[1].id, "u2", "+1", 1, added=False, now=later)
    store.record_reaction(busy, PAPERS[2].id, "u3", "+1", 1, added=True, now=later)
    return busy, quiet


def test_plan_inputs_match_the_separate_reads(store: SqlStore) -> None:
    busy, quiet = _seed(store)
    since = NOW - timedelta(hours=1)
    for channel_id in (busy, quiet):
        inputs = store.plan_inputs(channel_id, since)
        assert [p.id for p in inputs.papers] == [p.id for p in store.papers_seen_since(since)]
        assert inputs.posted == frozenset(store.posted_paper_ids(channel_id))
        assert sorted(inputs.feedback, key=repr) == sorted(store.feedback(channel_id), key=repr)
    assert store.plan_inputs(quiet, since).feedback == ()
    assert {(f.paper_id, f.value) for f in store.plan_inputs(busy, since).feedback} == {
        (PAPERS[0].id, -1),
        (PAPERS[2].id, 1),
    }


def test_an_unchanged_window_costs_one_statement_and_a_change_is_seen(store: SqlStore) -> None:
    busy, quiet = _seed(store)
    since = NOW - timedelta(hours=1)
    first = store.plan_inputs(busy, since)
    with _statements(store) as seen:
        again = store.plan_inputs(quiet, since + timedelta(minutes=1))
    assert len(seen) == 1
    assert all(a is b for a, b in zip(first.papers, again.papers, strict=True))
    other = SqlStore(store.engine)  # another process changes a paper and adds one
    later = NOW + timedelta(minutes=10)
    other.upsert_papers([replace(PAPERS[3], upvotes=9), make_paper("2606.00009", "New")], later)
    changed = store.plan_inputs(busy, since)
    assert {p.id: p.upvotes for p in changed.papers}[PAPERS[3].id] == 9
    assert "2606.00009" in {p.id for p in changed.papers}
    assert changed.posted == first.posted and changed.feedback == first.feedback


def test_a_failing_read_is_a_storage_error(tmp_path: Path) -> None:
    bare = SqlStore.open(f"sqlite:///{tmp_path / 'bare.db'}", migrate_schema=False)  # no tables
    try:
        with pytest.raises(StorageError):
            bare.plan_inputs(1, NOW - timedelta(hours=1))
    finally:
        bare.close()
