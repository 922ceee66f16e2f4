"""Clocks: the only place that reads the wall clock, so schedules and tests can inject time."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.errors import InvalidInput

TICK = timedelta(microseconds=1)


class _Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real clock, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that stands still until told to move (tests, demo, `tick --at`)."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current = self.current + delta

    def set(self, when: datetime) -> None:
        self.current = when if when.tzinfo else when.replace(tzinfo=UTC)


class ArrivalStamps:
    """Strictly increasing times from a clock, for events the platform gives no time for.

    Each `stamp()` is the clock's time, or a microsecond after the previous stamp when the
    clock has not moved (a fixed clock, a coarse one) or went back: stamps taken in arrival
    order sort in arrival order. Thread-safe.
    """

    def __init__(self, clock: _Clock) -> None:
        self._clock = clock
        self._last: datetime | None = None
        self._lock = threading.Lock()

    def stamp(self) -> datetime:
        now = self._clock.now()
        with self._lock:
            if self._last is not None and now <= self._last:
                now = self._last + TICK
            self._last = now
        return now


def parse_at(text: str) -> datetime:
    """An ISO time for `--at` options (`tick`, `channel add`); a time without an offset is UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"--at: {text!r} is not an ISO time like 2026-11-30T09:00+01:00"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
