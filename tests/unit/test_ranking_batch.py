"""The per-candidate-set structures the fan-out relies on agree with the plain definitions."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy import sparse

from bot.ranking import Profile, Ranker, Weights, build_batch
from bot.ranking.products import add_sparse
from bot.ranking.text import word_pattern
from bot.sources.sample import load_sample


def _papers(n: int = 300) -> list:  # type: ignore[type-arg]
    rng = np.random.default_rng(3)
    names = [f"Person {i}" for i in range(40)]
    out = []
    for paper in load_sample().papers[:n]:
        picked = rng.choice(names, size=int(rng.integers(1, 4)), replace=False)
        authors = tuple(picked) + ((picked[0].upper(),) if rng.random() < 0.1 else ())
        out.append(replace(paper, authors=authors))
    return out


def test_term_split_puts_every_weight_in_exactly_one_part() -> None:
    batch = build_batch(_papers())
    split = batch.term_split()
    frequent = np.flatnonzero(split.position >= 0)
    rebuilt = split.rare.T.toarray()
    rebuilt[:, frequent] += split.dense[split.position[frequent]].T
    assert rebuilt.dtype == np.float32  # the products run in single precision
    assert np.array_equal(rebuilt, batch.terms.toarray().astype(np.float32))
    df = np.diff(batch.terms.tocsc().indptr)
    assert df[frequent].min() >= np.delete(df, frequent).max()  # the most frequent words


def test_author_matrix_counts_each_lowercased_author() -> None:
    papers = _papers()
    index, matrix = build_batch(papers).author_matrix()
    for i, paper in enumerate(papers[:50]):
        for author in paper.authors:
            expected = sum(a.lower() == author.lower() for a in paper.authors)
            assert matrix[i, index[author.lower()]] == expected


def test_excluded_by_is_the_word_boundary_pattern_over_every_paper() -> None:
    papers = _papers()
    batch = build_batch(papers)
    for keyword in ("model", "GAN", "language model", "x-ray"):
        rx = word_pattern(keyword)
        expected = [rx.search(p.text) is not None for p in papers]
        assert batch.excluded_by(keyword).tolist() == expected
    assert batch.excluded_by("model") is batch.excluded_by("model")  # cached


def test_category_sets_rebuild_each_papers_categories() -> None:
    papers = _papers()
    batch = build_batch(papers)
    _, inverse, members = batch.category_sets()
    assert np.array_equal(members[inverse], batch.cats.toarray())
    assert len(members) < len(papers)


def test_phrase_match_is_the_weight_of_the_phrase_words_a_paper_has() -> None:
    batch = build_batch(_papers())
    for phrase in ("language model reasoning", "image segmentation", "robot"):
        weights = batch.phrase_weights(phrase)
        expected = [sum(v for t, v in weights if t in terms) for terms in batch.term_sets]
        assert batch.phrase_match(phrase).tolist() == expected


def test_followed_and_learned_authors_score_as_the_sum_over_each_papers_authors() -> None:
    papers = _papers()
    batch = build_batch(papers)
    profile = Profile.from_phrases(["language model"], authors=["person 3", "Person 7"])
    for paper in papers[:30]:
        profile.apply_reaction(paper, 1 if "Person 5" in paper.authors else -1)
    # no feedback and no prior gate: they would move with the scores
    ranker = Ranker(Weights(prf_depth=0, prior_full_lift=0.0))
    with_authors = ranker.scores([profile], batch)[0]
    muted = replace(profile, follow_authors=False, author_pos={}, author_neg={})
    without = ranker.scores([muted], batch)[0]
    w = ranker.weights
    for j, paper in enumerate(papers):
        expected = sum(
            (w.author if a.lower() in ("person 3", "person 7") else 0.0)
            + w.learned_author * profile.author_affinity(a)
            for a in paper.authors
            if a.lower() in {*profile.author_pos, *profile.author_neg, "person 3", "person 7"}
        )
        assert abs((with_authors[j] - without[j]) - expected) < 1e-5, paper.id  # float32


def test_reasons_break_category_ties_by_name() -> None:
    papers = [
        replace(p, categories=("cs.AI", "cs.RO"), primary_category="cs.AI")
        for p in load_sample().papers[:60]
    ]
    batch = build_batch(papers)
    profile = Profile.from_phrases(["robot"])
    for paper in papers[:3]:
        profile.apply_reaction(paper, +1)  # cs.AI and cs.RO liked alike: a tie
    ranker = Ranker()
    alone = ranker.rank(profile, batch, k=3)
    learned = [r.text for s in alone for r in s.reasons if r.kind.value == "learned"]
    assert learned and all(text == "you 👍 papers in cs.RO" for text in learned)  # max name


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_add_sparse_adds_into_the_dense_scores(dtype: type) -> None:
    rng = np.random.default_rng(5)
    dense = rng.normal(size=(40, 70)).astype(np.float32)
    part = sparse.random(40, 70, density=0.2, format="csr", random_state=1, dtype=dtype)
    expected = dense + part.toarray()
    add_sparse(dense, part)  # float64 parts take the plain add
    assert np.allclose(dense, expected, atol=1e-6)
