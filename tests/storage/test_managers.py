"""Who set a channel up and its managers, stored on SQLite and PostgreSQL (migration 0009)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect

from bot.models import ChannelRef, ChannelSettings, Platform
from storage.db import make_engine, migrate
from storage.store import SqlStore

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)
REF = ChannelRef(Platform.SLACK, "T1", "C1")


def test_migration_0009_adds_managers_and_downgrades(db_url: str) -> None:
    from alembic import command

    from storage.db import alembic_config

    engine = make_engine(db_url)
    migrate(engine)
    assert "channel_manager" in inspect(engine).get_table_names()
    assert "set_up_by" in {c["name"] for c in inspect(engine).get_columns("channel")}
    command.downgrade(alembic_config(engine), "0008_forget")
    inspector = inspect(engine)
    assert "channel_manager" not in inspector.get_table_names()
    assert "set_up_by" not in {c["name"] for c in inspector.get_columns("channel")}
    migrate(engine)
    assert "channel_manager" in inspect(engine).get_table_names()
    engine.dispose()


def test_the_first_claim_wins_and_is_kept(store: SqlStore) -> None:
    channel = store.ensure_channel(REF, "papers", ChannelSettings(), now=T0)
    assert channel.set_up_by is None
    assert store.claim_channel(channel.id, "U0ADA") == "U0ADA"
    assert store.claim_channel(channel.id, "U0BOB") == "U0ADA"
    assert store.get_channel(channel.id).set_up_by == "U0ADA"
    assert store.find_channel(REF).set_up_by == "U0ADA"  # type: ignore[union-attr]
    assert [c.set_up_by for c in store.list_channels()] == ["U0ADA"]


def test_concurrent_claims_leave_exactly_one_person_who_set_it_up(store: SqlStore) -> None:
    channel = store.ensure_channel(REF, "papers", ChannelSettings(), now=T0)
    users = [f"U0{i:03d}" for i in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        winners = set(pool.map(lambda u: store.claim_channel(channel.id, u), users))
    (winner,) = winners
    assert winner in users and store.get_channel(channel.id).set_up_by == winner


def test_managers_are_added_once_listed_in_order_and_removed(store: SqlStore) -> None:
    channel = store.ensure_channel(REF, "papers", ChannelSettings(), now=T0)
    other = store.ensure_channel(
        ChannelRef(Platform.DISCORD, "G1", "D1"), "x", ChannelSettings(), now=T0
    )
    assert store.channel_managers(channel.id) == []
    assert store.add_manager(channel.id, "U0BOB", added_by="U0ADA", now=T0 + timedelta(seconds=2))
    assert store.add_manager(channel.id, "U0EVE", added_by=None, now=T0 + timedelta(seconds=1))
    assert not store.add_manager(channel.id, "U0BOB", added_by="U0ADA", now=T0)
    assert store.add_manager(other.id, "123456789012345678", added_by="1", now=T0)
    assert store.channel_managers(channel.id) == ["U0EVE", "U0BOB"]
    assert store.channel_managers(other.id) == ["123456789012345678"]
    assert store.remove_manager(channel.id, "U0EVE")
    assert not store.remove_manager(channel.id, "U0EVE")
    assert not store.remove_manager(channel.id, "123456789012345678")  # another channel's
    assert store.channel_managers(channel.id) == ["U0BOB"]


def test_removing_a_channel_removes_its_managers(store: SqlStore) -> None:
    channel = store.ensure_channel(REF, "papers", ChannelSettings(), now=T0)
    store.add_manager(channel.id, "U0BOB", added_by="U0ADA", now=T0)
    store.remove_channel(channel.id)
    again = store.ensure_channel(REF, "papers", ChannelSettings(), now=T0)
    assert store.channel_managers(again.id) == []
    assert store.channel_managers(channel.id) == []
