"""The ranker: one linear score per paper from named parts, so every pick carries its evidence.

score = phrase prior (BM25 over the typed phrases, plus cosine to their embedding)
      + typed categories and followed authors
      + where the typed topics point (category model), as far as it agrees with the rest
        (`gate`)
      + pseudo-relevance feedback (categories and embedding of today's best prior matches)
      + learned parts (category/author log-odds, Rocchio words, Rocchio embedding)
      + a small popularity and recency boost.
Every part is a sparse or dense dot product: `prepare` gathers a channel's queries, `products`
multiplies them with the day's features, `prf` adds the feedback; this module orchestrates the
scoring and the selection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from scipy import sparse

from bot.models import Paper, ScoredPaper, Threshold
from bot.ranking.diversity import pick_many
from bot.ranking.explain import explain_many
from bot.ranking.features import Batch, build_batch
from bot.ranking.gate import PriorGates, prior_gates
from bot.ranking.prepare import Prepared, prepare
from bot.ranking.prf import feedback_scores
from bot.ranking.products import add_pointed, evidence, static_scores
from bot.ranking.profile import Profile
from bot.ranking.queries import phrase_matches
from bot.ranking.weights import Weights, score_floor

LABEL_MIN = 0.3  # a paper's best typed phrase counts (`topic_labels`) from this match on

EmbedFn = Callable[[Sequence[str]], np.ndarray]


class Ranker:
    """Rank papers for profiles; deterministic for the same inputs. Embeddings are optional."""

    def __init__(
        self,
        weights: Weights | None = None,
        *,
        embed: EmbedFn | None = None,
        popularity_weight: float | None = None,
    ) -> None:
        w = weights or Weights()
        if popularity_weight is not None:
            from dataclasses import replace

            w = replace(w, popularity=popularity_weight)
        self.weights = w
        self.embed = embed
        self._phrase_ids: dict[str, int] = {}  # phrase -> its row of `_phrase_matrix`
        self._phrase_matrix: np.ndarray | None = None  # embedded typed phrases
        self._unit_cache: dict[str, np.ndarray] = {}

    @property
    def name(self) -> str:
        return "semantic" if self.embed is not None else "lexical"

    # --------------------------------------------------------------- public API
    def rank(
        self,
        profile: Profile,
        papers: Sequence[Paper] | Batch,
        *,
        k: int | None = None,
        threshold: Threshold | None = None,
        embeddings: Mapping[str, np.ndarray] | None = None,
        diversify: bool = True,
    ) -> list[ScoredPaper]:
        """Score and order; with `k`, a diverse top k over the threshold, each with reasons."""
        batch = papers if isinstance(papers, Batch) else build_batch(papers, embeddings)
        if not len(batch):
            return []
        prepared = self._prepared([profile], batch)
        scores, gates = self._scores([profile], batch, prepared, score_floor(threshold))
        return self.select(profile, batch, scores[0], k=k, diversify=diversify, gates=gates)

    def _scored(
        self,
        profile: Profile,
        batch: Batch,
        scores: np.ndarray,
        picked: Sequence[int],
        why: bool,
        gates: PriorGates,
    ) -> list[ScoredPaper]:
        reasons = (
            explain_many(self, profile, batch, picked, gates=gates) if why else [()] * len(picked)
        )
        return [
            ScoredPaper(batch.papers[i], round(float(scores[i]), 6), why_i)
            for i, why_i in zip(picked, reasons, strict=True)
        ]

    # ------------------------------------------------------------------ scoring
    def scores(
        self, profiles: Sequence[Profile], batch: Batch, *, floor: float = -np.inf
    ) -> np.ndarray:
        """channels x papers score matrix; excluded papers get -inf, and so do papers whose own
        evidence (everything but the pseudo-relevance feedback) is under `floor`."""
        return self._scores(profiles, batch, self._prepared(profiles, batch), floor)[0]

    def prior_gates(self, profiles: Sequence[Profile], batch: Batch) -> PriorGates:
        """Per channel and pointed category, how far it counts today (`bot.ranking.gate`)."""
        return self._scores(profiles, batch, self._prepared(profiles, batch), -np.inf)[1]

    def _prepared(self, profiles: Sequence[Profile], batch: Batch) -> Prepared:
        centroids = self.phrase_centroids if self.embed is not None else None
        return prepare(self.weights, profiles, batch, centroids)

    def _scores(
        self, profiles: Sequence[Profile], batch: Batch, prepared: Prepared, floor: float
    ) -> tuple[np.ndarray, PriorGates]:
        """channels x papers (float32): the channels' evidence, the prior of where their typed
        topics point as far as it agrees with it, then the feedback it gives; and how far each
        pointed category counted."""
        w = self.weights
        n = len(batch)
        first = evidence(prepared, batch)
        gates = prior_gates(first, batch, w.prior_full_lift, prepared.topic_guesses is not None)
        first += static_scores(w, batch)[None, :]
        first[prepared.excluded] = -np.inf
        add_pointed(first, prepared, batch, gates)
        below = first < floor
        if w.prf_depth > 0 and n > w.prf_depth:
            labels = self.topic_labels(profiles, batch) if w.prf_per_topic else None
            first += feedback_scores(w, profiles, batch, first, labels)
        first[below] = -np.inf
        return first, gates

    def phrase_labels(self, profiles: Sequence[Profile], batch: Batch) -> np.ndarray | None:
        """For MMR: `topic_labels`, only for channels still learning (few opinions)."""
        if not self.weights.phrase_overlap:
            return None
        new = [i for i, p in enumerate(profiles) if p.opinions < self.weights.phrase_overlap_until]
        part = self.topic_labels([profiles[i] for i in new], batch) if new else None
        if part is None:
            return None
        labels = np.full((len(profiles), len(batch)), -1)
        labels[new] = part
        return labels

    def topic_labels(self, profiles: Sequence[Profile], batch: Batch) -> np.ndarray | None:
        """channels x papers: which typed phrase a paper matches best (-1: none clearly)."""
        if not any(len(p.phrases) > 1 for p in profiles):
            return None
        spans = []
        matches: list[np.ndarray] = []
        for profile in profiles:
            spans.append((len(matches), len(matches) + len(profile.phrases)))
            matches.extend(phrase_matches(phrase, batch) for phrase in profile.phrases)
        matched = np.stack(matches) if matches else np.zeros((0, len(batch)))
        labels = np.full((len(profiles), len(batch)), -1)
        for i, (start, end) in enumerate(spans):
            if end - start > 1:
                part = matched[start:end]
                best = part.argmax(axis=0)
                labels[i] = np.where(part.max(axis=0) >= LABEL_MIN, best, -1)
        return labels

    def phrase_centroid(self, phrases: Sequence[str]) -> np.ndarray:
        if len(phrases) == 1:  # reasons ask for one phrase at a time, many times
            found = self._unit_cache.get(phrases[0])
            if found is None:
                found = self._unit_cache[phrases[0]] = self.phrase_centroids([phrases])[0]
            return found
        result: np.ndarray = self.phrase_centroids([phrases])[0]
        return result

    def phrase_centroids(self, groups: Sequence[Sequence[str]]) -> np.ndarray:
        """The unit mean embedding of each group of typed phrases: every phrase is embedded
        once and kept as a row of one matrix, so a chunk's centroids are one sparse product."""
        assert self.embed is not None
        ids = self._phrase_ids
        missing = list(dict.fromkeys(p for g in groups for p in g if p not in ids))
        if missing:
            vectors = np.asarray(self.embed(missing), dtype=np.float64)
            ids.update(zip(missing, range(len(ids), len(ids) + len(missing)), strict=True))
            known = self._phrase_matrix
            self._phrase_matrix = vectors if known is None else np.vstack([known, vectors])
        assert self._phrase_matrix is not None
        counts = np.array([len(g) for g in groups])
        cols = np.fromiter((ids[p] for g in groups for p in g), np.int64, count=int(counts.sum()))
        rows = np.repeat(np.arange(len(groups)), counts)
        share = np.repeat(1.0 / np.maximum(counts, 1), counts)
        members = sparse.csr_matrix((share, (rows, cols)), shape=(len(groups), len(ids)))
        means = members @ self._phrase_matrix
        norms = np.linalg.norm(means, axis=1, keepdims=True)
        result: np.ndarray = means / np.where(norms > 0, norms, 1.0)
        return result

    # ---------------------------------------------------------------- selection
    def select(
        self,
        profile: Profile,
        batch: Batch,
        scores: np.ndarray,
        *,
        k: int | None,
        diversify: bool = True,
        gates: PriorGates | None = None,
    ) -> list[ScoredPaper]:
        """Without k the full order (no reasons past the tenth); with k the digest's picks.
        `scores` come from `scores()`, which already applied the threshold; `gates` are the
        channel's from `prior_gates` (worked out here when not given), for the reasons."""
        if gates is None:
            gates = self.prior_gates([profile], batch)
        floor = -np.inf
        if k is not None:
            lam = self.weights.mmr_lambda if diversify else 1.0
            labels = self.phrase_labels([profile], batch)
            overlap = self.weights.phrase_overlap
            picked = pick_many(
                scores[None, :],
                batch,
                k,
                floor,
                lam,
                labels=labels,
                overlap=overlap,
                cover=self.weights.cover_topics,
            )[0]
            return self._scored(profile, batch, scores, picked, True, gates)
        ranked = np.lexsort((np.arange(len(scores)), -scores))
        order = [int(i) for i in ranked if np.isfinite(scores[i]) and scores[i] >= floor]
        head = self._scored(profile, batch, scores, order[:10], True, gates)
        return head + self._scored(profile, batch, scores, order[10:], False, gates)
