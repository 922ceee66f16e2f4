"""Many channels' queries gathered into flat arrays, then into matrices over a candidate set's
columns: typed phrases and the categories they point to, learned words, categories and authors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from scipy import sparse

from bot.ranking.categorizer import topic_categories
from bot.ranking.features import Batch, ColumnValues
from bot.ranking.keys import KeyIndex
from bot.ranking.profile import LearnedArrays
from bot.ranking.text import phrase_terms


def phrase_arrays(phrase: str, batch: Batch) -> tuple[np.ndarray, np.ndarray]:
    """A typed phrase as BM25 query weights (columns, weights): a full match of all its words and
    bigrams scores 1. Cached per candidate set."""
    found = batch.phrase_cache.get(phrase)
    if found is None:
        found = batch.phrase_cache[phrase] = _phrase_arrays(phrase, batch)
    return found


def phrase_matches(phrase: str, batch: Batch) -> np.ndarray:
    """Per paper: its match with a typed phrase, `batch.terms @ phrase_arrays(phrase)`, added
    word by word in column order as the sparse product adds it (so the same to the bit), from
    the words' columns of the term matrix. Cached per candidate set."""
    found = batch.label_cache.get(phrase)
    if found is None:
        cols, vals = phrase_arrays(phrase, batch)
        csc = batch.terms_by_column()
        if batch.terms.has_sorted_indices:
            found = np.zeros(len(batch))
            order = np.argsort(cols, kind="stable")
            for col, val in zip(cols[order].tolist(), vals[order].tolist(), strict=True):
                span = slice(csc.indptr[col], csc.indptr[col + 1])
                found[csc.indices[span]] += csc.data[span] * val
        else:  # pragma: no cover - build_batch makes canonical matrices
            query = sparse.csr_matrix((vals, (np.zeros(len(cols), dtype=np.int64), cols)))
            query.resize(1, batch.terms.shape[1])
            found = (batch.terms @ query.T).toarray().ravel()
        batch.label_cache[phrase] = found
    return found


def topic_arrays(phrases: Sequence[str], batch: Batch) -> tuple[ColumnValues, ColumnValues]:
    """The categories typed topics point to (`topic_categories`) with their probabilities, as
    (columns, values) of the batch's categories and of its model guesses (`Batch.guesses`).
    Cached per candidate set."""
    key = tuple(phrases)
    found = batch.topic_cache.get(key)
    if found is None:
        pointed = topic_categories(key)
        cats = [(col, p) for cat, p in pointed for col in batch.category_columns(cat)]
        guesses = [(batch.guess_index[c], p) for c, p in pointed if c in batch.guess_index]
        found = batch.topic_cache[key] = (_arrays(cats), _arrays(guesses))
    return found


def _arrays(pairs: list[tuple[int, float]]) -> ColumnValues:
    return (
        np.array([c for c, _ in pairs], dtype=np.int64),
        np.array([v for _, v in pairs], dtype=np.float64),
    )


def _phrase_arrays(phrase: str, batch: Batch) -> tuple[np.ndarray, np.ndarray]:
    toks, grams = phrase_terms(phrase)
    terms = [*toks, *grams]
    out: dict[int, float] = {}
    if terms:
        factor = {t: 1.0 if " " not in t else 0.5 for t in terms}
        total = sum(f * batch.idf_of(t) for t, f in factor.items()) or 1.0
        for term, f in factor.items():
            col = batch.vocab.get(term)
            if col is not None:
                out[col] = out.get(col, 0.0) + f / total
    return np.fromiter(out, dtype=np.int64, count=len(out)), np.fromiter(
        out.values(), dtype=np.float64, count=len(out)
    )


def split_terms(term: Rows, batch: Batch, m: int) -> tuple[np.ndarray | None, sparse.csr_matrix]:
    """Channels' word weights as (dense over the batch's frequent words, sparse for the rest)."""
    split = batch.term_split()
    rows, cols, vals = term.flat()
    position = split.position[cols]
    frequent = position >= 0
    dense = None
    if frequent.any():
        width = split.dense.shape[0]
        cells = rows[frequent] * width + position[frequent]
        dense = np.bincount(cells, weights=vals[frequent], minlength=m * width)
        dense = dense.reshape(m, width).astype(np.float32)
    rare = ~frequent
    shape = (m, max(batch.terms.shape[1], 1))
    values = vals[rare].astype(np.float32)
    return dense, csr_from(rows[rare], cols[rare], values, shape)


EMPTY_KEPT = 256  # shared empty matrices (shapes: channels x a day's vocabulary or categories)


