"""Ranking: per-channel profiles, scoring, learning from reactions, diversity, explanations.

Usable in-process without database or network::

    from bot.ranking import Profile, Ranker

    profile = Profile.from_phrases(["robot manipulation"], categories=["cs.RO"])
    picks = Ranker().rank(profile, papers, k=5)
    profile.apply_reaction(picks[0].paper, +1)
    restored = Profile.from_json(profile.to_json())
"""

from bot.ranking.features import Batch, build_batch
from bot.ranking.profile import Profile
from bot.ranking.scoring import Ranker
from bot.ranking.weights import Weights

LexicalRanker = Ranker  # the default tier is a Ranker without an embedder

__all__ = ["Batch", "LexicalRanker", "Profile", "Ranker", "Weights", "build_batch"]
