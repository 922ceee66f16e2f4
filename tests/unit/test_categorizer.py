"""The shipped category model: likely categories for papers without any, and the categories
typed topics point to."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.ranking import Profile, Ranker, Weights, build_batch, categorizer
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


def test_a_guess_keeps_each_likely_category_with_its_probability() -> None:
    bare = _uncategorized("r1", *ROBOT)
    guess = categorizer.category_guess(bare)
    probabilities = [p for _, p, _ in guess]
    assert probabilities == sorted(probabilities, reverse=True)
    assert guess[0][2]  # the best is always predicted
    assert all(p >= categorizer.GUESS_FLOOR for p in probabilities[1:])
    assert tuple(c for c, _, predicted in guess if predicted) == likely_categories(bare)
    assert any(not predicted for _, _, predicted in guess)  # likely, under its threshold


def _topics_only(**changes: float) -> Ranker:
    """A ranker scoring nothing but where the typed topics point."""
    return Ranker(replace(Weights(), phrase=0.0, prf_depth=0, recency=0.0, **changes))


def test_a_paper_without_categories_counts_by_the_models_probability_of_the_pointed_ones() -> None:
    phrases = ("robot manipulation", "motion planning")
    bare = _uncategorized("r1", *ROBOT)
    other = _uncategorized("o1", "Graph coloring heuristics", "We color sparse graphs fast.")
    batch = build_batch([bare, other])
    scores = _topics_only().scores([Profile.from_phrases(phrases)], batch)[0]
    pointed = dict(topic_categories(phrases))
    for paper, score in zip([bare, other], scores, strict=True):
        chance = {c: p for c, p, _ in categorizer.category_guess(paper)}
        expected = Weights().topic_guess * sum(p * chance.get(c, 0.0) for c, p in pointed.items())
        assert score == pytest.approx(expected, rel=1e-5)  # not also the binary prior
    assert scores[0] > scores[1] > -1
    # a paper that brings its own categories keeps the binary prior
    tagged = make_paper("r2", *ROBOT, categories=("cs.RO",), primary_category="cs.RO")
    known = _topics_only().scores([Profile.from_phrases(phrases)], build_batch([tagged, bare]))
    assert known[0, 0] == pytest.approx(Weights().topic_category * pointed["cs.RO"], rel=1e-5)
    assert known[0, 1] == pytest.approx(scores[0], rel=1e-5)


def test_the_reason_for_a_guessed_pointed_category_weighs_its_probability() -> None:
    phrases = ["robot manipulation", "motion planning"]
    bare = _uncategorized("r1", *ROBOT)
    picked = Ranker().rank(Profile.from_phrases(phrases), [bare], k=1)[0]
    reason = next(r for r in picked.reasons if r.text == "likely in cs.RO, where your topics point")
    chance = next(p for c, p, _ in categorizer.category_guess(bare) if c == "cs.RO")
    pointed = dict(topic_categories(tuple(phrases)))["cs.RO"]
    assert reason.weight == pytest.approx(Weights().topic_guess * pointed * chance)


def test_feedback_lifts_a_guessed_category_less_than_a_known_one() -> None:
    text = ("A benchmark for long-horizon tasks", "We release tasks and report baselines.")
    best = [
        make_paper(
            f"b{i}",
            "Robot manipulation",
            "Robot manipulation and grasping.",
            categories=("cs.RO",),
            primary_category="cs.RO",
        )
        for i in range(3)
    ]
    filler = [
        make_paper(
            f"f{i}",
            f"Topic {i}",
            "Unrelated words here.",
            categories=("math.CO",),
            primary_category="math.CO",
        )
        for i in range(6)
    ]
    known = make_paper("k", *text, categories=("cs.RO",), primary_category="cs.RO")
    guessed = _uncategorized("g", *ROBOT)
    batch = build_batch([*best, *filler, known, guessed])
    profile = Profile.from_phrases(["robot manipulation"])
    lifted = {}
    for share in (0.0, 1.0):
        ranker = Ranker(replace(Weights(), prf_depth=3, prf_guess=share, prf_sem=0.0))
        lifted[share] = ranker.scores([profile], batch)[0]
    assert lifted[1.0][-1] > lifted[0.0][-1]  # the guessed paper's lift scales with prf_guess
    assert lifted[1.0][-2] == lifted[0.0][-2]  # a known one's does not
