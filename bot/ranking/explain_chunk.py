"""A per-pick part of the reasons, for a whole chunk of channels at once (the fan-out).

`explain_many` asks, for each pick, which of its categories the channel likes best: a few
dictionary look-ups and a `max` per pick one channel at a time, one array gather per chunk
here, with exactly the answer `explain_many` computes itself (ties included). (The most similar
liked paper was tried the same way, as a sparse product over (channel, word) columns: no
faster than the set intersections, so it stays in `explain_many`.)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bot.ranking.features import Batch


def best_affinities(
    batch: Batch, picks: Sequence[Sequence[int]], odds: np.ndarray
) -> list[list[tuple[float, str]]]:
    """Per channel, per pick: the best learned (category affinity, category). `odds`: channels x
    (categories + 1) smoothed log-odds (0 where never reacted to; the last column, a padding
    slot, -inf), as `prepare` builds them."""
    flat = np.fromiter((j for row in picks for j in row), dtype=np.int64)
    owner = np.repeat(np.arange(len(picks)), [len(row) for row in picks])
    affinity = _affinity(batch, flat, owner, odds)
    out: list[list[tuple[float, str]]] = []
    start = 0
    for row in picks:
        out.append(affinity[start : start + len(row)])
        start += len(row)
    return out


def _affinity(
    batch: Batch, flat: np.ndarray, owner: np.ndarray, odds: np.ndarray
) -> list[tuple[float, str]]:
    """For each pick, max over its categories of (affinity, category name), like Python's max
    over those pairs: the highest affinity, ties to the greatest name; (0.0, "") if none."""
    if not len(flat):
        return []
    slots = batch.category_slots()[flat]  # picks x max-categories, padded with the column count
    values = odds[owner[:, None], slots]
    names = sorted(batch.cat_index)
    rank = np.full(batch.cats.shape[1] + 1, -1)
    rank[[batch.cat_index[n] for n in names]] = np.arange(len(names))
    best = values.max(axis=1)
    tied = np.where(values == best[:, None], rank[slots], -1)
    winner = tied.max(axis=1)
    out: list[tuple[float, str]] = []
    for value, r in zip(best.tolist(), winner.tolist(), strict=True):
        out.append((value, names[r]) if r >= 0 else (0.0, ""))
    return out
