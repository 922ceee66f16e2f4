"""Features of one candidate set, built once and shared by every channel ranked against it.

A `Batch` holds a BM25-weighted sparse term matrix (unigrams and bigrams), a category matrix
(for papers from a source without categories: the ones the category model predicts, and apart
from it the model's probabilities) and, in the semantic tier, a matrix of unit-length paper
embeddings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import sparse

from bot.models import Paper
from bot.ranking.categorizer import category_guess, likely_categories
from bot.ranking.keys import KeyIndex
from bot.ranking.text import paper_terms, phrase_terms, word_pattern

BM25_K1 = 1.2
BM25_B = 0.75
SMALL_BATCH = 50

ColumnValues = tuple[np.ndarray, np.ndarray]  # (columns, values) of one sparse row


def known_categories(paper: Paper) -> tuple[str, ...]:
    """The categories the paper's source gave (what a channel learns from)."""
    if paper.categories:
        return paper.categories
    return (paper.primary_category,) if paper.primary_category else ()


def paper_categories(paper: Paper) -> tuple[str, ...]:
    """The paper's categories; for a paper from a source without any, the categories the
    shipped model finds likely from its words (`bot.ranking.categorizer`), so it still
    matches category subscriptions and is lifted by today's best matches' categories."""
    return known_categories(paper) or likely_categories(paper)


DENSE_TERMS = 256


@dataclass(frozen=True)
class TermSplit:
    """The term matrix split for fast products: the most frequent words (where most of a
    query's work goes) as a dense matrix for BLAS, the rest as a sparse one."""

    position: np.ndarray  # per vocabulary column: its row in `dense`, or -1
    dense: np.ndarray  # frequent words x papers
    rare: sparse.csr_matrix  # vocabulary x papers, the frequent words' rows empty


