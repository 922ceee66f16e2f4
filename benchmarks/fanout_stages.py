"""Per-stage time accounting for the fan-out benchmark: wraps a running core's store, ranker
and adapters (instance attributes only, the code paths are the real ones) and sums, per stage,
the CPU time of the calling thread and the wall time spent inside."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from functools import wraps
from typing import Any

STAGES: dict[str, tuple[str, ...]] = {
    "claim": (
        "claim_due_channels",
        "release_channel",
        "release_channels",
        "renew_lease",
        "next_due_at",
    ),
    "record": (
        "create_digest",
        "create_digests",
        "record_digest",  # the core's group commit of digests (waiting included)
        "mark_item_sending",
        "mark_item_posted",
        "mark_item_failed",
        "mark_item_uncertain",
        "set_header_message",
        "complete_digest",
        "apply_marks",
        "apply_marks_many",
        "write_marks",  # the core's group commit of marks (waiting included)
        "unfinished_digests_many",
        "unfinished_of",  # the core's grouped lookup of unfinished digests (waiting included)
        "unfinished_digests",
        "find_digest",
    ),
    "rank": ("plan",),
    "post": ("post_header", "post_item", "post_notice"),
    "lookup": ("find_item_message", "find_header_message"),
}


class StageClock:
    """Sums of (calls, CPU seconds, wall seconds) per stage, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: dict[str, int] = defaultdict(int)
        self.cpu: dict[str, float] = defaultdict(float)
        self.wall: dict[str, float] = defaultdict(float)
        self._inside = threading.local()

    def wrap(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if getattr(self._inside, "stage", None):  # nested (plan -> store): count the outer
                return fn(*args, **kwargs)
            self._inside.stage = stage
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self._inside.stage = None
                spent_cpu, spent_wall = time.thread_time() - cpu, time.perf_counter() - wall
                with self._lock:
                    self.calls[stage] += 1
                    self.cpu[stage] += spent_cpu
                    self.wall[stage] += spent_wall

        return timed

    def instrument(self, *targets: object) -> None:
        for target in targets:
            for stage, names in STAGES.items():
                for name in names:
                    fn = getattr(target, name, None)
                    if callable(fn):
                        setattr(target, name, self.wrap(stage, fn))

    def report(self) -> dict[str, dict[str, float]]:
        return {
            s: {
                "calls": self.calls[s],
                "cpu": round(self.cpu[s], 3),
                "wall": round(self.wall[s], 3),
            }
            for s in STAGES
        }
