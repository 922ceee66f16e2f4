"""One on-demand digest per channel at a time: a second `/papers now` while the first is still
being built or posted is told so instead of racing it for the same papers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

ALREADY_ON_ITS_WAY = (
    "A digest for this channel is already on its way; its papers will appear here in a moment."
)


class LockStore(Protocol):
    def exclusive(self, name: str) -> AbstractContextManager[bool]: ...


class DigestGuard:
    """`hold(channel_id)` yields True for the one caller that may build the channel's digest
    now: one per channel in this process (a set under a lock) and, on PostgreSQL, across every
    process sharing the database (an advisory lock). Nobody waits: the others get False.

    The outbox stays the last line: two processes on one SQLite file both pass here, and the
    second digest to claim the same papers is refused by the store (`DigestInProgress`)."""

    def __init__(self, store: LockStore) -> None:
        self._store = store
        self._busy: set[int] = set()
        self._lock = threading.Lock()

    @contextmanager
    def hold(self, channel_id: int) -> Iterator[bool]:
        with self._lock:
            mine = channel_id not in self._busy
            self._busy.add(channel_id)
        if not mine:
            yield False
            return
        try:
            with self._store.exclusive(f"paperbot:digest:{channel_id}") as got:
                yield got
        finally:
            with self._lock:
                self._busy.discard(channel_id)
