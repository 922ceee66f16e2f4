"""Which format a library file is in (by name, then by content), and its entries."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.library.bibtex import parse_bibtex
from bot.library.entries import (
    FORMATS,
    MAX_ENTRIES,
    MAX_LIBRARY_BYTES,
    LibraryEntry,
    LibraryError,
)
from bot.library.ris import parse_ris
from bot.library.zotero_csv import looks_like_zotero_csv, parse_zotero_csv

Parser = Callable[[str], list[LibraryEntry]]
PARSERS: dict[str, Parser] = {"bibtex": parse_bibtex, "ris": parse_ris, "csv": parse_zotero_csv}
EXTENSIONS = {".bib": "bibtex", ".bibtex": "bibtex", ".ris": "ris", ".csv": "csv"}
_BIB_START = re.compile(r"^\s*@\s*[a-zA-Z]+\s*[{(]", re.MULTILINE)
_RIS_START = re.compile(r"^TY  - ", re.MULTILINE)


def detect_format(name: str, text: str) -> str:
    """`bibtex`, `ris` or `csv`; LibraryError naming the formats it knows otherwise."""
    lowered = name.lower()
    for ext, fmt in EXTENSIONS.items():
        if lowered.endswith(ext):
            return fmt
    head = text[:20_000]
    if _RIS_START.search(head):
        return "ris"
    if _BIB_START.search(head):
        return "bibtex"
    if looks_like_zotero_csv(head):
        return "csv"
    raise LibraryError("I can't tell what kind of file this is. I read " + ", ".join(FORMATS) + ".")


def decode_library(data: bytes) -> str:
    if len(data) > MAX_LIBRARY_BYTES:
        raise LibraryError(
            f"This file is {len(data) // 1000:,} KB; I read library files up to "
            f"{MAX_LIBRARY_BYTES // 1_000_000} MB. Export a collection instead of the library."
        )
    if b"\x00" in data[:4096]:
        raise LibraryError("This is not a text file. I read " + ", ".join(FORMATS) + ".")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_library(name: str, data: bytes) -> tuple[str, list[LibraryEntry]]:
    """(format, entries) of a library file; LibraryError when it is too big, has too many
    entries, is in an unknown format or cannot be parsed."""
    text = decode_library(data)
    fmt = detect_format(name, text)
    entries = PARSERS[fmt](text)
    if len(entries) > MAX_ENTRIES:
        raise LibraryError(
            f"This file has {len(entries):,} references; I import at most {MAX_ENTRIES:,} "
            "at a time. Export a collection instead of the whole library."
        )
    return fmt, entries
