"""Zotero's CSV export ("Key","Item Type","Publication Year","Author","Title",...) -> entries."""

from __future__ import annotations

import csv
import io

from bot.library.entries import LibraryEntry, LibraryError, make_entry

# Where Zotero keeps an arXiv id: Url (arxiv.org/abs/...), Extra ("arXiv: 2401.01234"),
# Archive Location, Report Number / Number ("arXiv:2401.01234"), Publication Title.
ID_COLUMNS = (
    "Url", "Extra", "Archive Location", "Report Number", "Number", "Publication Title",
    "Notes", "Archive",
)  # fmt: skip
REQUIRED = ("Title",)
csv.field_size_limit(2_000_000)


def looks_like_zotero_csv(text: str) -> bool:
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    return '"Title"' in header or header.startswith("Key,") or ",Title," in header


def parse_zotero_csv(text: str) -> list[LibraryEntry]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = reader.fieldnames or []
    if "Title" not in columns:
        raise LibraryError('This CSV file has no "Title" column (export it from Zotero as CSV).')
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise LibraryError(f"This CSV file could not be read ({exc}).") from exc
    return [
        make_entry(
            row.get("Title"),
            [row.get(c) for c in ID_COLUMNS],
            [row.get("DOI")],
            year=row.get("Publication Year"),
            kind=row.get("Item Type"),
        )
        for row in rows
    ]
