"""The ranker: one linear score per paper from named parts, so every pick carries its evidence.

score = phrase prior (BM25 over the typed phrases, plus cosine to their embedding)
      + typed categories and followed authors
      + pseudo-relevance feedback (categories and embedding of today's best prior matches)
      + learned parts (category/author log-odds, Rocchio words, Rocchio embedding)
      + a small popularity and recency boost.
Every part is a sparse or dense dot product, so many channels rank in a few matrix products.
"""

from __future__ import annotations

import gc
import itertools
import math
import os
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from bot.models import Paper, ScoredPaper, Threshold
from bot.ranking.diversity import pick_many
from bot.ranking.explain import explain_many
from bot.ranking.features import Batch, build_batch
from bot.ranking.profile import Profile
from bot.ranking.text import phrase_terms, word_pattern

LABEL_MIN = 0.3
MIN_SCORE = {Threshold.LOW: 0.05, Threshold.MEDIUM: 0.15, Threshold.HIGH: 0.5}

EmbedFn = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Weights:
    """Tunable weights; the defaults were tuned on the 2026-02-02 window only."""

    phrase: float = 1.0
    phrase_sem: float = 2.0
    typed_category: float = 1.5
    author: float = 1.2
    prf_depth: int = 10
    prf_category: float = 1.2
    prf_sem: float = 1.0
    prf_fade: float = 0.0  # feedback fades as 1 / (1 + opinions / prf_fade); 0 keeps it constant
    learned_category: float = 1.0
    category_rarity: float = 1.0  # 0: every category alike; 1: rare categories count more
    category_max: bool = True  # a paper counts by its best learned category (else the sum)
    learned_author: float = 0.3
    learned_terms: float = 0.5
    learned_term_count: int = 64
    learned_sem: float = 1.0
    dislike_sem: float = 0.5
    popularity: float = 0.1
    recency: float = 0.01
    mmr_lambda: float = 0.8
    phrase_overlap: float = 0.5  # MMR: two papers best matching the same phrase count as similar
    phrase_overlap_until: int = 15  # ... while the channel has fewer opinions than this
    prf_per_topic: bool = False  # feedback also from the best matches of every typed phrase
    cover_topics: bool = False  # a new channel's digest gives each typed topic a place


@dataclass
class Query:
    """One channel as vectors over a batch's columns."""

    terms: dict[int, float] = field(default_factory=dict)
    cats: dict[int, float] = field(default_factory=dict)
    dense: np.ndarray | None = None
    authors: dict[str, float] = field(default_factory=dict)


