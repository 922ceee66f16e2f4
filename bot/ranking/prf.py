"""Pseudo-relevance feedback: each channel's best matches today lift the papers like them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from bot.ranking.features import Batch
from bot.ranking.profile import Profile
from bot.ranking.topk import top_k
from bot.ranking.weights import Weights

DENSE_ROWS = 8  # channels up to which the feedback sets are a dense mask (a digest ranks one)


def feedback_scores(
    w: Weights,
    profiles: Sequence[Profile],
    batch: Batch,
    first: np.ndarray,
    labels: np.ndarray | None = None,
) -> np.ndarray:
    """Pseudo-relevance feedback: what today's best matches (`first`, channels x papers) share
    lifts similar papers; with `labels` (`Ranker.topic_labels`) also the best matches of each
    typed phrase."""
    m, n = first.shape
    depth = w.prf_depth
    rows_f, cols_f = feedback_set(first, depth)
    rows = [rows_f]
    cols = [cols_f]
    if labels is not None:  # and the best matches of each typed phrase
        rows_t, cols_t = per_topic_top(first, labels, depth)
        rows.append(rows_t)
        cols.append(cols_t)
    rows_all, cols_all = np.concatenate(rows), np.concatenate(cols)
    small = m <= DENSE_ROWS
    indicator = None if small else _indicator(rows_all, cols_all, m, n)
    if indicator is None:  # a few channels (one per digest): dense, no sparse set-up
        mask = np.zeros((m, n))
        mask[rows_all, cols_all] = 1.0
        size = np.maximum(mask.sum(axis=1, keepdims=True), 1.0)  # m x 1: feedback set sizes
    else:
        size = np.maximum(np.asarray(indicator.sum(axis=1)), 1.0)
    out = np.zeros((m, n), dtype=np.float32)
    if w.prf_category and batch.cats.nnz:
        # channels x categories; whole counts, so the same to the bit either way
        counts = (
            mask @ batch.dense_cats() if indicator is None else (indicator @ batch.cats).toarray()
        )
        base = batch.category_counts() / n
        lift = np.log((counts + 0.5) / (size * base[None, :] + 0.5))
        lift = np.maximum(lift, 0.0)
        _, inverse, members = batch.category_sets()
        per_set = (w.prf_category * lift @ members.T).astype(np.float32)
        per_set[:, batch.guessed_sets()] *= w.prf_guess  # a guess is less sure
        out += per_set[:, inverse]
    if w.prf_sem and batch.embeddings is not None:
        # the feedback centroid's dot product with each paper: the mean of the feedback
        # papers' similarities to it (rows of the cached paper-paper similarity)
        if indicator is None:  # float32 sums: the sparse product's order of addition
            indicator = _indicator(rows_all, cols_all, m, n)
        similar = indicator.astype(np.float32) @ batch.similarity()
        similar *= (w.prf_sem / size).astype(np.float32)
        out += similar
    if w.prf_fade > 0:
        fade = np.array([1 / (1 + p.opinions / w.prf_fade) for p in profiles])
        out *= fade[:, None].astype(np.float32)
    return out


def _indicator(rows: np.ndarray, cols: np.ndarray, m: int, n: int) -> sparse.csr_matrix:
    """channels x papers, 1 where a paper is in the channel's feedback set."""
    indicator = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(m, n))
    indicator.sum_duplicates()
    indicator.data[:] = 1.0
    return indicator


def feedback_set(first: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of each channel's `depth` best papers. A tie at the boundary that goes
    on past them is taken whole (or, if that would make the set more than twice as big, left
    out), so the set does not depend on the order of the papers."""
    m = first.shape[0]
    top = top_k(first, depth)
    found = top >= 0
    every = np.arange(m)
    full = found[:, -1]
    kth = np.where(full, first[every, np.maximum(top[:, -1], 0)], np.inf)
    picked = first[every[:, None], np.maximum(top, 0)]  # np.take_along_axis, cheaper
    in_top = np.count_nonzero((picked == kth[:, None]) & found, axis=1)
    spill = np.flatnonzero(np.count_nonzero(first == kth[:, None], axis=1) > in_top)
    keep = found.copy()
    keep[spill] = False
    rows, cols = [np.repeat(every, depth)[keep.ravel()]], [top[keep]]
    for r in spill:  # few rows: many papers with exactly the same score
        above = first[r] > kth[r]
        tied = first[r] == kth[r]
        chosen = above | tied if above.sum() + tied.sum() <= 2 * depth else above
        idx = np.flatnonzero(chosen)
        rows.append(np.full(len(idx), r))
        cols.append(idx)
    return np.concatenate(rows), np.concatenate(cols)


def per_topic_top(
    first: np.ndarray, labels: np.ndarray, depth: int
) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) pairs of each channel's best papers per typed phrase, so one dominant
    topic does not drown the others in the feedback set."""
    topics = int(labels.max()) + 1
    per = max(1, depth // max(topics, 1))
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    every = np.arange(first.shape[0])
    for t in range(topics):
        masked = np.where(labels == t, first, -np.inf)
        idx = np.argpartition(-masked, per - 1, axis=1)[:, :per]
        ok = np.isfinite(np.take_along_axis(masked, idx, axis=1))
        rows.append(np.repeat(every, per)[ok.ravel()])
        cols.append(idx.ravel()[ok.ravel()])
    if not rows:  # no paper clearly matches any one typed phrase today
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(cols)


__all__ = ["feedback_scores", "feedback_set", "per_topic_top"]
