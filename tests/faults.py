"""Seeded fault plans for the fake chat servers: which requests fail after the fact, and how.

The three ambiguous faults happen *after* the platform stored the message (the client cannot
know it was posted); REJECT_500 fails before storing it (from the client's side it looks the
same, so the bot must look, find nothing, and post again).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field

ACCEPT_500 = "accept+500"  # stored, then HTTP 500
ACCEPT_RESET = "accept+reset"  # stored, then the connection is reset (RST)
ACCEPT_STALL = "accept+timeout"  # stored, then no answer until the client has timed out
REJECT_500 = "500, not stored"  # HTTP 500 before anything was stored
AMBIGUOUS = (ACCEPT_500, ACCEPT_RESET, ACCEPT_STALL)
KINDS = (*AMBIGUOUS, REJECT_500)


@dataclass
class FaultPlan:
    """`script` faults first (None = no fault), then each request fails with probability
    `rate`, its kind drawn from `kinds`; `injected` counts what was injected, by kind."""

    rate: float = 0.0
    kinds: tuple[str, ...] = KINDS
    seed: int = 0
    script: list[str | None] = field(default_factory=list)
    injected: Counter[str] = field(default_factory=Counter)
    _rng: random.Random = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def draw(self) -> str | None:
        """The fault for the next request, or None."""
        with self._lock:
            if self.script:
                fault = self.script.pop(0)
            elif self.rate and self._rng.random() < self.rate:
                fault = self._rng.choice(self.kinds)
            else:
                fault = None
            if fault is not None:
                self.injected[fault] += 1
            return fault
