"""Ranking: per-channel profiles, scoring, learning from reactions, diversity, explanations.

Usable in-process without database or network::

    from bot.ranking import LexicalRanker, Profile

    profile = Profile.from_phrases(["robot manipulation"], categories=["cs.RO"])
    picks = LexicalRanker().rank(profile, papers, k=5)
    profile.apply_reaction(picks[0].paper, +1)
    restored = Profile.from_json(profile.to_json())
"""

from bot.ranking.lexical import LexicalRanker
from bot.ranking.profile import Profile

__all__ = ["LexicalRanker", "Profile"]
