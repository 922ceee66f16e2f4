"""Maximal marginal relevance, vectorised over channels: a digest is not five near-duplicates."""

from __future__ import annotations

import numpy as np

from bot.ranking.features import Batch
from bot.ranking.topk import top_k


def pick_many(
    scores: np.ndarray,
    batch: Batch,
    k: int,
    floor: float,
    lam: float,
    *,
    labels: np.ndarray | None = None,
    overlap: float = 0.0,
    cover: bool = False,
) -> list[list[int]]:
    """For each row of `scores` (channels x papers), up to k picks over `floor`, best first.

    Greedy MMR over each channel's top max(4k, 20): relevance (scaled by the top score) against
    the highest similarity to an earlier pick; two papers with the same label (the typed phrase
    they match best) are at least `overlap` similar, so a digest covers the channel's topics;
    with `cover`, each topic's best paper is guaranteed a place.
    `lam` = 1 is plain top-k. Ties go to the lower
    index, so the result does not depend on anything but the inputs.
    """
    m, n = scores.shape
    if n == 0 or k <= 0:
        return [[] for _ in range(m)]
    size = min(n, max(4 * k, 20))
    pool = top_k(scores, size)  # best first, -1 where a row has fewer finite scores
    found = pool >= 0
    pool = np.where(found, pool, 0)
    rows = np.arange(m)
    pool_scores = scores[rows[:, None], pool]  # np.take_along_axis, without its set-up
    valid = found & (pool_scores >= floor)
    if lam >= 1.0:
        return [
            [int(j) for j, ok in zip(row, oks, strict=True) if ok][:k]
            for row, oks in zip(pool, valid, strict=True)
        ]
    top = np.where(valid[:, :1], pool_scores[:, :1], 1.0)
    top = np.where(top > 0, top, 1.0)
    rel = np.where(valid, pool_scores / top, -np.inf)
    sim = batch.similarity()[pool[:, :, None], pool[:, None, :]]  # m x size x size
    if labels is not None and overlap > 0:
        lab = labels[rows[:, None], pool]
        same = (lab[:, :, None] == lab[:, None, :]) & (lab[:, :, None] >= 0)
        sim = np.maximum(sim, overlap * same)
    max_sim = np.zeros((m, size))
    taken = np.zeros((m, size), dtype=bool)
    picks = np.full((m, min(k, size)), -1)
    for step in range(min(k, size)):
        value = lam * rel - (1 - lam) * max_sim
        value[taken] = -np.inf
        best = np.argmax(value, axis=1)
        ok = np.isfinite(value[rows, best])
        picks[:, step] = np.where(ok, best, -1)
        taken[rows, best] = True
        max_sim = np.maximum(max_sim, sim[rows, best])
    chosen = [[int(pool[i, j]) for j in picks[i] if j >= 0] for i in range(m)]
    if labels is not None and overlap > 0 and cover:
        chosen = [_cover_topics(scores[i], labels[i], chosen[i], k) for i in range(m)]
    return chosen


def _cover_topics(scores: np.ndarray, labels: np.ndarray, picked: list[int], k: int) -> list[int]:
    """Each typed topic with a clear match today gets a place (its best paper), the rest stay
    in MMR order; the digest is then ordered by score."""
    topics = [int(t) for t in np.unique(labels) if t >= 0]
    if len(topics) < 2:
        return picked
    must: list[int] = []
    for t in topics:
        idx = np.flatnonzero((labels == t) & np.isfinite(scores))
        if len(idx):
            best = int(idx[np.argmax(scores[idx])])  # argmax takes the lowest index on ties
            must.append(best)
    must = sorted(must, key=lambda j: (-scores[j], j))[:k]
    rest = [j for j in picked if j not in must][: k - len(must)]
    return sorted(must + rest, key=lambda j: (-scores[j], j))
