"""A chunk of channels' queries as matrices over a candidate set's columns (`Prepared`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

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


@dataclass
class _Rows:
    """A chunk's queries as (row, column, value) arrays, before they become matrices."""

    term: Rows = field(default_factory=Rows)
    cat: Rows = field(default_factory=Rows)
    topic: Rows = field(default_factory=Rows)
    pointed_guess: Rows = field(default_factory=Rows)
    learned_guess: Rows = field(default_factory=Rows)
    author: Rows = field(default_factory=Rows)
    learned: LearnedRows = field(default_factory=LearnedRows)
    learned_cats: np.ndarray | None = None  # `Prepared.learned_cats`


def prepare(
    w: Weights, profiles: Sequence[Profile], batch: Batch, centroids: CentroidFn | None
) -> Prepared:
    """The per-channel part of scoring, gathered into flat arrays and then into matrices.
    Learned state comes as each profile's `LearnedArrays`, resolved for all at once;
    `centroids` embeds typed phrases (semantic tier only)."""
    rows = _Rows()
    for i, profile in enumerate(profiles):
        _add_typed(w, rows, i, profile, batch)
        if profile.opinions:
            scale = w.learned_terms / profile.opinions ** (1.0 - w.learned_growth)
            rows.learned.add(i, profile.learned_arrays(w.learned_term_count), scale)
    _add_followed(w, rows.author, profiles, batch)
    if rows.learned:
        _add_learned(w, rows, len(profiles), batch)
    return _matrices(w, rows, profiles, batch, centroids)


def _add_typed(w: Weights, rows: _Rows, i: int, profile: Profile, batch: Batch) -> None:
    """Channel `i`'s typed phrases and categories, or where its typed topics point."""
    for phrase in profile.phrases:
        cols, vals = phrase_arrays(phrase, batch)
        rows.term.add_arrays(i, cols, vals, w.phrase)
    for typed in profile.categories:
        for col in batch.category_columns(typed):
            rows.cat.add(i, col, w.typed_category)
    if profile.phrases and not profile.categories:  # typed categories win
        (cols, vals), (guess_cols, guess_vals) = topic_arrays(profile.phrases, batch)
        if len(cols) and w.topic_category:
            rows.topic.add_arrays(i, cols, vals, w.topic_category)
        if len(guess_cols) and w.topic_guess:
            trust = _trust(profile, guess_cols, batch, w.prior_trust)
            rows.pointed_guess.add_arrays(i, guess_cols, guess_vals * trust, w.topic_guess)


def _add_followed(w: Weights, author: Rows, profiles: Sequence[Profile], batch: Batch) -> None:
    """The followed authors today's candidates have."""
    index = batch.author_matrix()[0] if batch.has_authors else {}
    followed_rows: list[int] = []
    followed_cols: list[int] = []
    for i, profile in enumerate(profiles):
        if profile.follow_authors and profile.authors and batch.has_authors:
            found = {index[a] for a in map(str.lower, profile.authors) if a in index}
            followed_rows.extend([i] * len(found))
            followed_cols.extend(found)
    if followed_rows:
        cols = np.asarray(followed_cols, dtype=np.int64)
        author.add_arrays_rows(np.asarray(followed_rows), cols, np.full(len(cols), w.author))


def _add_learned(w: Weights, rows: _Rows, m: int, batch: Batch) -> None:
    """What the channels learned: words, categories (as log-odds), guessed fields, authors."""
    learned = rows.learned
    rows.term.add_arrays_rows(*learned.words(batch.keys("words")))
    cats, cols, aff = learned.odds("cats", batch.keys("categories"))
    if len(cats):  # smoothed log-odds; the score weighs rare categories more
        odds = np.zeros((m, batch.cats.shape[1] + 1))
        odds[cats, cols] = aff
        weighted = odds * w.learned_category
        weighted[:, :-1] *= batch.category_rarity() ** w.category_rarity
        weighted[:, -1] = -np.inf  # the padding slot of `category_slots`
        if w.category_max:
            rows.learned_cats = weighted.astype(np.float32)
        else:
            rows.cat.add_arrays_rows(cats, cols, weighted[cats, cols])
    if batch.guesses is not None and w.learned_guess:  # papers without categories
        guesses, cols, aff = learned.guess_odds(batch.keys("guesses"))
        rows.learned_guess.add_arrays_rows(guesses, cols, w.learned_guess * aff)
    if batch.has_authors:
        authors, cols, aff = learned.odds("authors", batch.keys("authors"))
        rows.author.add_arrays_rows(authors, cols, w.learned_author * aff)


def _matrices(
    w: Weights,
    rows: _Rows,
    profiles: Sequence[Profile],
    batch: Batch,
    centroids: CentroidFn | None,
) -> Prepared:
    m = len(profiles)
    authors = None
    if len(rows.author) and batch.has_authors:
        width = batch.author_matrix()[1].shape[1]
        authors = rows.author.matrix(m, width).astype(np.float32)
    dense_terms, rare_terms = split_terms(rows.term, batch, m)
    return Prepared(
        terms=rare_terms,
        dense_terms=dense_terms,
        cats=rows.cat.matrix(m, batch.cats.shape[1]),
        topics=rows.topic.matrix(m, batch.cats.shape[1]),
        topic_guesses=_guess_matrix(rows.pointed_guess, m, batch),
        learned_guesses=_guess_matrix(rows.learned_guess, m, batch),
        learned_cats=rows.learned_cats,
        dense=dense_queries(w, profiles, batch, centroids),
        authors=authors,
        excluded=excluded_mask(profiles, batch),
    )


def _guess_matrix(rows: Rows, m: int, batch: Batch) -> sparse.csr_matrix | None:
    return rows.matrix(m, len(batch.guess_index)).astype(np.float32) if len(rows) else None


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
            liked.append(arrays.liked * profile.emb_pos_n**w.learned_growth)
        if arrays.disliked is not None and arrays.disliked.shape[0] == dim:
            disliked_rows.append(i)
            disliked.append(arrays.disliked * profile.emb_neg_n**w.learned_growth)
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
