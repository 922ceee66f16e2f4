"""The engine and the one transaction helper every store part uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlmodel import Session

from bot.errors import StorageError

_CHUNK = 500  # rows per IN (...) query and per ingest transaction


@contextmanager
def translated() -> Iterator[None]:
    """Driver errors raised inside become StorageError (IntegrityError is kept: callers tell
    a conflict from a failure)."""
    try:
        yield
    except OperationalError as exc:
        raise StorageError(f"database unavailable: {str(exc.orig).strip()[:200]}") from exc
    except IntegrityError:
        raise
    except SQLAlchemyError as exc:
        raise StorageError(f"database error: {type(exc).__name__}") from exc


class StoreBase:
    """Holds the engine; `session()` is one transaction with driver errors translated."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction on a plain connection (Core statements, no ORM session): the cheap
        path for hot single-row writes; driver errors become StorageError as in `session()`."""
        with translated(), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """A connection without a transaction: each statement commits by itself (no BEGIN
        and COMMIT round trips), for a write that is ONE statement (atomic alone) or a single
        read; driver errors translated as in `transaction()`."""
        with translated(), self.engine.connect() as conn:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction; driver errors become StorageError."""
        with (
            translated(),
            Session(self.engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session
