"""The ranker through its library API: prior, learning, undo, filters, diversity, threshold."""

from __future__ import annotations

import logging
import sys
from datetime import date

import numpy as np
import pytest

from bot.models import Paper, ReasonKind, Threshold
from bot.ranking import Profile, Ranker, Weights, build_batch
from bot.ranking.text import word_pattern
from tests.conftest import make_paper


def _corpus() -> list[Paper]:
    papers = [
        make_paper(
            "r1",
            "Dexterous robot manipulation with tactile feedback",
            "A robot arm learns grasping and in-hand manipulation from tactile sensing.",
            categories=("cs.RO", "cs.LG"),
        ),
        make_paper(
            "r2",
            "Sampling-based motion planning for mobile robots",
            "We plan collision-free trajectories for a robot in cluttered scenes.",
            categories=("cs.RO",),
        ),
        make_paper(
            "r3",
            "Legged locomotion over rough terrain",
            "A quadruped robot learns robust walking gaits in simulation.",
            categories=("cs.RO", "cs.AI"),
        ),
        make_paper(
            "v1",
            "Diffusion models for image generation",
            "We generate high-resolution images with a latent diffusion backbone.",
            categories=("cs.CV",),
        ),
        make_paper(
            "v2",
            "Video object segmentation with transformers",
            "Segmenting objects in video with a transformer and memory bank.",
            categories=("cs.CV",),
        ),
        make_paper(
            "l1",
            "Retrieval-augmented generation for question answering",
            "A retriever feeds passages to a language generator for open-domain QA.",
            categories=("cs.CL", "cs.IR"),
        ),
        make_paper(
            "l2",
            "Instruction tuning of small language models",
            "We fine-tune compact language models on instructions and evaluate reasoning.",
            categories=("cs.CL",),
        ),
        make_paper(
            "s1",
            "Speech recognition with self-supervised audio encoders",
            "An audio encoder pretrained without labels improves speech recognition.",
            categories=("eess.AS", "cs.SD"),
        ),
    ]
    return papers


def _ids(picks: list) -> list[str]:  # type: ignore[type-arg]
    return [s.paper.id for s in picks]


def test_cold_start_from_phrases_ranks_matching_papers_first_with_reasons() -> None:
    profile = Profile.from_phrases(["robot manipulation", "motion planning"])
    picks = Ranker().rank(profile, _corpus(), k=3)
    assert set(_ids(picks)[:2]) == {"r1", "r2"}
    top = picks[0]
    topic = [r for r in top.reasons if r.kind is ReasonKind.TOPIC]
    assert topic and topic[0].ref in profile.phrases
    assert topic[0].text.startswith("matches")


def test_typed_category_and_followed_author_are_evidence() -> None:
    papers = [*_corpus(), make_paper("a1", "A note on things", authors=("Ada Lovelace",))]
    profile = Profile.from_phrases([], categories=["eess"], authors=["ada lovelace"])
    picks = Ranker().rank(profile, papers, k=2)
    assert set(_ids(picks)) == {"s1", "a1"}
    kinds = {r.kind for s in picks for r in s.reasons}
    assert {ReasonKind.CATEGORY, ReasonKind.AUTHOR} <= kinds
    profile.follow_authors = False
    assert "a1" not in _ids(Ranker().rank(profile, papers, k=2))


def test_reactions_teach_categories_and_words() -> None:
    papers = _corpus()
    profile = Profile.from_phrases(["language models"])
    before = _ids(Ranker().rank(profile, papers, k=None))
    assert before.index("l2") < before.index("s1")
    speech = make_paper(
        "s0",
        "Self-supervised speech recognition for low-resource languages",
        "Audio encoders and speech recognition without transcripts.",
        categories=("eess.AS",),
    )
    for _ in range(3):
        profile.apply_reaction(speech, +1)
    profile.apply_reaction(papers[6], -1)  # l2: instruction tuning, not for us
    after = Ranker().rank(profile, papers, k=None)
    order = _ids(after)
    assert order.index("s1") < order.index("l2")
    s1 = after[order.index("s1")]
    assert {r.kind for r in s1.reasons} & {ReasonKind.LEARNED, ReasonKind.SIMILAR}


def test_undo_restores_the_exact_state_and_order_does_not_matter() -> None:
    papers = _corpus()
    vec = np.linspace(-1, 1, 8)
    fresh = Profile.from_phrases(["robot manipulation"])
    profile = Profile.from_phrases(["robot manipulation"])
    profile.apply_reaction(papers[0], +1, vec)
    profile.apply_reaction(papers[3], -1, vec * 0.5)
    profile.remove_reaction(papers[3], -1, vec * 0.5)
    profile.remove_reaction(papers[0], +1, vec)
    restored = Profile.from_json(profile.to_json())
    restored.emb_pos = restored.emb_neg = None
    assert restored.to_json() == fresh.to_json()

    a = Profile.from_phrases(["robot manipulation"])
    b = Profile.from_phrases(["robot manipulation"])
    for p, v in [(papers[0], 1), (papers[3], -1), (papers[5], 1)]:
        a.apply_reaction(p, v)
    for p, v in [(papers[5], 1), (papers[3], -1), (papers[0], 1)]:
        b.apply_reaction(p, v)
    assert _ids(Ranker().rank(a, papers, k=None)) == _ids(Ranker().rank(b, papers, k=None))


