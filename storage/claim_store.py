"""Scheduling state shared by workers: claims, leases, advisory locks, job runs."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import col, select

from bot.errors import StorageError
from bot.models import Channel, Release
from storage.channel_store import ChannelStore
from storage.tables import ChannelRow, JobRunRow

_CHANNEL = ChannelRow.__table__  # type: ignore[attr-defined]
RELEASE_CHUNK = 200  # channels given back per statement


class ClaimStore(ChannelStore):
    """Scheduling state shared by workers: claims, leases, advisory locks, job runs."""

    def channels_to_schedule(self) -> list[Channel]:
        """Active channels that have no next run yet (new, or just resumed)."""
        with self.session() as s:
            rows = s.exec(
                select(ChannelRow).where(
                    col(ChannelRow.next_run_at).is_(None), col(ChannelRow.paused).is_(False)
                )
            )
            return [self._load_channel(s, r) for r in rows]

    def claim_due_channels(
        self, worker: str, now: datetime, *, lease_seconds: float, limit: int
    ) -> list[Channel]:
        """Lease up to `limit` due channels to `worker` (FOR UPDATE SKIP LOCKED on PostgreSQL).

        A channel is due when its next run or its retry time has come; a channel leased to a
        live worker is skipped, and an expired lease (a dead worker) can be taken over. Each
        claim gets a new `lease_token` (a fencing token): writes made under an older claim of
        the same channel are refused from then on.
        """
        free = or_(col(ChannelRow.lease_until).is_(None), col(ChannelRow.lease_until) < now)
        due = or_(col(ChannelRow.next_run_at) <= now, col(ChannelRow.retry_at) <= now)
        until = now + timedelta(seconds=lease_seconds)
        token = uuid.uuid4().hex
        pick = (
            select(ChannelRow.id)
            .where(col(ChannelRow.paused).is_(False), due, free)
            .order_by(col(ChannelRow.next_run_at), col(ChannelRow.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        # One statement: pick and lease (compare-and-set on `free` too, so SQLite, which has
        # no row locks, cannot hand one channel to two workers), returning the leased rows.
        claim = (
            update(_CHANNEL)
            .where(_CHANNEL.c.id.in_(pick.scalar_subquery()), free)
            .values(claimed_by=worker, lease_until=until, lease_token=token)
            .returning(*_CHANNEL.c)
        )
        with self.session() as s:
            rows = list(s.connection().execute(claim))
            rows.sort(key=lambda r: (r.next_run_at is None, r.next_run_at, r.id))
            return self._load_channels(s, rows)  # type: ignore[arg-type]

    def renew_lease(
        self, channel_id: int, worker: str, until: datetime, *, token: str | None = None
    ) -> bool:
        """Extend this worker's lease (the claim with `token`, when given); False when the
        lease was lost to another worker or to a newer claim."""
        with self.session() as s:
            result = s.execute(
                update(ChannelRow)
                .where(*self._owned(channel_id, worker, token))
                .values(lease_until=until)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def release_channel(
        self,
        channel_id: int,
        worker: str,
        *,
        next_run_at: datetime | None,
        retry_at: datetime | None,
        token: str | None = None,
    ) -> bool:
        """Give the channel back with its next run and retry times; False if not ours any more."""
        with self.session() as s:
            result = s.execute(
                update(ChannelRow)
                .where(*self._owned(channel_id, worker, token))
                .values(
                    claimed_by=None,
                    lease_until=None,
                    lease_token=None,
                    next_run_at=next_run_at,
                    retry_at=retry_at,
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def release_channels(self, worker: str, releases: Sequence[Release]) -> int:
        """Give many channels back at once (one statement per RELEASE_CHUNK), each as
        `release_channel` would; those no longer this worker's (or no longer under the
        release's token) are left alone. Returns how many were given back."""
        latest = {r.channel_id: r for r in releases}  # one per channel: the last one
        todo = list(latest.values())
        released = 0
        with self.session() as s:
            conn = s.connection()
            for start in range(0, len(todo), RELEASE_CHUNK):
                result = conn.execute(
                    self._release_many(worker, todo[start : start + RELEASE_CHUNK])
                )
                released += len(list(result))
        return released

    @staticmethod
    def _release_many(worker: str, chunk: Sequence[Release]) -> Any:
        """UPDATE channel SET next_run_at = CASE id WHEN .. END, .. WHERE it is still ours."""
        c = _CHANNEL.c
        owned = [
            c.id == r.channel_id
            if r.token is None
            else and_(c.id == r.channel_id, c.lease_token == r.token)
            for r in chunk
        ]
        runs = {r.channel_id: literal(r.next_run_at, c.next_run_at.type) for r in chunk}
        retries = {r.channel_id: literal(r.retry_at, c.retry_at.type) for r in chunk}
        return (
            update(_CHANNEL)
            .where(c.claimed_by == worker, or_(*owned))
            .values(
                claimed_by=None,
                lease_until=None,
                lease_token=None,
                next_run_at=case(runs, value=c.id, else_=c.next_run_at),
                retry_at=case(retries, value=c.id, else_=c.retry_at),
            )
            .returning(c.id)
        )

    @staticmethod
    def _owned(channel_id: int, worker: str, token: str | None) -> list[ColumnElement[bool]]:
        """The channel row still claimed by `worker` (under the claim `token`, when given)."""
        where = [col(ChannelRow.id) == channel_id, col(ChannelRow.claimed_by) == worker]
        if token is not None:
            where.append(col(ChannelRow.lease_token) == token)
        return where

    def next_due_at(self) -> datetime | None:
        """The earliest next run or retry among active channels (for an idle worker's nap)."""
        with self.session() as s:
            active = col(ChannelRow.paused).is_(False)
            runs, retries = s.exec(
                select(func.min(ChannelRow.next_run_at), func.min(ChannelRow.retry_at)).where(
                    active
                )
            ).one()
        found = [self._aware(v) for v in (runs, retries) if v is not None]
        return min(found) if found else None

    @staticmethod
    def _aware(value: datetime) -> datetime:
        from datetime import UTC

        return value.replace(tzinfo=UTC) if value.tzinfo is None else value

    @contextmanager
    def exclusive(self, name: str) -> Iterator[bool]:
        """Hold a cluster-wide lock named `name` (PostgreSQL advisory lock) while inside.

        Yields False at once when another process holds it. SQLite has one process: always True.
        """
        if self.dialect != "postgresql":
            yield True
            return
        key = int.from_bytes(
            hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
        )
        try:
            conn = self.engine.connect()
        except OperationalError as exc:
            raise StorageError(f"database unavailable: {str(exc.orig).strip()[:200]}") from exc
        try:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
            conn.commit()
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()
        finally:
            conn.close()

    def job_done(self, name: str, run_key: str) -> bool:
        with self.session() as s:
            return s.get(JobRunRow, (name, run_key)) is not None

    def record_job(self, name: str, run_key: str, *, worker: str, now: datetime) -> bool:
        """Record that a job ran for `run_key`; False when it was already recorded."""
        try:
            with self.session() as s:
                s.add(JobRunRow(name=name, run_key=run_key, worker=worker, finished_at=now))
            return True
        except IntegrityError:
            return False
