"""Maximal marginal relevance: a digest is not five near-duplicates."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bot.ranking.features import Batch


def mmr(order: Sequence[int], scores: np.ndarray, batch: Batch, k: int, lam: float) -> list[int]:
    """Pick k of `order` (best first) trading relevance against similarity to earlier picks."""
    pool = list(order[: max(4 * k, 20)])
    if len(pool) <= 1 or k <= 1:
        return pool[:k]
    rel = scores[pool]
    top = float(rel.max())
    rel = rel / top if top > 0 else rel - top
    if batch.embeddings is not None:
        vecs = batch.embeddings[pool]
        sim = vecs @ vecs.T
    else:
        rows = batch.unit_terms[pool]
        sim = (rows @ rows.T).toarray()
    picked: list[int] = []
    max_sim = np.zeros(len(pool))
    available = np.ones(len(pool), dtype=bool)
    while len(picked) < min(k, len(pool)):
        value = lam * rel - (1 - lam) * max_sim
        value[~available] = -np.inf
        best = int(np.argmax(value))
        picked.append(best)
        available[best] = False
        max_sim = np.maximum(max_sim, sim[best])
    return [pool[i] for i in picked]
