"""The shipped category model: likely categories for papers without any, and the categories
typed topics point to."""

from __future__ import annotations

import pytest

from bot.ranking import Profile, Ranker, build_batch, categorizer
from bot.ranking.categorizer import likely_categories, topic_categories
from bot.ranking.features import paper_categories
from tests.conftest import make_paper

ROBOT = (
    "Learning dexterous robot grasping from demonstrations",
    "We train a robot arm to grasp and manipulate objects with a learned policy, evaluated on a "
    "real manipulator and in simulation, and plan collision-free motions for the gripper.",
)


def _uncategorized(pid: str, title: str, abstract: str):  # type: ignore[no-untyped-def]
    return make_paper(pid, title, abstract, categories=(), primary_category=None)


def test_a_paper_without_categories_gets_likely_ones_and_a_categorized_one_keeps_its_own() -> None:
    bare = _uncategorized("r1", *ROBOT)
    likely = likely_categories(bare)
    assert likely and likely[0] == "cs.RO"  # most likely first
    assert paper_categories(bare) == likely
    tagged = make_paper("r2", *ROBOT, categories=("cs.CV",), primary_category="cs.CV")
    assert paper_categories(tagged) == ("cs.CV",)


def test_a_channel_never_learns_a_guessed_category() -> None:
    profile = Profile.from_phrases(["robot manipulation"])
    profile.apply_reaction(_uncategorized("r1", *ROBOT), +1)
    assert profile.cat_pos == {} and profile.positives == 1
    profile.apply_reaction(make_paper("r2", *ROBOT, categories=("cs.RO",)), +1)
    assert profile.cat_pos == {"cs.RO": 1.0}


def test_typed_topics_point_to_their_categories() -> None:
    assert topic_categories(("robot manipulation", "motion planning"))[0][0] == "cs.RO"
    pointed = dict(topic_categories(("speech recognition", "text-to-speech")))
    assert "cs.SD" in pointed and all(0 < p <= 1 for p in pointed.values())
    assert topic_categories(()) == ()


def test_a_paper_in_the_pointed_category_ranks_higher_and_says_why() -> None:
    text = ("A benchmark for long-horizon tasks", "We release tasks and report baselines.")
    papers = [
        make_paper("cv", *text, categories=("cs.CV",), primary_category="cs.CV"),
        make_paper("ro", *text, categories=("cs.RO",), primary_category="cs.RO"),
    ]
    picks = Ranker().rank(
        Profile.from_phrases(["robot manipulation", "motion planning"]), papers, k=2
    )
    assert [s.paper.id for s in picks] == ["ro", "cv"]
    assert any(r.text == "in cs.RO, where your topics point" for r in picks[0].reasons)


def test_a_guessed_category_is_called_likely_in_the_reasons() -> None:
    papers = [_uncategorized("r1", *ROBOT), make_paper("x", "Graph coloring", "Colors.")]
    profile = Profile.from_phrases(["bandits"], categories=["cs.RO"])
    picks = Ranker().rank(profile, build_batch(papers), k=1)
    assert picks[0].paper.id == "r1"
    assert any(r.text == "likely in cs.RO" for r in picks[0].reasons)


def test_without_the_model_papers_without_categories_have_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(categorizer, "category_model", lambda: None)
    assert likely_categories(_uncategorized("r1", *ROBOT)) == ()
    assert categorizer.topic_categories.__wrapped__(("robot manipulation",)) == ()


def test_typed_categories_replace_where_the_topics_point() -> None:
    text = ("A benchmark for long-horizon tasks", "We release tasks and report baselines.")
    ro = make_paper("ro", *text, categories=("cs.RO",), primary_category="cs.RO")
    phrases = ["robot manipulation", "motion planning"]
    pointed = Ranker().rank(Profile.from_phrases(phrases), [ro], k=1)[0]
    chosen = Ranker().rank(Profile.from_phrases(phrases, categories=["cs.CV"]), [ro], k=1)[0]
    assert chosen.score < pointed.score
    assert not any("where your topics point" in r.text for r in chosen.reasons)
