"""Engine creation and schema migration: every command brings the database to head by itself."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, OperationalError, SQLAlchemyError

from bot.errors import ConfigError, StorageError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
PING_IDLE_SECONDS = 10.0  # a pooled connection idle this long is pinged before use


def normalise_url(url: str) -> str:
    """Accept the `postgres://` URLs hosting platforms hand out, and plain `postgresql://`."""
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str) -> Engine:
    """Create an engine; a malformed URL or unknown driver is a one-line ConfigError."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"DATABASE_URL is not a valid database URL: {url!r}") from exc
    try:
        if parsed.get_backend_name() == "sqlite":
            path = sqlite_path(url)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
            if path is not None and not path.exists():
                event.listen(engine, "first_connect", lambda *_: _announce(path), once=True)
        else:
            # channels in flight share the pool: a wait for a connection is a queue, not an
            # error (a worker's CPU, not the pool, is what bounds it); at most 12 per process
            engine = create_engine(url, pool_size=8, max_overflow=4, pool_timeout=300)
            ping_when_idle(engine)
    except (ArgumentError, ImportError) as exc:
        raise ConfigError(f"DATABASE_URL uses an unsupported database or driver: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"DATABASE_URL points to a path that cannot be created: {exc}") from exc
    return engine


def ping_when_idle(engine: Engine, idle_seconds: float = PING_IDLE_SECONDS) -> None:
    """SQLAlchemy's pre-ping (`SELECT 1` before handing out a pooled connection), only for a
    connection that sat idle in the pool for `idle_seconds` or more: the one a database restart
    or a dropped idle connection has most likely broken. A connection that came back moments
    ago is handed out as it is (a busy worker checks one out a few times per channel: the round
    trip was ~0.2 ms of CPU each); should the server have dropped it anyway, the statement fails
    once, SQLAlchemy invalidates the pool's connections, and the channel is retried."""

    @event.listens_for(engine, "checkin")
    def stamp(_dbapi: Any, record: Any) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping(dbapi: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("checked_in")
        if since is None or time.monotonic() - since < idle_seconds:
            return  # just connected, or back in the pool moments ago
        try:
            engine.dialect.do_ping(dbapi)
        except Exception as exc:  # the pool throws it away and connects afresh
            raise DisconnectionError(f"pooled connection is gone: {exc}") from exc


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def _announce(path: Path) -> None:
    log.info("created new database at %s", path)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def schema_revisions(engine: Engine) -> tuple[str | None, str | None, bool]:
    """(the database's revision, the code's head, whether the code knows the database's
    revision). Raises SQLAlchemy's errors: callers translate them."""
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    known = current is None or any(rev.revision == current for rev in scripts.walk_revisions())
    return current, scripts.get_current_head(), known


def migrate(engine: Engine) -> None:
    """Upgrade the schema to head (a no-op when already there)."""
    cfg = alembic_config(engine)
    try:
        current, head, _known = schema_revisions(engine)
        if current == head:
            return
        log.info("migrating database from %s to %s", current or "empty", head)
        command.upgrade(cfg, "head")
    except OperationalError as exc:
        raise StorageError(f"cannot reach the database: {first_line(exc)}") from exc
    except SQLAlchemyError as exc:
        raise StorageError(f"database migration failed: {first_line(exc)}") from exc


def first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
