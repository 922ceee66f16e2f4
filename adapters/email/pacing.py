"""At most EMAIL_RATE_PER_MINUTE messages per SMTP server from this process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from bot.errors import RateLimited


class Pacer:
    """Spaces sends `60 / per_minute` seconds apart: waits up to `max_wait` for a slot, else
    raises RateLimited (the worker retries the digest when the slot comes). Monotonic time,
    injectable for tests."""

    def __init__(
        self,
        per_minute: float,
        *,
        max_wait: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 60.0 / per_minute
        self.max_wait = max_wait
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = float("-inf")
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Take the next slot, sleeping until it when it is near enough."""
        with self._lock:
            now = self._monotonic()
            slot = max(now, self._next)
            wait = slot - now
            if wait > self.max_wait:
                raise RateLimited(wait, "email rate limit (EMAIL_RATE_PER_MINUTE)")
            self._next = slot + self.interval
        if wait > 0:
            self._sleep(wait)
