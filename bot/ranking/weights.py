"""The ranker's tunable weights, and the score floor of each channel threshold."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.models import Threshold
from bot.ranking.profile import LEARNED_TERMS

MIN_SCORE = {Threshold.LOW: 0.05, Threshold.MEDIUM: 0.15, Threshold.HIGH: 0.5}


@dataclass(frozen=True)
class Weights:
    """Tunable weights; the defaults were tuned on the 2026-02-02 window only."""

    phrase: float = 1.0
    phrase_sem: float = 3.0
    typed_category: float = 1.5
    topic_category: float = 1.0  # the categories the typed topics point to (category model)
    topic_guess: float = 4.0  # ... for a paper without categories: times the model's probability
    prior_full_lift: float = 2.0  # a pointed category counts fully from this lift of the
    # channel's own evidence among its papers (`bot.ranking.gate`); 0: always fully
    prior_trust: float = 2.0  # how far reactions to guessed papers move the prior (0: not)
    author: float = 1.2
    prf_depth: int = 6
    prf_category: float = 1.2
    prf_guess: float = 0.0  # the category lift for a paper whose categories are the model's guess
    prf_sem: float = 1.0
    prf_fade: float = 0.0  # feedback fades as 1 / (1 + opinions / prf_fade); 0 keeps it constant
    learned_category: float = 1.0
    learned_guess: float = 0.25  # learned from papers without categories, by their likely ones
    category_rarity: float = 1.0  # 0: every category alike; 1: rare categories count more
    category_max: bool = True  # a paper counts by its best learned category (else the sum)
    learned_author: float = 0.3
    learned_terms: float = 0.8
    learned_growth: float = 0.25  # learned words and embeddings weigh as the mean of the
    # opinions times their number to this power (0: the mean alone; 0.5: the square root)
    learned_term_count: int = LEARNED_TERMS
    learned_sem: float = 2.0
    dislike_sem: float = 0.5
    popularity: float = 0.1
    recency: float = 0.01
    mmr_lambda: float = 0.8
    phrase_overlap: float = 0.5  # MMR: two papers best matching the same phrase count as similar
    phrase_overlap_until: int = 15  # ... while the channel has fewer opinions than this
    prf_per_topic: bool = False  # feedback also from the best matches of every typed phrase
    cover_topics: bool = False  # a new channel's digest gives each typed topic a place


def score_floor(threshold: Threshold | None) -> float:
    """The lowest own-evidence score a paper needs under a channel threshold (none: no floor)."""
    return MIN_SCORE[threshold] if threshold is not None else -np.inf


__all__ = ["MIN_SCORE", "Weights", "score_floor"]
