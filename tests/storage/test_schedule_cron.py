"""A cron schedule is stored whole (migration 0011) and comes back as typed, on SQLite and PG."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect

from bot.digest.schedule import next_run
from bot.digest.schedule_parse import parse_schedule_text
from bot.models import ChannelRef, ChannelSettings, Platform
from storage.db import alembic_config, make_engine, migrate
from storage.store import SqlStore

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def test_cron_schedule_round_trips(store: SqlStore) -> None:
    channel = store.ensure_channel(
        ChannelRef(Platform.SLACK, "T1", "C1"), "lab", ChannelSettings(), now=T0
    )
    assert channel.settings.schedule.cron is None
    schedule = parse_schedule_text("0 9,17 * * 1-5 Europe/Berlin").schedule
    store.update_settings(channel.id, replace(channel.settings, schedule=schedule))
    found = store.get_channel(channel.id).settings.schedule
    assert found == schedule and found.cron == "0 9,17 * * mon-fri"
    assert next_run(found, T0) == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_migration_0011_adds_schedule_cron_and_downgrades(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)

    def columns() -> set[str]:
        return {c["name"] for c in inspect(engine).get_columns("channel")}

    assert "schedule_cron" in columns()
    command.downgrade(alembic_config(engine), "0011_reaction_order")
    assert "schedule_cron" not in columns()
    migrate(engine)
    assert "schedule_cron" in columns()
    engine.dispose()
