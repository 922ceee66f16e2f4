"""Ranking each channel gives what the ranker gave before it was vectorised (a recorded golden
file).

Regenerate the golden file only on purpose, after a deliberate change of scoring:
    PAPERBOT_WRITE_GOLDEN=1 .venv/bin/pytest tests/unit/test_ranking_equivalence.py
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.models import Paper, ScoredPaper, Threshold
from bot.ranking import Profile, Ranker, build_batch
from bot.ranking.features import Batch
from bot.sources.sample import load_sample

GOLDEN = Path(__file__).parent.parent / "fixtures" / "ranking_golden.json"
DIM = 16
WORDS = [
    "language model",
    "reasoning",
    "image segmentation",
    "diffusion",
    "retrieval augmented generation",
    "agent",
    "reinforcement learning",
    "video generation",
    "speech",
    "graph neural network",
    "3d reconstruction",
    "benchmark",
    "multimodal",
    "robot",
    "medical imaging",
    "alignment",
    "quantization",
    "transformer attention",
]
CATS = ["cs.CV", "cs.AI", "cs.CL", "cs.LG", "cs.RO", "cs.GR", "eess", "cs.IR"]
EXCLUDES = ["survey", "GAN", "medical", "benchmark", "video"]


def _papers() -> tuple[list[Paper], list[Paper]]:
    rng = np.random.default_rng(7)
    names = [f"Author {chr(65 + i % 26)}{i}" for i in range(60)]  # the sample lists none
    papers = [
        replace(p, authors=tuple(rng.choice(names, size=int(rng.integers(1, 5)), replace=False)))
        for p in load_sample().papers
    ]
    with_votes = [
        replace(p, upvotes=int(rng.integers(0, 80))) if rng.random() < 0.3 else p for p in papers
    ]
    return with_votes[:150], with_votes[150:]


def _vector(text: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    v = np.random.default_rng(seed).normal(size=DIM)
    return v / np.linalg.norm(v)


def _embed(texts: object) -> np.ndarray:
    return np.stack([_vector(str(t)) for t in texts])  # type: ignore[attr-defined]


def _profiles(today: list[Paper], history: list[Paper], semantic: bool) -> list[Profile]:
    rng = np.random.default_rng(11)
    out = []
    for i in range(50):
        phrases = list(rng.choice(WORDS, size=int(rng.integers(0, 4)), replace=False))
        cats = list(rng.choice(CATS, size=int(rng.integers(0, 3)), replace=False))
        authors = [
            a
            for p in rng.choice(len(history), size=int(rng.integers(0, 3)))
            for a in history[p].authors[:1]
        ]
        if i % 4 == 0:  # follow someone who wrote one of today's papers (any case)
            authors.append(today[int(rng.integers(len(today)))].authors[-1].upper())
        excludes = list(rng.choice(EXCLUDES, size=int(rng.integers(0, 2)), replace=False))
        profile = Profile.from_phrases(
            phrases, categories=cats, authors=authors, excludes=excludes, follow_authors=i % 7 != 3
        )
        opinions = int(rng.choice([0, 0, 3, 10, 14, 15, 30]))
        for j in rng.choice(len(history), size=opinions, replace=False):
            paper = history[int(j)]
            value = 1 if rng.random() < 0.6 else -1
            profile.apply_reaction(paper, value, _vector(paper.id) if semantic else None)
        out.append(profile)
    return out


def _record(picks: list[ScoredPaper]) -> list[list[object]]:
    return [
        [
            s.paper.id,
            s.score,
            [[r.kind.value, r.text, round(r.weight, 9), r.ref] for r in s.reasons],
        ]
        for s in picks
    ]


@functools.cache  # ranking reads profiles and batch (their caches fill alike), never changes them
def _setup(semantic: bool) -> tuple[Ranker, Batch, list[Profile]]:
    today, history = _papers()
    vectors = {p.id: _vector(p.id) for p in today} if semantic else None
    ranker = Ranker(embed=_embed if semantic else None)
    return ranker, build_batch(today, vectors), _profiles(today, history, semantic)


CASES = [
    (semantic, threshold, k)
    for semantic in (False, True)
    for threshold in (None, Threshold.MEDIUM)
    for k in (1, 5)
]


def _case_key(semantic: bool, threshold: Threshold | None, k: int) -> str:
    return (
        f"{'semantic' if semantic else 'default'}/{threshold.value if threshold else 'none'}/k{k}"
    )


def _close(a: list[list[object]], b: list[list[object]], tol: float = 1e-9) -> None:
    assert [x[0] for x in a] == [x[0] for x in b]
    for x, y in zip(a, b, strict=True):
        assert x[1] == pytest.approx(y[1], abs=tol)
        assert len(x[2]) == len(y[2])  # type: ignore[arg-type]
        for r, s in zip(x[2], y[2], strict=True):  # type: ignore[call-overload]
            assert r[0] == s[0] and r[1] == s[1] and r[3] == s[3]
            assert r[2] == pytest.approx(s[2], abs=1e-9)


def _tolerance(semantic: bool) -> float:
    """Scores are float32 sums of products: one channel and many (a matrix-vector and a matrix
    product) may round the last float32 digit apart (~5e-7 at a score of 5), and scores are
    rounded to 6 decimals, so both tiers agree to a few 1e-6."""
    return 4e-6


def _all_records() -> dict[str, object]:
    out: dict[str, object] = {}
    for semantic, threshold, k in CASES:
        ranker, batch, profiles = _setup(semantic)
        key = _case_key(semantic, threshold, k)
        out[key] = [_record(ranker.rank(p, batch, k=k, threshold=threshold)) for p in profiles]
        if k == 5 and threshold is None:  # the full order of a few channels, as `rank` gives it
            out[key + "/full"] = [_record(ranker.rank(p, batch)[:12]) for p in profiles[:6]]
    return out


def test_results_match_the_recorded_golden_file() -> None:
    records = _all_records()
    if os.environ.get("PAPERBOT_WRITE_GOLDEN"):
        GOLDEN.write_text(json.dumps(records, ensure_ascii=False, separators=(",", ":")) + "\n")
    golden = json.loads(GOLDEN.read_text())
    assert sorted(golden) == sorted(records)
    for key, rows in golden.items():
        got = records[key]
        assert len(rows) == len(got)  # type: ignore[arg-type]
        for a, b in zip(rows, got, strict=True):  # type: ignore[call-overload]
            _close(a, b, _tolerance(key.startswith("semantic")))
