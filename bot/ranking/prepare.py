"""A chunk of channels' queries as matrices over a candidate set's columns (`Prepared`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from bot.ranking.features import Batch
from bot.ranking.profile import Profile
from bot.ranking.queries import LearnedRows, Rows, phrase_arrays, split_terms, topic_arrays
from bot.ranking.weights import Weights

# Typed phrase groups -> their unit mean embeddings (`Ranker.phrase_centroids`).
CentroidFn = Callable[[Sequence[Sequence[str]]], np.ndarray]


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
    learned_guesses: sparse.csr_matrix | None  # channels x `Batch.guesses`: learned log-odds
    learned_cats: np.ndarray | None  # channels x (categories + 1), -inf where not learned
    dense: np.ndarray | None  # channels x dim (float32), or None
    authors: sparse.csr_matrix | None  # channels x batch authors
    excluded: np.ndarray  # channels x papers, True where an excluded keyword matches
    odds: np.ndarray | None = None  # channels x (categories + 1) learned log-odds, for reasons


def prepare(
    w: Weights, profiles: Sequence[Profile], batch: Batch, centroids: CentroidFn | None
) -> Prepared:
    """The per-channel part of scoring, gathered into flat arrays and then into matrices.
    Learned state comes as each profile's `LearnedArrays`, resolved for all at once;
    `centroids` embeds typed phrases (semantic tier only)."""
    m = len(profiles)
    term = Rows()
    cat = Rows()
    topic = Rows()
    pointed_guess = Rows()
    learned_guess = Rows()
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
                trust = _trust(profile, guess_cols, batch, w.prior_trust)
                pointed_guess.add_arrays(i, guess_cols, guess_vals * trust, w.topic_guess)
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
        if batch.guesses is not None and w.learned_guess:  # papers without categories
            rows, cols, aff = learned.guess_odds(batch.keys("guesses"))
            learned_guess.add_arrays_rows(rows, cols, w.learned_guess * aff)
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
        learned_guesses=(
            learned_guess.matrix(m, len(batch.guess_index)).astype(np.float32)
            if len(learned_guess)
            else None
        ),
        learned_cats=learned_table,
        dense=dense_queries(w, profiles, batch, centroids),
        authors=authors,
        excluded=excluded_mask(profiles, batch),
        odds=odds,
    )


def _trust(profile: Profile, cols: np.ndarray, batch: Batch, strength: float) -> np.ndarray:
    """Per pointed category (columns of `Batch.guesses`): how the channel's reactions to papers
    likely in it move the prior, `Profile.prior_trust` to the power `strength` (1 without
    such reactions)."""
    if not strength or not (profile.guess_pos or profile.guess_neg):
        return np.ones(len(cols))
    names = batch.guess_names()
    return np.array([profile.prior_trust(names[c]) ** strength for c in cols])


def dense_queries(
    w: Weights, profiles: Sequence[Profile], batch: Batch, centroids: CentroidFn | None
) -> np.ndarray | None:
    """Per channel: the phrase centroid (the prior) plus the Rocchio centroid of reactions."""
    if batch.embeddings is None:
        return None
    m, dim = len(profiles), batch.embeddings.shape[1]
    out = np.zeros((m, dim))
    if centroids is not None:
        typed = [i for i, p in enumerate(profiles) if p.phrases]
        if typed:
            out[typed] = w.phrase_sem * centroids([profiles[i].phrases for i in typed])
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


def excluded_mask(profiles: Sequence[Profile], batch: Batch) -> np.ndarray:
    """channels x papers, True where one of the channel's excluded keywords matches."""
    mask = np.zeros((len(profiles), len(batch)), dtype=bool)
    for i, profile in enumerate(profiles):
        for keyword in profile.excludes:
            mask[i] |= batch.excluded_by(keyword)
    return mask


__all__ = ["CentroidFn", "Prepared", "dense_queries", "excluded_mask", "prepare"]
