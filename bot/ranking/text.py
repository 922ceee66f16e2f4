"""Tokenising for lexical ranking: lower-case words, stop words removed, light stemming."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from functools import lru_cache

from bot.models import Paper

_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*[a-z0-9]|[a-z0-9]")
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "via",
        "using",
        "use",
        "used",
        "based",
        "new",
        "approach",
        "method",
        "methods",
        "paper",
        "propose",
        "proposed",
        "show",
        "shows",
        "results",
        "also",
        "however",
        "well",
        "towards",
        "toward",
        "study",
        "model",
        "models",
        "work",
        "task",
        "tasks",
        "learning",
        "data",
        "large",
    ]
)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A deliberately light stemmer: plural and a few common suffixes."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, repl in (
        ("ies", "y"),
        ("sses", "ss"),
        ("ing", ""),
        ("ations", "ate"),
        ("ation", "ate"),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + repl
    if word.endswith("s") and not word.endswith("ss") and not word.endswith("us"):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Lower-case words, hyphenated words split into parts as well; nothing removed."""
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        out.extend([word, *word.split("-")] if "-" in word else [word])
    return [w for w in out if w]


def tokens(text: str) -> list[str]:
    """Stemmed content words, hyphenated words split into parts as well."""
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        parts = [word, *word.split("-")] if "-" in word else [word]
        for part in parts:
            if part and part not in STOPWORDS and len(part) > 1:
                out.append(stem(part))
    return out


def bigrams(toks: list[str]) -> list[str]:
    return [f"{a} {b}" for a, b in itertools.pairwise(toks)]


def word_pattern(keyword: str) -> re.Pattern[str]:
    """Word-boundary, case-insensitive match for an excluded keyword or phrase."""
    escaped = r"\s+".join(re.escape(part) for part in keyword.split())
    return re.compile(rf"(?<![\w-]){escaped}(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=20_000)
def phrase_terms(phrase: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A typed phrase's words and bigrams (cached: phrases recur in every ranking)."""
    toks = tokens(phrase)
    return tuple(toks), tuple(bigrams(toks))


def paper_terms(paper: Paper) -> Counter[str]:
    """Unigram and bigram counts of title (counted twice) and abstract."""
    title, body = tokens(paper.title), tokens(paper.abstract)
    counts: Counter[str] = Counter(title * 2 + body)
    counts.update(bigrams(title) * 2 + bigrams(body))
    return counts
