"""Strings (words, categories, authors) as 64-bit keys, looked up many at a time.

A profile keeps its learned words, categories and authors as key arrays (built once per
change); a candidate set keeps a `KeyIndex` per kind. The fan-out then resolves every
channel's keys to columns in one vectorised lookup instead of one dict lookup per string.
Keys are Python's string hash: stable within a process (they are never stored), 64 bits, so
two distinct strings of one candidate set share a key with negligible probability.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np


def key_hashes(keys: Iterable[str]) -> np.ndarray:
    """int64 key of each string."""
    return np.fromiter(map(hash, keys), dtype=np.int64)


@dataclass(frozen=True)
class KeyIndex:
    """key -> column of a candidate set's matrix: an open-addressing hash table (linear
    probing, at most a quarter full) looked up for a whole array of keys at once (measured:
    ~1 ms for 64,000 keys into 225,000, against 10 ms for a binary search)."""

    keys: np.ndarray  # int64 per slot
    columns: np.ndarray  # int64 per slot, -1 where empty

    @classmethod
    def of(cls, index: Mapping[str, int]) -> KeyIndex:
        hashes = key_hashes(index)
        cols = np.fromiter(index.values(), dtype=np.int64, count=len(index))
        size = 1 << max(4, (4 * len(hashes)).bit_length())
        keys = np.zeros(size, dtype=np.int64)
        columns = np.full(size, -1, dtype=np.int64)
        pending = np.arange(len(hashes))
        slot = hashes & (size - 1)
        while len(pending):
            at = slot[pending]
            free = columns[at] < 0
            slots, first = np.unique(at[free], return_index=True)
            placed = pending[free][first]
            keys[slots] = hashes[placed]
            columns[slots] = cols[placed]
            done = np.zeros(len(hashes), dtype=bool)
            done[placed] = True
            pending = pending[~done[pending]]
            slot[pending] = (slot[pending] + 1) & (size - 1)
        return cls(keys, columns)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Each key's column, -1 where the candidate set does not have it."""
        out = np.full(len(keys), -1, dtype=np.int64)
        mask = len(self.keys) - 1
        active = np.arange(len(keys))
        slot = keys & mask
        while len(active):
            at = slot[active]
            cols = self.columns[at]
            hit = (cols >= 0) & (self.keys[at] == keys[active])
            out[active[hit]] = cols[hit]
            probe = (cols >= 0) & ~hit  # occupied by another key: try the next slot
            active = active[probe]
            slot[active] = (slot[active] + 1) & mask
        return out
