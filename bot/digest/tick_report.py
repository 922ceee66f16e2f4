"""What one scheduling pass did: the worker's report, merged across channels in flight."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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
