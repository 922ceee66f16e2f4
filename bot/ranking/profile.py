"""A channel's profile: typed interests (the prior) plus state learned from reactions."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.models import Channel, InterestKind, Paper
from bot.ranking.text import tokens

MAX_TERMS = 400
MAX_LIKED = 30
LEARN_RATE_CATEGORY = 0.15
LEARN_RATE_AUTHOR = 0.5
LEARN_RATE_TERM = 0.15


@dataclass
class Profile:
    """Everything the ranker knows about one channel. Serialisable with `to_json`."""

    phrases: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    follow_authors: bool = True
    category_weights: dict[str, float] = field(default_factory=dict)
    author_weights: dict[str, float] = field(default_factory=dict)
    term_weights: dict[str, float] = field(default_factory=dict)
    liked: list[tuple[str, str, list[str]]] = field(default_factory=list)  # id, title, terms
    positives: int = 0
    negatives: int = 0

    @classmethod
    def from_phrases(
        cls,
        phrases: list[str] | tuple[str, ...] = (),
        *,
        categories: list[str] | tuple[str, ...] = (),
        authors: list[str] | tuple[str, ...] = (),
        excludes: list[str] | tuple[str, ...] = (),
    ) -> Profile:
        return cls(
            phrases=list(phrases),
            categories=list(categories),
            authors=list(authors),
            excludes=list(excludes),
        )

    @classmethod
    def for_channel(cls, channel: Channel) -> Profile:
        profile = cls.from_phrases(
            channel.interest_values(InterestKind.TOPIC),
            categories=channel.interest_values(InterestKind.CATEGORY),
            authors=channel.interest_values(InterestKind.AUTHOR),
            excludes=channel.interest_values(InterestKind.EXCLUDE),
        )
        profile.follow_authors = channel.settings.follow_authors
        return profile

    # ----------------------------------------------------------------- learning
    def apply_reaction(self, paper: Paper, value: int) -> None:
        """Online update from one opinion (+1 like, -1 dislike); cheap enough to run at once."""
        if value == 0:
            return
        sign = 1.0 if value > 0 else -1.0
        if value > 0:
            self.positives += 1
        else:
            self.negatives += 1
        for i, cat in enumerate(
            paper.categories or ((paper.primary_category,) if paper.primary_category else ())
        ):
            rate = LEARN_RATE_CATEGORY * (1.0 if i == 0 else 0.6)
            self.category_weights[cat] = self.category_weights.get(cat, 0.0) + sign * rate
        for author in paper.authors[:10]:
            key = author.lower()
            self.author_weights[key] = self.author_weights.get(key, 0.0) + sign * LEARN_RATE_AUTHOR
        terms = top_terms(paper)
        for term in terms:
            self.term_weights[term] = self.term_weights.get(term, 0.0) + sign * LEARN_RATE_TERM
        if value > 0:
            self.liked = [e for e in self.liked if e[0] != paper.id]
            self.liked.append((paper.id, paper.title, terms))
            self.liked = self.liked[-MAX_LIKED:]
        else:
            self.liked = [e for e in self.liked if e[0] != paper.id]
        self._prune()

    def _prune(self) -> None:
        if len(self.term_weights) > MAX_TERMS:
            keep = sorted(self.term_weights.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[
                :MAX_TERMS
            ]
            self.term_weights = dict(keep)
        self.author_weights = {k: v for k, v in self.author_weights.items() if abs(v) > 1e-9}

    # ------------------------------------------------------------ serialisation
    def to_json(self) -> str:
        data: dict[str, Any] = {
            "v": 1,
            "phrases": self.phrases,
            "categories": self.categories,
            "authors": self.authors,
            "excludes": self.excludes,
            "follow_authors": self.follow_authors,
            "category_weights": _rounded(self.category_weights),
            "author_weights": _rounded(self.author_weights),
            "term_weights": _rounded(self.term_weights),
            "liked": self.liked,
            "positives": self.positives,
            "negatives": self.negatives,
        }
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Profile:
        data = json.loads(text)
        return cls(
            phrases=list(data.get("phrases", [])),
            categories=list(data.get("categories", [])),
            authors=list(data.get("authors", [])),
            excludes=list(data.get("excludes", [])),
            follow_authors=bool(data.get("follow_authors", True)),
            category_weights=dict(data.get("category_weights", {})),
            author_weights=dict(data.get("author_weights", {})),
            term_weights=dict(data.get("term_weights", {})),
            liked=[(str(a), str(b), list(c)) for a, b, c in data.get("liked", [])],
            positives=int(data.get("positives", 0)),
            negatives=int(data.get("negatives", 0)),
        )


def top_terms(paper: Paper, n: int = 12) -> list[str]:
    """The paper's most frequent content words, title words counted twice."""
    counts = Counter(tokens(paper.title) * 2 + tokens(paper.abstract))
    return [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def _rounded(weights: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in sorted(weights.items())}
