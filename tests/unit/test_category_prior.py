"""The category prior: a model for every field of arXiv, trusted only as far as it knows the
field, as sure as its guesses are, and as the channel's reactions bear it out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.models import Paper
from bot.ranking import Profile, Ranker, Weights, build_batch, categorizer
from bot.ranking.categorizer import CategoryModel, archive_of, topic_categories
from bot.ranking.gate import lift_gates
from tests.conftest import make_paper


def _bare(pid: str, title: str, abstract: str) -> Paper:
    return make_paper(pid, title, abstract, categories=(), primary_category=None)


def _prior_only(**changes: float) -> Ranker:
    """A ranker scoring nothing but where the typed topics point."""
    return Ranker(replace(Weights(), phrase=0.0, prf_depth=0, recency=0.0, **changes))


# ---------------------------------------------------------------- the shipped model


def test_the_shipped_model_covers_every_field_of_the_dev_corpora_and_stays_small() -> None:
    model = CategoryModel.load()
    archives = {archive_of(c) for c in model.categories}
    assert archives >= {
        "astro-ph", "cond-mat", "cs", "eess", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th",
        "math", "math-ph", "nlin", "nucl-th", "physics", "q-bio", "quant-ph", "stat",
    }  # fmt: skip
    for category in ("astro-ph.EP", "math.PR", "math.AG", "physics.optics", "cond-mat.str-el"):
        assert category in model.categories
    assert categorizer.MODEL_PATH.stat().st_size < 4_000_000


@pytest.mark.parametrize(
    ("phrases", "field"),
    [
        (("exoplanet atmospheres", "planet formation", "protoplanetary disks"), "astro-ph.EP"),
        (("quantum error correction", "entanglement"), "quant-ph"),
        (("gravitational waves", "numerical relativity"), "gr-qc"),
        (("modular forms", "L-functions"), "math.NT"),
        (("robot manipulation", "motion planning"), "cs.RO"),
    ],
)
def test_typed_topics_in_any_field_point_to_it(phrases: tuple[str, ...], field: str) -> None:
    assert topic_categories(phrases)[0][0] == field


def test_three_phrases_about_exoplanet_atmospheres_get_exoplanet_papers_first() -> None:
    exo = _bare(
        "e1",
        "Transmission spectra of a hot Jupiter",
        "We observe the atmosphere of a transiting exoplanet with JWST and retrieve water and "
        "carbon dioxide abundances from its transmission spectrum.",
    )
    galaxy = _bare(
        "g1",
        "Star formation histories of dwarf galaxies",
        "We measure star formation rates and stellar masses of dwarf galaxies in a survey.",
    )
    topics = ["exoplanet atmospheres", "planet formation", "protoplanetary disks"]
    picks = Ranker().rank(Profile.from_phrases(topics), [galaxy, exo], k=2)
    assert picks[0].paper.id == "e1"
    assert any("likely in astro-ph.EP" in r.text for r in picks[0].reasons)


# ------------------------------------------------ a model that does not know the field

WORDS = ("galaxy", "star", "telescope", "neural", "network", "train")


def _wrong_model() -> CategoryModel:
    """Two categories; it reads "galaxy" alone as cs.LG (so typed galaxy topics point there),
    while papers about galaxies, with their stars and telescopes, are not cs.LG to it."""
    weights = np.array(
        [[0.0, 9.0], [6.0, -12.0], [6.0, -12.0], [0.0, 6.0], [0.0, 6.0], [0.0, 6.0]],
        dtype=np.float32,
    )  # terms x (astro-ph.GA, cs.LG)
    return CategoryModel(
        vocab={w: i for i, w in enumerate(WORDS)},
        idf=np.ones(len(WORDS)),
        categories=("astro-ph.GA", "cs.LG"),
        weights=weights,
        bias=np.array([-3.0, -3.0]),
        thresholds=np.array([0.5, 0.5]),
        rates=np.array([0.1, 0.1]),
    )


@pytest.fixture
def wrong_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[CategoryModel]:
    model = _wrong_model()
    categorizer._guess.cache_clear()
    categorizer.topic_categories.cache_clear()
    monkeypatch.setattr(categorizer, "category_model", lambda: model)
    yield model
    categorizer._guess.cache_clear()
    categorizer.topic_categories.cache_clear()


def _day() -> list[Paper]:
    stars = [
        _bare(f"a{i}", f"Galaxy {i} star telescope", "Galaxy star telescope.") for i in range(30)
    ]
    nets = [_bare(f"n{i}", f"Neural network {i}", "Train a neural network.") for i in range(30)]
    return [*stars, *nets]


def test_a_model_that_does_not_know_the_topics_words_points_nowhere(
    wrong_model: CategoryModel,
) -> None:
    assert wrong_model.knows(("exoplanet atmospheres", "transit photometry")) == 0.0
    assert topic_categories(("exoplanet atmospheres", "transit photometry")) == ()
    assert wrong_model.knows(("galaxy",)) == 1.0
    half = wrong_model.knows(("galaxy evolution", "cold gas"))  # 1 of 4 words known
    assert half == 0.0
    batch = build_batch(_day())
    profile = Profile.from_phrases(["exoplanet atmospheres", "transit photometry"])
    scores = _prior_only(prior_full_lift=0.0).scores([profile], batch)[0]
    assert not scores.any()  # no prior at all


def test_a_pointed_category_the_channels_words_disagree_with_adds_nothing(
    wrong_model: CategoryModel,
) -> None:
    assert [c for c, _ in topic_categories(("galaxy",))] == ["cs.LG"]
    batch = build_batch(_day())
    profile = Profile.from_phrases(["galaxy"])
    trusting = Ranker(replace(Weights(), prior_full_lift=0.0, prf_depth=0))
    ungated = [p.paper.id[0] for p in trusting.rank(profile, batch, k=5)]
    assert ungated == ["n"] * 5  # the wrong prior outweighs the words
    gated = Ranker(replace(Weights(), prf_depth=0))
    assert [p.paper.id[0] for p in gated.rank(profile, batch, k=5)] == ["a"] * 5
    gates = gated.prior_gates([profile], batch)
    assert gates.of("cs.LG", batch) == 0.0
    picks = gated.rank(profile, batch, k=1)
    assert not any("where your topics point" in r.text for r in picks[0].reasons)


def test_the_gate_is_the_lift_of_the_channels_evidence_among_a_categorys_papers() -> None:
    from scipy import sparse

    own = np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]])
    members = sparse.csr_matrix(np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]))
    gates = lift_gates(own.astype(np.float32), members, full_lift=2.0)
    assert gates[0].tolist() == [1.0, 0.0]  # lift 2 for the first category, 0 for the second
    assert gates[1].tolist() == [1.0, 1.0]  # no evidence at all: nothing to disagree with
    assert gates[2].tolist() == [0.0, 1.0]
    soft = sparse.csr_matrix(np.array([[0.5, 0.0], [0.5, 0.0], [0.5, 1.0], [0.5, 1.0]]))
    half = lift_gates(own[:1].astype(np.float32), soft, full_lift=4.0)[0, 0]
    assert half == pytest.approx(0.0)  # evenly likely everywhere: no lift


# ---------------------------------------------------------- sure and unsure guesses

ROBOT = (
    "Learning dexterous robot grasping from demonstrations",
    "We train a robot arm to grasp and manipulate objects with a learned policy, evaluated on a "
    "real manipulator and in simulation, and plan collision-free motions for the gripper.",
)
VAGUE = ("A policy for long-horizon tasks", "We learn a policy and evaluate it in simulation.")


def test_an_uncertain_guess_contributes_less() -> None:
    phrases = ("robot manipulation", "motion planning")
    sure, unsure = _bare("r1", *ROBOT), _bare("r2", *VAGUE)
    chance = {
        p.id: dict((c, q) for c, q, _ in categorizer.category_guess(p)).get("cs.RO", 0.0)
        for p in (sure, unsure)
    }
    assert chance["r1"] > 2 * chance["r2"] > 0
    scores = _prior_only().scores([Profile.from_phrases(phrases)], build_batch([sure, unsure]))[0]
    assert scores[0] / scores[1] == pytest.approx(chance["r1"] / chance["r2"], rel=1e-4)


# ------------------------------------------------------- reactions move the prior


SPEECH = ("Streaming speech recognition", "We transcribe speech with an acoustic model.")


def _robots(n: int, prefix: str) -> list[Paper]:
    return [_bare(f"{prefix}{i}", f"{ROBOT[0]} {i}", ROBOT[1]) for i in range(n)]


def _speech(n: int) -> list[Paper]:
    return [_bare(f"s{i}", f"{SPEECH[0]} {i}", SPEECH[1]) for i in range(n)]


def test_reactions_to_papers_without_categories_move_the_prior_of_where_they_are_likely() -> None:
    phrases = ["robot manipulation", "motion planning"]
    target = _bare("t", *ROBOT)
    batch = build_batch([target])
    ranker = _prior_only(learned_terms=0.0, learned_guess=0.0)
    fresh = ranker.scores([Profile.from_phrases(phrases)], batch)[0, 0]
    robots, speech = _robots(4, "l"), _speech(4)
    liked, disliked = Profile.from_phrases(phrases), Profile.from_phrases(phrases)
    for robot, talk in zip(robots, speech, strict=True):
        liked.apply_reaction(robot, +1)  # robot papers liked more than the channel's others
        liked.apply_reaction(talk, -1)
        disliked.apply_reaction(robot, -1)  # ... and less
        disliked.apply_reaction(talk, +1)
    assert disliked.prior_trust("cs.RO") < 1.0 < liked.prior_trust("cs.RO") < 2.0
    up = ranker.scores([liked], batch)[0, 0]
    down = ranker.scores([disliked], batch)[0, 0]
    assert down < fresh < up
    strength = Weights().prior_trust
    assert up / fresh == pytest.approx(liked.prior_trust("cs.RO") ** strength, rel=1e-4)
    for robot, talk in zip(robots, speech, strict=True):
        disliked.remove_reaction(robot, -1)
        disliked.remove_reaction(talk, +1)
    assert disliked.guess_pos == disliked.guess_neg == {}
    assert disliked.prior_trust("cs.RO") == 1.0
    assert ranker.scores([disliked], batch)[0, 0] == pytest.approx(fresh, rel=1e-6)


def test_reactions_that_like_every_likely_category_alike_leave_the_prior_alone() -> None:
    profile = Profile.from_phrases(["robot manipulation"])
    for robot in _robots(4, "l"):
        profile.apply_reaction(robot, +1)
    assert profile.prior_trust("cs.RO") == pytest.approx(1.0, abs=0.05)


def test_a_channel_learns_which_likely_categories_it_likes_relative_to_its_own_rate() -> None:
    profile = Profile.from_phrases(["robot manipulation"])
    assert profile.guess_affinity("cs.RO") == 0.0
    for paper in _robots(3, "l"):
        profile.apply_reaction(paper, +1)
    for paper in _speech(3):
        profile.apply_reaction(paper, -1)
    assert profile.guess_affinity("cs.RO") > 0 > profile.guess_affinity("cs.SD")
    assert profile.cat_pos == profile.cat_neg == {}  # never a known category from a guess
    restored = Profile.from_json(profile.to_json())
    assert restored.guess_affinity("cs.RO") == pytest.approx(
        profile.guess_affinity("cs.RO"), rel=1e-4
    )
    picks = Ranker().rank(profile, [_bare("t", *ROBOT), _bare("x", *SPEECH)], k=1)
    assert picks[0].paper.id == "t"
    assert any(r.text == "you 👍 papers likely in cs.RO" for r in picks[0].reasons)


# ------------------------------------------------------------------ the benchmark


def test_the_benchmark_reads_the_shared_data_beside_the_checkout_or_where_told(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from benchmarks import protocol

    monkeypatch.delenv(protocol.SHARED_ENV, raising=False)
    checkout = Path(protocol.__file__).resolve().parent.parent
    assert protocol.shared_dir() == checkout.parent / "shared"
    monkeypatch.setenv(protocol.SHARED_ENV, str(tmp_path))
    assert (
        protocol.CORPORA["all"].data_path
        == tmp_path / "data/arxiv-all-2025-2026/normalized.jsonl.gz"
    )
    assert protocol.CORPORA["cs"].channels_path == tmp_path / "bench/channels_dev.json"
