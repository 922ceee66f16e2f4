"""BM25 over a paper's sentences, with how much of the question each sentence covers.

Words are the ranking's (`bot.ranking.text.words`: lower case, hyphenated parts) without its
English stop words, stemmed with Snowball (Porter2), so "evaluated" meets "evaluate" and
"characterizations" meets "characterize". Unlike the ranking, research words such as "model",
"data" or "results" are kept: a question is about them. The words every question has ("what",
"paper", "use") are dropped from the question. A sentence's `coverage` is the share of the
question's IDF weight it contains: 1.0 when every asked-about word is in it, 0.0 when none is;
the thresholds that decide "the text does not say" are on coverage, which unlike a raw BM25
score means the same for a short abstract and a long paper.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from bot.answers.models import Passage
from bot.ranking.text import STOPWORDS, words

K1, B = 1.2, 0.75
_STEMMER = snowballstemmer.stemmer("english")
# the ranking's stop words that carry meaning in a question about one paper
KEPT = frozenset(
    [
        "approach",
        "based",
        "large",
        "learning",
        "method",
        "methods",
        "model",
        "models",
        "results",
        "tasks",
        "data",
        "shows",
        "propose",
        "proposed",
        "study",
        "paper",
    ]
)
STOP = STOPWORDS - KEPT


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def terms(text: str) -> list[str]:
    """Stemmed content words of `text`, in order."""
    return [_stem(w) for w in words(text) if w not in STOP and len(w) > 1]


QUESTION_WORDS = frozenset(
    _stem(w)
    for w in [
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "many",
        "much",
        "does",
        "do",
        "did",
        "is",
        "are",
        "was",
        "were",
        "paper",
        "papers",
        "author",
        "authors",
        "they",
        "their",
        "them",
        "this",
        "that",
        "these",
        "those",
        "work",
        "study",
        "use",
        "uses",
        "used",
        "using",
        "tell",
        "explain",
        "describe",
        "say",
        "says",
        "mention",
        "mentioned",
        "please",
        "anything",
        "kind",
        "type",
        "there",
        "any",
        "whether",
        "also",
    ]
)


@dataclass(frozen=True)
class Scored:
    passage: Passage
    score: float  # BM25
    coverage: float  # share of the question's IDF weight in this sentence, 0..1
    position: int  # index in reading order


def question_terms(question: str) -> list[str]:
    """The words a question asks about, in order, without repeats."""
    seen: dict[str, None] = {}
    for term in terms(question):
        if term not in QUESTION_WORDS:
            seen.setdefault(term, None)
    return list(seen)


def _passage_terms(passage: Passage) -> list[str]:
    """A sentence's words, plus its section's title words ("4.1 Datasets") outside the abstract."""
    found = terms(passage.text)
    return found if passage.from_abstract else found + terms(passage.where)


def score_passages(question: str, passages: Sequence[Passage]) -> list[Scored]:
    """Every passage that shares a word with the question, best first."""
    terms = question_terms(question)
    if not terms or not passages:
        return []
    docs = [Counter(_passage_terms(p)) for p in passages]
    n = len(docs)
    avg_len = sum(sum(d.values()) for d in docs) / n or 1.0
    df = Counter(t for d in docs for t in set(d) if t in terms)
    idf = {t: math.log(1.0 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in terms}
    total = sum(idf.values())
    out: list[Scored] = []
    for i, (passage, doc) in enumerate(zip(passages, docs, strict=True)):
        matched = [t for t in terms if doc[t]]
        if not matched:
            continue
        length = sum(doc.values())
        norm = K1 * (1 - B + B * length / avg_len)
        score = sum(idf[t] * doc[t] * (K1 + 1) / (doc[t] + norm) for t in matched)
        coverage = sum(idf[t] for t in matched) / total
        out.append(Scored(passage, score, coverage, i))
    out.sort(key=lambda s: (-s.coverage, -s.score, s.position))
    return out
