"""The peers' methods as in ../shared/docs/BENCHMARK.md, each a small stateful ranker."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from bot.models import Paper
from bot.ranking.text import tokens


class Method:
    """One method's state for one (seed, channel): rank candidates, learn from reactions."""

    name = "method"

    def rank(self, papers: Sequence[Paper]) -> list[int]:
        raise NotImplementedError

    def react(self, paper: Paper, value: int) -> None:
        """Default: no learning."""

    def end_day(self, papers: Sequence[Paper]) -> None:
        """Called once the day's reactions are in."""


def _stable_order(scores: np.ndarray) -> list[int]:
    return [int(i) for i in np.lexsort((np.arange(len(scores)), -scores))]


class Keyword(Method):
    name = "keyword"

    def __init__(self, phrases: Sequence[str]) -> None:
        self.words = {t for p in phrases for t in tokens(p)}

    def rank(self, papers: Sequence[Paper]) -> list[int]:
        scores = np.array(
            [sum(1 for t in tokens(p.text) if t in self.words) for p in papers], dtype=float
        )
        return _stable_order(scores)


class ArxivSanity(Method):
    """TF-IDF + LinearSVC per channel; 👍 positives, every other seen paper negative."""

    name = "arxiv-sanity-lite"

    def __init__(self, phrases: Sequence[str]) -> None:
        self.keyword = Keyword(phrases)
        self.seen: list[Paper] = []
        self.liked: set[str] = set()

    def rank(self, papers: Sequence[Paper]) -> list[int]:
        if not self.liked:
            return self.keyword.rank(papers)
        from sklearn.svm import LinearSVC

        x = _tfidf(self.seen, papers)
        y = np.array([1 if p.id in self.liked else 0 for p in self.seen])
        if y.min() == y.max():
            return self.keyword.rank(papers)
        svm = LinearSVC(C=0.01, class_weight="balanced", max_iter=5000, tol=1e-4, random_state=0)
        svm.fit(x[: len(self.seen)], y)
        return _stable_order(svm.decision_function(x[len(self.seen) :]))

    def react(self, paper: Paper, value: int) -> None:
        if value > 0:
            self.liked.add(paper.id)
        else:
            self.liked.discard(paper.id)

    def end_day(self, papers: Sequence[Paper]) -> None:
        self.seen.extend(papers)


_TFIDF: dict[tuple[int, str], object] = {}


def _tfidf(seen: Sequence[Paper], papers: Sequence[Paper]):  # type: ignore[no-untyped-def]
    """TF-IDF of everything seen so far plus today's papers; shared by every channel that day."""
    key = (len(seen), papers[0].id if papers else "")
    if key not in _TFIDF:
        from sklearn.feature_extraction.text import TfidfVectorizer

        _TFIDF.clear()
        vec = TfidfVectorizer(
            ngram_range=(1, 2), max_features=20000, sublinear_tf=True, stop_words="english"
        )
        _TFIDF[key] = vec.fit_transform([p.text for p in seen] + [p.text for p in papers])
    return _TFIDF[key]


class Zotero(Method):
    """Cosine to liked papers' embeddings weighted by recency of the like; phrases until then."""

    name = "zotero-arxiv-daily"

    def __init__(self, phrase_vecs: np.ndarray, emb: dict[str, np.ndarray]) -> None:
        self.phrase_vecs = phrase_vecs
        self.emb = emb
        self.liked: list[str] = []

    def rank(self, papers: Sequence[Paper]) -> list[int]:
        x = np.stack([self.emb[p.id] for p in papers])
        if not self.liked:
            return _stable_order((x @ self.phrase_vecs.T).max(axis=1))
        newest = list(reversed(self.liked))
        w = np.array([1 / (1 + math.log10(r)) for r in range(1, len(newest) + 1)])
        w /= w.sum()
        liked = np.stack([self.emb[i] for i in newest])
        return _stable_order((x @ liked.T) @ w)

    def react(self, paper: Paper, value: int) -> None:
        if value > 0 and paper.id not in self.liked:
            self.liked.append(paper.id)


class ScholarInbox(Method):
    """Logistic regression on embeddings, 👍 1 / 👎 0, refit daily once both exist."""

    name = "Scholar-Inbox-like"

    def __init__(self, phrase_vecs: np.ndarray, emb: dict[str, np.ndarray]) -> None:
        self.phrase_vecs = phrase_vecs
        self.emb = emb
        self.labels: dict[str, int] = {}
        self.model: object | None = None

    def rank(self, papers: Sequence[Paper]) -> list[int]:
        x = np.stack([self.emb[p.id] for p in papers])
        if self.model is None:
            return _stable_order((x @ self.phrase_vecs.T).max(axis=1))
        return _stable_order(self.model.decision_function(x))  # type: ignore[attr-defined]

    def react(self, paper: Paper, value: int) -> None:
        self.labels[paper.id] = 1 if value > 0 else 0

    def end_day(self, papers: Sequence[Paper]) -> None:
        ys = list(self.labels.values())
        if 0 in ys and 1 in ys:
            from sklearn.linear_model import LogisticRegression

            x = np.stack([self.emb[i] for i in self.labels])
            self.model = LogisticRegression(max_iter=1000).fit(x, np.array(ys))