def test_a_paper_two_people_liked_stays_liked_when_one_takes_it_back() -> None:
    papers = _corpus()
    profile = Profile.from_phrases(["robot manipulation"])
    profile.apply_reaction(papers[0], +1)  # two people 👍 the same paper
    profile.apply_reaction(papers[0], +1)
    profile.apply_reaction(papers[0], -1)  # and a third 👎 it: still liked by two
    restored = Profile.from_json(profile.to_json())
    for p in (profile, restored):
        p.remove_reaction(papers[0], +1)
        assert [liked[0] for liked in p.liked] == ["r1"]
        p.remove_reaction(papers[0], +1)
        assert p.liked == [] and p.liked_n == {}
    assert restored.to_json() == profile.to_json()


def test_ranking_is_deterministic_and_idempotent() -> None:
    papers = _corpus()
    profile = Profile.from_phrases(["language models", "speech recognition"])
    first = Ranker().rank(profile, papers, k=4)
    again = Ranker().rank(profile, list(papers), k=4)
    assert [(s.paper.id, s.score, s.reasons) for s in first] == [
        (s.paper.id, s.score, s.reasons) for s in again
    ]
    shuffled = Ranker().rank(profile, list(reversed(papers)), k=None, diversify=False)
    assert {s.paper.id: s.score for s in shuffled} == {
        s.paper.id: s.score for s in Ranker().rank(profile, papers, k=None, diversify=False)
    }


def test_excluded_keywords_are_a_word_boundary_hard_filter() -> None:
    papers = [
        *_corpus(),
        make_paper("x1", "Robot manipulation with GANs", "Generative adversarial GAN policies."),
        make_paper("x2", "Robot manipulation for organ surgery", "Surgical robots and organs."),
    ]
    profile = Profile.from_phrases(["robot manipulation"], excludes=["GAN"])
    ids = _ids(Ranker().rank(profile, papers, k=None))
    assert "x1" not in ids
    assert "x2" in ids  # "organ" is not the word "GAN"
    assert word_pattern("self-supervised").search("A Self-Supervised encoder")
    assert not word_pattern("supervised").search("a self-supervised encoder")


def test_diversity_avoids_near_duplicates() -> None:
    dupes = [
        make_paper(
            f"d{i}",
            f"Robot manipulation with tactile feedback, variant {i}",
            "Robot manipulation of objects with tactile feedback and grasping.",
        )
        for i in range(5)
    ]
    other = make_paper(
        "o1",
        "Household chores in kitchens: robot manipulation",
        "Household chores at home.",
    )
    profile = Profile.from_phrases(["robot manipulation"])
    plain = Ranker().rank(profile, [*dupes, other], k=3, diversify=False)
    diverse = Ranker().rank(profile, [*dupes, other], k=3)
    assert "o1" not in _ids(plain)
    assert "o1" in _ids(diverse)


def test_threshold_gives_a_shorter_digest_on_a_weak_day() -> None:
    profile = Profile.from_phrases(["robot manipulation"])
    strong = Ranker().rank(profile, _corpus(), k=5, threshold=Threshold.MEDIUM)
    weak_day = [p for p in _corpus() if not p.id.startswith("r")]
    weak = Ranker().rank(profile, weak_day, k=5, threshold=Threshold.MEDIUM)
    assert strong and strong[0].paper.id == "r1"
    assert len(weak) < len(strong)
    high = Ranker().rank(profile, _corpus(), k=5, threshold=Threshold.HIGH)
    low = Ranker().rank(profile, _corpus(), k=5, threshold=Threshold.LOW)
    assert len(high) <= len(strong) <= len(low)


def test_serialization_roundtrip_keeps_ranking_and_stays_small() -> None:
    papers = _corpus()
    profile = Profile.from_phrases(["robot manipulation"], categories=["cs.RO"], excludes=["GAN"])
    rng = np.random.default_rng(0)
    for i in range(300):
        base = papers[i % len(papers)]
        paper = Paper(
            id=f"h{i}",
            title=f"{base.title} {i}",
            abstract=base.abstract + f" token{i} extra{i % 17}",
            categories=base.categories,
            authors=(f"Author {i}", f"Author {i + 1}"),
            published=date(2026, 6, 1),
        )
        vec = rng.normal(size=384)
        profile.apply_reaction(paper, 1 if i % 3 else -1, vec / np.linalg.norm(vec))
    text = profile.to_json()
    assert len(text.encode()) < 16_000
    restored = Profile.from_json(text)
    assert restored.to_json() == text
    batch = build_batch(papers)
    assert _ids(Ranker().rank(restored, batch, k=5)) == _ids(Ranker().rank(profile, batch, k=5))


