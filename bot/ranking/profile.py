"""A channel's profile: typed interests (the prior) plus additive state learned from reactions.

Learning is a sum over opinions (Rocchio on words and embeddings, like/dislike counts on
categories and authors), so it is order-independent, deterministic and exactly invertible:
`remove_reaction` subtracts what `apply_reaction` added. A paper whose source gave no
categories teaches its likely ones apart (`guess_pos`, `guess_neg`), each counted by the
category model's probability: reactions then correct where the typed topics point.
"""

from __future__ import annotations

import base64
import heapq
import itertools
import json
import math
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from bot.models import Channel, InterestKind, Paper
from bot.ranking.categorizer import category_guess
from bot.ranking.features import known_categories
from bot.ranking.keys import key_hashes
from bot.ranking.text import paper_terms

MAX_TERMS = 250  # learned words kept when serialised
LEARNED_TERMS = 64  # learned words a query uses (the ranker's default)
MAX_AUTHORS = 40
MAX_LIKED = 20
AUTHORS_PER_PAPER = 10
DISLIKE_TERM_RATE = 0.5
GUESS_SMOOTHING = 4.0  # pseudo-reactions of `Profile.guess_affinity`
_EPS = 1e-9


@dataclass(frozen=True)
class LearnedArrays:
    """The learned state the ranker reads, as arrays keyed by `key_hashes`: the strongest
    learned words with their weights, like/dislike counts per category and per author."""

    words: np.ndarray
    word_weights: np.ndarray
    cats: np.ndarray
    cat_pos: np.ndarray
    cat_neg: np.ndarray
    authors: np.ndarray
    author_pos: np.ndarray
    author_neg: np.ndarray
    guesses: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    guess_odds: np.ndarray = field(default_factory=lambda: np.zeros(0))  # `guess_affinity`
    liked: np.ndarray | None = None  # mean embedding of liked papers
    disliked: np.ndarray | None = None  # ... and of disliked ones


