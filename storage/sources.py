"""Store extensions for paper sources: the HTTP response cache and a rate gate shared by workers."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, select

from bot.sources.http import CachedResponse
from storage.tables import HttpCacheRow, RateGateRow


class SourcesStoreMixin:
    """Mixed into `SqlStore`: implements `bot.sources.http.ResponseCache`."""

    engine: Engine
    session: Callable[[], AbstractContextManager[Session]]

    def get_cached_response(self, key: str) -> CachedResponse | None:
        with self.session() as s:
            row = s.get(HttpCacheRow, key)
            if row is None:
                return None
            return CachedResponse(
                key=row.key,
                url=row.url,
                body=bytes(row.body),
                fetched_at=row.fetched_at,
                etag=row.etag,
                last_modified=row.last_modified,
            )

    def put_cached_response(self, entry: CachedResponse) -> None:
        with self.session() as s:
            row = s.get(HttpCacheRow, entry.key)
            if row is None:
                row = HttpCacheRow(
                    key=entry.key, url=entry.url, body=entry.body, fetched_at=entry.fetched_at
                )
            row.url, row.body, row.fetched_at = entry.url, entry.body, entry.fetched_at
            row.etag, row.last_modified = entry.etag, entry.last_modified
            s.add(row)

    def shared_rate_gate(
        self,
        name: str,
        min_interval: float,
        *,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time,
    ) -> DbRateGate | None:
        """A gate shared by every worker on this database (PostgreSQL), else None."""
        if self.engine.dialect.name != "postgresql":
            return None
        return DbRateGate(self.engine, name, min_interval, sleep=sleep, now=now)


class DbRateGate:
    """One request per `min_interval` across every process and host, one at a time.

    The gate's row stays locked (`SELECT ... FOR UPDATE`) while the request runs, so a second
    worker waits for the first to finish, then waits out the interval itself.
    """

    def __init__(
        self,
        engine: Engine,
        name: str,
        min_interval: float,
        *,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.name = name
        self.min_interval = min_interval
        self._sleep = sleep
        self._now = now

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        with Session(self.engine) as s, s.begin():
            row = self._locked_row(s)
            wait = row.last_at + self.min_interval - self._now()
            if wait > 0:
                self._sleep(wait)
            try:
                yield
            finally:
                row.last_at = self._now()
                s.add(row)

    def _locked_row(self, s: Session) -> RateGateRow:
        s.execute(
            pg_insert(RateGateRow)
            .values(name=self.name, last_at=0.0)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        query: Any = select(RateGateRow).where(RateGateRow.name == self.name).with_for_update()
        row = s.exec(query).first()
        assert row is not None
        return row
