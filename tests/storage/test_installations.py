"""The installation repository (Slack OAuth installs, OAuth states) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FixedClock
from bot.models import InstallationRecord, Platform
from storage.installations import SqlInstallations
from storage.store import SqlStore


def test_migration_0004_upgrades_and_downgrades(db_url: str) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect

    from storage.db import alembic_config, make_engine, migrate

    engine = make_engine(db_url)
    migrate(engine)
    assert {"installation", "oauth_state"} <= set(inspect(engine).get_table_names())
    cfg = alembic_config(engine)
    below = ScriptDirectory.from_config(cfg).get_revision("0004_slack").down_revision
    command.downgrade(cfg, str(below))
    assert "installation" not in inspect(engine).get_table_names()
    migrate(engine)
    assert "oauth_state" in inspect(engine).get_table_names()
    engine.dispose()


def test_repository_roundtrip_and_expiry(store: SqlStore, clock: FixedClock) -> None:
    repo = SqlInstallations(store)
    now = clock.now()
    first = InstallationRecord(Platform.SLACK, None, "T1", "U1", '{"v": 1}', now)
    repo.save_installation(first)
    repo.save_installation(InstallationRecord(Platform.SLACK, None, "T1", "U1", '{"v": 2}', now))
    repo.save_installation(
        InstallationRecord(Platform.SLACK, None, "T1", "U2", '{"v": 3}', now + timedelta(seconds=5))
    )
    assert repo.find_installation(Platform.SLACK, None, "T1", "U1").data == '{"v": 2}'  # type: ignore[union-attr]
    assert repo.find_installation(Platform.SLACK, None, "T1").data == '{"v": 3}'  # type: ignore[union-attr]
    assert repo.find_installation(Platform.SLACK, "E1", "T1") is None
    assert repo.find_installation(Platform.DISCORD, None, "T1") is None
    assert repo.delete_installations(Platform.SLACK, None, "T1", "U2") == 1
    assert repo.find_installation(Platform.SLACK, None, "T1").data == '{"v": 2}'  # type: ignore[union-attr]
    assert repo.delete_installations(Platform.SLACK, None, "T1") == 1
    assert repo.find_installation(Platform.SLACK, None, "T1") is None

    repo.issue_oauth_state("s1", now + timedelta(minutes=10))
    repo.issue_oauth_state("s2", now + timedelta(minutes=10))
    assert repo.consume_oauth_state("s1", now) is True
    assert repo.consume_oauth_state("s1", now) is False
    assert repo.consume_oauth_state("s2", now + timedelta(minutes=11)) is False  # expired
    assert repo.consume_oauth_state("never", now) is False