@dataclass
class Profile:
    """Everything the ranker knows about one channel. Serialisable with `to_json`."""

    phrases: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    follow_authors: bool = True
    # learned from reactions
    positives: int = 0
    negatives: int = 0
    cat_pos: dict[str, float] = field(default_factory=dict)
    cat_neg: dict[str, float] = field(default_factory=dict)
    author_pos: dict[str, float] = field(default_factory=dict)
    author_neg: dict[str, float] = field(default_factory=dict)
    guess_pos: dict[str, float] = field(default_factory=dict)  # likely categories of liked
    guess_neg: dict[str, float] = field(default_factory=dict)  # ... and disliked papers
    term_weights: dict[str, float] = field(default_factory=dict)
    emb_pos: np.ndarray | None = None
    emb_neg: np.ndarray | None = None
    emb_pos_n: int = 0
    emb_neg_n: int = 0
    liked: list[tuple[str, str, list[str]]] = field(default_factory=list)  # id, title, terms
    liked_n: dict[str, int] = field(default_factory=dict)  # likes each `liked` paper holds
    # caches of derived state, rebuilt after a reaction (not copied by `dataclasses.replace`)
    _top: dict[int, list[tuple[str, float]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _ordered: bool = field(default=False, init=False, repr=False, compare=False)
    _arrays: dict[int, LearnedArrays] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def from_phrases(
        cls,
        phrases: list[str] | tuple[str, ...] = (),
        *,
        categories: list[str] | tuple[str, ...] = (),
        authors: list[str] | tuple[str, ...] = (),
        excludes: list[str] | tuple[str, ...] = (),
        follow_authors: bool = True,
    ) -> Profile:
        return cls(
            phrases=[p.strip() for p in phrases if p.strip()],
            categories=list(categories),
            authors=list(authors),
            excludes=[e.strip() for e in excludes if e.strip()],
            follow_authors=follow_authors,
        )

    @classmethod
    def for_channel(cls, channel: Channel) -> Profile:
        return cls.from_phrases(
            channel.interest_values(InterestKind.TOPIC),
            categories=channel.interest_values(InterestKind.CATEGORY),
            authors=channel.interest_values(InterestKind.AUTHOR),
            excludes=channel.interest_values(InterestKind.EXCLUDE),
            follow_authors=channel.settings.follow_authors,
        )

    def copy(self) -> Profile:
        """An independent copy: learned maps and vectors copied, caches carried over (their
        contents are never changed in place, only replaced)."""
        out = replace(
            self,
            phrases=list(self.phrases),
            categories=list(self.categories),
            authors=list(self.authors),
            excludes=list(self.excludes),
            cat_pos=dict(self.cat_pos),
            cat_neg=dict(self.cat_neg),
            author_pos=dict(self.author_pos),
            author_neg=dict(self.author_neg),
            guess_pos=dict(self.guess_pos),
            guess_neg=dict(self.guess_neg),
            term_weights=dict(self.term_weights),
            emb_pos=None if self.emb_pos is None else self.emb_pos.copy(),
            emb_neg=None if self.emb_neg is None else self.emb_neg.copy(),
            liked=list(self.liked),
            liked_n=dict(self.liked_n),
        )
        out._top = dict(self._top)
        out._ordered = self._ordered
        out._arrays = dict(self._arrays)
        return out

    @property
    def opinions(self) -> int:
        return self.positives + self.negatives

    # ----------------------------------------------------------------- learning
    def apply_reaction(self, paper: Paper, value: int, embedding: np.ndarray | None = None) -> None:
        """Online update from one opinion (+1 like, -1 dislike); a few microseconds of work."""
        self._update(paper, value, embedding, +1.0)

    def remove_reaction(
        self, paper: Paper, value: int, embedding: np.ndarray | None = None
    ) -> None:
        """Undo `apply_reaction(paper, value, embedding)` exactly."""
        self._update(paper, value, embedding, -1.0)

    def _update(self, paper: Paper, value: int, embedding: np.ndarray | None, sign: float) -> None:
        if value == 0:
            return
        self._top.clear()
        self._arrays.clear()
        self._ordered = False
        like = value > 0
        if like:
            self.positives += int(sign)
        else:
            self.negatives += int(sign)
        known = known_categories(paper)
        counts = self.cat_pos if like else self.cat_neg
        for cat in dict.fromkeys(known):  # never a model's guess
            _add(counts, cat, sign)
        if not known:  # the likely categories, by the model's probability of each
            guessed = self.guess_pos if like else self.guess_neg
            for cat, prob, _ in category_guess(paper):
                _add(guessed, cat, sign * prob)
        people = self.author_pos if like else self.author_neg
        for author in paper.authors[:AUTHORS_PER_PAPER]:
            _add(people, author.lower(), sign)
        rate = sign * (1.0 if like else -DISLIKE_TERM_RATE)
        vector = term_vector(paper)
        for term, weight in vector.items():
            _add(self.term_weights, term, rate * weight)
        if embedding is not None:
            vec = np.asarray(embedding, dtype=np.float64)
            if like:
                self.emb_pos = (self.emb_pos if self.emb_pos is not None else 0 * vec) + sign * vec
                self.emb_pos_n += int(sign)
                if self.emb_pos_n == 0:  # nothing left: the state of never having learned
                    self.emb_pos = None
            else:
                self.emb_neg = (self.emb_neg if self.emb_neg is not None else 0 * vec) + sign * vec
                self.emb_neg_n += int(sign)
                if self.emb_neg_n == 0:
                    self.emb_neg = None
        if like:
            self._count_like(paper, vector, int(sign))

    def _count_like(self, paper: Paper, vector: dict[str, float], step: int) -> None:
        """The recently liked papers (for "similar to ... you liked"), each with the number of
        likes it holds: several people may like one paper, and one taking theirs back leaves it
        liked by the others."""
        held = self.liked_n.get(paper.id, 0) + step
        kept = [e for e in self.liked if e[0] != paper.id]
        if step < 0:
            if held > 0:
                self.liked_n[paper.id] = held
                return
            self.liked_n.pop(paper.id, None)
            self.liked = kept
            return
        words = heapq.nsmallest(
            8, (kv for kv in vector.items() if " " not in kv[0]), key=lambda kv: (-kv[1], kv[0])
        )
        self.liked = [*kept, (paper.id, paper.title[:120], [t for t, _ in words])]
        self.liked_n[paper.id] = held
        for old in self.liked[:-MAX_LIKED]:
            self.liked_n.pop(old[0], None)
        self.liked = self.liked[-MAX_LIKED:]

    def category_affinity(self, category: str) -> float:
        """Smoothed log-odds that the channel likes a paper in this category."""
        pos, neg = self.cat_pos.get(category, 0.0), self.cat_neg.get(category, 0.0)
        return math.log((pos + 0.5) / (neg + 0.5))

    @property
    def category_weights(self) -> dict[str, float]:
        """Learned affinity per category the channel reacted to (> 0: liked), for summaries."""
        return {c: self.category_affinity(c) for c in sorted({*self.cat_pos, *self.cat_neg})}

    def guess_affinity(self, category: str) -> float:
        """How much more often papers likely in this category get a 👍 than any paper without
        categories the channel reacted to (each counted by the model's probability): the log of
        the ratio of the two shares of 👍, the category's smoothed towards the channel's by
        `GUESS_SMOOTHING` pseudo-reactions. 0 without reactions, or when every reaction is a 👍."""
        pos, neg = self.guess_pos.get(category, 0.0), self.guess_neg.get(category, 0.0)
        liked, disliked = sum(self.guess_pos.values()), sum(self.guess_neg.values())
        rate = (liked + 0.5) / (liked + disliked + 1.0)
        share = (pos + GUESS_SMOOTHING * rate) / (pos + neg + GUESS_SMOOTHING)
        return math.log(share / rate)

    def prior_trust(self, category: str) -> float:
        """How reactions to papers likely in a category (papers without categories, counted by
        the model's probability) bear out the typed topics pointing there, against the
        channel's other such reactions: exp(`guess_affinity`), the ratio of the shares of 👍,
        at most 2. 1 without them or when its papers are liked as often as the rest."""
        return min(2.0, math.exp(self.guess_affinity(category)))

    def author_affinity(self, author: str) -> float:
        key = author.lower()
        pos, neg = self.author_pos.get(key, 0.0), self.author_neg.get(key, 0.0)
        return math.log((pos + 0.5) / (neg + 0.5))

    def top_terms(self, n: int = MAX_TERMS) -> list[tuple[str, float]]:
        """The n learned words with the largest weights (cached until the next reaction)."""
        if n not in self._top and self._ordered:
            self._top[n] = list(itertools.islice(self.term_weights.items(), n))
        if n not in self._top:
            ranked = heapq.nsmallest(
                n, self.term_weights.items(), key=lambda kv: (-abs(kv[1]), kv[0])
            )
            self._top[n] = ranked
        return self._top[n]

    def learned_arrays(self, terms: int = LEARNED_TERMS) -> LearnedArrays:
        """`LearnedArrays` with the `terms` strongest words (strongest first), categories and
        authors; built on restore (for `LEARNED_TERMS`), else when first asked after a change."""
        found = self._arrays.get(terms)
        if found is None:
            top = self.top_terms(terms)
            cats = list({**self.cat_pos, **self.cat_neg})
            authors = list({**self.author_pos, **self.author_neg})
            guesses = list({**self.guess_pos, **self.guess_neg})
            found = self._arrays[terms] = LearnedArrays(
                words=key_hashes(t for t, _ in top),
                word_weights=np.fromiter((w for _, w in top), np.float64, count=len(top)),
                cats=key_hashes(cats),
                cat_pos=_values(self.cat_pos, cats),
                cat_neg=_values(self.cat_neg, cats),
                authors=key_hashes(authors),
                author_pos=_values(self.author_pos, authors),
                author_neg=_values(self.author_neg, authors),
                guesses=key_hashes(guesses),
                guess_odds=np.fromiter(
                    map(self.guess_affinity, guesses), np.float64, count=len(guesses)
                ),
                liked=_mean(self.emb_pos, self.emb_pos_n),
                disliked=_mean(self.emb_neg, self.emb_neg_n),
            )
        return found

    # ------------------------------------------------------------ serialisation
    def to_json(self) -> str:
        data: dict[str, Any] = {
            "v": 2,
            "phrases": self.phrases,
            "categories": self.categories,
            "authors": self.authors,
            "excludes": self.excludes,
            "follow_authors": self.follow_authors,
            "positives": self.positives,
            "negatives": self.negatives,
            "cat_pos": _rounded(self.cat_pos),
            "cat_neg": _rounded(self.cat_neg),
            "author_pos": _rounded(_top(self.author_pos, MAX_AUTHORS)),
            "author_neg": _rounded(_top(self.author_neg, MAX_AUTHORS)),
            "guess_pos": _rounded(self.guess_pos),
            "guess_neg": _rounded(self.guess_neg),
            "term_weights": [[t, round(w, 4)] for t, w in self.top_terms()],
            "emb_pos": _pack(self.emb_pos),
            "emb_neg": _pack(self.emb_neg),
            "emb_pos_n": self.emb_pos_n,
            "emb_neg_n": self.emb_neg_n,
            "liked": self.liked,
            "liked_n": {pid: n for pid, n in self.liked_n.items() if n != 1},
        }
        return json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Profile:
        data = json.loads(text)
        terms = data.get("term_weights", [])
        profile = cls(
            phrases=list(data.get("phrases", [])),
            categories=list(data.get("categories", [])),
            authors=list(data.get("authors", [])),
            excludes=list(data.get("excludes", [])),
            follow_authors=bool(data.get("follow_authors", True)),
            positives=int(data.get("positives", 0)),
            negatives=int(data.get("negatives", 0)),
            cat_pos=dict(data.get("cat_pos", {})),
            cat_neg=dict(data.get("cat_neg", {})),
            author_pos=dict(data.get("author_pos", {})),
            author_neg=dict(data.get("author_neg", {})),
            guess_pos=dict(data.get("guess_pos", {})),
            guess_neg=dict(data.get("guess_neg", {})),
            term_weights=dict(terms.items() if isinstance(terms, dict) else terms),
            emb_pos=_unpack(data.get("emb_pos")),
            emb_neg=_unpack(data.get("emb_neg")),
            emb_pos_n=int(data.get("emb_pos_n", 0)),
            emb_neg_n=int(data.get("emb_neg_n", 0)),
            liked=[(str(a), str(b), list(c)) for a, b, c in data.get("liked", [])],
        )
        held = data.get("liked_n", {})
        profile.liked_n = {pid: int(held.get(pid, 1)) for pid, _, _ in profile.liked}
        profile._ordered = isinstance(terms, list)  # written strongest first by `to_json`
        if profile.opinions:
            profile.learned_arrays()  # restored ready to rank
        return profile


def term_vector(paper: Paper) -> dict[str, float]:
    """Sublinear tf of the paper's words and bigrams, L2-normalised (its Rocchio contribution)."""
    counts: Counter[str] = paper_terms(paper)
    weights = {t: 1.0 + math.log(c) for t, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}


def _add(counts: dict[str, float], key: str, delta: float) -> None:
    value = counts.get(key, 0.0) + delta
    if abs(value) < _EPS:
        counts.pop(key, None)
    else:
        counts[key] = value


def _values(counts: dict[str, float], keys: list[str]) -> np.ndarray:
    return np.fromiter(map(counts.get, keys, itertools.repeat(0.0)), np.float64, count=len(keys))


def _mean(total: np.ndarray | None, count: int) -> np.ndarray | None:
    return total / count if total is not None and count > 0 else None


def _top(weights: dict[str, float], n: int) -> dict[str, float]:
    return dict(sorted(weights.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:n])


def _rounded(weights: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in sorted(weights.items())}


def _pack(vec: np.ndarray | None) -> str | None:
    if vec is None:
        return None
    return base64.b64encode(np.asarray(vec, dtype="<f4").tobytes()).decode("ascii")


def _unpack(text: str | None) -> np.ndarray | None:
    if not text:
        return None
    return np.frombuffer(base64.b64decode(text), dtype="<f4").astype(np.float64)
