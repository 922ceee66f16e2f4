"""Fill a candidate set's channel-independent caches before any channel ranks against it.

`Batch` computes its shared matrices on first use (paper-paper similarity, the split term
matrix, category sets, key indexes; ~350 ms for 2,000 papers). Without warming, every delivery
thread that ranks before the first one finished computes them again (64 at the start of a
pass: ~60 ms of CPU per channel over 1,000 channels); warmed under the batch's single flight,
each is computed once. What a channel ranks is unchanged: these are the values it would
compute itself.
"""

from __future__ import annotations

from bot.ranking.features import Batch


def warm(batch: Batch) -> Batch:
    """`batch`, its shared caches filled (nothing to do for an empty set)."""
    if not len(batch):
        return batch
    batch.terms_by_column()
    batch.term_split()
    batch.category_sets()
    batch.category_rarity()
    batch.dense_cats()
    batch.similarity()
    if batch.has_authors:
        batch.author_matrix()
    for kind in ("words", "categories", "guesses", "authors"):
        batch.keys(kind)
    return batch
