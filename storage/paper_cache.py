"""Papers of recent candidate windows kept as converted objects, keyed by id and `updated_at`.

Every channel of a digest pass asks for the same window of new papers. Reading and converting a
day of full rows costs ~7 ms per 1,000 papers, per channel; with this cache a channel reads only
the window's (id, updated_at) pairs and converts the rows that are new or changed since the last
read; and while the window's signature (count, latest and sum of `updated_at` of the rows first
seen after its start, with this process's write count) is unchanged, not even those: the kept
window is filtered to the caller's start. A row changed by any writer gets a new `updated_at` (`storage.paper_upsert`); this process's
own writes also drop their ids, so a frozen test clock cannot hide a change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.models import Paper

KEPT_PAPERS = 6_000  # a window's worth (papers_seen_since returns at most 5,000), ~3 KB each
WINDOWS_KEPT = 4  # windows (their paper lists; the papers are shared with the row cache)


class PaperRowCache:
    """Bounded, thread-safe (id -> (updated_at, paper)); least recently used dropped."""

    def __init__(self, kept: int = KEPT_PAPERS) -> None:
        self._kept = kept
        self._rows: OrderedDict[str, tuple[datetime, Paper]] = OrderedDict()
        self._lock = threading.Lock()
        self.generation = 0  # this process's writes so far: part of every window's signature
        self.windows = WindowCache()

    def known(self, stamps: Iterable[tuple[str, datetime]]) -> dict[str, Paper]:
        """The cached papers among `stamps` whose `updated_at` still matches."""
        found: dict[str, Paper] = {}
        with self._lock:
            rows = self._rows
            for pid, at in stamps:
                hit = rows.get(pid)
                if hit is not None and hit[0] == at:
                    rows.move_to_end(pid)
                    found[pid] = hit[1]
        return found

    def keep(self, rows: Iterable[tuple[datetime, Paper]]) -> None:
        with self._lock:
            for at, paper in rows:
                self._rows[paper.id] = (at, paper)
                self._rows.move_to_end(paper.id)
            while len(self._rows) > self._kept:
                self._rows.popitem(last=False)

    def drop(self, ids: Iterable[str]) -> None:
        with self._lock:
            self.generation += 1
            for pid in ids:
                self._rows.pop(pid, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._rows)


@dataclass(frozen=True)
class Window:
    """One read of `papers_seen_since(floor, limit)`: its papers with their first-seen times
    (newest first) and the signature of every row first seen after `floor` at the time."""

    floor: datetime
    limit: int
    signature: tuple[object, ...]
    papers: tuple[tuple[datetime, Paper], ...]

    def after(self, since: datetime, limit: int) -> list[Paper]:
        """`papers_seen_since(since, limit)` for `since >= floor`, `limit <= self.limit`: the
        rows after `since` come first in the window's order, so they are its head."""
        out = [paper for seen, paper in self.papers if seen > since]
        return out[:limit]


class WindowCache:
    """The last WINDOWS_KEPT windows read; the narrowest one covering a request serves it."""

    def __init__(self, kept: int = WINDOWS_KEPT) -> None:
        self._kept = kept
        self._windows: OrderedDict[tuple[datetime, int], Window] = OrderedDict()
        self._lock = threading.Lock()

    def covering(self, since: datetime, limit: int) -> Window | None:
        with self._lock:
            fits = [w for w in self._windows.values() if w.floor <= since and w.limit >= limit]
            if not fits:
                return None
            best = max(fits, key=lambda w: w.floor)
            self._windows.move_to_end((best.floor, best.limit))
            return best

    def keep(self, window: Window) -> None:
        with self._lock:
            self._windows[(window.floor, window.limit)] = window
            self._windows.move_to_end((window.floor, window.limit))
            while len(self._windows) > self._kept:
                self._windows.popitem(last=False)
