"""Pacing requests to chat platforms: per-key rate limits, Retry-After holds and global caps,
shared by every thread of a worker (no SDK here: adapters declare their limits as `Lane`s).

Each key (a channel's posts, a workspace's reactions, a bot's global budget) is a GCRA token
bucket: it remembers the theoretical arrival time of its next request. A request that needs
several keys (the channel, the route, the global cap) books the earliest moment all of them
allow, in all of them at once, so requests queue in order without ever asking the platform
too early. A 429's Retry-After holds the keys it names until then; a request booked before
the hold re-books after it.

A `serial` key (one channel's posts, sent one after another by the thread delivering it) is
waited for before the request queues in the shared keys, so a channel waiting for its own pace
holds no place in a global cap that other channels could use meanwhile. And a serial key's
next request is timed from the moment the previous one was answered (`done`), not from when it
was booked: the platform saw it no later than that, however late the thread woke, the network
carried it or the SDK retried it, so a late request never makes the next one early.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

POST = "post"  # the route of messages (headers, papers, notices)
REACT = "react"  # the route of the vote reactions added under each paper
PRUNE_EVERY = 4096  # bookings between sweeps of idle keys


@dataclass(frozen=True)
class Rate:
    """`per_second` requests a second on average, at most `burst` at once."""

    per_second: float
    burst: int = 1

    @classmethod
    def every(cls, seconds: float, burst: int = 1) -> Rate:
        return cls(1.0 / seconds if seconds > 0 else float("inf"), burst)

    @property
    def interval(self) -> float:
        return 1.0 / self.per_second if self.per_second > 0 else float("inf")


@dataclass(frozen=True)
class Lane:
    """One limited key a request counts against, e.g. `slack:T1:C1:post` at 1/s; `serial`
    when one thread at a time sends on it, each request after the previous one's answer."""

    key: str
    rate: Rate
    serial: bool = False


class Pacer:
    """Books requests against their lanes; thread-safe; `monotonic` and `sleep` injected.

    Each interval is stretched by the fraction `margin` (0.02: 2%), so requests reach the
    platform no sooner than it allows even when a thread wakes or the network delivers one a
    little later than the next.
    """

    def __init__(
        self,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
        margin: float = 0.0,
    ) -> None:
        self.monotonic = monotonic
        self.sleep = sleep
        self.margin = margin
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}  # key -> theoretical arrival time of its next request
        self._held: dict[str, float] = {}  # key -> no request before this (Retry-After)
        self._booked = 0

    def _interval(self, rate: Rate) -> float:
        return rate.interval * (1 + self.margin) if rate.per_second != float("inf") else 0.0

    def _earliest(self, lanes: Sequence[Lane], now: float) -> float:
        at = now
        for lane in lanes:
            tolerance = self._interval(lane.rate) * (lane.rate.burst - 1)
            at = max(at, self._next.get(lane.key, now) - tolerance, self._held.get(lane.key, now))
        return at

    def book(self, lanes: Sequence[Lane]) -> float:
        """Book the earliest moment every lane allows one more request; returns it
        (on the `monotonic` scale)."""
        with self._lock:
            now = self.monotonic()
            at = self._earliest(lanes, now)
            for lane in lanes:
                self._next[lane.key] = max(self._next.get(lane.key, at), at) + self._interval(
                    lane.rate
                )
            self._booked += 1
            if self._booked % PRUNE_EVERY == 0:
                self._prune(now)
            return at

    def delay(self, lanes: Sequence[Lane]) -> float:
        """Seconds until every lane would allow a request (0: now); books nothing."""
        with self._lock:
            now = self.monotonic()
            return self._earliest(lanes, now) - now

    def acquire(self, lanes: Sequence[Lane]) -> float:
        """Wait until a request may go out on all `lanes`; returns the seconds waited.

        The serial lanes are waited for first, unbooked (no other thread uses them), then
        every lane is booked at once, so the shared ones are booked for when the request can
        really go."""
        waited = 0.0
        own = [lane for lane in lanes if lane.serial]
        if own and len(own) < len(lanes):
            ahead = self.delay(own)
            if ahead > 0:
                self.sleep(ahead)
                waited += ahead
        while True:
            at = self.book(lanes)
            now = self.monotonic()
            if at > now:
                self.sleep(at - now)
                waited += at - now
            if not self._still_held(lanes):
                return waited

    def done(self, lanes: Sequence[Lane]) -> None:
        """The request on `lanes` was answered (or failed) just now: the next one on each
        serial lane goes no sooner than an interval from now."""
        with self._lock:
            now = self.monotonic()
            for lane in lanes:
                if lane.serial:
                    after = now + self._interval(lane.rate)
                    self._next[lane.key] = max(self._next.get(lane.key, after), after)

    def _still_held(self, lanes: Sequence[Lane]) -> bool:
        with self._lock:
            now = self.monotonic()
            return any(self._held.get(lane.key, now) > now for lane in lanes)

    def hold(self, lanes: Sequence[Lane], seconds: float) -> None:
        """The platform said Retry-After `seconds` for these lanes: no request before then."""
        with self._lock:
            until = self.monotonic() + max(seconds, 0.0)
            for lane in lanes:
                self._held[lane.key] = max(self._held.get(lane.key, until), until)
                self._next[lane.key] = max(self._next.get(lane.key, until), until)

    def _prune(self, now: float) -> None:
        """Forget keys whose bucket is full again and whose hold is over (100k channels)."""
        self._next = {k: v for k, v in self._next.items() if v > now}
        self._held = {k: v for k, v in self._held.items() if v > now}


__all__ = ["POST", "REACT", "Lane", "Pacer", "Rate"]
