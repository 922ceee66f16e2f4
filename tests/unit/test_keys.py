"""`KeyIndex`: an array lookup that agrees with the dict it was built from."""

from __future__ import annotations

import numpy as np

from bot.ranking.keys import KeyIndex, key_hashes


def test_lookup_agrees_with_the_dict_for_present_and_absent_keys() -> None:
    rng = np.random.default_rng(3)
    index = {f"word{i}": int(c) for i, c in enumerate(rng.permutation(5000))}
    index["language model"] = 5000
    asked = [*rng.choice(list(index), 3000).tolist(), *(f"other{i}" for i in range(500))]
    found = KeyIndex.of(index).lookup(key_hashes(asked))
    assert found.tolist() == [index.get(k, -1) for k in asked]


def test_an_empty_index_finds_nothing() -> None:
    assert KeyIndex.of({}).lookup(key_hashes(["a", "b"])).tolist() == [-1, -1]
    assert KeyIndex.of({"a": 0}).lookup(key_hashes([])).tolist() == []
