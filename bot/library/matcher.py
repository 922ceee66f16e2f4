"""Library entries -> stored papers: by arXiv id (fetched from arXiv when missing), by DOI, by
exact normalised title, then by a fuzzy title match that refuses anything ambiguous."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.errors import SourceError
from bot.library import titles
from bot.library.entries import LibraryEntry
from bot.models import Paper

log = logging.getLogger(__name__)
FUZZY_CANDIDATES = 50
Lookup = Callable[[Sequence[str]], dict[str, Paper]]  # arXiv ids -> papers fetched and stored


class PaperIndex(Protocol):
    """The store's look-ups the matcher needs (`storage.paper_store` on SQLite/PostgreSQL)."""

    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]: ...
    def papers_by_doi(self, dois: Sequence[str]) -> dict[str, Paper]:
        """Lower-cased DOI -> the paper carrying it (as its DOI or its `doi:` id)."""
        ...

    def papers_by_title_key(self, keys: Sequence[str]) -> dict[str, list[Paper]]:
        """Title key (`titles.title_key`) -> every paper whose title has that key."""
        ...

    def papers_by_title_prefix(self, prefix: str, limit: int) -> list[Paper]:
        """Papers whose title key starts with `prefix`."""
        ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """One entry's fate: the paper it matched and how (`arxiv`, `doi`, `title`, `similar
    title`), or why it did not match."""

    entry: LibraryEntry
    paper: Paper | None = None
    how: str | None = None
    reason: str | None = None


class LibraryMatcher:
    def __init__(self, index: PaperIndex, lookup: Lookup | None = None) -> None:
        self.index = index
        self.lookup = lookup

    def match(self, entries: Sequence[LibraryEntry]) -> list[Outcome]:
        found: dict[int, Outcome] = {}
        missing_arxiv = self._by_arxiv(entries, found)
        self._by_doi(entries, found)
        self._by_title(entries, found)
        return [
            found.get(i) or Outcome(e, reason=_why_not(e, missing_arxiv))
            for i, e in enumerate(entries)
        ]

    def _by_arxiv(self, entries: Sequence[LibraryEntry], found: dict[int, Outcome]) -> str | None:
        """Matches by arXiv id; returns why fetching failed, if it did."""
        ids = sorted({e.arxiv for e in entries if e.arxiv})
        papers = self.index.get_papers(ids) if ids else {}
        missing = [i for i in ids if i not in papers]
        failure = None
        if missing and self.lookup is not None:
            try:
                papers.update(self.lookup(missing))
            except SourceError as exc:
                log.warning("library import: arXiv look-up failed: %s", exc)
                failure = "arXiv could not be reached; try again later"
        for i, entry in enumerate(entries):
            if entry.arxiv and entry.arxiv in papers:
                found[i] = Outcome(entry, papers[entry.arxiv], "arxiv")
        return failure

    def _by_doi(self, entries: Sequence[LibraryEntry], found: dict[int, Outcome]) -> None:
        dois = sorted({e.doi for i, e in enumerate(entries) if e.doi and i not in found})
        papers = self.index.papers_by_doi(dois) if dois else {}
        for i, entry in enumerate(entries):
            if i not in found and entry.doi and entry.doi in papers:
                found[i] = Outcome(entry, papers[entry.doi], "doi")

    def _by_title(self, entries: Sequence[LibraryEntry], found: dict[int, Outcome]) -> None:
        keys = {i: titles.title_key(e.title) for i, e in enumerate(entries) if i not in found}
        keys = {i: k for i, k in keys.items() if titles.usable(k)}
        exact = self.index.papers_by_title_key(sorted(set(keys.values()))) if keys else {}
        for i, key in keys.items():
            same = {p.id: p for p in exact.get(key, [])}
            if len(same) == 1:
                found[i] = Outcome(entries[i], next(iter(same.values())), "title")
            elif same:
                why = f"{len(same)} papers I know have this title; add its arXiv id or DOI"
                found[i] = Outcome(entries[i], reason=why)
            else:
                paper = self._fuzzy(key)
                if paper is not None:
                    found[i] = Outcome(entries[i], paper, "similar title")

    def _fuzzy(self, key: str) -> Paper | None:
        candidates = self.index.papers_by_title_prefix(titles.key_prefix(key), FUZZY_CANDIDATES)
        by_id = {p.id: p for p in candidates}
        best = titles.best_fuzzy(key, {pid: titles.title_key(p.title) for pid, p in by_id.items()})
        return by_id.get(best) if best else None


def _why_not(entry: LibraryEntry, arxiv_failure: str | None) -> str:
    """Why an entry matched no paper, in words for the person who imported it."""
    key = titles.title_key(entry.title)
    if entry.arxiv:
        return arxiv_failure or f"arXiv has no paper {entry.arxiv}"
    if not entry.title and not entry.doi:
        return "no title, arXiv id or DOI"
    where = f"DOI {entry.doi} is not an arXiv paper I know" if entry.doi else "no arXiv id or DOI"
    if entry.title and not titles.usable(key):
        return f"{where}, and the title is too short to match on its own"
    return f"{where}, and no paper I know has this title"
