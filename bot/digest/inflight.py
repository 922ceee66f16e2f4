"""Many channels in flight at once inside one worker: a bounded pool of delivery threads, each
running one claimed channel from start to end (waiting out its platform's pace in the core's
`Pacer`), claiming more channels as slots free up.

The store sees batches, not single channels: a few channels beyond the pool's size are claimed
ahead (queued for the next free thread), so claims come a batch at a time rather than one per
freed slot, and finished channels are given back together (`release_channels`)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from queue import Empty, SimpleQueue
from typing import Protocol

from bot.config import Settings
from bot.digest.tick_report import TickReport
from bot.models import Channel, Release
from bot.ports import Clock, ScheduleStore


class Worker(Protocol):
    """What a pass needs of its worker (`bot.digest.worker.Worker` is one)."""

    worker_id: str
    stopping: threading.Event
    settings: Settings
    clock: Clock
    _leases: dict[int, datetime]
    _not_before: dict[int, datetime]

    @property
    def store(self) -> ScheduleStore: ...

    @property
    def lease(self) -> timedelta: ...

    def process(
        self, channel: Channel, now: datetime, report: TickReport
    ) -> tuple[datetime | None, datetime | None] | None: ...

    def _release(
        self, channel: Channel, next_run_at: datetime | None, retry_at: datetime | None
    ) -> None: ...

    def _forget(self, channel_id: int) -> None: ...


log = logging.getLogger(__name__)


class Finished:
    """The futures that finished, in order, as their done-callbacks report them: waiting for
    the next costs O(1), where `concurrent.futures.wait` adds and removes a waiter on every
    running future each time (~0.8 ms a call at 1,024 in flight)."""

    def __init__(self) -> None:
        self._queue: SimpleQueue[Future[Release | None]] = SimpleQueue()

    def put(self, future: Future[Release | None]) -> None:
        self._queue.put(future)

    def take(self, timeout: float) -> list[Future[Release | None]]:
        """Every future finished so far, waiting up to `timeout` seconds for the first."""
        try:
            done = [self._queue.get(timeout=timeout)]
        except Empty:
            return []
        while True:
            try:
                done.append(self._queue.get_nowait())
            except Empty:
                return done


class InFlight:
    """One scheduling pass of `worker` with up to `concurrency` channels at a time.

    Every channel keeps the sequential guarantees (its lease, its outbox, header before
    papers); only different channels overlap. With `sleep`, a channel the platform
    rate-limits for a short while (DELIVERY_INLINE_WAIT_SECONDS) waits in its own thread
    and resumes; without it, or past `until`, it is released with its retry time.
    """

    def __init__(
        self,
        worker: Worker,
        concurrency: int,
        *,
        sleep: Callable[[float], object] | None = None,
        until: datetime | None = None,
    ) -> None:
        self.worker = worker
        self.concurrency = concurrency
        self.sleep = sleep
        self.until = until
        self._lock = threading.Lock()

    def run(self, report: TickReport) -> None:
        """Claim, deliver and release until no due channel is left (or stopping)."""
        worker = self.worker
        running: set[Future[Release | None]] = set()
        finished = Finished()
        released: list[Release] = []
        # claimed ahead of the free threads: claims in batches of `spare`, none left idle
        spare = max(1, min(worker.settings.claim_batch_size, self.concurrency // 4))
        exhausted = False
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="paperbot-deliver") as pool:
            try:
                while True:
                    ahead = len(running) - self.concurrency  # claimed, waiting for a thread
                    if not exhausted and ahead <= 0 and not worker.stopping.is_set():
                        self._release(released)
                        limit = min(spare - ahead, worker.settings.claim_batch_size)
                        batch = self._claim(limit)
                        exhausted = len(batch) < limit  # none left due now (the next pass looks)
                        report.claimed += len(batch)
                        for c in batch:
                            future = pool.submit(self._channel, c, report)
                            future.add_done_callback(finished.put)
                            running.add(future)
                        if batch and len(running) < self.concurrency:
                            continue  # fill every free slot before waiting
                    if not running:
                        return
                    done = finished.take(timeout=1.0)
                    running.difference_update(done)
                    for future in done:
                        # a bug in the pass itself, not in a channel: surface it
                        if (release := future.result()) is not None:
                            released.append(release)
                    if len(released) >= spare or not done:
                        self._release(released)
            finally:
                self._release(released)

    def _release(self, released: list[Release]) -> None:
        """Give the finished channels back, in one statement."""
        if released:
            self.worker.store.release_channels(self.worker.worker_id, released)
            released.clear()

    def _claim(self, limit: int) -> list[Channel]:
        worker = self.worker
        now = worker.clock.now()
        batch = worker.store.claim_due_channels(
            worker.worker_id, now, lease_seconds=worker.settings.claim_lease_seconds, limit=limit
        )
        for channel in batch:
            worker._leases[channel.id] = now + worker.lease
        return batch

    def _channel(self, channel: Channel, report: TickReport) -> Release | None:
        """One channel from claim to its release (returned, given back with others), resuming
        inline after a short rate limit; None when it is not ours to give back."""
        worker = self.worker
        if worker.stopping.is_set():  # claimed but not started: give it back as it was
            return self._given_back(channel, channel.next_run_at, channel.retry_at)
        local = TickReport(at=worker.clock.now())
        try:
            while True:
                now = worker.clock.now()
                outcome = worker.process(channel, now, local)
                if outcome is None:  # the lease was lost: the channel is another worker's
                    worker._forget(channel.id)
                    return None
                next_run_at, retry_at = outcome
                if not self._wait_inline(channel, retry_at):
                    return self._given_back(channel, next_run_at, retry_at)
                channel = replace(channel, next_run_at=next_run_at)
        except Exception as exc:  # one bulkhead per channel: e.g. the database went away
            log.exception(
                "%s: channel run failed; its lease runs out and it is retried", channel.ref
            )
            local.errors[channel.id] = f"{type(exc).__name__}: {exc}"
            return None
        finally:
            with self._lock:
                report.merge(local)

    def _given_back(
        self, channel: Channel, next_run_at: datetime | None, retry_at: datetime | None
    ) -> Release:
        self.worker._forget(channel.id)
        return Release(channel.id, next_run_at, retry_at, channel.lease_token)

    def _wait_inline(self, channel: Channel, retry_at: datetime | None) -> bool:
        """Sleep until `retry_at` when the platform asked for a short wait; False to release."""
        worker = self.worker
        if self.sleep is None or retry_at is None or channel.id not in worker._not_before:
            return False
        now = worker.clock.now()
        inline = timedelta(seconds=worker.settings.delivery_inline_wait_seconds)
        if retry_at - now > inline or worker.stopping.is_set():
            return False
        if self.until is not None and retry_at >= self.until:
            return False
        self.sleep(max((retry_at - now).total_seconds(), 0.01))
        return True


__all__ = ["InFlight"]