@dataclass
class Prepared:
    """A chunk of channels' queries and excluded papers, ready for the matrix work."""

    prior: list[Query]
    learned: list[Query]
    learned_cats: list[dict[int, float]] | None
    excluded: np.ndarray


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
        self._phrase_cache: dict[str, np.ndarray] = {}

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
        scores = self.scores([profile], batch, floor=self._floor(threshold))[0]
        return self.select(profile, batch, scores, k=k, diversify=diversify)

    def rank_many(
        self,
        profiles: Sequence[Profile],
        batch: Batch,
        *,
        k: int,
        threshold: Threshold | None = None,
        explain: bool = True,
        chunk: int = 1000,
        workers: int | None = None,
    ) -> list[list[ScoredPaper]]:
        """Rank one candidate set for many channels (the daily fan-out), in chunks of channels.

        Each chunk's matrix work (products, feedback, MMR) runs on a small thread pool
        (`workers`, default min(2, CPUs)) while this thread builds the next chunk's queries and
        the previous chunk's reasons; chunks are independent, so the result is the same as one
        thread's. The cyclic garbage collector is paused meanwhile: the fan-out makes many
        short-lived objects, and collections that walk every profile cost more than the
        ranking itself."""
        if workers is None:
            workers = min(2, os.cpu_count() or 1)
        with _gc_paused():
            return self._rank_many(
                profiles, batch, k, self._floor(threshold), explain, chunk, workers
            )

    def _rank_many(
        self,
        profiles: Sequence[Profile],
        batch: Batch,
        k: int,
        floor: float,
        explain: bool,
        chunk: int,
        workers: int,
    ) -> list[list[ScoredPaper]]:
        parts = [profiles[start : start + chunk] for start in range(0, len(profiles), chunk)]
        # Phrase embeddings are cached in the order queries and reasons ask for them; keep that
        # order (chunk by chunk) when reasons may embed phrases, so results cannot differ.
        ordered = explain and self.embed is not None
        if workers <= 1 or len(parts) <= 1 or ordered:
            out: list[list[ScoredPaper]] = []
            for part in parts:
                matrix, picks = self._chunk(part, batch, self._prepare(part, batch), floor, k)
                out.extend(self._chunk_scored(part, batch, matrix, picks, explain))
            return out
        batch.warm(similarity=self.weights.mmr_lambda < 1.0)
        results: list[list[ScoredPaper]] = []
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending: deque[tuple[Sequence[Profile], Future[tuple[np.ndarray, list[list[int]]]]]]
            pending = deque()
            for part in parts:
                prepared = self._prepare(part, batch)
                pending.append((part, pool.submit(self._chunk, part, batch, prepared, floor, k)))
                while len(pending) > workers:
                    done, future = pending.popleft()
                    results.extend(self._chunk_scored(done, batch, *future.result(), explain))
            while pending:
                done, future = pending.popleft()
                results.extend(self._chunk_scored(done, batch, *future.result(), explain))
        return results

    def _chunk(
        self, part: Sequence[Profile], batch: Batch, prepared: Prepared, floor: float, k: int
    ) -> tuple[np.ndarray, list[list[int]]]:
        """Scores and MMR picks of one chunk of channels (numeric work; thread-safe)."""
        matrix = self._scores(part, batch, prepared, floor)
        picks = pick_many(
            matrix,
            batch,
            k,
            -np.inf,
            self.weights.mmr_lambda,
            labels=self.phrase_labels(part, batch),
            overlap=self.weights.phrase_overlap,
            cover=self.weights.cover_topics,
        )
        return matrix, picks

    def _chunk_scored(
        self,
        part: Sequence[Profile],
        batch: Batch,
        matrix: np.ndarray,
        picks: list[list[int]],
        explain: bool,
    ) -> list[list[ScoredPaper]]:
        return [
            self._scored(profile, batch, matrix[i], picks[i], explain)
            for i, profile in enumerate(part)
        ]

    @staticmethod
    def _floor(threshold: Threshold | None) -> float:
        return MIN_SCORE[threshold] if threshold is not None else -np.inf

    def _scored(
        self, profile: Profile, batch: Batch, scores: np.ndarray, picked: Sequence[int], why: bool
    ) -> list[ScoredPaper]:
        reasons = explain_many(self, profile, batch, picked) if why else [()] * len(picked)
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
        return self._scores(profiles, batch, self._prepare(profiles, batch), floor)

    def _prepare(self, profiles: Sequence[Profile], batch: Batch) -> Prepared:
        """The per-channel Python part of scoring: queries and excluded papers."""
        prior = [self._prior_query(p, batch) for p in profiles]
        learned = [self._learned_query(p, batch) for p in profiles]
        learned_cats: list[dict[int, float]] | None = None
        if self.weights.category_max:
            learned_cats = [q.cats for q in learned]
            for q in learned:
                q.cats = {}
        return Prepared(prior, learned, learned_cats, self._excluded(profiles, batch))

    def _scores(
        self, profiles: Sequence[Profile], batch: Batch, prepared: Prepared, floor: float
    ) -> np.ndarray:
        w = self.weights
        n = len(batch)
        first = self._apply(prepared.prior, batch) + self._apply(prepared.learned, batch)
        if prepared.learned_cats is not None:
            first += _best_category(prepared.learned_cats, batch)
        first += self._static(batch)[None, :]
        first[prepared.excluded] = -np.inf
        below = first < floor
        if w.prf_depth > 0 and n > w.prf_depth:
            first = first + self._prf(profiles, batch, first)
        first[below] = -np.inf
        return first

    def _static(self, batch: Batch) -> np.ndarray:
        w = self.weights
        pop = w.popularity * np.log1p(batch.upvotes) / math.log(101)
        return pop - w.recency * np.minimum(batch.age_days, 14)

    def _apply(self, queries: Sequence[Query], batch: Batch) -> np.ndarray:
        m, n = len(queries), len(batch)
        out = np.zeros((m, n))
        vocab_n = batch.terms.shape[1]
        q_terms = _stack([q.terms for q in queries], vocab_n)
        if q_terms.nnz:
            out += (batch.terms @ q_terms.T).T.toarray()
        q_cats = _stack([q.cats for q in queries], batch.cats.shape[1])
        if q_cats.nnz:
            out += (batch.cats @ q_cats.T).T.toarray()
        if batch.embeddings is not None:
            dim = batch.embeddings.shape[1]
            dense = [q.dense if q.dense is not None else np.zeros(dim) for q in queries]
            if any(q.dense is not None for q in queries):
                out += np.stack(dense).astype(np.float32) @ batch.embeddings.T
        for i, q in enumerate(queries):
            if q.authors:
                out[i] += _author_scores(q.authors, batch.papers)
        return out

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
        rows: list[dict[int, float]] = []
        spans = []
        for profile in profiles:
            start = len(rows)
            rows.extend(phrase_columns(phrase, batch) for phrase in profile.phrases)
            spans.append((start, len(rows)))
        matched = (batch.terms @ _stack(rows, batch.terms.shape[1]).T).T.toarray()
        labels = np.full((len(profiles), len(batch)), -1)
        for i, (start, end) in enumerate(spans):
            if end - start > 1:
                part = matched[start:end]
                best = part.argmax(axis=0)
                labels[i] = np.where(part.max(axis=0) >= LABEL_MIN, best, -1)
        return labels

    def _prior_query(self, profile: Profile, batch: Batch) -> Query:
        w = self.weights
        q = Query()
        for phrase in profile.phrases:
            for col, weight in phrase_columns(phrase, batch).items():
                q.terms[col] = q.terms.get(col, 0.0) + w.phrase * weight
        for cat in profile.categories:
            for col in batch.category_columns(cat):
                q.cats[col] = q.cats.get(col, 0.0) + w.typed_category
        if profile.follow_authors:
            for author in profile.authors:
                q.authors[author.lower()] = w.author
        if batch.embeddings is not None and profile.phrases and self.embed is not None:
            q.dense = w.phrase_sem * self.phrase_centroid(profile.phrases)
        return q

    def _learned_query(self, profile: Profile, batch: Batch) -> Query:
        w = self.weights
        q = Query()
        if not profile.opinions:
            return q
        rarity = batch.rarity_weights(w.category_rarity)
        cat_index, cat_pos, cat_neg = batch.cat_index, profile.cat_pos, profile.cat_neg
        log = math.log
        for cat in {*cat_pos, *cat_neg}:
            col = cat_index.get(cat)
            if col is None:
                continue
            aff = log((cat_pos.get(cat, 0.0) + 0.5) / (cat_neg.get(cat, 0.0) + 0.5))
            if aff:
                q.cats[col] = w.learned_category * aff * rarity[col]
        scale = w.learned_terms / max(profile.positives + profile.negatives, 1) ** 0.5
        vocab, terms = batch.vocab, q.terms
        for term, weight in profile.top_terms(w.learned_term_count):
            term_col = vocab.get(term)
            if term_col is not None:
                terms[term_col] = terms.get(term_col, 0.0) + scale * weight
        if batch.has_authors:
            for author in {*profile.author_pos, *profile.author_neg}:
                q.authors[author] = w.learned_author * profile.author_affinity(author)
        if batch.embeddings is not None:
            vec = np.zeros(batch.embeddings.shape[1])
            if profile.emb_pos is not None and profile.emb_pos_n > 0:
                vec += profile.emb_pos / profile.emb_pos_n
            if profile.emb_neg is not None and profile.emb_neg_n > 0:
                vec -= w.dislike_sem * profile.emb_neg / profile.emb_neg_n
            if vec.any():
                q.dense = w.learned_sem * vec
        return q

    def _prf(self, profiles: Sequence[Profile], batch: Batch, first: np.ndarray) -> np.ndarray:
        """Pseudo-relevance feedback: what today's best matches share lifts similar papers."""
        w = self.weights
        m, n = first.shape
        depth = w.prf_depth
        top = np.argpartition(-first, depth - 1, axis=1)[:, :depth]
        rows = [np.repeat(np.arange(m), depth)]
        cols = [top.ravel()]
        labels = self.topic_labels(profiles, batch) if w.prf_per_topic else None
        if labels is not None:  # and the best matches of each typed phrase
            rows_t, cols_t = _per_topic_top(first, labels, depth)
            rows.append(rows_t)
            cols.append(cols_t)
        indicator = sparse.csr_matrix(
            (np.ones(sum(len(r) for r in rows)), (np.concatenate(rows), np.concatenate(cols))),
            shape=(m, n),
        )
        indicator.sum_duplicates()
        indicator.data[:] = 1.0
        size = np.asarray(indicator.sum(axis=1))  # m x 1: papers in each feedback set
        out = np.zeros((m, n))
        fade = None
        if w.prf_fade > 0:
            fade = np.ones((m, 1))
            fade[:, 0] = [1 / (1 + p.opinions / w.prf_fade) for p in profiles]
        if w.prf_category and batch.cats.nnz:
            counts = (indicator @ batch.cats).toarray()  # channels x categories
            base = np.asarray(batch.cats.sum(axis=0)).ravel() / n
            lift = np.log((counts + 0.5) / (size * base[None, :] + 0.5))
            lift = np.maximum(lift, 0.0)
            out += w.prf_category * (batch.cats @ lift.T).T
        if w.prf_sem and batch.embeddings is not None:
            centroid = (indicator @ batch.embeddings) / size
            out += w.prf_sem * (centroid.astype(np.float32) @ batch.embeddings.T)
        return out * fade if fade is not None else out

    def _excluded(self, profiles: Sequence[Profile], batch: Batch) -> np.ndarray:
        mask = np.zeros((len(profiles), len(batch)), dtype=bool)
        for i, profile in enumerate(profiles):
            if profile.excludes:
                patterns = [word_pattern(x) for x in profile.excludes]
                for j, paper in enumerate(batch.papers):
                    text = paper.text
                    if any(rx.search(text) for rx in patterns):
                        mask[i, j] = True
        return mask

    def phrase_centroid(self, phrases: Sequence[str]) -> np.ndarray:
        assert self.embed is not None
        missing = [p for p in phrases if p not in self._phrase_cache]
        if missing:
            for phrase, vec in zip(missing, self.embed(missing), strict=True):
                self._phrase_cache[phrase] = np.asarray(vec, dtype=np.float64)
        mean = np.mean([self._phrase_cache[p] for p in phrases], axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm else mean

    # ---------------------------------------------------------------- selection
    def select(
        self,
        profile: Profile,
        batch: Batch,
        scores: np.ndarray,
        *,
        k: int | None,
        diversify: bool = True,
    ) -> list[ScoredPaper]:
        """Without k the full order (no reasons past the tenth); with k the digest's picks.
        `scores` come from `scores()`, which already applied the threshold."""
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
            return self._scored(profile, batch, scores, picked, True)
        ranked = np.lexsort((np.arange(len(scores)), -scores))
        order = [int(i) for i in ranked if np.isfinite(scores[i]) and scores[i] >= floor]
        head = self._scored(profile, batch, scores, order[:10], True)
        return head + self._scored(profile, batch, scores, order[10:], False)


def phrase_columns(phrase: str, batch: Batch) -> dict[int, float]:
    """A typed phrase as BM25 query weights: a full match of all its words and bigrams scores 1."""
    found = batch.phrase_cache.get(phrase)
    if found is None:
        found = batch.phrase_cache[phrase] = _phrase_columns(phrase, batch)
    return found


def _phrase_columns(phrase: str, batch: Batch) -> dict[int, float]:
    toks, grams = phrase_terms(phrase)
    terms = [*toks, *grams]
    if not terms:
        return {}
    factor = {t: 1.0 if " " not in t else 0.5 for t in terms}
    total = sum(f * batch.idf_of(t) for t, f in factor.items()) or 1.0
    out: dict[int, float] = {}
    for term, f in factor.items():
        col = batch.vocab.get(term)
        if col is not None:
            out[col] = out.get(col, 0.0) + f / total
    return out


@contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _stack(rows: Sequence[dict[int, float]], width: int) -> sparse.csr_matrix:
    lengths = [len(row) for row in rows]
    total = sum(lengths)
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    indices = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=total)
    data = np.fromiter(
        itertools.chain.from_iterable(row.values() for row in rows), dtype=np.float64, count=total
    )
    out = sparse.csr_matrix((data, indices, indptr), shape=(len(rows), max(width, 1)))
    out.has_sorted_indices = False
    out.sort_indices()
    return out


