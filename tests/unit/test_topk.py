"""`top_k` against a plain sort: best first, ties to the lower column, -inf never picked."""

from __future__ import annotations

import numpy as np
import pytest

from bot.ranking import topk
from bot.ranking.topk import top_k


def _sorted_top(x: np.ndarray, k: int) -> np.ndarray:
    out = np.full((x.shape[0], k), -1)
    for i, row in enumerate(x):
        ranked = sorted(range(len(row)), key=lambda j: (-row[j], j))
        idx = [j for j in ranked if np.isfinite(row[j])][:k]
        out[i, : len(idx)] = idx
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_top_k_matches_a_full_sort_with_ties_and_minus_infinity(dtype: type) -> None:
    rng = np.random.default_rng(7)
    for trial in range(200):
        m, n, k = int(rng.integers(1, 6)), int(rng.integers(1, 300)), int(rng.integers(1, 25))
        if trial % 2:  # few distinct values: many exact ties, -0.0 equal to 0.0
            x = rng.integers(-3, 5, size=(m, n)).astype(dtype)
            x[x == 0] = -0.0 if trial % 3 == 0 else 0.0
        else:
            x = rng.normal(size=(m, n)).astype(dtype)
        x[rng.random((m, n)) < 0.3] = -np.inf
        if trial % 5 == 0:
            x[0] = -np.inf  # a channel with everything excluded
        assert np.array_equal(top_k(x, k), _sorted_top(x, k)), (trial, m, n, k)


def test_a_row_of_ties_takes_the_lowest_columns() -> None:
    x = np.zeros((2, 500), dtype=np.float32)
    x[1, 321] = 1.0
    assert top_k(x, 3).tolist() == [[0, 1, 2], [321, 0, 1]]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_few_rows_sorted_outright_match_the_block_bound(
    dtype: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A digest's one row is sorted outright (`FEW_ROWS`); the same rows through the block
    bound give the same columns (ties, -0.0, -inf, rows with fewer than k finite scores)."""
    rng = np.random.default_rng(11)
    for trial in range(300):
        m, n, k = int(rng.integers(1, 5)), int(rng.integers(1, 400)), int(rng.integers(1, 30))
        if trial % 2:
            x = rng.integers(-3, 4, size=(m, n)).astype(dtype)
            x[x == 0] = -0.0 if trial % 3 == 0 else 0.0
        else:
            x = rng.normal(size=(m, n)).astype(dtype)
        x[rng.random((m, n)) < (0.9 if trial % 4 == 0 else 0.3)] = -np.inf
        few = top_k(x, k)
        monkeypatch.setattr(topk, "FEW_ROWS", 0)
        assert np.array_equal(few, top_k(x, k)), (trial, m, n, k)
        monkeypatch.setattr(topk, "FEW_ROWS", 4)
