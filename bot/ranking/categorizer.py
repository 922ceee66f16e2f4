"""Likely arXiv categories of a paper that comes without any (a feed without categories).

A one-vs-rest logistic regression over the ranker's words and bigrams, trained offline on
arXiv metadata (`benchmarks/train_categories.py`) and shipped as `bot/data/category_model.npz`
(numpy only: no extra dependency). With likely categories, such a paper still matches category
subscriptions and the categories a channel learned to like. The model loads on first use; if
the file is missing, papers without categories simply have none (one log line).
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from bot.models import Paper
from bot.ranking.text import paper_terms, tokens

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "category_model.npz"
CACHED_PAPERS = 65_536
TOPIC_LIFT = 3.0
TOPIC_SURE = 0.9  # ... or this likely (a big category, such as cs.CV, cannot be 3x its rate)
GUESS_FLOOR = 0.05  # likely categories keep their probability down to this
KNOWN_FROM = 0.5  # with this share of typed topics' words or less in its vocabulary the model
KNOWN_AT = 0.85  # does not know their field; from this share on it does (`CategoryModel.knows`)


@dataclass(frozen=True)
class CategoryModel:
    vocab: dict[str, int]
    idf: np.ndarray  # per term
    categories: tuple[str, ...]
    weights: np.ndarray  # terms x categories
    bias: np.ndarray  # per category
    thresholds: np.ndarray  # per category: the probability from which it is predicted
    rates: np.ndarray  # per category: the share of training papers in it

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> CategoryModel:
        with np.load(path, allow_pickle=False) as z:
            terms = [str(t) for t in z["terms"]]
            weights = z["weights"].astype(np.float32)
            if "scales" in z:  # int8 weights with a scale per category
                weights *= z["scales"].astype(np.float32)[None, :]
            return cls(
                vocab={t: i for i, t in enumerate(terms)},
                idf=z["idf"].astype(np.float64),
                categories=tuple(str(c) for c in z["categories"]),
                weights=weights,
                bias=z["bias"].astype(np.float64),
                thresholds=z["thresholds"].astype(np.float64),
                rates=z["rates"].astype(np.float64),
            )

    def probabilities(self, title: str, abstract: str) -> np.ndarray:
        """Per category, the probability that a paper with this text is in it."""
        counts = paper_terms(Paper(id="", title=title, abstract=abstract))
        cols: list[int] = []
        vals: list[float] = []
        for term, n in counts.items():
            col = self.vocab.get(term)
            if col is not None:
                cols.append(col)
                vals.append((1.0 + math.log(n)) * float(self.idf[col]))
        if not cols:
            return np.zeros(len(self.categories))
        x = np.asarray(vals)
        x /= np.linalg.norm(x)
        score = x @ self.weights[cols] + self.bias
        result: np.ndarray = 1.0 / (1.0 + np.exp(-score))
        return result

    def guess(self, title: str, abstract: str) -> tuple[tuple[str, float, bool], ...]:
        """Categories with their probability, most likely first: those at least `GUESS_FLOOR`
        likely, and the best one always; with whether each is predicted (over its threshold,
        or the best)."""
        prob = self.probabilities(title, abstract)
        if not prob.any():
            return ()
        order = np.argsort(-prob, kind="stable")
        best = int(order[0])
        return tuple(
            (self.categories[j], float(prob[j]), bool(j == best or prob[j] >= self.thresholds[j]))
            for j in order
            if j == best or prob[j] >= GUESS_FLOOR
        )

    def knows(self, phrases: tuple[str, ...]) -> float:
        """How far the model knows the field of typed topics, from 0 to 1: the share of their
        words in its vocabulary, from `KNOWN_FROM` (not at all) to `KNOWN_AT` (fully). A model
        that never read a field's words would point its topics by the few words it knows."""
        words = [t for phrase in phrases for t in tokens(phrase)]
        if not words:
            return 0.0
        share = sum(t in self.vocab for t in words) / len(words)
        return min(1.0, max(0.0, (share - KNOWN_FROM) / (KNOWN_AT - KNOWN_FROM)))

    def topic_categories(self, phrases: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
        """The categories typed topics point to: predicted for the phrases read together and at
        least `TOPIC_LIFT` times likelier than for a random paper (or `TOPIC_SURE` likely),
        with their probability times how far the model knows their field (`knows`)."""
        known = self.knows(phrases)
        if not known:
            return ()
        prob = self.probabilities("; ".join(phrases), "")
        likelier = (prob >= TOPIC_LIFT * self.rates) | (prob >= TOPIC_SURE)
        keep = (prob >= self.thresholds) & likelier
        order = np.argsort(-prob, kind="stable")
        return tuple((self.categories[j], known * float(prob[j])) for j in order if keep[j])


def archive_of(category: str) -> str:
    """The arXiv archive of a category: `astro-ph.GA` -> `astro-ph`, `hep-th` -> `hep-th`."""
    return category.split(".", 1)[0]


def category_model() -> CategoryModel | None:
    """The shipped model, loaded once: threads asking while it loads wait for that load."""
    with _MODEL_LOCK:
        return _load_model()


_MODEL_LOCK = threading.Lock()


@cache
def _load_model() -> CategoryModel | None:
    if not MODEL_PATH.exists():
        log.warning("no category model at %s: papers without categories get none", MODEL_PATH)
        return None
    return CategoryModel.load()


def likely_categories(paper: Paper) -> tuple[str, ...]:
    """The model's predicted categories for a paper, most likely first (cached per text)."""
    return tuple(c for c, _, predicted in category_guess(paper) if predicted)


def category_guess(paper: Paper) -> tuple[tuple[str, float, bool], ...]:
    """`CategoryModel.guess` for a paper (cached per text; none without the model)."""
    if category_model() is None:
        return ()
    return _guess(paper.title, paper.abstract)


@lru_cache(maxsize=CACHED_PAPERS)
def _guess(title: str, abstract: str) -> tuple[tuple[str, float, bool], ...]:
    model = category_model()
    return model.guess(title, abstract) if model is not None else ()


@lru_cache(maxsize=CACHED_PAPERS)
def topic_categories(phrases: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    """`CategoryModel.topic_categories` (cached; none without the model or phrases)."""
    model = category_model()
    if model is None or not phrases:
        return ()
    return model.topic_categories(phrases)
