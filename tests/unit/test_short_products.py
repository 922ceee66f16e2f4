"""A digest's short queries multiply in numpy (`csr_from`, `add_product`, `times_columns`):
the same matrices and sums, to the bit, as scipy's own construction and products."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from bot.ranking.products import SHORT_QUERY, add_product, add_sparse, times_columns
from bot.ranking.queries import csr_from


def _query(rng: np.random.Generator, m: int, width: int, dtype: type) -> sparse.csr_matrix:
    k = int(rng.integers(0, SHORT_QUERY + 4))
    rows, cols = rng.integers(0, m, k), rng.integers(0, width, k)
    return sparse.csr_matrix((rng.normal(size=k).astype(dtype), (rows, cols)), shape=(m, width))


def test_csr_from_is_scipys_matrix() -> None:
    rng = np.random.default_rng(3)
    for trial in range(2000):
        m, width, k = int(rng.integers(1, 5)), int(rng.integers(1, 60)), int(rng.integers(0, 20))
        rows, cols = rng.integers(0, m, k), rng.integers(0, width, k)  # repeats: summed
        vals = rng.normal(size=k).astype(np.float32 if trial % 2 else np.float64)
        vals[: k // 4] = 0.0  # stored zeros stay stored
        ours = csr_from(rows, cols, vals, (m, width))
        theirs = sparse.csr_matrix((vals, (rows, cols)), shape=(m, width))
        assert ours.dtype == theirs.dtype and ours.indices.dtype == theirs.indices.dtype
        for a, b in ((ours.indptr, theirs.indptr), (ours.indices, theirs.indices)):
            assert np.array_equal(a, b), trial
        assert ours.data.tobytes() == theirs.data.tobytes(), trial


def test_add_product_is_add_sparse_of_the_product() -> None:
    rng = np.random.default_rng(5)
    for trial in range(1000):
        m, vocab, n = int(rng.integers(1, 4)), int(rng.integers(1, 40)), int(rng.integers(1, 50))
        query = _query(rng, m, vocab, np.float32)
        table = sparse.random(vocab, n, density=0.2, format="csr", rng=rng, dtype=np.float32)
        table.data -= 0.5  # products that cancel to zero
        out = rng.normal(size=(m, n)).astype(np.float32)
        out[rng.random((m, n)) < 0.3] = -0.0  # adding an unkept 0.0 would flip these
        ours, theirs = out.copy(), out.copy()
        add_product(ours, query, table)
        add_sparse(theirs, query @ table)
        assert ours.tobytes() == theirs.tobytes(), trial


def test_times_columns_is_the_sparse_dense_product() -> None:
    rng = np.random.default_rng(9)
    for trial in range(1000):
        m, cats, sets = int(rng.integers(1, 4)), int(rng.integers(1, 30)), int(rng.integers(1, 20))
        query = _query(rng, m, cats, np.float64)
        members = (rng.random((sets, cats)) < 0.2).astype(np.float64)
        ours, theirs = times_columns(query, members), np.asarray(query @ members.T)
        assert ours.dtype == theirs.dtype and ours.tobytes() == theirs.tobytes(), trial


def test_an_empty_query_is_shared_and_read_only() -> None:
    none = np.zeros(0, dtype=np.int64)
    first = csr_from(none, none, np.zeros(0), (1, 30))
    again = csr_from(none, none, np.zeros(0), (1, 30))
    assert first is again and first.nnz == 0 and first.shape == (1, 30)
    assert not first.data.flags.writeable and not first.indptr.flags.writeable
    assert np.array_equal((first @ sparse.eye(30, format="csr")).toarray(), np.zeros((1, 30)))
