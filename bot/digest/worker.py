"""The worker: claim due channels, build and deliver their digests, fetch on arXiv's calendar."""

from __future__ import annotations

import heapq
import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.digest.blas import one_blas_thread
from bot.digest.delivery import DeliveryResult
from bot.digest.inflight import InFlight
from bot.digest.schedule import (
    EASTERN,
    ArxivCalendar,
    empty_notice,
    next_run,
    run_key,
    runs_between,
)
from bot.digest.tick_report import TickReport
from bot.digest.votes import VoteLane
from bot.errors import ChannelUnavailable, LeaseLost, RateLimited
from bot.models import Channel, Digest, ItemStatus, Lease
from bot.ports import OutboxStore, PacedAdapter, ScheduleStore, VoteSeedingAdapter, supports
from bot.service import PaperBot

log = logging.getLogger(__name__)
FETCH_LOCK = "paperbot:fetch"


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class WorkerStore(ScheduleStore, OutboxStore, Protocol):
    """What the worker needs: claims and jobs, and the channels' unfinished digests."""


class Worker:
    """One worker process's share of the scheduling; any number can share one PostgreSQL."""

    def __init__(
        self,
        core: PaperBot,
        *,
        worker_id: str | None = None,
        fetchers: Mapping[str, Callable[[], object]] | None = None,
        calendar: ArxivCalendar | None = None,
        concurrency: int | None = None,
    ) -> None:
        self.core = core
        self.store: WorkerStore = core.store
        self.clock = core.clock
        self.settings = core.settings
        self.worker_id = worker_id or core.settings.worker_id or default_worker_id()
        self.fetchers = dict(fetchers or {})
        self.calendar = calendar or ArxivCalendar.from_setting(core.settings.arxiv_holidays)
        self.stopping = threading.Event()
        self.concurrency = concurrency or core.settings.delivery_concurrency
        if self.concurrency > 1:
            one_blas_thread()  # many channels rank at once (`bot.digest.blas`)
        self._leases: dict[int, datetime] = {}  # channel id -> when our claim runs out
        self._spacing: dict[int, timedelta] = {}  # channel id -> the pace a platform asked for
        self._not_before: dict[int, datetime] = {}  # channel id -> earliest next post
        self._seq = 0
        self._calendar_checked: int | None = None  # the year whose holidays were checked

    # ----------------------------------------------------------------- control
    def defer_votes(self) -> VoteLane:
        """From now on add the vote reactions in a background lane at their own, tighter
        pace, so they never hold up the posts (a long-running worker; `paperbot run`)."""
        lane = self.core.start_vote_lane()
        for adapter in self.core.adapters.values():
            if supports(adapter, VoteSeedingAdapter):
                adapter.defer_votes = True
        return lane

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

    def _check_calendar(self, now: datetime) -> None:
        """Once per year: say so when ARXIV_HOLIDAYS lists none of this year's holidays."""
        year = now.year
        if self._calendar_checked == year:
            return
        self._calendar_checked = year
        if not self.calendar.lists_year(year):
            log.warning(
                "ARXIV_HOLIDAYS lists no arXiv holiday in %d: on those days digests will find "
                "no new papers without saying why; add this year's dates (arxiv.org/help/availability)",
                year,
            )

    # -------------------------------------------------------------------- tick
    def schedule_new(self, now: datetime) -> int:
        """Give every active channel without a next run its first one."""
        count = 0
        for channel in self.store.channels_to_schedule():
            self.store.set_next_run(channel.id, next_run(channel.settings.schedule, now))
            count += 1
        return count

    def tick(
        self, *, sleep: Callable[[float], object] | None = None, until: datetime | None = None
    ) -> TickReport:
        """One scheduling pass: claim due channels batch by batch until none is left.

        With `sleep` (a long-running worker), a channel the platform rate-limits for a short
        while (DELIVERY_INLINE_WAIT_SECONDS) stays claimed and is resumed in this pass as soon
        as it may post again, while other channels are served; without it, it is released
        with a retry time and picked up by a later pass.
        """
        now = self.clock.now()
        self._check_calendar(now)
        report = TickReport(at=now)
        report.scheduled = self.schedule_new(now)
        if self.concurrency > 1:
            InFlight(self, self.concurrency, sleep=sleep, until=until).run(report)
            return report
        waiting: list[tuple[datetime, int, Channel]] = []
        max_waiting = self.settings.claim_batch_size * 10
        while not self.stopping.is_set():
            now = self.clock.now()
            if waiting and waiting[0][0] <= now:
                _, _, channel = heapq.heappop(waiting)
                self._run(channel, now, report, waiting, sleep is not None)
                continue
            batch: list[Channel] = []
            if len(waiting) < max_waiting:
                batch = self.store.claim_due_channels(
                    self.worker_id,
                    now,
                    lease_seconds=self.settings.claim_lease_seconds,
                    limit=self.settings.claim_batch_size,
                )
            if batch:
                report.claimed += len(batch)
                for channel in batch:
                    self._leases[channel.id] = now + self.lease
                for index, channel in enumerate(batch):
                    if self.stopping.is_set():
                        for rest in batch[index:]:
                            self._release(rest, rest.next_run_at, rest.retry_at)
                        break
                    self._run(channel, now, report, waiting, sleep is not None)
                continue
            if waiting and sleep is not None and (until is None or waiting[0][0] < until):
                sleep(max((waiting[0][0] - now).total_seconds(), 0.01))
                continue
            break
        for ready, _, channel in waiting:  # stopping, or past `until`: a later pass resumes
            self._release(channel, channel.next_run_at, ready)
        return report

    def drain(self, *, max_seconds: float, sleep: Callable[[float], object]) -> TickReport:
        """Tick, nap until the next channel is due, tick again, for up to `max_seconds`."""
        started = self.clock.now()
        deadline = started + timedelta(seconds=max_seconds)
        total = TickReport(at=started)
        while not self.stopping.is_set():
            total.merge(self.tick(sleep=sleep, until=deadline))
            due = self.store.next_due_at()
            now = self.clock.now()
            if due is None or due >= deadline:
                break
            sleep(max((due - now).total_seconds(), 0.05))
        return total

    def _run(
        self,
        channel: Channel,
        now: datetime,
        report: TickReport,
        waiting: list[tuple[datetime, int, Channel]],
        can_wait: bool,
    ) -> None:
        outcome = self.process(channel, now, report)
        if outcome is None:
            self._forget(channel.id)
            return
        next_run_at, retry_at = outcome
        inline = timedelta(seconds=self.settings.delivery_inline_wait_seconds)
        if (
            can_wait
            and retry_at is not None
            and channel.id in self._not_before
            and retry_at - self.clock.now() <= inline
        ):
            self._seq += 1
            updated = replace(channel, next_run_at=next_run_at)
            heapq.heappush(waiting, (retry_at, self._seq, updated))
            return
        self._release(channel, next_run_at, retry_at)

    def _release(
        self, channel: Channel, next_run_at: datetime | None, retry_at: datetime | None
    ) -> None:
        self._forget(channel.id)
        self.store.release_channel(
            channel.id,
            self.worker_id,
            next_run_at=next_run_at,
            retry_at=retry_at,
            token=channel.lease_token,
        )

    def _forget(self, channel_id: int) -> None:
        self.core.learned.forget(channel_id)  # a worker holds only its claimed channels' state
        self._leases.pop(channel_id, None)
        self._not_before.pop(channel_id, None)
        self._spacing.pop(channel_id, None)

    def process(
        self, channel: Channel, now: datetime, report: TickReport
    ) -> tuple[datetime | None, datetime | None] | None:
        """Resume this channel's unfinished digests, then run its scheduled digest if due.

        Returns (next run, retry time) for the channel, or None when its lease was lost.
        """
        self._leases.setdefault(channel.id, now + self.lease)
        token = channel.lease_token
        lease = Lease(channel.id, self.worker_id, token) if token else None
        guard = self._guard(channel, token)
        next_run_at = channel.next_run_at
        retry_at: datetime | None = None
        key: str | None = None
        notice = (
            empty_notice(self.calendar, channel.last_digest_at, now)
            if channel.settings.announce_empty
            else None
        )
        try:
            for digest in self.core.unfinished_of(channel.id):
                result = self.core.deliver(
                    channel, digest, resumed=True, empty_notice=notice, guard=guard, lease=lease
                )
                retry_at = self._retry_time(result, now, retry_at)
                self._count(result, channel, digest, report)
            if next_run_at is not None and next_run_at <= now:
                next_run_at, key = self._due_slot(channel, next_run_at, now, report)
            if key is not None:
                _, result = self.core.run_digest(
                    channel, run_key=key, empty_notice=notice, guard=guard, lease=lease
                )
                retry_at = self._retry_time(result, now, retry_at)
                if result.digest is not None:
                    self._count(result, channel, result.digest, report)
        except RateLimited as exc:
            retry_at = self._hold(channel, exc, report)
        except ChannelUnavailable as exc:
            report.errors[channel.id] = f"paused: {exc}"
            next_run_at, retry_at = None, None  # scheduled afresh when it is resumed
        except LeaseLost as exc:
            log.warning("%s: %s; leaving the channel to its new owner", channel.ref, exc)
            report.errors[channel.id] = str(exc)
            return None  # the channel is another worker's now: leave its row alone
        except Exception as exc:  # one bulkhead per channel run
            log.exception("%s: digest run failed", channel.ref)
            report.errors[channel.id] = f"{type(exc).__name__}: {exc}"
            retry_at = now + self.backoff(1)
            if key is not None and self.store.find_digest(channel.id, key) is None:
                next_run_at = channel.next_run_at  # the slot was not used: keep it due
        return next_run_at, retry_at

    def _guard(self, channel: Channel, token: str | None) -> Callable[[], None]:
        """Run before each post: keep our pace, renew the lease halfway, stop if it was lost."""

        def guard() -> None:
            current = self.clock.now()
            not_before = self._not_before.get(channel.id)
            if not_before is not None and current < not_before:
                # Pace ourselves at the rate the platform taught us: no request, no 429.
                raise RateLimited((not_before - current).total_seconds(), "pacing")
            if current >= self._leases[channel.id] - self.lease / 2:
                self._leases[channel.id] = current + self.lease
                if not self.store.renew_lease(
                    channel.id, self.worker_id, current + self.lease, token=token
                ):
                    raise LeaseLost(f"lost the lease on channel {channel.id}")
            if channel.id in self._spacing:
                self._not_before[channel.id] = current + self._spacing[channel.id]

        return guard

    def _due_slot(
        self, channel: Channel, due: datetime, now: datetime, report: TickReport
    ) -> tuple[datetime | None, str | None]:
        """The next run after `now`, and the run key of the latest missed slot (None when it
        is past the grace window: skipped and reported)."""
        schedule = channel.settings.schedule
        slot = (list(runs_between(schedule, due, now)) or [due])[-1]
        upcoming = next_run(schedule, now)
        if now - slot > self.grace:
            report.skipped.append((channel.id, run_key(schedule, slot)))
            log.info("%s: missed run %s is past the grace window", channel.ref, slot)
            return upcoming, None
        return upcoming, run_key(schedule, slot)

    def _hold(self, channel: Channel, exc: RateLimited, report: TickReport) -> datetime:
        """A 429: wait as asked (and learn the pace of an adapter that declares none)."""
        wait = timedelta(seconds=max(exc.retry_after, 0.05))
        paced = supports(self.core.adapters.get(channel.ref.platform), PacedAdapter)
        if channel.id not in self._not_before and not paced:  # learn the platform's pace
            self._spacing[channel.id] = wait
        current = self.clock.now()
        self._not_before[channel.id] = max(
            current + wait, self._not_before.get(channel.id, current)
        )
        report.deferred[channel.id] = str(exc)
        return self._not_before[channel.id]

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
