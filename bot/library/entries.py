"""One reference from a library file, with the identifiers found in it, and the file's limits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.errors import InvalidInput
from bot.identity import arxiv_id, find_doi

MAX_LIBRARY_BYTES = 2_000_000  # a 2 MB export holds thousands of references
MAX_ENTRIES = 1_000
MAX_FIELD_CHARS = 2_000
FORMATS = ("BibTeX (.bib)", "RIS (.ris)", "Zotero CSV (.csv)")


class LibraryError(InvalidInput):
    """The file cannot be imported as a whole (unknown format, too big, unreadable)."""


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    """What a reference manager knows about one work: its title, and an arXiv id or DOI when
    the export carries one (`doi` is never arXiv's own 10.48550 DOI: that becomes `arxiv`)."""

    title: str
    arxiv: str | None = None
    doi: str | None = None
    year: str | None = None
    kind: str | None = None  # the format's item type: article, misc, JOUR, journalArticle, ...


def clip(value: object) -> str:
    """A field as one line of text, at most MAX_FIELD_CHARS."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    return " ".join(str(value)[:MAX_FIELD_CHARS].split())


def make_entry(
    title: object,
    id_fields: Iterable[object],
    doi_fields: Iterable[object],
    *,
    year: object = None,
    kind: object = None,
) -> LibraryEntry:
    """An entry from the raw fields: the first arXiv id in `id_fields` or `doi_fields` (a bare
    id, `arXiv:` id, arxiv.org URL or 10.48550 DOI) and the first other DOI in `doi_fields`."""
    dois = [clip(v) for v in doi_fields]
    found = next((a for v in [*dois, *(clip(v) for v in id_fields)] if (a := arxiv_id(v))), None)
    doi = next((d for v in dois if (d := find_doi(v)) and arxiv_id(d) is None), None)
    return LibraryEntry(
        title=clip(title),
        arxiv=found,
        doi=doi,
        year=clip(year) or None,
        kind=clip(kind) or None,
    )