def test_popularity_is_a_small_tunable_boost() -> None:
    papers = [
        make_paper("p1", "Robot manipulation benchmark", upvotes=200),
        make_paper("p2", "Robot manipulation benchmark suite"),
    ]
    profile = Profile.from_phrases(["robot manipulation"])
    picks = Ranker(popularity_weight=0.5).rank(profile, papers, k=2, diversify=False)
    assert picks[0].paper.id == "p1"
    assert any(r.kind is ReasonKind.TRENDING for r in picks[0].reasons)
    flat = Ranker(popularity_weight=0.0).rank(profile, papers, k=2, diversify=False)
    assert flat[0].score == pytest.approx(flat[1].score, abs=0.2)


def test_missing_semantic_extra_degrades_with_one_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.ranking.semantic import load_embedder

    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with caplog.at_level(logging.WARNING):
        assert load_embedder() is None
    lines = [r for r in caplog.records if "semantic" in r.getMessage()]
    assert len(lines) == 1 and "paperbot[semantic]" in lines[0].getMessage()
    # the ranker still works without embeddings
    assert Ranker().rank(Profile.from_phrases(["motion planning"]), _corpus(), k=1)


def test_semantic_parts_use_embeddings_when_given() -> None:
    papers = _corpus()
    rng = np.random.default_rng(1)
    emb = {p.id: (v := rng.normal(size=16)) / np.linalg.norm(v) for p in papers}
    target = emb["s1"]
    profile = Profile.from_phrases(["something unrelated"])
    ranker = Ranker(embed=lambda texts: np.stack([target for _ in texts]))
    picks = ranker.rank(profile, papers, k=1, embeddings=emb)
    assert picks[0].paper.id == "s1"


def test_a_digest_covers_the_channels_topics() -> None:
    agents = [
        make_paper(
            f"g{i}",
            f"LLM agents that plan, variant {i}",
            f"LLM agents with tool use and memory for task {i} in the web.",
        )
        for i in range(6)
    ]
    seg = make_paper(
        "m1",
        "Medical image segmentation of the liver",
        "A segmentation network for abdominal CT scans and a long discussion of clinical needs.",
    )
    profile = Profile.from_phrases(["LLM agents", "medical image segmentation"])
    plain = Ranker().rank(profile, [*agents, seg], k=3, diversify=False)
    covered = Ranker(Weights(cover_topics=True)).rank(profile, [*agents, seg], k=3)
    assert "m1" not in _ids(plain)
    assert "m1" in _ids(covered)


def test_every_pick_carries_evidence() -> None:
    profile = Profile.from_phrases(["robot manipulation", "speech recognition"])
    picks = Ranker().rank(profile, _corpus(), k=len(_corpus()), threshold=None)
    assert picks and all(s.reasons for s in picks)
    assert all(len(r.text) <= 80 for s in picks for r in s.reasons)


def test_feedback_per_typed_topic_works_on_a_day_no_paper_matches_a_topic() -> None:
    ranker = Ranker(Weights(prf_per_topic=True, prf_depth=2))
    profile = Profile.from_phrases(["robot manipulation", "speech recognition"])
    unrelated = [make_paper(f"u{i}", f"Graph coloring {i}", "Sparse graphs.") for i in range(4)]
    assert len(ranker.rank(profile, unrelated, k=2)) == 2  # was: nothing to concatenate
    matching = [
        make_paper("r", "Robot manipulation", "Robot manipulation with grasping."),
        make_paper("s", "Speech recognition", "Speech recognition for accents."),
        *unrelated,
    ]
    assert {p.paper.id for p in ranker.rank(profile, matching, k=2)} == {"r", "s"}


@pytest.mark.parametrize("growth", [0.25, 0.5])
def test_what_a_channel_learned_weighs_as_its_mean_times_opinions_to_the_growth(
    growth: float,
) -> None:
    """The learned words and embedding count as the mean of the opinions times their number
    to `Weights.learned_growth`: 16 likes of one paper pull it 16**growth times as hard as one
    (2x at the default 0.25, not 4x as a square-root growth would)."""
    papers = _corpus()
    rng = np.random.default_rng(3)
    emb = {p.id: (v := rng.normal(size=16)) / np.linalg.norm(v) for p in papers}
    # only the learned words and embedding: no prior, feedback, category or static parts
    weights = Weights(
        learned_growth=growth,
        prf_depth=0,
        learned_category=0.0,
        learned_guess=0.0,
        recency=0.0,
        popularity=0.0,
        mmr_lambda=1.0,
    )
    liked = papers[0]

    def pull(n: int, embeddings: dict[str, np.ndarray] | None) -> float:
        profile = Profile.from_phrases([])
        for _ in range(n):
            vec = None if embeddings is None else embeddings[liked.id]
            profile.apply_reaction(liked, +1, vec)
        scores = Ranker(weights).scores([profile], build_batch(papers, embeddings))[0]
        return float(scores[0])

    for embeddings in (None, emb):
        one, sixteen = pull(1, embeddings), pull(16, embeddings)
        assert one > 0
        assert sixteen / one == pytest.approx(16**growth, rel=1e-4)
