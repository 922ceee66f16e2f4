"""The storage suite: every test runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.errors import NotFound, StorageError
from bot.models import (
    ChannelRef,
    ChannelSettings,
    Interest,
    InterestKind,
    ItemStatus,
    Platform,
    Reason,
    ReasonKind,
    Schedule,
    ScoredPaper,
    Threshold,
)
from storage.db import make_engine, migrate
from storage.store import SqlStore
from tests.conftest import make_paper

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)
REF = ChannelRef(Platform.SLACK, "T1", "C1")


def test_migration_creates_schema_and_is_idempotent(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    migrate(engine)  # a second run is a no-op
    tables = set(inspect(engine).get_table_names())
    assert {
        "paper",
        "channel",
        "interest",
        "digest",
        "digest_item",
        "reaction",
        "alembic_version",
    } <= tables
    engine.dispose()


def test_migration_0008_adds_learn_since_and_downgrades(db_url: str) -> None:
    from alembic import command

    from storage.db import alembic_config

    engine = make_engine(db_url)
    migrate(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("channel")}
    assert "learn_since" in columns
    command.downgrade(alembic_config(engine), "0007_ranking")
    assert "learn_since" not in {c["name"] for c in inspect(engine).get_columns("channel")}
    migrate(engine)
    assert "learn_since" in {c["name"] for c in inspect(engine).get_columns("channel")}
    engine.dispose()


def test_learn_since_round_trips_as_utc(store: SqlStore) -> None:
    channel = store.ensure_channel(REF, "lab", ChannelSettings(), now=T0)
    assert channel.settings.learn_since is None
    forgot = T0 + timedelta(hours=3, microseconds=5)
    store.update_settings(channel.id, replace(channel.settings, learn_since=forgot))
    found = store.get_channel(channel.id).settings.learn_since
    assert found == forgot and found is not None and found.utcoffset() == timedelta(0)


def test_paper_upsert_merges_and_reports(store: SqlStore) -> None:
    a = make_paper("2606.00001", "Robot grasping", version=1, sources=("arxiv",))
    b = make_paper("2606.00002", "Speech recognition")
    report = store.upsert_papers([a, b], T0)
    assert (report.new, report.updated, report.unchanged) == (2, 0, 0)

    again = store.upsert_papers([a, b], T0 + timedelta(hours=1))
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)

    hf = make_paper(
        "2606.00001", "Robot grasping", sources=("hf",), upvotes=42, ai_summary="Grasps."
    )
    v2 = replace(a, version=2, title="Robot grasping at scale")
    merged = store.upsert_papers([hf, v2], T0 + timedelta(hours=2))
    assert merged.updated == 1 and merged.new == 0
    paper = store.get_paper("2606.00001")
    assert paper is not None
    assert paper.title == "Robot grasping at scale"
    assert paper.upvotes == 42 and paper.ai_summary == "Grasps."
    assert set(paper.sources) == {"arxiv", "hf"} and paper.version == 2
    # first_seen_at does not move: a new version is not a new paper
    assert [p.id for p in store.papers_seen_since(T0 + timedelta(minutes=1))] == []
    assert {p.id for p in store.papers_seen_since(T0 - timedelta(minutes=1))} == {
        "2606.00001",
        "2606.00002",
    }


def test_channel_crud_and_interests(store: SqlStore) -> None:
    settings = ChannelSettings(
        size=7, threshold=Threshold.HIGH, schedule=Schedule("08:30", "Asia/Tokyo", (0, 2))
    )
    channel = store.add_channel(
        REF, "papers", settings, [Interest(InterestKind.TOPIC, "robot manipulation")], now=T0
    )
    assert channel.settings == settings
    assert channel.interests == (Interest(InterestKind.TOPIC, "robot manipulation"),)
    assert store.find_channel(REF) == channel
    with pytest.raises(StorageError):
        store.add_channel(REF, "papers", settings, now=T0)

    assert store.add_interest(channel.id, Interest(InterestKind.CATEGORY, "cs.RO"), now=T0)
    assert not store.add_interest(
        channel.id, Interest(InterestKind.TOPIC, "Robot  Manipulation"), now=T0
    )
    assert store.remove_interest(channel.id, Interest(InterestKind.TOPIC, "ROBOT manipulation"))
    assert not store.remove_interest(channel.id, Interest(InterestKind.TOPIC, "robot manipulation"))
    assert store.get_channel(channel.id).interests == (Interest(InterestKind.CATEGORY, "cs.RO"),)

    paused = store.update_settings(
        channel.id, replace(settings, paused=True, paused_reason="not_in_channel")
    )
    assert paused.settings.paused and paused.settings.paused_reason == "not_in_channel"
    assert [c.id for c in store.list_channels()] == [channel.id]
    store.remove_channel(channel.id)
    with pytest.raises(NotFound):
        store.get_channel(channel.id)


def _digest_fixture(store: SqlStore) -> tuple[int, list[ScoredPaper]]:
    papers = [make_paper(f"2606.0000{i}", f"Paper {i}") for i in range(1, 4)]
    store.upsert_papers(papers, T0)
    channel = store.add_channel(REF, "papers", ChannelSettings(), now=T0)
    reason = Reason(ReasonKind.TOPIC, "matches “x”", 0.5, "x")
    return channel.id, [ScoredPaper(p, 1.0 - i / 10, (reason,)) for i, p in enumerate(papers)]


def test_digest_outbox_is_unique_per_run_and_never_reposts(store: SqlStore) -> None:
    channel_id, picks = _digest_fixture(store)
    digest, created = store.create_digest(
        channel_id,
        "2026-06-30",
        [(p, "tl;dr") for p in picks[:2]],
        candidates=3,
        now=T0,
        watermark=T0,
    )
    assert created and [i.paper.id for i in digest.items] == ["2606.00001", "2606.00002"]
    assert all(i.status is ItemStatus.PENDING for i in digest.items)
    assert digest.items[0].reasons[0].kind is ReasonKind.TOPIC

    same, created_again = store.create_digest(
        channel_id, "2026-06-30", [(p, "") for p in picks], candidates=3, now=T0, watermark=T0
    )
    assert not created_again and same.id == digest.id and len(same.items) == 2

    assert digest.id is not None
    store.mark_item_posted(digest.id, "2606.00001", "M1", now=T0)
    store.mark_item_failed(digest.id, "2606.00002", "boom")
    reloaded = store.get_digest(digest.id)
    assert [i.status for i in reloaded.items] == [ItemStatus.POSTED, ItemStatus.FAILED]
    assert store.find_item_by_message(channel_id, "M1") == "2606.00001"
    assert store.posted_paper_ids(channel_id) == {"2606.00001", "2606.00002"}
    assert [d.id for d in store.unfinished_digests()] == [digest.id]
    store.complete_digest(digest.id, now=T0)
    assert store.unfinished_digests() == []
    assert store.get_channel(channel_id).watermark == T0

    # A later digest that tries to include an already posted paper is refused whole.
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError on either backend
        store.create_digest(
            channel_id, "2026-07-01", [(picks[0], "")], candidates=1, now=T0, watermark=T0
        )
    assert store.find_digest(channel_id, "2026-07-01") is None


def test_reactions_are_idempotent_undoable_and_latest_wins(store: SqlStore) -> None:
    channel_id, picks = _digest_fixture(store)
    pid = picks[0].paper.id
    assert store.record_reaction(channel_id, pid, "U1", "+1", 1, added=True, now=T0, event_id="Ev1")
    # a retried delivery of the same event counts once
    assert not store.record_reaction(
        channel_id, pid, "U1", "+1", 1, added=True, now=T0, event_id="Ev1"
    )
    assert not store.record_reaction(channel_id, pid, "U1", "+1", 1, added=True, now=T0)
    assert store.record_reaction(channel_id, pid, "U2", "+1", 1, added=True, now=T0)
    assert store.reaction_counts(channel_id) == (2, 0)

    # U1 flips to 👎: their latest opinion counts, once
    later = T0 + timedelta(minutes=5)
    assert store.record_reaction(channel_id, pid, "U1", "-1", -1, added=True, now=later)
    assert store.reaction_counts(channel_id) == (1, 1)
    # removing the 👎 brings back their still-present 👍
    assert store.record_reaction(
        channel_id, pid, "U1", "-1", -1, added=False, now=later + timedelta(minutes=1)
    )
    assert store.reaction_counts(channel_id) == (2, 0)
    assert store.record_reaction(
        channel_id, pid, "U1", "+1", 1, added=False, now=later + timedelta(minutes=2)
    )
    assert store.record_reaction(
        channel_id, pid, "U2", "+1", 1, added=False, now=later + timedelta(minutes=2)
    )
    assert store.feedback(channel_id) == []
    # removing a reaction that was never added changes nothing
    assert not store.record_reaction(channel_id, pid, "U3", "+1", 1, added=False, now=later)


def test_profile_state_roundtrip(store: SqlStore) -> None:
    channel = store.add_channel(REF, "papers", ChannelSettings(), now=T0)
    assert store.get_profile_state(channel.id) is None
    store.save_profile_state(channel.id, '{"v":1}')
    assert store.get_profile_state(channel.id) == '{"v":1}'


def test_timestamps_come_back_timezone_aware(store: SqlStore) -> None:
    channel = store.add_channel(REF, "papers", ChannelSettings(), now=T0)
    store.set_next_run(channel.id, datetime(2026, 7, 1, 7, 0, tzinfo=UTC))
    got = store.get_channel(channel.id)
    assert got.created_at == T0 and got.created_at.tzinfo is not None
    assert got.next_run_at == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)


def test_bad_database_url_is_a_config_error() -> None:
    from bot.errors import ConfigError

    with pytest.raises(ConfigError):
        SqlStore.open("nonsense://///")
    with pytest.raises(ConfigError):
        SqlStore.open("::not a url::")


def test_unreachable_database_is_a_storage_error() -> None:
    with pytest.raises(StorageError) as info:
        SqlStore.open("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    assert "\n" not in str(info.value)


def test_postgres_url_from_hosting_platforms_is_accepted() -> None:
    from storage.db import normalise_url

    assert normalise_url("postgres://u:p@h:5432/d") == "postgresql+psycopg://u:p@h:5432/d"
    assert normalise_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_migrations_form_one_chain() -> None:
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config

    engine = make_engine("sqlite://")
    script = ScriptDirectory.from_config(alembic_config(engine))
    assert len(script.get_heads()) == 1
    files = list((Path(script.dir) / "versions").glob("*.py"))
    assert len(list(script.walk_revisions())) == len(files)