class LearnedRows:
    """Many channels' `LearnedArrays`, resolved to columns of a candidate set at once."""

    def __init__(self) -> None:
        self._rows: list[int] = []
        self._arrays: list[LearnedArrays] = []
        self._scales: list[float] = []

    def __bool__(self) -> bool:
        return bool(self._rows)

    def add(self, row: int, arrays: LearnedArrays, word_scale: float) -> None:
        self._rows.append(row)
        self._arrays.append(arrays)
        self._scales.append(word_scale)

    def words(self, index: KeyIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, weight x the channel's scale) of learned words the batch has."""
        lengths = [len(a.words) for a in self._arrays]
        rows = np.repeat(np.asarray(self._rows, dtype=np.int64), lengths)
        keys = np.concatenate([a.words for a in self._arrays])
        vals = np.concatenate([a.word_weights for a in self._arrays])
        vals *= np.repeat(self._scales, lengths)
        cols = index.lookup(keys)
        known = cols >= 0
        return rows[known], cols[known], vals[known]

    def odds(
        self, kind: Literal["cats", "authors"], index: KeyIndex
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, log((likes + 0.5) / (dislikes + 0.5))) of the categories or authors
        the batch has."""
        prefix = "cat" if kind == "cats" else "author"
        keys = [getattr(a, kind) for a in self._arrays]
        lengths = [len(k) for k in keys]
        rows = np.repeat(np.asarray(self._rows, dtype=np.int64), lengths)
        cols = index.lookup(np.concatenate(keys))
        known = cols >= 0
        pos = np.concatenate([getattr(a, prefix + "_pos") for a in self._arrays])[known]
        neg = np.concatenate([getattr(a, prefix + "_neg") for a in self._arrays])[known]
        return rows[known], cols[known], np.log((pos + 0.5) / (neg + 0.5))

    def guess_odds(self, index: KeyIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, `Profile.guess_affinity`) of the likely categories (learned from
        papers without any) among the batch's model guesses."""
        lengths = [len(a.guesses) for a in self._arrays]
        rows = np.repeat(np.asarray(self._rows, dtype=np.int64), lengths)
        cols = index.lookup(np.concatenate([a.guesses for a in self._arrays]))
        odds = np.concatenate([a.guess_odds for a in self._arrays])
        known = cols >= 0
        return rows[known], cols[known], odds[known]


class Rows:
    """Sparse rows gathered channel by channel as (columns, values) arrays, then flattened at
    once; entries for the same cell add up."""

    def __init__(self) -> None:
        self._rows: list[int] = []
        self._cols: list[np.ndarray] = []
        self._vals: list[np.ndarray] = []
        self._scale: list[float] = []
        self._extra: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        return len(self._cols) + len(self._extra)

    def add(self, row: int, col: int, value: float) -> None:
        self.add_arrays(row, np.array([col]), np.array([value]))

    def add_arrays(self, row: int, cols: np.ndarray, vals: np.ndarray, scale: float = 1.0) -> None:
        self._rows.append(row)
        self._cols.append(cols)
        self._vals.append(vals)
        self._scale.append(scale)

    def add_arrays_rows(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> None:
        self._extra.append((rows, cols, vals))

    def flat(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, values) of every entry."""
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        if self._cols:
            lengths = [len(c) for c in self._cols]
            rows.append(np.repeat(np.asarray(self._rows, dtype=np.int64), lengths))
            cols.append(np.concatenate(self._cols))
            vals.append(np.concatenate(self._vals) * np.repeat(self._scale, lengths))
        for r, c, v in self._extra:
            rows.append(r)
            cols.append(c)
            vals.append(v)
        if not rows:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)

    def matrix(self, m: int, width: int) -> sparse.csr_matrix:
        rows, cols, vals = self.flat()
        return csr_from(rows, cols, vals, (m, max(width, 1)))


_EMPTY: dict[tuple[tuple[int, int], np.dtype, type], sparse.csr_matrix] = {}


def _empty(shape: tuple[int, int], dtype: np.dtype, index: type) -> sparse.csr_matrix:
    """An all-zero CSR matrix, one per shape and dtype, shared: its arrays are read-only, so
    an in-place change fails loudly instead of reaching another channel."""
    key = (shape, dtype, index)
    found = _EMPTY.get(key)
    if found is None:
        arrays: tuple[np.ndarray, np.ndarray, np.ndarray] = (
            np.zeros(0, dtype=dtype),
            np.zeros(0, dtype=index),
            np.zeros(shape[0] + 1, dtype=index),
        )
        found = sparse.csr_matrix(arrays, shape=shape)
        for array in (found.data, found.indices, found.indptr):
            array.flags.writeable = False
        if len(_EMPTY) >= EMPTY_KEPT:  # shapes of past days
            _EMPTY.clear()
        _EMPTY[key] = found
    return found


def csr_from(
    rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, shape: tuple[int, int]
) -> sparse.csr_matrix:
    """`sparse.csr_matrix((vals, (rows, cols)), shape=shape)`, the same matrix to the bit
    (sorted columns, same dtypes of values), built directly when no cell repeats: the COO
    route costs ~80 us, five times the direct one, and a digest ranks one channel at a time.
    Repeated cells go the COO route, which adds them up in scipy's own order."""
    m, width = shape
    index = np.int32 if max(m, width, len(rows)) < 2**31 - 1 else np.int64
    if not len(rows):
        return _empty(shape, vals.dtype, index)
    key = rows.astype(np.int64) * width + cols
    order = np.argsort(key, kind="stable")
    key = key[order]
    if (key[1:] == key[:-1]).any():
        return sparse.csr_matrix((vals, (rows, cols)), shape=shape)
    indptr = np.zeros(m + 1, dtype=index)
    np.cumsum(np.bincount(rows, minlength=m), out=indptr[1:])
    return sparse.csr_matrix((vals[order], cols[order].astype(index), indptr), shape=shape)
