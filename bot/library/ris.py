"""RIS exports (Zotero, EndNote, Mendeley, Papers) -> library entries, read with `rispy`."""

from __future__ import annotations

import logging
from typing import Any

import rispy

from bot.library.entries import LibraryEntry, LibraryError, make_entry

log = logging.getLogger(__name__)
TITLE_FIELDS = ("title", "primary_title", "translated_title")
# UR (urls), N1 (notes), JO/T2 (journal: "arXiv preprint arXiv:..."), AN, M1/M3, C1-C8
ID_FIELDS = (
    "urls", "notes", "note", "secondary_title", "journal_name", "accession_number",
    "number", "type_of_work", "custom1", "custom2", "custom3", "publisher", "name_of_database",
)  # fmt: skip


def parse_ris(text: str) -> list[LibraryEntry]:
    try:
        records: list[dict[str, Any]] = rispy.loads(text, skip_unknown_tags=True)
    except Exception as exc:  # rispy raises IOError and ValueError subclasses on bad input
        log.info("RIS parse failed: %s", exc)
        raise LibraryError(
            "This RIS file could not be read (each record needs TY - and ER -)."
        ) from exc
    return [_entry(r) for r in records]


def _entry(record: dict[str, Any]) -> LibraryEntry:
    title = next((record[f] for f in TITLE_FIELDS if record.get(f)), "")
    return make_entry(
        title,
        [record.get(f) for f in ID_FIELDS],
        [record.get("doi")],
        year=record.get("year") or record.get("publication_year"),
        kind=record.get("type_of_reference"),
    )