@dataclass
class Batch:
    """The candidate set in matrix form; row i is `papers[i]`."""

    papers: list[Paper]
    vocab: dict[str, int]
    idf: np.ndarray  # per vocab column
    terms: sparse.csr_matrix  # papers x vocab, saturated tf x idf
    unit_terms: sparse.csr_matrix  # rows L2-normalised (for diversity)
    cat_index: dict[str, int]
    cats: sparse.csr_matrix  # papers x categories, 1 where the paper is in the category
    guess_index: dict[str, int] = field(default_factory=dict)  # columns of `guesses`
    guesses: sparse.csr_matrix | None = None  # papers x categories: the model's probabilities
    embeddings: np.ndarray | None = None  # papers x dim, unit length
    term_sets: list[frozenset[str]] = field(default_factory=list)
    upvotes: np.ndarray = field(default_factory=lambda: np.zeros(0))
    age_days: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _rarity: np.ndarray | None = None
    _similarity: np.ndarray | None = None
    _slots: np.ndarray | None = None
    _sets: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    _guessed_set: np.ndarray | None = None
    _phrases: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    phrase_cache: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    topic_cache: dict[tuple[str, ...], tuple[ColumnValues, ColumnValues]] = field(
        default_factory=dict
    )
    _has_authors: bool | None = None
    _authors: tuple[dict[str, int], sparse.csr_matrix] | None = None
    _excluded: dict[str, np.ndarray] = field(default_factory=dict)
    _split: TermSplit | None = None
    _matches: dict[str, np.ndarray] = field(default_factory=dict)
    _csc: sparse.csc_matrix | None = None
    _cat_columns: dict[str, list[int]] = field(default_factory=dict)
    _cat_counts: np.ndarray | None = None
    _dense_cats: np.ndarray | None = None
    label_cache: dict[str, np.ndarray] = field(default_factory=dict)
    _keys: dict[str, KeyIndex] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.papers)

    def guess_names(self) -> list[str]:
        """The category of each column of `guesses`."""
        names = [""] * len(self.guess_index)
        for name, col in self.guess_index.items():
            names[col] = name
        return names

    def idf_of(self, term: str) -> float:
        col = self.vocab.get(term)
        if col is not None:
            return float(self.idf[col])
        return math.log(1 + len(self.papers)) if len(self.papers) >= SMALL_BATCH else 1.0

    def phrase_weights(self, phrase: str) -> list[tuple[str, float]]:
        """A phrase's words with idf weights summing to 1 (cached per candidate set)."""
        found = self._phrases.get(phrase)
        if found is None:
            toks = phrase_terms(phrase)[0]
            idf = [self.idf_of(t) for t in toks]
            total = sum(idf) or 1.0
            found = self._phrases[phrase] = [(t, v / total) for t, v in zip(toks, idf, strict=True)]
        return found

    def phrase_match(self, phrase: str) -> np.ndarray:
        """Per paper: the sum of `phrase_weights` over the phrase's words it contains, added in
        the phrase's word order (cached per candidate set)."""
        found = self._matches.get(phrase)
        if found is None:
            csc = self.terms_by_column()
            indptr, indices = csc.indptr, csc.indices
            found = np.zeros(len(self.papers))
            for term, weight in self.phrase_weights(phrase):
                col = self.vocab.get(term)
                if col is not None:
                    found[indices[indptr[col] : indptr[col + 1]]] += weight
            self._matches[phrase] = found
        return found

    def terms_by_column(self) -> sparse.csc_matrix:
        """The term matrix in column order (each word's papers), cached."""
        if self._csc is None:
            self._csc = self.terms.tocsc()
        return self._csc

    def category_slots(self) -> np.ndarray:
        """papers x max-categories matrix of category columns, padded with the column count."""
        if self._slots is None:
            width = int(np.diff(self.cats.indptr).max(initial=0))  # most categories of a paper
            slots = np.full((len(self.papers), max(width, 1)), self.cats.shape[1])
            indptr, indices = self.cats.indptr, self.cats.indices
            for i in range(len(self.papers)):
                row = indices[indptr[i] : indptr[i + 1]]
                slots[i, : len(row)] = row
            self._slots = slots
        return self._slots

    def category_sets(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The distinct category sets of the papers (far fewer than papers): their slots
        (sets x max-categories), which set each paper has, and the sets x categories 0/1
        matrix. Per-category work is done per set, then spread to the papers. Guessed and
        known categories never share a set (`guessed_sets`)."""
        if self._sets is None:
            keyed = np.column_stack([self.category_slots(), self.guessed()])
            unique, inverse = np.unique(keyed, axis=0, return_inverse=True)
            self._guessed_set = unique[:, -1].astype(bool)
            unique = unique[:, :-1]
            members = np.zeros((len(unique), self.cats.shape[1] + 1))
            members[np.arange(len(unique))[:, None], unique] = 1.0
            self._sets = (unique, inverse.ravel(), members[:, :-1])
        return self._sets

    def guessed_sets(self) -> np.ndarray:
        """Per category set of `category_sets`: True where its categories are the model's
        guess for papers without any."""
        self.category_sets()
        assert self._guessed_set is not None
        return self._guessed_set

    def guessed(self) -> np.ndarray:
        """Per paper: True where its categories are the model's guess (it has `guesses`)."""
        if self.guesses is None:
            return np.zeros(len(self.papers), dtype=bool)
        result: np.ndarray = np.diff(self.guesses.indptr) > 0
        return result

    def similarity(self) -> np.ndarray:
        """Paper-paper cosine similarity (embeddings when present, else words), cached."""
        if self._similarity is None:
            if self.embeddings is not None:
                sim = self.embeddings @ self.embeddings.T
            else:
                sim = (self.unit_terms @ self.unit_terms.T).toarray()
            self._similarity = np.asarray(sim, dtype=np.float32)
        return self._similarity

    def category_counts(self) -> np.ndarray:
        """Per category column: how many papers are in it (cached)."""
        if self._cat_counts is None:
            self._cat_counts = np.asarray(self.cats.sum(axis=0)).ravel()
        return self._cat_counts

    def dense_cats(self) -> np.ndarray:
        """`cats` as a dense papers x categories array (cached): a few channels' products
        with it are cheaper dense than sparse."""
        if self._dense_cats is None:
            self._dense_cats = self.cats.toarray()
        return self._dense_cats

    def category_rarity(self) -> np.ndarray:
        """Per category column: 1 for a category on 10% of the papers, more when rarer."""
        if self._rarity is None:
            df = self.category_counts()
            self._rarity = np.log1p(len(self.papers) / np.maximum(df, 1)) / math.log(11)
        return self._rarity

    @property
    def has_authors(self) -> bool:
        """Whether any candidate lists an author (else author weights cannot score)."""
        if self._has_authors is None:
            self._has_authors = any(p.authors for p in self.papers)
        return self._has_authors

    def author_matrix(self) -> tuple[dict[str, int], sparse.csr_matrix]:
        """Lower-cased author -> column, and the papers x authors count matrix (cached)."""
        if self._authors is None:
            index: dict[str, int] = {}
            rows: list[int] = []
            cols: list[int] = []
            for i, paper in enumerate(self.papers):
                for author in paper.authors:
                    rows.append(i)
                    cols.append(index.setdefault(author.lower(), len(index)))
            shape = (len(self.papers), max(len(index), 1))
            ones = np.ones(len(rows), dtype=np.float32)
            matrix = sparse.csr_matrix((ones, (rows, cols)), shape=shape)
            self._authors = (index, matrix)
        return self._authors

    def term_split(self) -> TermSplit:
        """`TermSplit` of the term matrix (cached)."""
        if self._split is None:
            vocab_n = self.terms.shape[1]
            df = np.diff(self.terms_by_column().indptr)
            frequent = np.sort(np.argsort(-df, kind="stable")[: min(DENSE_TERMS, vocab_n)])
            position = np.full(vocab_n, -1, dtype=np.int64)
            position[frequent] = np.arange(len(frequent))
            keep = np.ones(vocab_n)
            keep[frequent] = 0.0
            rare = sparse.csr_matrix(self.terms @ sparse.diags(keep), dtype=np.float32)
            rare.eliminate_zeros()
            dense = np.ascontiguousarray(self.terms[:, frequent].toarray().T, dtype=np.float32)
            self._split = TermSplit(position, dense, rare.T.tocsr())
        return self._split

    def keys(self, kind: Literal["words", "categories", "guesses", "authors"]) -> KeyIndex:
        """`KeyIndex` of the vocabulary, the categories, the columns of `guesses` or the
        (lower-cased) authors (cached)."""
        found = self._keys.get(kind)
        if found is None:
            if kind == "words":
                index = self.vocab
            elif kind == "categories":
                index = self.cat_index
            elif kind == "guesses":
                index = self.guess_index
            else:
                index = self.author_matrix()[0]
            found = self._keys[kind] = KeyIndex.of(index)
        return found

    def excluded_by(self, keyword: str) -> np.ndarray:
        """Which papers an excluded keyword removes (whole words; cached per keyword)."""
        found = self._excluded.get(keyword)
        if found is None:
            rx = word_pattern(keyword)
            found = np.fromiter(
                (rx.search(p.text) is not None for p in self.papers), dtype=bool, count=len(self)
            )
            self._excluded[keyword] = found
        return found

    def category_columns(self, category: str) -> list[int]:
        """Columns for a category; an archive (`q-bio`, `cs`) matches its subclasses."""
        found = self._cat_columns.get(category)
        if found is None:
            found = self._cat_columns[category] = self._category_columns(category)
        return found

    def _category_columns(self, category: str) -> list[int]:
        if "." in category:
            col = self.cat_index.get(category)
            return [col] if col is not None else []
        prefix = category + "."
        return [i for c, i in self.cat_index.items() if c == category or c.startswith(prefix)]


def build_batch(
    papers: Sequence[Paper], embeddings: Mapping[str, np.ndarray] | None = None
) -> Batch:
    """Tokenise, weight (BM25) and stack the candidates; embeddings are used when all present."""
    papers = list(papers)
    n = len(papers)
    words = _word_matrices(papers)
    cat_index, cats, guess_index, guesses = _category_matrices(papers)
    matrix = None
    if embeddings is not None and n and all(p.id in embeddings for p in papers):
        matrix = np.stack([np.asarray(embeddings[p.id], dtype=np.float32) for p in papers])
    return Batch(
        papers=papers,
        vocab=words.vocab,
        idf=words.idf,
        terms=words.weighted,
        unit_terms=words.unit,
        cat_index=cat_index,
        cats=cats,
        guess_index=guess_index,
        guesses=guesses,
        embeddings=matrix,
        term_sets=words.term_sets,
        upvotes=np.array([p.upvotes or 0 for p in papers], dtype=np.float64),
        age_days=_age_days(papers),
    )


@dataclass
class _Words:
    vocab: dict[str, int]
    idf: np.ndarray
    weighted: sparse.csr_matrix  # papers x vocabulary, BM25
    unit: sparse.csr_matrix  # the same, each row of unit length
    term_sets: list[frozenset[str]]  # each paper's single words


def _word_matrices(papers: Sequence[Paper]) -> _Words:
    """The candidates' words and bigrams as BM25-weighted rows."""
    n = len(papers)
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    tfs: list[float] = []
    lengths = np.zeros(n)
    term_sets: list[frozenset[str]] = []
    for i, paper in enumerate(papers):
        counts = paper_terms(paper)
        term_sets.append(frozenset(t for t in counts if " " not in t))
        lengths[i] = sum(v for t, v in counts.items() if " " not in t)
        for term, tf in counts.items():
            col = vocab.setdefault(term, len(vocab))
            rows.append(i)
            cols.append(col)
            tfs.append(tf)
    shape = (n, len(vocab))
    raw = sparse.csr_matrix((np.asarray(tfs, dtype=np.float64), (rows, cols)), shape=shape)
    df = (
        np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(vocab)) if cols else np.zeros(0)
    )
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    if n < SMALL_BATCH:  # idf from a handful of papers is noise: weigh words alike
        idf = np.ones_like(idf)
    avg = float(lengths.mean()) if n else 1.0
    norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / max(avg, 1e-9))
    coo = raw.tocoo()
    sat = coo.data * (BM25_K1 + 1) / (coo.data + norm[coo.row]) / (BM25_K1 + 1)
    weighted = sparse.csr_matrix((sat * idf[coo.col], (coo.row, coo.col)), shape=shape)
    row_norm = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    row_norm[row_norm == 0] = 1.0
    unit = sparse.csr_matrix(sparse.diags(1 / row_norm) @ weighted)
    return _Words(vocab, idf, weighted, unit, term_sets)


