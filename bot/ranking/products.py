"""The matrix products of a chunk's queries with a candidate set's features: the channels'
own evidence for every paper, before the pseudo-relevance feedback."""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse

from bot.ranking.features import Batch
from bot.ranking.gate import PriorGates
from bot.ranking.prepare import Prepared
from bot.ranking.weights import Weights

try:  # adds a CSR matrix into a dense one (scipy's own `toarray` uses it)
    from scipy.sparse._sparsetools import csr_todense as _csr_todense
except ImportError:  # pragma: no cover - a scipy that moved it: the plain add below
    _csr_todense = None


SHORT_QUERY = 16  # stored values of a query up to which its products are added up in numpy


def evidence(prepared: Prepared, batch: Batch) -> np.ndarray:
    """The products of the channels' queries with the papers' features (float32)."""
    m, n = prepared.excluded.shape
    split = batch.term_split()
    if prepared.dense_terms is not None:
        out = prepared.dense_terms @ split.dense
    else:
        out = np.zeros((m, n), dtype=np.float32)
    if prepared.terms.nnz:
        add_product(out, prepared.terms, split.rare)
    if prepared.dense is not None and batch.embeddings is not None:
        out += prepared.dense @ batch.embeddings.T
    if prepared.authors is not None and prepared.authors.nnz:
        add_sparse(out, prepared.authors @ batch.author_matrix()[1].T)
    # categories: per distinct category set of the papers, then spread to the papers
    slots, inverse, members = batch.category_sets()
    per_set = None
    if prepared.cats.nnz:
        per_set = np.asarray(times_columns(prepared.cats, members), dtype=np.float32)
    if prepared.topics.nnz:  # where the typed topics point: for known categories only
        pointed = np.asarray(times_columns(prepared.topics, members), dtype=np.float32)
        pointed[:, batch.guessed_sets()] = 0.0
        per_set = pointed if per_set is None else per_set + pointed
    if prepared.learned_cats is not None:
        best = best_category(prepared.learned_cats, slots)
        per_set = best if per_set is None else per_set + best
    if per_set is not None:
        out += per_set[:, inverse]
    if prepared.learned_guesses is not None and batch.guesses is not None:
        add_sparse(out, prepared.learned_guesses @ batch.guesses.T)
    result: np.ndarray = out
    return result


def add_pointed(out: np.ndarray, prepared: Prepared, batch: Batch, gates: PriorGates) -> None:
    """out (channels x papers) += the prior of the categories the typed topics point to, for
    papers without categories: by the model's probability of each, times the category's gate.
    (For papers with categories it is part of `evidence`.)"""
    if prepared.topic_guesses is not None and batch.guesses is not None:
        topic_guesses = _gated(prepared.topic_guesses, gates.guessed)
        add_sparse(out, (topic_guesses @ batch.guesses.T).astype(np.float32))


def _gated(query: sparse.csr_matrix, gates: np.ndarray | None) -> sparse.csr_matrix:
    if gates is None:
        return query
    return sparse.csr_matrix(query.multiply(gates.astype(query.dtype)), dtype=query.dtype)


def static_scores(w: Weights, batch: Batch) -> np.ndarray:
    """Per paper: the popularity boost (log-scaled upvotes) minus a small age term."""
    pop = w.popularity * np.log1p(batch.upvotes) / math.log(101)
    result: np.ndarray = (pop - w.recency * np.minimum(batch.age_days, 14)).astype(np.float32)
    return result


def add_sparse(out: np.ndarray, part: sparse.spmatrix) -> None:
    """out += part (a sparse product) without a dense temporary: scipy's `csr_todense` adds
    into its output (it is what `toarray` calls on a zeroed array); a plain add if that
    internal routine is missing or the types differ."""
    csr = part.tocsr()
    fast = out.flags.c_contiguous and csr.dtype == out.dtype and csr.shape == out.shape
    if _csr_todense is not None and fast:
        _csr_todense(*out.shape, csr.indptr, csr.indices, csr.data, out)
    else:
        out += csr.toarray()


def add_product(out: np.ndarray, query: sparse.csr_matrix, rows: sparse.csr_matrix) -> None:
    """`add_sparse(out, query @ rows)` (CSR times CSR), the same to the bit: a short query
    (one digest's few words) adds its rows of `rows` in its column order, as scipy's product
    accumulates them, and only the cells the product keeps (non-zero) are added; longer
    queries and mixed dtypes go through scipy."""
    same = query.dtype == rows.dtype == out.dtype and query.has_sorted_indices
    if query.nnz > SHORT_QUERY or not same or out.shape != (query.shape[0], rows.shape[1]):
        add_sparse(out, query @ rows)
        return
    for i in range(query.shape[0]):
        lo, hi = query.indptr[i], query.indptr[i + 1]
        if lo == hi:
            continue
        acc = np.zeros(out.shape[1], dtype=out.dtype)
        for j, v in zip(query.indices[lo:hi], query.data[lo:hi], strict=True):
            span = slice(rows.indptr[j], rows.indptr[j + 1])
            acc[rows.indices[span]] += v * rows.data[span]
        kept = np.flatnonzero(acc)
        out[i, kept] += acc[kept]


def times_columns(query: sparse.csr_matrix, table: np.ndarray) -> np.ndarray:
    """`query @ table.T` (CSR times dense): a short query adds `table`'s columns in its
    column order, each times its weight, as scipy's product does; else scipy's product."""
    if query.nnz > SHORT_QUERY or not query.has_sorted_indices:
        return np.asarray(query @ table.T)
    out = np.zeros((query.shape[0], table.shape[0]), dtype=np.result_type(query.dtype, table.dtype))
    for i in range(query.shape[0]):
        for j in range(query.indptr[i], query.indptr[i + 1]):
            out[i] += query.data[j] * table[:, query.indices[j]]
    return out


def best_category(table: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """channels x category sets: the learned weight of each set's best category (0 if none);
    `table` is channels x (categories + 1), -inf where nothing was learned."""
    best = table[:, slots[:, 0]]
    for s in range(1, slots.shape[1]):
        np.maximum(best, table[:, slots[:, s]], out=best)
    best[~np.isfinite(best)] = 0.0
    return best


__all__ = [
    "add_pointed",
    "add_product",
    "add_sparse",
    "best_category",
    "evidence",
    "static_scores",
    "times_columns",
]
