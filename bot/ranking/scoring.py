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
import math
import os
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from bot.models import Paper, ScoredPaper, Threshold
from bot.ranking.diversity import pick_many
from bot.ranking.explain import explain_many
from bot.ranking.explain_chunk import best_affinities
from bot.ranking.features import Batch, build_batch
from bot.ranking.profile import LEARNED_TERMS, Profile
from bot.ranking.queries import LearnedRows, Rows, phrase_arrays, split_terms, topic_arrays
from bot.ranking.topk import top_k

try:  # adds a CSR matrix into a dense one (scipy's own `toarray` uses it)
    from scipy.sparse._sparsetools import csr_todense as _csr_todense
except ImportError:  # pragma: no cover - a scipy that moved it: the plain add below
    _csr_todense = None

LABEL_MIN = 0.3
MIN_SCORE = {Threshold.LOW: 0.05, Threshold.MEDIUM: 0.15, Threshold.HIGH: 0.5}

EmbedFn = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Weights:
    """Tunable weights; the defaults were tuned on the 2026-02-02 window only."""

    phrase: float = 1.0
    phrase_sem: float = 3.0
    typed_category: float = 1.5
    topic_category: float = 1.0  # the categories the typed topics point to (category model)
    topic_guess: float = 4.0  # ... for a paper without categories: times the model's probability
    author: float = 1.2
    prf_depth: int = 6
    prf_category: float = 1.2
    prf_guess: float = 0.5  # the category lift for a paper whose categories are the model's guess
    prf_sem: float = 1.0
    prf_fade: float = 0.0  # feedback fades as 1 / (1 + opinions / prf_fade); 0 keeps it constant
    learned_category: float = 1.0
    category_rarity: float = 1.0  # 0: every category alike; 1: rare categories count more
    category_max: bool = True  # a paper counts by its best learned category (else the sum)
    learned_author: float = 0.3
    learned_terms: float = 0.8
    learned_term_count: int = LEARNED_TERMS
    learned_sem: float = 2.0
    dislike_sem: float = 0.5
    popularity: float = 0.1
    recency: float = 0.01
    mmr_lambda: float = 0.8
    phrase_overlap: float = 0.5  # MMR: two papers best matching the same phrase count as similar
    phrase_overlap_until: int = 15  # ... while the channel has fewer opinions than this
    prf_per_topic: bool = False  # feedback also from the best matches of every typed phrase
    cover_topics: bool = False  # a new channel's digest gives each typed topic a place


