"""Emoji mapping and the default ranker's basic contract."""

from __future__ import annotations

from bot.feedback.emoji import EmojiMap, normalise_emoji
from bot.models import ReasonKind, Threshold
from bot.ranking import LexicalRanker, Profile
from tests.conftest import make_paper


def test_emoji_normalisation_and_mapping() -> None:
    assert normalise_emoji(":+1::skin-tone-3:") == "+1"
    assert normalise_emoji("👍🏽") == "+1"
    assert normalise_emoji("thumbsdown") == "-1"
    emoji = EmojiMap.from_names(frozenset({"+1", "heart"}), frozenset({"-1"}))
    assert [emoji.value(e) for e in ("+1", "❤️", "👎", "grinning")] == [1, 1, -1, 0]


PAPERS = [
    make_paper("1", "Robot manipulation with tactile sensing", categories=("cs.RO",)),
    make_paper("2", "Robot manipulation with tactile feedback", categories=("cs.RO",)),
    make_paper("3", "Large language models for speech", categories=("cs.CL",)),
    make_paper("4", "A survey of robot manipulation", categories=("cs.RO",)),
    make_paper("5", "Graph neural networks for molecules", categories=("cs.LG",)),
]


def test_phrase_match_excludes_and_explains() -> None:
    profile = Profile.from_phrases(["robot manipulation"], excludes=["survey"])
    ranked = LexicalRanker().rank(profile, PAPERS)
    ids = [s.paper.id for s in ranked]
    assert "4" not in ids  # excluded keyword, word boundary
    assert set(ids[:2]) == {"1", "2"}
    assert ranked[0].reasons[0].kind is ReasonKind.TOPIC


def test_threshold_shortens_a_weak_day() -> None:
    profile = Profile.from_phrases(["quantum error correction"])
    assert LexicalRanker().rank(profile, PAPERS, k=5, threshold=Threshold.HIGH) == []


def test_reactions_move_the_ranking_and_serialise() -> None:
    profile = Profile.from_phrases(["models"], categories=[])
    before = [s.paper.id for s in LexicalRanker().rank(profile, PAPERS)]
    profile.apply_reaction(PAPERS[4], +1)
    profile.apply_reaction(PAPERS[2], -1)
    after = LexicalRanker().rank(profile, PAPERS)
    assert after[0].paper.id == "5" and before != [s.paper.id for s in after]
    restored = Profile.from_json(profile.to_json())
    assert [s.paper.id for s in LexicalRanker().rank(restored, PAPERS)] == [
        s.paper.id for s in after
    ]
