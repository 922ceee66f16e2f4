"""The per-pick parts of the reasons, for a whole chunk of channels at once (the fan-out).

`explain_many` asks, for each pick, which of the channel's liked papers shares the most words
with it and which of its categories the channel likes best. One channel at a time that is a few
set intersections and dictionary look-ups per pick; for thousands of channels it is a pair of
sparse products. The answers are exactly what `explain_many` computes itself (ties included).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from bot.ranking.explain import SIMILAR_MIN
from bot.ranking.features import Batch
from bot.ranking.profile import Profile


@dataclass(frozen=True)
class Hints:
    """Per channel, per pick: the most similar liked paper (id, title, shared words) or None,
    and the best learned (category affinity, category)."""

    similar: list[list[tuple[str, str, int] | None]]
    affinity: list[list[tuple[float, str]]] | None


def chunk_hints(
    profiles: Sequence[Profile],
    batch: Batch,
    picks: Sequence[Sequence[int]],
    odds: np.ndarray | None,
) -> Hints:
    """`odds`: channels x (categories + 1) smoothed log-odds (0 where never reacted to; the last
    column, a padding slot, -inf), as `Ranker._prepare` builds them."""
    flat = np.fromiter((j for row in picks for j in row), dtype=np.int64)
    owner = np.repeat(np.arange(len(picks)), [len(row) for row in picks])
    similar = _similar(profiles, batch, flat, owner)
    affinity = _affinity(batch, flat, owner, odds) if odds is not None else None
    out_s: list[list[tuple[str, str, int] | None]] = []
    out_a: list[list[tuple[float, str]]] = []
    start = 0
    for row in picks:
        out_s.append(similar[start : start + len(row)])
        if affinity is not None:
            out_a.append(affinity[start : start + len(row)])
        start += len(row)
    return Hints(out_s, out_a if affinity is not None else None)


def _similar(
    profiles: Sequence[Profile], batch: Batch, flat: np.ndarray, owner: np.ndarray
) -> list[tuple[str, str, int] | None]:
    """For each pick, the first liked paper of its channel (not the pick itself) sharing the most
    words with it, if at least SIMILAR_MIN. Words of channel c live in columns c*V + word, so
    one product compares each pick only with its own channel's liked papers."""
    found: list[tuple[str, str, int] | None] = [None] * len(flat)
    if not len(flat):
        return found
    vocab, width = batch.vocab, max(len(batch.vocab), 1)
    rows: list[int] = []
    cols: list[int] = []
    entries: list[tuple[int, str, str]] = []  # (channel, paper id, title) per liked row
    for c, profile in enumerate(profiles):
        for pid, title, terms in profile.liked:
            known = [vocab[t] for t in dict.fromkeys(terms) if t in vocab]
            rows.extend([len(entries)] * len(known))
            cols.extend(c * width + col for col in known)
            entries.append((c, pid, title))
    if not entries:
        return found
    liked = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(entries), len(profiles) * width)
    )
    words = batch.unigrams()[flat]  # picks x vocabulary, 1 where the pick has the word
    words.indices = words.indices + np.repeat(owner * width, np.diff(words.indptr))
    words = sparse.csr_matrix(
        (words.data, words.indices, words.indptr), shape=(len(flat), len(profiles) * width)
    )
    overlap = (words @ liked.T).tocoo()
    pick, entry, shared = overlap.row, overlap.col, overlap.data.astype(np.int64)
    ids = batch.papers
    keep = shared >= SIMILAR_MIN
    pick, entry, shared = pick[keep], entry[keep], shared[keep]
    same = np.fromiter(
        (entries[e][1] == ids[flat[p]].id for p, e in zip(pick, entry, strict=True)),
        dtype=bool,
        count=len(pick),
    )
    pick, entry, shared = pick[~same], entry[~same], shared[~same]
    order = np.lexsort((entry, -shared, pick))  # per pick: most shared words, then first liked
    pick, entry, shared = pick[order], entry[order], shared[order]
    first = np.flatnonzero(np.r_[True, pick[1:] != pick[:-1]]) if len(pick) else pick
    for k in first:
        _, pid, title = entries[entry[k]]
        found[pick[k]] = (pid, title, int(shared[k]))
    return found


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