@dataclass
class Prepared:
    """A chunk of channels as matrices over a batch's columns, ready for the matrix work.

    Typed interests (the prior) and what was learned add up in one query per channel: word
    weights, category weights, an embedding and author weights; with `Weights.category_max`
    the learned category weights stay apart (a paper counts by its best one)."""

    terms: sparse.csr_matrix  # channels x vocabulary, the batch's frequent words left out
    dense_terms: np.ndarray | None  # channels x the batch's frequent words (`TermSplit`)
    cats: sparse.csr_matrix  # channels x categories
    topics: sparse.csr_matrix  # channels x categories the typed topics point to (known ones)
    topic_guesses: sparse.csr_matrix | None  # ... x `Batch.guesses` columns (guessed ones)
    learned_cats: np.ndarray | None  # channels x (categories + 1), -inf where not learned
    dense: np.ndarray | None  # channels x dim (float32), or None
    authors: sparse.csr_matrix | None  # channels x batch authors
    excluded: np.ndarray  # channels x papers, True where an excluded keyword matches
    odds: np.ndarray | None = None  # channels x (categories + 1) learned log-odds, for reasons


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
        with _gc_paused(), _blas_single_threaded(workers > 1):
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
        # Only this thread embeds phrases (a chunk's queries embed all its phrases before its
        # reasons are asked for), so the threads cannot change what is embedded when.
        if workers <= 1 or len(parts) <= 1:
            out: list[list[ScoredPaper]] = []
            for part in parts:
                prepared = self._prepare(part, batch)
                matrix, picks = self._chunk(part, batch, prepared, floor, k)
                out.extend(self._chunk_scored(part, batch, prepared, matrix, picks, explain))
            return out
        w = self.weights
        batch.warm(
            similarity=w.mmr_lambda < 1.0 or (w.prf_sem > 0 and batch.embeddings is not None)
        )
        results: list[list[ScoredPaper]] = []
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending: deque[
                tuple[Sequence[Profile], Prepared, Future[tuple[np.ndarray, list[list[int]]]]]
            ] = deque()
            for part in parts:
                prepared = self._prepare(part, batch)
                future = pool.submit(self._chunk, part, batch, prepared, floor, k)
                pending.append((part, prepared, future))
                while len(pending) > workers:
                    done, ready, future = pending.popleft()
                    results.extend(
                        self._chunk_scored(done, batch, ready, *future.result(), explain)
                    )
            while pending:
                done, ready, future = pending.popleft()
                results.extend(self._chunk_scored(done, batch, ready, *future.result(), explain))
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
        prepared: Prepared,
        matrix: np.ndarray,
        picks: list[list[int]],
        explain: bool,
    ) -> list[list[ScoredPaper]]:
        if not explain:
            return [self._scored(p, batch, matrix[i], picks[i], False) for i, p in enumerate(part)]
        odds = prepared.odds
        affinities = best_affinities(batch, picks, odds) if odds is not None else None
        out = []
        for i, profile in enumerate(part):
            affinity = affinities[i] if affinities is not None else None
            reasons = explain_many(self, profile, batch, picks[i], best_affinity=affinity)
            out.append(
                [
                    ScoredPaper(batch.papers[j], round(float(matrix[i, j]), 6), why)
                    for j, why in zip(picks[i], reasons, strict=True)
                ]
            )
        return out

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
        """The per-channel part of scoring, gathered into flat arrays and then into matrices.
        Learned state comes as each profile's `LearnedArrays`, resolved for all at once."""
        w = self.weights
        m = len(profiles)
        term = Rows()
        cat = Rows()
        topic = Rows()
        pointed_guess = Rows()
        author = Rows()
        learned = LearnedRows()
        index = batch.author_matrix()[0] if batch.has_authors else {}
        followed_rows: list[int] = []  # followed authors today's candidates have
        followed_cols: list[int] = []
        for i, profile in enumerate(profiles):
            for phrase in profile.phrases:
                cols, vals = phrase_arrays(phrase, batch)
                term.add_arrays(i, cols, vals, w.phrase)
            for typed in profile.categories:
                for col in batch.category_columns(typed):
                    cat.add(i, col, w.typed_category)
            if profile.phrases and not profile.categories:  # typed categories win
                (cols, vals), (guess_cols, guess_vals) = topic_arrays(profile.phrases, batch)
                if len(cols) and w.topic_category:
                    topic.add_arrays(i, cols, vals, w.topic_category)
                if len(guess_cols) and w.topic_guess:
                    pointed_guess.add_arrays(i, guess_cols, guess_vals, w.topic_guess)
            if profile.follow_authors and profile.authors and batch.has_authors:
                found = {index[a] for a in map(str.lower, profile.authors) if a in index}
                followed_rows.extend([i] * len(found))
                followed_cols.extend(found)
            if profile.opinions:
                scale = w.learned_terms / profile.opinions**0.5
                learned.add(i, profile.learned_arrays(w.learned_term_count), scale)
        if followed_rows:
            cols = np.asarray(followed_cols, dtype=np.int64)
            author.add_arrays_rows(np.asarray(followed_rows), cols, np.full(len(cols), w.author))
        odds = learned_table = None
        if learned:
            term.add_arrays_rows(*learned.words(batch.keys("words")))
            rows, cols, aff = learned.odds("cats", batch.keys("categories"))
            if len(rows):  # smoothed log-odds; the score weighs rare categories more
                odds = np.zeros((m, batch.cats.shape[1] + 1))
                odds[:, -1] = -np.inf  # the padding slot of `category_slots`
                odds[rows, cols] = aff
                weighted = odds * w.learned_category
                weighted[:, :-1] *= batch.category_rarity() ** w.category_rarity
                if w.category_max:
                    learned_table = weighted.astype(np.float32)
                else:
                    cat.add_arrays_rows(rows, cols, weighted[rows, cols])
            if batch.has_authors:
                rows, cols, aff = learned.odds("authors", batch.keys("authors"))
                author.add_arrays_rows(rows, cols, w.learned_author * aff)
        authors = None
        if len(author) and batch.has_authors:
            width = batch.author_matrix()[1].shape[1]
            authors = author.matrix(m, width).astype(np.float32)
        dense_terms, rare_terms = split_terms(term, batch, m)
        return Prepared(
            terms=rare_terms,
            dense_terms=dense_terms,
            cats=cat.matrix(m, batch.cats.shape[1]),
            topics=topic.matrix(m, batch.cats.shape[1]),
            topic_guesses=(
                pointed_guess.matrix(m, len(batch.guess_index)).astype(np.float32)
                if len(pointed_guess)
                else None
            ),
            learned_cats=learned_table,
            dense=self._dense_queries(profiles, batch),
            authors=authors,
            excluded=self._excluded(profiles, batch),
            odds=odds,
        )

    def _dense_queries(self, profiles: Sequence[Profile], batch: Batch) -> np.ndarray | None:
        """Per channel: the phrase centroid (the prior) plus the Rocchio centroid of reactions."""
        if batch.embeddings is None:
            return None
        w = self.weights
        m, dim = len(profiles), batch.embeddings.shape[1]
        out = np.zeros((m, dim))
        if self.embed is not None:
            typed = [i for i, p in enumerate(profiles) if p.phrases]
            if typed:
                out[typed] = w.phrase_sem * self.phrase_centroids(
                    [profiles[i].phrases for i in typed]
                )
        liked_rows: list[int] = []
        liked: list[np.ndarray] = []
        disliked_rows: list[int] = []
        disliked: list[np.ndarray] = []
        for i, profile in enumerate(profiles):
            if not profile.opinions:
                continue
            arrays = profile.learned_arrays(w.learned_term_count)
            if arrays.liked is not None and arrays.liked.shape[0] == dim:
                liked_rows.append(i)
                liked.append(arrays.liked)
            if arrays.disliked is not None and arrays.disliked.shape[0] == dim:
                disliked_rows.append(i)
                disliked.append(arrays.disliked)
        if liked_rows:
            out[liked_rows] += w.learned_sem * np.stack(liked)
        if disliked_rows:
            out[disliked_rows] -= w.learned_sem * w.dislike_sem * np.stack(disliked)
        return out.astype(np.float32) if out.any() else None

    def _scores(
        self, profiles: Sequence[Profile], batch: Batch, prepared: Prepared, floor: float
    ) -> np.ndarray:
        """channels x papers (float32): the channels' evidence, then the feedback it gives."""
        w = self.weights
        n = len(batch)
        first = self._apply(prepared, batch)
        first += self._static(batch)[None, :]
        first[prepared.excluded] = -np.inf
        below = first < floor
        if w.prf_depth > 0 and n > w.prf_depth:
            first += self._prf(profiles, batch, first)
        first[below] = -np.inf
        return first

    def _static(self, batch: Batch) -> np.ndarray:
        w = self.weights
        pop = w.popularity * np.log1p(batch.upvotes) / math.log(101)
        return (pop - w.recency * np.minimum(batch.age_days, 14)).astype(np.float32)

    def _apply(self, prepared: Prepared, batch: Batch) -> np.ndarray:
        """The products of the channels' queries with the papers' features (float32)."""
        m, n = prepared.excluded.shape
        split = batch.term_split()
        if prepared.dense_terms is not None:
            out = prepared.dense_terms @ split.dense
        else:
            out = np.zeros((m, n), dtype=np.float32)
        if prepared.terms.nnz:
            _add_sparse(out, prepared.terms @ split.rare)
        if prepared.dense is not None and batch.embeddings is not None:
            out += prepared.dense @ batch.embeddings.T
        if prepared.authors is not None and prepared.authors.nnz:
            _add_sparse(out, prepared.authors @ batch.author_matrix()[1].T)
        # categories: per distinct category set of the papers, then spread to the papers
        slots, inverse, members = batch.category_sets()
        per_set = None
        if prepared.cats.nnz:
            per_set = np.asarray(prepared.cats @ members.T, dtype=np.float32)
        if prepared.topics.nnz:  # where the typed topics point: for known categories only
            pointed = np.asarray(prepared.topics @ members.T, dtype=np.float32)
            pointed[:, batch.guessed_sets()] = 0.0
            per_set = pointed if per_set is None else per_set + pointed
        if prepared.learned_cats is not None:
            best = _best_category(prepared.learned_cats, slots)
            per_set = best if per_set is None else per_set + best
        if per_set is not None:
            out += per_set[:, inverse]
        if prepared.topic_guesses is not None and batch.guesses is not None:
            # a paper without categories: by the model's probability of each pointed category
            _add_sparse(out, prepared.topic_guesses @ batch.guesses.T)
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
        rows = Rows()
        spans = []
        n = 0
        for profile in profiles:
            start = n
            for phrase in profile.phrases:
                rows.add_arrays(n, *phrase_arrays(phrase, batch))
                n += 1
            spans.append((start, n))
        query = rows.matrix(n, batch.terms.shape[1])
        matched = (batch.terms @ query.T).T.toarray()
        labels = np.full((len(profiles), len(batch)), -1)
        for i, (start, end) in enumerate(spans):
            if end - start > 1:
                part = matched[start:end]
                best = part.argmax(axis=0)
                labels[i] = np.where(part.max(axis=0) >= LABEL_MIN, best, -1)
        return labels

    def _prf(self, profiles: Sequence[Profile], batch: Batch, first: np.ndarray) -> np.ndarray:
        """Pseudo-relevance feedback: what today's best matches share lifts similar papers."""
        w = self.weights
        m, n = first.shape
        depth = w.prf_depth
        rows_f, cols_f = _feedback_set(first, depth)
        rows = [rows_f]
        cols = [cols_f]
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
        size = np.maximum(np.asarray(indicator.sum(axis=1)), 1.0)  # m x 1: feedback set sizes
        out = np.zeros((m, n), dtype=np.float32)
        if w.prf_category and batch.cats.nnz:
            counts = (indicator @ batch.cats).toarray()  # channels x categories
            base = np.asarray(batch.cats.sum(axis=0)).ravel() / n
            lift = np.log((counts + 0.5) / (size * base[None, :] + 0.5))
            lift = np.maximum(lift, 0.0)
            _, inverse, members = batch.category_sets()
            per_set = (w.prf_category * lift @ members.T).astype(np.float32)
            per_set[:, batch.guessed_sets()] *= w.prf_guess  # a guess is less sure
            out += per_set[:, inverse]
        if w.prf_sem and batch.embeddings is not None:
            # the feedback centroid's dot product with each paper: the mean of the feedback
            # papers' similarities to it (rows of the cached paper-paper similarity)
            similar = indicator.astype(np.float32) @ batch.similarity()
            similar *= (w.prf_sem / size).astype(np.float32)
            out += similar
        if w.prf_fade > 0:
            fade = np.array([1 / (1 + p.opinions / w.prf_fade) for p in profiles])
            out *= fade[:, None].astype(np.float32)
        return out

    def _excluded(self, profiles: Sequence[Profile], batch: Batch) -> np.ndarray:
        mask = np.zeros((len(profiles), len(batch)), dtype=bool)
        for i, profile in enumerate(profiles):
            for keyword in profile.excludes:
                mask[i] |= batch.excluded_by(keyword)
        return mask

    def phrase_centroid(self, phrases: Sequence[str]) -> np.ndarray:
        if len(phrases) == 1:  # reasons ask for one phrase at a time, many times
            found = self._unit_cache.get(phrases[0])
            if found is None:
                found = self._unit_cache[phrases[0]] = self.phrase_centroids([phrases])[0]
            return found
        return self.phrase_centroids([phrases])[0]

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
        return means / np.where(norms > 0, norms, 1.0)

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


