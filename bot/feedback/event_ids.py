"""Forgetting handled platform event ids once no retry can come, so the dedupe table stays small.

Slack retries an unacknowledged event within minutes (up to three times, the last ~5 minutes
later); the ids are kept PROCESSED_EVENT_RETENTION_HOURS (48 by default) and pruned at most once
per PRUNE_EVERY by whichever process records reactions, so the cost is one indexed delete an hour.
Ordering does not rely on them: a re-delivery after its id is forgotten is an old event and loses
to any newer one (`storage.reaction_store`).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Protocol

from bot.config import Settings
from bot.errors import StorageError

log = logging.getLogger(__name__)
PRUNE_EVERY = timedelta(hours=1)


class EventIdStore(Protocol):
    def prune_events(self, before: datetime) -> int: ...


class EventIdPruner:
    """`maybe_prune(now)`: drop event ids older than the retention, at most once per `every`."""

    def __init__(
        self, store: EventIdStore, settings: Settings, *, every: timedelta = PRUNE_EVERY
    ) -> None:
        self._store = store
        self._retention = timedelta(hours=settings.processed_event_retention_hours)
        self._every = every
        self._next: datetime | None = None
        self._lock = threading.Lock()

    def maybe_prune(self, now: datetime) -> int | None:
        """How many ids were pruned, or None when it was not yet time (or the database failed:
        tried again next time, never at the cost of the reaction that triggered it)."""
        with self._lock:
            if self._next is not None and now < self._next:
                return None
            self._next = now + self._every
        try:
            pruned = self._store.prune_events(now - self._retention)
        except StorageError as exc:
            log.warning("could not prune processed event ids: %s", exc)
            with self._lock:
                self._next = None
            return None
        if pruned:
            log.info("pruned %d processed event ids older than %s", pruned, self._retention)
        return pruned
