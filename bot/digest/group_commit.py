"""Group commit: many threads' small writes applied together, one transaction for all of them.

The leader/follower pattern of PostgreSQL's own WAL flush. A thread that needs a write queues
its request; if no flush is running it becomes the leader and applies everything queued in ONE
call of `apply_many` (one transaction), then hands every waiter its own result. Requests that
arrive while a flush runs wait for it and go together in the next one, led by the first of them.
So batches grow with the load and nothing waits on a timer: an idle system writes alone.

A waiter returns only once its write is applied (durable when `apply_many` commits), so a
caller's ordering guarantees are those of a write of its own. `apply_many` returns one outcome
per request, in order: a value, or an exception that only that request raises (a lost lease);
an exception raised by `apply_many` itself (the transaction failed) is every request's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

R = TypeVar("R")
T = TypeVar("T")


@dataclass(eq=False)
class _Slot(Generic[R, T]):
    """One queued request and, once its batch is applied, its outcome."""

    request: R
    woken: threading.Event = field(default_factory=threading.Event)
    lead: bool = False  # woken to lead the next flush, not with an outcome
    done: bool = False
    value: T | None = None
    error: BaseException | None = None

    def outcome(self) -> T:
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


class GroupCommit(Generic[R, T]):
    """Apply requests from many threads in batches (see the module docstring)."""

    def __init__(
        self, apply_many: Callable[[Sequence[R]], Sequence[T | BaseException]], max_batch: int = 500
    ) -> None:
        self._apply_many = apply_many
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Slot[R, T]] = []
        self._flushing = False
        self.batches = 0  # flushes so far (tests and benchmarks read them)
        self.requests = 0

    def submit(self, request: R) -> T:
        """Apply `request` (with whatever else is queued) and return its own outcome, or raise
        its own error; blocks until its batch is applied."""
        slot: _Slot[R, T] = _Slot(request)
        with self._lock:
            self._queue.append(slot)
            lead = not self._flushing
            if lead:
                self._flushing = True
        if not lead:
            slot.woken.wait()
            if slot.done:
                return slot.outcome()
        self._lead()
        return slot.outcome()

    def _lead(self) -> None:
        """Flush what is queued (this thread's own request first among them), hand out the
        outcomes, then wake the first request queued meanwhile to lead the next flush."""
        with self._lock:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
        try:
            outcomes: Sequence[T | BaseException] = self._apply_many([s.request for s in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"{len(outcomes)} outcomes for {len(batch)} requests")
        except BaseException as exc:  # the transaction failed: every request's error
            outcomes = [exc] * len(batch)
        with self._lock:
            self.batches += 1
            self.requests += len(batch)
            successor = self._queue[0] if self._queue else None
            if successor is None:
                self._flushing = False
            else:
                successor.lead = True
        for slot, outcome in zip(batch, outcomes, strict=True):
            slot.done = True
            if isinstance(outcome, BaseException):
                slot.error = outcome
            else:
                slot.value = outcome
            slot.woken.set()
        if successor is not None:
            successor.woken.set()
