"""BibTeX exports (Zotero, Better BibTeX, Mendeley, JabRef, Google Scholar) -> library entries."""

from __future__ import annotations

import logging

import bibtexparser
from bibtexparser.bparser import BibTexParser

from bot.library.entries import LibraryEntry, LibraryError, make_entry
from bot.library.titles import plain_title

log = logging.getLogger(__name__)
# Fields where exports put an arXiv id: Better BibTeX `eprint`, Zotero `url` and `note`
# ("arXiv:2401.01234 [cs]"), Google Scholar `journal` ("arXiv preprint arXiv:2401.01234").
ID_FIELDS = ("eprint", "arxivid", "arxiv", "url", "note", "journal", "howpublished", "annote")


def parse_bibtex(text: str) -> list[LibraryEntry]:
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False)
    parser.homogenize_fields = False
    try:
        database = bibtexparser.loads(text, parser=parser)
    except Exception as exc:  # pyparsing errors on malformed files
        log.info("BibTeX parse failed: %s", exc)
        raise LibraryError("This BibTeX file could not be read (is it complete?).") from exc
    return [_entry(fields) for fields in database.entries]


def _entry(fields: dict[str, str]) -> LibraryEntry:
    lowered = {k.lower(): v for k, v in fields.items()}
    eprint = lowered.get("eprint", "")
    prefix = lowered.get("archiveprefix", lowered.get("eprinttype", "arxiv")).lower()
    ids = [eprint if prefix == "arxiv" else "", *(lowered.get(f, "") for f in ID_FIELDS[1:])]
    return make_entry(
        plain_title(lowered.get("title", "")),
        ids,
        [lowered.get("doi", "")],
        year=lowered.get("year"),
        kind=lowered.get("entrytype"),
    )
