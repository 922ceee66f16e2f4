"""How far to trust each category a channel's typed topics point to, for papers without
categories, per channel and day.

The category model points typed topics to categories and guesses the categories of papers that
come without any. A model that does not know a field still points somewhere (to a big category
such as cs.LG, say) and guesses it for papers it cannot place, and then lifts papers the words
would not. So for papers without categories each pointed category counts only as far as the
channel's own evidence (its typed words and embeddings, and what it learned) agrees: the
papers likely in that category (weighted by the model's probability of it) must score well
above the day's average by that evidence. (Papers with their own categories keep the full
prior: measured, gating it lost more than it saved, `docs/ranking.md`.) A lift of 1 or
less (the words like the category's papers no better than any), no prior from it; a lift of
`full_lift` or more, all of it. Averaged over a whole category, the measure stays steady where
a channel's words find only a few papers; a channel whose evidence is nothing today keeps the
full prior (there is nothing to disagree with), and so does every channel on a day of fewer
than `MIN_PAPERS` candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from bot.ranking.features import Batch

MIN_PAPERS = 50


@dataclass(frozen=True)
class PriorGates:
    """Per channel and pointed category, the share of the prior that counts today for papers
    without categories, over the columns of the batch's model guesses (None: all of it)."""

    guessed: np.ndarray | None  # channels x `Batch.guesses` columns

    def row(self, i: int) -> PriorGates:
        """One channel's gates (a one-row `PriorGates`)."""
        return PriorGates(None if self.guessed is None else self.guessed[i : i + 1])

    def of(self, category: str, batch: Batch) -> float:
        """The first channel's gate of a category among the model's guesses."""
        column = batch.guess_index.get(category)
        table = self.guessed
        return 1.0 if table is None or column is None else float(table[0, column])


NO_GATES = PriorGates(None)


def lift_gates(own: np.ndarray, members: sparse.csr_matrix, full_lift: float) -> np.ndarray:
    """channels x columns of `members` (papers x categories, 0/1 or probabilities): the mean of
    each channel's `own` evidence (channels x papers, negatives as 0) over each category's
    papers, over its mean over the papers `members` covers (those without categories, for the
    model's guesses), as log(lift) / log(full_lift) clipped to [0, 1]; 1 for a channel whose
    evidence there is nothing."""
    weight = np.asarray(members.sum(axis=0), dtype=np.float64).ravel()  # papers per category
    per_category = np.asarray((members.T @ own.T).T, dtype=np.float64)  # channels x categories
    covered = np.diff(members.tocsr().indptr) > 0
    mean_all = own[:, covered].mean(axis=1, dtype=np.float64)[:, None]
    mean_category = per_category / np.maximum(weight, 1e-9)[None, :]
    lift = np.maximum(mean_category, 1e-12) / np.maximum(mean_all, 1e-12)
    gates: np.ndarray = np.clip(np.log(lift) / np.log(full_lift), 0.0, 1.0)
    gates[mean_all.ravel() <= 0] = 1.0
    return gates


def prior_gates(own: np.ndarray, batch: Batch, full_lift: float, pointed: bool) -> PriorGates:
    """`PriorGates` from the channels' own evidence (channels x papers), when they point to
    categories of papers without any (`pointed`)."""
    if full_lift <= 1.0 or not pointed or batch.guesses is None or own.shape[1] < MIN_PAPERS:
        return NO_GATES
    evidence = np.maximum(np.where(np.isfinite(own), own, 0.0), 0.0).astype(np.float32)
    return PriorGates(lift_gates(evidence, batch.guesses, full_lift))


__all__ = ["MIN_PAPERS", "NO_GATES", "PriorGates", "lift_gates", "prior_gates"]
