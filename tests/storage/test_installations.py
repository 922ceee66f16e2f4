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


KEY_A = "x0Y9tY1I6aN5vj2O0cI2Vx7mC4mQ0yq5a3r8Hq8dQ6k="
KEY_B = "0rTjW5r6b9p2w8QkE1sV3nZ4yL7uC0mX9aD2fG5hJ8k="
TOKEN = '{"bot_token": "xoxb-secret-123"}'


def _raw(store: SqlStore) -> dict[str, str]:
    """What the database holds per workspace."""
    from sqlmodel import select

    from storage.tables import InstallationRow

    with store.session() as s:
        return {row.workspace: row.data for row in s.exec(select(InstallationRow))}


def test_installs_are_sealed_at_rest_and_keys_rotate(store: SqlStore, clock: FixedClock) -> None:
    import pytest

    from bot.errors import StorageError
    from storage.token_cipher import TokenCipher

    now = clock.now()
    plain = SqlInstallations(store)  # written before any key was set
    plain.save_installation(InstallationRecord(Platform.SLACK, None, "T0", "U0", TOKEN, now))
    repo = SqlInstallations(store, TokenCipher.from_setting(KEY_A))
    repo.save_installation(InstallationRecord(Platform.SLACK, None, "T1", "U1", TOKEN, now))
    raw = _raw(store)
    assert raw["T0"] == TOKEN  # the old row is still plaintext ...
    assert raw["T1"].startswith("fernet:") and "xoxb" not in raw["T1"]
    for team in ("T0", "T1"):  # ... and both read back with the key
        assert repo.find_installation(Platform.SLACK, None, team).data == TOKEN  # type: ignore[union-attr]
    with pytest.raises(StorageError, match="not set"):
        plain.find_installation(Platform.SLACK, None, "T1")

    rotating = SqlInstallations(store, TokenCipher.from_setting(f"{KEY_B}, {KEY_A}"))
    assert rotating.reseal_installations() == 2
    assert all(r.startswith("fernet:") and "xoxb" not in r for r in _raw(store).values())
    new_only = SqlInstallations(store, TokenCipher.from_setting(KEY_B))
    for team in ("T0", "T1"):
        assert new_only.find_installation(Platform.SLACK, None, team).data == TOKEN  # type: ignore[union-attr]
    with pytest.raises(StorageError, match="does not hold"):
        repo.find_installation(Platform.SLACK, None, "T1")  # the old key alone no longer opens


def test_a_bad_key_is_a_clear_config_error() -> None:
    import pytest

    from bot.errors import ConfigError
    from storage.token_cipher import TokenCipher

    with pytest.raises(ConfigError, match="Fernet key"):
        TokenCipher.from_setting("not-a-key")
    assert not TokenCipher.from_setting(" , ").enabled
