"""The worker: claim due channels, build and deliver their digests, fetch on arXiv's calendar."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.errors import ChannelUnavailable, LeaseLost, RateLimited
from bot.models import Channel, Digest, ItemStatus
from bot.schedule import (
    EASTERN,
    ArxivCalendar,
    empty_notice,
    next_run,
    run_key,
    runs_between,
)
from bot.service import DeliveryResult, PaperBot

log = logging.getLogger(__name__)
FETCH_LOCK = "paperbot:fetch"


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class TickReport:
    """What one scheduling pass did."""

    at: datetime
    scheduled: int = 0  # channels given their first next run
    claimed: int = 0
    delivered: list[tuple[int, str]] = field(default_factory=list)  # (channel id, run key)
    posted: int = 0
    notices: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # missed beyond the grace
    deferred: dict[int, str] = field(default_factory=dict)  # channel id -> why it waits
    errors: dict[int, str] = field(default_factory=dict)

    def merge(self, other: TickReport) -> None:
        self.scheduled += other.scheduled
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.posted += other.posted
        self.notices += other.notices
        self.skipped += other.skipped
        self.deferred.update(other.deferred)
        self.errors.update(other.errors)


class Worker:
    """One worker process's share of the scheduling; any number can share one PostgreSQL."""

    def __init__(
        self,
        core: PaperBot,
        *,
        worker_id: str | None = None,
        fetchers: Mapping[str, Callable[[], object]] | None = None,
        calendar: ArxivCalendar | None = None,
    ) -> None:
        self.core = core
        self.store = core.store
        self.clock = core.clock
        self.settings = core.settings
        self.worker_id = worker_id or core.settings.worker_id or default_worker_id()
        self.fetchers = dict(fetchers or {})
        self.calendar = calendar or ArxivCalendar.from_setting(core.settings.arxiv_holidays)
        self.stopping = threading.Event()

    # ----------------------------------------------------------------- control
    def request_stop(self) -> None:
        """Finish the current channel, give the other claimed channels back, then stop."""
        self.stopping.set()

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.settings.claim_lease_seconds)

    @property
    def grace(self) -> timedelta:
        return timedelta(hours=self.settings.catchup_grace_hours)

    def backoff(self, attempts: int) -> timedelta:
        """Exponential backoff for a digest whose items failed `attempts` times."""
        base = self.settings.delivery_backoff_seconds
        seconds = min(base * 2 ** max(attempts - 1, 0), self.settings.delivery_backoff_max_seconds)
        return timedelta(seconds=seconds)

    # -------------------------------------------------------------------- tick
    def schedule_new(self, now: datetime) -> int:
        """Give every active channel without a next run its first one."""
        count = 0
        for channel in self.store.channels_to_schedule():
            self.store.set_next_run(channel.id, next_run(channel.settings.schedule, now))
            count += 1
        return count

    def tick(self) -> TickReport:
        """One scheduling pass: claim due channels batch by batch until none is left."""
        now = self.clock.now()
        report = TickReport(at=now)
        report.scheduled = self.schedule_new(now)
        while not self.stopping.is_set():
            now = self.clock.now()
            batch = self.store.claim_due_channels(
                self.worker_id,
                now,
                lease_seconds=self.settings.claim_lease_seconds,
                limit=self.settings.claim_batch_size,
            )
            if not batch:
                break
            report.claimed += len(batch)
            for index, channel in enumerate(batch):
                if self.stopping.is_set():
                    for rest in batch[index:]:
                        self.store.release_channel(
                            rest.id,
                            self.worker_id,
                            next_run_at=rest.next_run_at,
                            retry_at=rest.retry_at,
                        )
                    break
                self.process(channel, now, report)
        return report

    def drain(self, *, max_seconds: float, sleep: Callable[[float], object]) -> TickReport:
        """Tick, nap until the next channel is due, tick again, for up to `max_seconds`."""
        started = self.clock.now()
        deadline = started + timedelta(seconds=max_seconds)
        total = TickReport(at=started)
        while not self.stopping.is_set():
            total.merge(self.tick())
            due = self.store.next_due_at()
            now = self.clock.now()
            if due is None or due >= deadline:
                break
            sleep(max((due - now).total_seconds(), 0.05))
        return total

    def process(self, channel: Channel, now: datetime, report: TickReport) -> None:
        """Resume this channel's unfinished digests, then run its scheduled digest if due."""
        lease_until = now + self.lease
        schedule = channel.settings.schedule

        def guard() -> None:
            nonlocal lease_until
            current = self.clock.now()
            if current >= lease_until - self.lease / 2:
                lease_until = current + self.lease
                if not self.store.renew_lease(channel.id, self.worker_id, lease_until):
                    raise LeaseLost(f"lost the lease on channel {channel.id}")

        next_run_at = channel.next_run_at
        retry_at: datetime | None = None
        key: str | None = None
        try:
            for digest in self.store.unfinished_digests(channel.id):
                result = self.core.deliver(channel, digest, resumed=True, guard=guard)
                retry_at = self._retry_time(result, now, retry_at)
                self._count(result, channel, digest, report)
            if next_run_at is not None and next_run_at <= now:
                slots = list(runs_between(schedule, next_run_at, now)) or [next_run_at]
                slot = slots[-1]
                next_run_at = next_run(schedule, now)
                if now - slot > self.grace:
                    report.skipped.append((channel.id, run_key(schedule, slot)))
                    log.info("%s: missed run %s is past the grace window", channel.ref, slot)
                else:
                    key = run_key(schedule, slot)
                    notice = (
                        empty_notice(self.calendar, channel.last_digest_at, now)
                        if channel.settings.announce_empty
                        else None
                    )
                    _, result = self.core.run_digest(
                        channel, run_key=key, empty_notice=notice, guard=guard
                    )
                    retry_at = self._retry_time(result, now, retry_at)
                    if result.digest is not None:
                        self._count(result, channel, result.digest, report)
        except RateLimited as exc:
            retry_at = now + timedelta(seconds=max(exc.retry_after, 0.05))
            report.deferred[channel.id] = str(exc)
        except ChannelUnavailable as exc:
            report.errors[channel.id] = f"paused: {exc}"
            next_run_at, retry_at = None, None  # scheduled afresh when it is resumed
        except LeaseLost as exc:
            report.errors[channel.id] = str(exc)
            return  # the channel is another worker's now: leave its row alone
        except Exception as exc:  # one bulkhead per channel run
            log.exception("%s: digest run failed", channel.ref)
            report.errors[channel.id] = f"{type(exc).__name__}: {exc}"
            retry_at = now + self.backoff(1)
            if key is not None and self.store.find_digest(channel.id, key) is None:
                next_run_at = channel.next_run_at  # the slot was not used: keep it due
        self.store.release_channel(
            channel.id, self.worker_id, next_run_at=next_run_at, retry_at=retry_at
        )

    def _retry_time(
        self, result: DeliveryResult, now: datetime, current: datetime | None
    ) -> datetime | None:
        if not result.failed or result.digest is None:
            return current
        attempts = max(
            (i.attempts for i in result.digest.items if i.status is ItemStatus.FAILED), default=1
        )
        at = now + self.backoff(attempts)
        return at if current is None else min(at, current)

    @staticmethod
    def _count(
        result: DeliveryResult, channel: Channel, digest: Digest, report: TickReport
    ) -> None:
        report.delivered.append((channel.id, digest.run_key))
        report.posted += len(result.posted)
        report.notices += 1 if result.notice else 0
        if result.failed:
            report.deferred[channel.id] = f"{len(result.failed)} item(s) failed; retrying later"

    # ------------------------------------------------------------------- fetch
    def fetch(self, kind: str) -> bool:
        """Run the `kind` fetcher once per announcement (arxiv) or hour (others), one worker
        at a time (a PostgreSQL advisory lock, which also keeps arXiv's 3-second rule)."""
        fetcher = self.fetchers.get(kind)
        if fetcher is None:
            return False
        now = self.clock.now()
        if kind == "arxiv":
            key = self.calendar.last_announcement(now).astimezone(EASTERN).date().isoformat()
        else:
            key = f"{now:%Y-%m-%dT%H}"
        name = f"fetch-{kind}"
        with self.store.exclusive(FETCH_LOCK) as got:
            if not got:
                log.info("another worker is fetching; skipping %s", name)
                return False
            if self.store.job_done(name, key):
                return False
            log.info("fetching %s for %s", kind, key)
            fetcher()
            self.store.record_job(name, key, worker=self.worker_id, now=self.clock.now())
        return True
