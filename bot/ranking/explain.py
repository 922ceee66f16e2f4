"""Structured evidence for a pick: the phrase, category, author or liked paper behind it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from bot.models import Paper, Reason, ReasonKind
from bot.ranking.categorizer import category_guess, topic_categories
from bot.ranking.features import Batch, known_categories, paper_categories
from bot.ranking.gate import NO_GATES, PriorGates
from bot.ranking.weights import Weights

if TYPE_CHECKING:
    from bot.ranking.profile import Profile


class Ranker(Protocol):
    """What a reason needs of the ranker (`bot.ranking.scoring.Ranker` is one)."""

    weights: Weights

    @property
    def embed(self) -> Callable[[Sequence[str]], np.ndarray] | None: ...

    def phrase_centroid(self, phrases: Sequence[str]) -> np.ndarray: ...


TOPIC_MIN = 0.5
SEMANTIC_MIN = 0.45
LEARNED_MIN = 0.5
GUESS_MIN = 0.3  # a likely category liked this much more than the rest is named
TRENDING_MIN = 20
SIMILAR_MIN = 3  # shared words for "like <a paper you liked>"


def explain(ranker: Ranker, profile: Profile, batch: Batch, i: int) -> tuple[Reason, ...]:
    """Reasons for paper `i` of the batch, strongest first (a digest shows two)."""
    return explain_many(ranker, profile, batch, [i])[0]


def explain_many(
    ranker: Ranker,
    profile: Profile,
    batch: Batch,
    picks: Sequence[int],
    best_affinity: Sequence[tuple[float, str]] | None = None,
    gates: PriorGates = NO_GATES,
) -> list[tuple[Reason, ...]]:
    """`explain` for several papers of one channel, with the channel's part done once.
    `best_affinity` (per pick) is what `explain_chunk` gives for many channels at once; without
    it, it is worked out here. `gates` are how far each category the topics point to counted
    today for this channel (`Ranker.prior_gates`)."""
    if not picks:
        return []
    w = ranker.weights
    phrases = [(p, batch.phrase_match(p)) for p in profile.phrases]
    semantic = bool(profile.phrases) and batch.embeddings is not None and ranker.embed is not None
    mine = {a.lower(): a for a in profile.authors} if profile.follow_authors else {}
    liked = [(pid, title, frozenset(terms)) for pid, title, terms in profile.liked]
    pointed = dict(topic_categories(tuple(profile.phrases))) if not profile.categories else {}
    affinities: dict[str, float] = {}
    sem: np.ndarray | None = None  # phrases x picks cosine, when a pick needs it

    def affinity_of(category: str) -> float:
        found = affinities.get(category)
        if found is None:
            found = affinities[category] = profile.category_affinity(category)
        return found

    out = []
    for n, i in enumerate(picks):
        paper = batch.papers[i]
        reasons: list[Reason] = []
        terms = batch.term_sets[i]
        best, best_value = None, 0.0
        for phrase, match in phrases:
            value = float(match[i])
            if value > best_value:
                best, best_value = phrase, value
        if best is not None and best_value >= TOPIC_MIN:
            reasons.append(
                Reason(ReasonKind.TOPIC, f"matches “{best}”", w.phrase * best_value, best)
            )
        elif semantic:
            assert batch.embeddings is not None
            if sem is None:  # once per channel: each typed phrase against every pick
                vectors = np.stack([ranker.phrase_centroid([p]) for p in profile.phrases])
                sem = vectors @ batch.embeddings[list(picks)].T.astype(np.float64)
            sim, phrase = max(zip(sem[:, n].tolist(), profile.phrases, strict=True))
            if sim >= SEMANTIC_MIN:
                reasons.append(
                    Reason(ReasonKind.TOPIC, f"about “{phrase}”", w.phrase_sem * sim, phrase)
                )
        cats = paper_categories(paper)
        field = "in" if known_categories(paper) else "likely in"  # the model's categories
        for cat in profile.categories:
            hit = next((c for c in cats if c == cat or c.startswith(cat + ".")), None)
            if hit:
                text = f"{field} {hit}"
                reasons.append(Reason(ReasonKind.CATEGORY, text, w.typed_category, cat))
                break
        else:  # no typed category: the category the typed topics point to
            hit = next((c for c in cats if c in pointed), None)
            if hit:
                if field == "in":
                    weight = w.topic_category * pointed[hit]
                else:  # a guessed category counts by the model's probability
                    chance = next(p for c, p, _ in category_guess(paper) if c == hit)
                    trust = profile.prior_trust(hit) ** w.prior_trust if w.prior_trust else 1.0
                    weight = w.topic_guess * pointed[hit] * chance * trust * gates.of(hit, batch)
                if weight > 0:
                    text = f"{field} {hit}, where your topics point"
                    reasons.append(Reason(ReasonKind.CATEGORY, text, weight, hit))
        if mine:
            hit_author = next((mine[a.lower()] for a in paper.authors if a.lower() in mine), None)
            if hit_author:
                reasons.append(
                    Reason(ReasonKind.AUTHOR, f"by {hit_author} (followed)", w.author, hit_author)
                )
        if profile.opinions:
            if best_affinity is not None:
                affinity = best_affinity[n]
            else:
                affinity = max(((affinity_of(c), c) for c in cats), default=(0.0, ""))
            if affinity[0] * w.learned_category >= LEARNED_MIN:
                reasons.append(
                    Reason(
                        ReasonKind.LEARNED,
                        f"you 👍 papers in {affinity[1]}"
                        + ("" if field == "in" else " (likely its field)"),
                        affinity[0] * w.learned_category,
                        affinity[1],
                    )
                )
            if field != "in" and (guess := _learned_guess(profile, paper, w.learned_guess)):
                reasons.append(guess)
            similar = _most_similar_liked(liked, paper.id, terms)
            if similar is not None:
                pid, title, overlap = similar
                reasons.append(
                    Reason(ReasonKind.SIMILAR, f"like “{_short(title)}” you 👍", 0.2 * overlap, pid)
                )
        if paper.upvotes and paper.upvotes >= TRENDING_MIN:
            pop = w.popularity * float(np.log1p(paper.upvotes) / np.log(101))
            reasons.append(
                Reason(ReasonKind.TRENDING, f"trending on HF ({paper.upvotes} upvotes)", pop)
            )
        if not reasons:  # lifted by feedback from today's best matches, or by learned words
            if cats:
                text = f"{field} {cats[0]}, like today's best matches"
                reasons.append(Reason(ReasonKind.CATEGORY, text, 0.0, cats[0]))
            elif best is not None:
                reasons.append(Reason(ReasonKind.TOPIC, f"related to “{best}”", 0.0, best))
        reasons.sort(key=lambda r: -r.weight)
        out.append(tuple(reasons))
    return out


def _learned_guess(profile: Profile, paper: Paper, weight: float) -> Reason | None:
    """For a paper without categories: the likely category whose learned affinity (from papers
    without categories) lifts it most, if it is strong enough to name."""
    if not (profile.guess_pos or profile.guess_neg):
        return None
    best = max(
        ((prob * profile.guess_affinity(c), c) for c, prob, _ in category_guess(paper)),
        default=(0.0, ""),
    )
    if best[0] < GUESS_MIN:
        return None
    text = f"you 👍 papers likely in {best[1]}"
    return Reason(ReasonKind.LEARNED, text, weight * best[0], best[1])


def _most_similar_liked(
    liked: Sequence[tuple[str, str, frozenset[str]]], paper_id: str, terms: frozenset[str]
) -> tuple[str, str, int] | None:
    """The first liked paper (not this one) sharing the most words, at least 3."""
    if not liked:
        return None
    overlaps = [
        len(terms & liked_terms) if pid != paper_id else -1 for pid, _, liked_terms in liked
    ]
    most = max(overlaps)
    if most < SIMILAR_MIN:
        return None
    pid, title, _ = liked[overlaps.index(most)]
    return pid, title, most


def _short(title: str, limit: int = 50) -> str:
    return title if len(title) <= limit else title[: limit - 1].rsplit(" ", 1)[0] + "…"
