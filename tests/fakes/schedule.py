"""In-memory ScheduleStore: next runs, claims with lease tokens, one-at-a-time jobs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.models import Channel, Release
from tests.fakes.channels import ChannelRecord, FakeChannelStore


@dataclass
class FakeScheduleStore(FakeChannelStore):
    """Claims live on the channel records; `held` are the names inside `exclusive`."""

    jobs: dict[tuple[str, str], str] = field(default_factory=dict)  # (name, run key) -> worker
    held: set[str] = field(default_factory=set)

    def set_next_run(self, channel_id: int, next_run_at: datetime | None) -> None:
        if channel_id in self.channels:
            self._set(channel_id, next_run_at=next_run_at)

    def channels_to_schedule(self) -> list[Channel]:
        return [c for c in self.list_channels() if c.next_run_at is None and not c.settings.paused]

    def claim_due_channels(
        self, worker: str, now: datetime, *, lease_seconds: float, limit: int
    ) -> list[Channel]:
        def due(rec: ChannelRecord) -> bool:
            c = rec.channel
            free = rec.lease_until is None or rec.lease_until < now
            ready = c.next_run_at is not None and c.next_run_at <= now
            retry = c.retry_at is not None and c.retry_at <= now
            return free and not c.settings.paused and (ready or retry)

        found = sorted(
            (r for r in self.channels.values() if due(r)),
            key=lambda r: (
                r.channel.next_run_at is None,
                r.channel.next_run_at or now,
                r.channel.id,
            ),
        )[:limit]
        token = uuid.uuid4().hex
        for rec in found:
            rec.claimed_by, rec.lease_until = worker, now + timedelta(seconds=lease_seconds)
            self._set(rec.channel.id, lease_token=token)
        self._note("claim_due_channels", worker, tuple(r.channel.id for r in found))
        return [r.channel for r in found]

    def _owned(self, channel_id: int, worker: str, token: str | None) -> ChannelRecord | None:
        rec = self.channels.get(channel_id)
        if rec is None or rec.claimed_by != worker:
            return None
        return rec if token is None or rec.channel.lease_token == token else None

    def renew_lease(
        self, channel_id: int, worker: str, until: datetime, *, token: str | None = None
    ) -> bool:
        rec = self._owned(channel_id, worker, token)
        if rec is not None:
            rec.lease_until = until
        self._note("renew_lease", channel_id, worker, rec is not None)
        return rec is not None

    def release_channel(
        self,
        channel_id: int,
        worker: str,
        *,
        next_run_at: datetime | None,
        retry_at: datetime | None,
        token: str | None = None,
    ) -> bool:
        rec = self._owned(channel_id, worker, token)
        if rec is not None:
            rec.claimed_by = rec.lease_until = None
            self._set(channel_id, lease_token=None, next_run_at=next_run_at, retry_at=retry_at)
        self._note("release_channel", channel_id, worker, rec is not None)
        return rec is not None

    def release_channels(self, worker: str, releases: Sequence[Release]) -> int:
        latest = {r.channel_id: r for r in releases}
        released = 0
        for r in latest.values():
            rec = self._owned(r.channel_id, worker, r.token)
            if rec is not None:
                rec.claimed_by = rec.lease_until = None
                self._set(
                    r.channel_id, lease_token=None, next_run_at=r.next_run_at, retry_at=r.retry_at
                )
                released += 1
        self._note("release_channels", worker, tuple(latest), released)
        return released

    def next_due_at(self) -> datetime | None:
        active = [c for c in self.list_channels() if not c.settings.paused]
        times = [t for c in active for t in (c.next_run_at, c.retry_at) if t is not None]
        return min(times) if times else None

    @contextmanager
    def exclusive(self, name: str) -> Iterator[bool]:
        if name in self.held:
            yield False
            return
        self.held.add(name)
        try:
            yield True
        finally:
            self.held.discard(name)

    def job_done(self, name: str, run_key: str) -> bool:
        return (name, run_key) in self.jobs

    def record_job(self, name: str, run_key: str, *, worker: str, now: datetime) -> bool:
        if (name, run_key) in self.jobs:
            return False
        self.jobs[(name, run_key)] = worker
        self._note("record_job", name, run_key, worker)
        return True