def _category_matrices(
    papers: Sequence[Paper],
) -> tuple[dict[str, int], sparse.csr_matrix, dict[str, int], sparse.csr_matrix | None]:
    """Papers x categories (known, or else likely), and papers x guessed categories with the
    model's probabilities (for papers without categories; None if every paper has some)."""
    n = len(papers)
    cat_index: dict[str, int] = {}
    crow: list[int] = []
    ccol: list[int] = []
    guess_index: dict[str, int] = {}
    grow: list[int] = []
    gcol: list[int] = []
    gval: list[float] = []
    for i, paper in enumerate(papers):
        categories = known_categories(paper)
        if not categories:
            categories = likely_categories(paper)
            for cat, prob, _ in category_guess(paper):
                grow.append(i)
                gcol.append(guess_index.setdefault(cat, len(guess_index)))
                gval.append(prob)
        for cat in dict.fromkeys(categories):
            crow.append(i)
            ccol.append(cat_index.setdefault(cat, len(cat_index)))
    cats = sparse.csr_matrix((np.ones(len(crow)), (crow, ccol)), shape=(n, max(len(cat_index), 1)))
    guesses = None
    if guess_index:
        guesses = sparse.csr_matrix(
            (np.asarray(gval, dtype=np.float32), (grow, gcol)), shape=(n, len(guess_index))
        )
    return cat_index, cats, guess_index, guesses


def _age_days(papers: Sequence[Paper]) -> np.ndarray:
    """Days each paper is older than the newest (by update, else publication)."""
    dates = [p.updated or p.published for p in papers]
    known = [d for d in dates if d is not None]
    newest = max(known) if known else None
    return np.array(
        [(newest - d).days if (newest is not None and d is not None) else 0 for d in dates],
        dtype=np.float64,
    )
