"""At most N questions per channel per hour (per process), with one polite refusal per window."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Hashable
from datetime import datetime, timedelta
from enum import Enum

from bot.ports import Clock

WINDOW = timedelta(hours=1)


class Verdict(Enum):
    ALLOW = "allow"
    REFUSE = "refuse"  # over the limit: say so, once per stretch of refusals
    QUIET = "quiet"  # over the limit and already told: say nothing


class ChannelRateLimit:
    """A sliding window of `limit` answers per `window` and key (a channel)."""

    def __init__(self, clock: Clock, limit: int, *, window: timedelta = WINDOW) -> None:
        self.clock = clock
        self.limit = limit
        self.window = window
        self._answered: dict[Hashable, deque[datetime]] = {}
        self._told: set[Hashable] = set()
        self._lock = threading.Lock()

    def check(self, key: Hashable) -> Verdict:
        """ALLOW (and count it) while under the limit, else REFUSE once, then QUIET."""
        now = self.clock.now()
        with self._lock:
            times = self._answered.setdefault(key, deque())
            while times and now - times[0] >= self.window:
                times.popleft()
            if len(times) < self.limit:
                times.append(now)
                self._told.discard(key)
                return Verdict.ALLOW
            if key in self._told:
                return Verdict.QUIET
            self._told.add(key)
            return Verdict.REFUSE

    def retry_in(self, key: Hashable) -> timedelta:
        """How long until the next question in `key` will be answered."""
        with self._lock:
            times = self._answered.get(key)
            if not times or self.limit == 0:
                return self.window
            return max(timedelta(0), times[0] + self.window - self.clock.now())