def _add_sparse(out: np.ndarray, part: sparse.spmatrix) -> None:
    """out += part (a sparse product) without a dense temporary: scipy's `csr_todense` adds
    into its output (it is what `toarray` calls on a zeroed array); a plain add if that
    internal routine is missing or the types differ."""
    csr = part.tocsr()
    fast = out.flags.c_contiguous and csr.dtype == out.dtype and csr.shape == out.shape
    if _csr_todense is not None and fast:
        _csr_todense(*out.shape, csr.indptr, csr.indices, csr.data, out)
    else:
        out += csr.toarray()


@contextmanager
def _blas_single_threaded(active: bool) -> Iterator[None]:
    """With our own thread pool, each BLAS call on one thread: BLAS threads on top of ours
    oversubscribe the cores (measured: 2.8 s instead of 3.3 s for the semantic fan-out)."""
    if not active:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


@contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    if not rows:  # no paper clearly matches any one typed phrase today
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(cols)


def _feedback_set(first: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of each channel's `depth` best papers. A tie at the boundary that goes
    on past them is taken whole (or, if that would make the set more than twice as big, left
    out), so the set does not depend on the order of the papers."""
    m = first.shape[0]
    top = top_k(first, depth)
    found = top >= 0
    every = np.arange(m)
    full = found[:, -1]
    kth = np.where(full, first[every, np.maximum(top[:, -1], 0)], np.inf)
    picked = np.take_along_axis(first, np.maximum(top, 0), axis=1)
    in_top = np.count_nonzero((picked == kth[:, None]) & found, axis=1)
    spill = np.flatnonzero(np.count_nonzero(first == kth[:, None], axis=1) > in_top)
    keep = found.copy()
    keep[spill] = False
    rows, cols = [np.repeat(every, depth)[keep.ravel()]], [top[keep]]
    for r in spill:  # few rows: many papers with exactly the same score
        above = first[r] > kth[r]
        tied = first[r] == kth[r]
        chosen = above | tied if above.sum() + tied.sum() <= 2 * depth else above
        idx = np.flatnonzero(chosen)
        rows.append(np.full(len(idx), r))
        cols.append(idx)
    return np.concatenate(rows), np.concatenate(cols)


def _best_category(table: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """channels x category sets: the learned weight of each set's best category (0 if none);
    `table` is channels x (categories + 1), -inf where nothing was learned."""
    best = table[:, slots[:, 0]]
    for s in range(1, slots.shape[1]):
        np.maximum(best, table[:, slots[:, s]], out=best)
    best[~np.isfinite(best)] = 0.0
    return best