def _per_topic_top(
    first: np.ndarray, labels: np.ndarray, depth: int
) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) pairs of each channel's best papers per typed phrase, so one dominant
    topic does not drown the others in the feedback set."""
    topics = int(labels.max()) + 1
    per = max(1, depth // max(topics, 1))
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    every = np.arange(first.shape[0])
    for t in range(topics):
        masked = np.where(labels == t, first, -np.inf)
        idx = np.argpartition(-masked, per - 1, axis=1)[:, :per]
        ok = np.isfinite(np.take_along_axis(masked, idx, axis=1))
        rows.append(np.repeat(every, per)[ok.ravel()])
        cols.append(idx.ravel()[ok.ravel()])
    return np.concatenate(rows), np.concatenate(cols)


def _best_category(weights: Sequence[dict[int, float]], batch: Batch) -> np.ndarray:
    """Per channel and paper, the learned weight of the paper's best category (0 if none)."""
    m, n = len(weights), len(batch)
    if not any(weights):
        return np.zeros((m, n))
    cats = batch.cats.shape[1]
    table = np.zeros((m, cats + 1), dtype=np.float32)
    table[:, cats] = -np.inf
    lengths = [len(row) for row in weights]
    total = sum(lengths)
    rows = np.repeat(np.arange(m), lengths)
    cols = np.fromiter(itertools.chain.from_iterable(weights), dtype=np.int64, count=total)
    values = np.fromiter(
        itertools.chain.from_iterable(row.values() for row in weights),
        dtype=np.float64,
        count=total,
    )
    table[rows, cols] = values
    slots = batch.category_slots()
    best = table[:, slots[:, 0]]  # m x n: the best over each paper's category slots
    for s in range(1, slots.shape[1]):
        np.maximum(best, table[:, slots[:, s]], out=best)
    return np.where(np.isfinite(best), best, 0.0)


def _author_scores(weights: dict[str, float], papers: Sequence[Paper]) -> np.ndarray:
    out = np.zeros(len(papers))
    for j, paper in enumerate(papers):
        for author in paper.authors:
            out[j] += weights.get(author.lower(), 0.0)
    return out
