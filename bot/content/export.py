"""Liked papers as CSV, BibTeX or JSON lines: what `paperbot export` writes. Pure."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from pylatexenc.latexencode import unicode_to_latex

from bot.content.history import LikedPaper
from bot.content.links import code_url, paper_links
from bot.content.summarize import clean_text
from bot.identity import parse_arxiv_id
from bot.models import Paper

FORMATS = ("csv", "bibtex", "jsonl")
CSV_FIELDS = (
    "id",
    "title",
    "authors",
    "published",
    "primary_category",
    "categories",
    "url",
    "pdf_url",
    "code_url",
    "doi",
    "likes",
    "dislikes",
    "liked_at",
    "tldr",
)
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "of",
        "for",
        "in",
        "to",
        "and",
        "with",
        "towards",
        "toward",
        "via",
        "is",
        "are",
        "do",
        "does",
    ]
)


def render(liked: Sequence[LikedPaper], fmt: str) -> str:
    if fmt == "csv":
        return to_csv(liked)
    if fmt == "bibtex":
        return to_bibtex(liked)
    if fmt == "jsonl":
        return to_jsonl(liked)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def record(item: LikedPaper) -> dict[str, Any]:
    """One liked paper as plain data (the JSONL line; CSV flattens the lists)."""
    paper = item.paper
    links = dict(paper_links(paper))
    return {
        "id": paper.id,
        "title": clean_text(paper.title),
        "authors": list(paper.authors),
        "published": paper.published.isoformat() if paper.published else None,
        "primary_category": paper.primary_category
        or (paper.categories[0] if paper.categories else None),
        "categories": list(paper.categories),
        "url": links.get("abs"),
        "pdf_url": links.get("PDF"),
        "code_url": code_url(paper),
        "doi": paper.doi,
        "likes": item.up,
        "dislikes": item.down,
        "liked_at": item.liked_at.isoformat() if item.liked_at else None,
        "tldr": item.tldr,
    }


def to_jsonl(liked: Sequence[LikedPaper]) -> str:
    return "".join(json.dumps(record(i), ensure_ascii=False) + "\n" for i in liked)


def to_csv(liked: Sequence[LikedPaper]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for item in liked:
        row = record(item)
        row["authors"] = "; ".join(row["authors"])
        row["categories"] = " ".join(row["categories"])
        writer.writerow({k: _no_formula(v) for k, v in row.items()})
    return buffer.getvalue()


def _no_formula(value: Any) -> Any:
    """Spreadsheets run cells starting with = + - @ as formulas; quote those."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def to_bibtex(liked: Sequence[LikedPaper]) -> str:
    used: set[str] = set()
    return "\n".join(bibtex_entry(item.paper, used) for item in liked)


def bibtex_entry(paper: Paper, used: set[str] | None = None) -> str:
    """An @misc entry reference managers import: eprint fields for arXiv, a DOI otherwise."""
    used = used if used is not None else set()
    key = _unique(cite_key(paper), used)
    fields: list[tuple[str, str]] = [("title", "{" + _tex(clean_text(paper.title)) + "}")]
    if paper.authors:
        fields.append(("author", " and ".join(_tex(a) for a in paper.authors)))
    year = _year(paper)
    if year:
        fields.append(("year", year))
    if paper.is_arxiv:
        fields.append(("eprint", paper.id))
        fields.append(("archivePrefix", "arXiv"))
        primary = paper.primary_category or (paper.categories[0] if paper.categories else None)
        if primary:
            fields.append(("primaryClass", primary))
    if paper.doi:
        fields.append(("doi", _tex(paper.doi)))
    links = dict(paper_links(paper))
    if links.get("abs"):
        fields.append(("url", links["abs"]))
    if paper.journal_ref:
        fields.append(("note", _tex(clean_text(paper.journal_ref))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def cite_key(paper: Paper) -> str:
    """`lastname2025firstword`, ASCII only, like Google Scholar's keys."""
    last = (
        _ascii(paper.authors[0].split()[-1]) if paper.authors and paper.authors[0].split() else ""
    )
    words = [_ascii(w) for w in clean_text(paper.title).split()]
    first = next((w for w in words if w and w not in _STOP), "")
    key = f"{last or 'paper'}{_year(paper) or ''}{first}"
    return key or _ascii(paper.id) or "paper"


def _unique(key: str, used: set[str]) -> str:
    candidate, n = key, 0
    while candidate in used:
        n += 1
        candidate = key + chr(ord("a") + (n - 1) % 26) + ("" if n <= 26 else str(n))
    used.add(candidate)
    return candidate


def _year(paper: Paper) -> str | None:
    if paper.published:
        return str(paper.published.year)
    parsed = parse_arxiv_id(paper.id)
    return str(parsed.year) if parsed else None


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def _tex(text: str) -> str:
    """Escape for a BibTeX field: specials (& % $ # _ { } ~ ^ \\) and non-ASCII letters."""
    result: str = unicode_to_latex(" ".join(text.split()), non_ascii_only=False)
    return result
