"""The default ranker: lexical phrase matching, categories, authors and learned weights.

Needs no model download. Scores are built from named parts so every pick carries its evidence.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.models import Paper, Reason, ReasonKind, ScoredPaper, Threshold
from bot.ranking.profile import Profile
from bot.ranking.text import bigrams, tokens, word_pattern

W_PHRASE = 1.0
W_CATEGORY_PRIMARY = 0.8
W_CATEGORY_CROSS = 0.5
W_AUTHOR = 1.2
W_POPULARITY = 0.1
MMR_LAMBDA = 0.75
MIN_SCORE = {Threshold.LOW: 0.05, Threshold.MEDIUM: 0.25, Threshold.HIGH: 0.6}


@dataclass(frozen=True, slots=True)
class _Doc:
    paper: Paper
    tf: Counter[str]
    grams: frozenset[str]
    length: int


class LexicalRanker:
    """Rank papers for a profile; deterministic for the same inputs."""

    name = "lexical"

    def __init__(self, popularity_weight: float = W_POPULARITY) -> None:
        self.popularity_weight = popularity_weight

    def rank(
        self,
        profile: Profile,
        papers: Sequence[Paper],
        *,
        k: int | None = None,
        threshold: Threshold | None = None,
        diversify: bool = True,
    ) -> list[ScoredPaper]:
        """Score, filter excluded keywords, order; with `k`, pick a diverse top k over threshold."""
        excluded = [word_pattern(w) for w in profile.excludes if w.strip()]
        kept = [p for p in papers if not any(rx.search(p.text) for rx in excluded)]
        docs = [self._doc(p) for p in kept]
        idf = _idf(docs)
        scored = [self._score(profile, d, idf) for d in docs]
        scored.sort(key=lambda s: (-s.score, s.paper.id))
        if threshold is not None:
            scored = [s for s in scored if s.score >= MIN_SCORE[threshold]]
        if k is None:
            return scored
        if not diversify:
            return scored[:k]
        return _mmr(scored, {d.paper.id: d for d in docs}, k)

    @staticmethod
    def _doc(paper: Paper) -> _Doc:
        title = tokens(paper.title)
        body = tokens(paper.abstract)
        tf = Counter(title * 2 + body)
        return _Doc(
            paper, tf, frozenset(bigrams(title) + bigrams(body)), len(title) * 2 + len(body)
        )

    def _score(self, profile: Profile, doc: _Doc, idf: dict[str, float]) -> ScoredPaper:
        paper = doc.paper
        reasons: list[Reason] = []
        total = 0.0

        best_phrase, best_value, phrase_sum = None, 0.0, 0.0
        for phrase in profile.phrases:
            value = _phrase_match(phrase, doc, idf)
            phrase_sum += value
            if value > best_value:
                best_phrase, best_value = phrase, value
        if best_phrase is not None:
            phrase_score = W_PHRASE * (best_value + 0.25 * (phrase_sum - best_value))
            total += phrase_score
            if best_value >= 0.35:
                reasons.append(
                    Reason(ReasonKind.TOPIC, f"matches “{best_phrase}”", phrase_score, best_phrase)
                )

        cats = paper.categories
        for cat in profile.categories:
            hit = [c for c in cats if c == cat or c.startswith(cat + ".")]
            if hit:
                weight = W_CATEGORY_PRIMARY if cats and hit[0] == cats[0] else W_CATEGORY_CROSS
                total += weight
                reasons.append(Reason(ReasonKind.CATEGORY, f"in {hit[0]}", weight, cat))
                break

        if profile.follow_authors and profile.authors and paper.authors:
            lowered = {a.lower() for a in paper.authors}
            for author in profile.authors:
                if author.lower() in lowered:
                    total += W_AUTHOR
                    reasons.append(
                        Reason(ReasonKind.AUTHOR, f"by {author} (followed)", W_AUTHOR, author)
                    )
                    break

        learned = self._learned(profile, doc, reasons)
        total += learned

        if paper.upvotes and self.popularity_weight > 0:
            pop = self.popularity_weight * math.log1p(paper.upvotes) / math.log(101)
            total += pop
            if paper.upvotes >= 20:
                reasons.append(
                    Reason(ReasonKind.TRENDING, f"trending on HF ({paper.upvotes} upvotes)", pop)
                )

        reasons.sort(key=lambda r: -r.weight)
        return ScoredPaper(paper, round(total, 6), tuple(reasons))

    @staticmethod
    def _learned(profile: Profile, doc: _Doc, reasons: list[Reason]) -> float:
        if not (profile.category_weights or profile.term_weights or profile.author_weights):
            return 0.0
        paper = doc.paper
        cat_part = 0.0
        for i, cat in enumerate(paper.categories):
            cat_part += profile.category_weights.get(cat, 0.0) * (1.0 if i == 0 else 0.5)
        author_part = sum(profile.author_weights.get(a.lower(), 0.0) for a in paper.authors)
        term_hits = [(t, profile.term_weights[t]) for t in doc.tf if t in profile.term_weights]
        term_part = (
            sum(w * min(doc.tf[t], 3) for t, w in term_hits) / math.sqrt(max(doc.length, 1)) * 2.0
        )
        learned = cat_part + author_part + term_part
        if learned > 0.15:
            similar = _most_similar_liked(profile, doc)
            if similar is not None:
                reasons.append(
                    Reason(
                        ReasonKind.SIMILAR,
                        f"similar to “{_short(similar[1])}” you 👍",
                        learned,
                        similar[0],
                    )
                )
            else:
                liked_cats = [c for c in paper.categories if profile.category_weights.get(c, 0) > 0]
                what = liked_cats[0] if liked_cats else "this topic"
                reasons.append(
                    Reason(ReasonKind.LEARNED, f"you 👍 papers in {what}", learned, what)
                )
        return learned


def _phrase_match(phrase: str, doc: _Doc, idf: dict[str, float]) -> float:
    """How well a typed phrase matches: idf-weighted token coverage plus a bigram bonus."""
    toks = tokens(phrase)
    if not toks:
        return 0.0
    weights = [idf.get(t, 1.0) for t in toks]
    covered = sum(
        w * min(1.0, 0.6 + 0.2 * doc.tf[t]) for t, w in zip(toks, weights, strict=True) if doc.tf[t]
    )
    coverage = covered / sum(weights)
    grams = bigrams(toks)
    bonus = 0.5 * sum(1 for g in grams if g in doc.grams) / len(grams) if grams else 0.0
    return coverage**2 + bonus


def _idf(docs: Iterable[_Doc]) -> dict[str, float]:
    docs = list(docs)
    n = len(docs)
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.tf.keys())
    return {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}


def _most_similar_liked(profile: Profile, doc: _Doc) -> tuple[str, str] | None:
    best, best_overlap = None, 2
    for paper_id, title, terms in profile.liked:
        if paper_id == doc.paper.id:
            continue
        overlap = sum(1 for t in terms if t in doc.tf)
        if overlap > best_overlap:
            best, best_overlap = (paper_id, title), overlap
    return best


def _mmr(scored: list[ScoredPaper], docs: dict[str, _Doc], k: int) -> list[ScoredPaper]:
    """Maximal marginal relevance: no digest of five near-duplicates."""
    pool = scored[: max(k * 8, 40)]
    picked: list[ScoredPaper] = []
    top = pool[0].score if pool else 0.0
    scale = top if top > 0 else 1.0
    while pool and len(picked) < k:
        best_i, best_val = 0, -math.inf
        for i, cand in enumerate(pool):
            sim = max(
                (_jaccard(docs[cand.paper.id], docs[p.paper.id]) for p in picked), default=0.0
            )
            value = MMR_LAMBDA * cand.score / scale - (1 - MMR_LAMBDA) * sim
            if value > best_val:
                best_i, best_val = i, value
        picked.append(pool.pop(best_i))
    return picked


def _jaccard(a: _Doc, b: _Doc) -> float:
    sa, sb = set(a.tf), set(b.tf)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def _short(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1].rsplit(" ", 1)[0] + "…"
