"""Processed Slack event ids (retry dedupe) are pruned after PROCESSED_EVENT_RETENTION_HOURS by
the process that records reactions, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.clock import FixedClock
from bot.config import Settings
from bot.service import PaperBot
from storage.store import SqlStore
from storage.tables import ProcessedEventRow
from tests.storage.test_reaction_order import PAPERS, T0, Key, deliver, fresh_channel


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def core(store: SqlStore, clock: FixedClock, tmp_path: Path) -> Iterator[PaperBot]:
    cfg = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite:///{tmp_path / 'x.db'}",
        ranker="lexical",
        processed_event_retention_hours=48,
    )
    bot = PaperBot(store, clock, cfg)
    bot.ingest(PAPERS)
    yield bot


def kept_ids(store: SqlStore) -> set[str]:
    with Session(store.engine) as s:
        return set(s.exec(select(ProcessedEventRow.event_id)))


def test_old_event_ids_go_recent_ones_stay(core: PaperBot, clock: FixedClock) -> None:
    assert isinstance(core.store, SqlStore)
    channel = fresh_channel(core)
    key: Key = ("U1", PAPERS[0].id, "+1")
    assert deliver(core, channel, (key, 0, True), "EvOld")
    clock.advance(timedelta(hours=47))
    assert deliver(core, channel, (key, 1, False), "EvRecent")
    assert kept_ids(core.store) == {"EvOld", "EvRecent"}  # nothing older than 48 h yet

    clock.advance(timedelta(hours=2))  # EvOld is 49 h old, EvRecent 2 h
    deliver(core, channel, (("U2", PAPERS[0].id, "+1"), 2, True), "EvNew")
    assert kept_ids(core.store) == {"EvRecent", "EvNew"}

    # a very late re-delivery of the forgotten id is an old event: it changes nothing
    assert not deliver(core, channel, (key, 0, True), "EvOld")
    assert [f.user_id for f in core.store.feedback(channel.id)] == ["U2"]

    # pruning runs at most once an hour: ids past the retention wait for the next run
    clock.advance(timedelta(minutes=30))
    deliver(core, channel, (("U2", PAPERS[1].id, "+1"), 3, True), "EvLater")
    assert "EvOld" in kept_ids(core.store)
    clock.advance(timedelta(hours=47, minutes=45))  # past 48 h for the ids of hour 49 only
    deliver(core, channel, (("U1", PAPERS[1].id, "+1"), 4, True), "EvLast")
    assert kept_ids(core.store) == {"EvLater", "EvLast"}


def test_prune_events_deletes_strictly_older_ids(store: SqlStore) -> None:
    with Session(store.engine) as s, s.begin():
        for i in range(3):
            s.add(ProcessedEventRow(event_id=f"E{i}", created_at=T0 + timedelta(hours=i)))
    assert store.prune_events(T0 + timedelta(hours=1)) == 1
    assert kept_ids(store) == {"E1", "E2"}
    assert store.prune_events(T0) == 0


def test_migration_0011_backfills_event_times_and_downgrades(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import bindparam, inspect, text

    from storage.db import alembic_config, make_engine, migrate
    from storage.tables import UTCDateTime

    engine = make_engine(db_url)
    cfg = alembic_config(engine)
    command.upgrade(cfg, "0010_lease_token")
    store = SqlStore(engine)
    with engine.begin() as conn:  # the channel as 0009 knew it (later columns do not exist yet)
        conn.execute(
            text(
                "INSERT INTO channel (platform, workspace, external_id, name, size, threshold,"
                " schedule_time, timezone, days, paused, announce_empty, thread_mode,"
                " follow_authors, created_at) VALUES ('slack', 'T1', 'C1', 'lab', 5, 'medium',"
                " '09:00', 'UTC', '0,1,2,3,4', :f, :f, :f, :t, :at)"
            ).bindparams(bindparam("at", type_=UTCDateTime())),
            {"f": False, "t": True, "at": T0},
        )
        channel_id = conn.execute(text("SELECT id FROM channel")).scalar_one()
    with engine.begin() as conn:  # the papers as 0010 knew them (no title_key before 0015)
        for paper in PAPERS:
            conn.execute(
                text(
                    "INSERT INTO paper (id, title, abstract, authors, categories, sources,"
                    " keywords, first_seen_at, updated_at) VALUES (:id, :title, '', '[]', '[]',"
                    " '[]', '[]', :at, :at)"
                ).bindparams(bindparam("at", type_=UTCDateTime())),
                {"id": paper.id, "title": paper.title, "at": T0},
            )
    with engine.begin() as conn:  # a reaction recorded before 0011 (no event_at yet)
        conn.execute(
            text(
                "INSERT INTO reaction (channel_id, paper_id, user_id, emoji, value, active,"
                " created_at, updated_at) VALUES (:c, :p, 'U1', '+1', 1, :a, :t, :u)"
            ).bindparams(bindparam("t", type_=UTCDateTime()), bindparam("u", type_=UTCDateTime())),
            {"c": channel_id, "p": PAPERS[0].id, "a": True, "t": T0, "u": T0 + timedelta(hours=1)},
        )
    migrate(engine)
    (fb,) = store.feedback(channel_id)
    assert fb.at == T0 + timedelta(hours=1)  # its last change is the best time known
    # an event from before that last change is older: it changes nothing
    assert not store.record_reaction(
        channel_id, PAPERS[0].id, "U1", "+1", 1, added=False, now=T0, at=T0 + timedelta(minutes=5)
    )
    indexes = {i["name"] for i in inspect(engine).get_indexes("processed_event")}
    assert "ix_processed_event_created_at" in indexes
    command.downgrade(cfg, "0010_lease_token")
    assert "event_at" not in {c["name"] for c in inspect(engine).get_columns("reaction")}
    migrate(engine)
    assert "event_at" in {c["name"] for c in inspect(engine).get_columns("reaction")}
    engine.dispose()
