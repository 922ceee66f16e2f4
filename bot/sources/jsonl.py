"""Normalized JSONL files (`.jsonl` or `.jsonl.gz`): the shared corpus format.

One object per line: `{id, title, abstract, categories, primary_category, date}` with optional
`authors` (list of names or one comma-separated string) and any `Paper` link fields.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from bot.identity import paper_key
from bot.models import Paper
from bot.sources.validate import clean_paper, count, parse_date

log = logging.getLogger(__name__)


@dataclass
class ParseResult:
    papers: list[Paper] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (where, reason)


def open_text(path: Path, raw: IO[bytes] | None = None) -> IO[str]:
    """The file as text; `raw` (the file already opened in binary, e.g. to show progress)."""
    binary: Any
    if raw is None:
        # closed with the text wrapper returned (the caller's `with`)
        binary = gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")  # noqa: SIM115
    else:
        binary = gzip.GzipFile(fileobj=raw, mode="rb") if path.suffix == ".gz" else raw
    return io.TextIOWrapper(binary, encoding="utf-8", errors="replace")


def read_jsonl(path: Path, source: str = "file", *, raw: IO[bytes] | None = None) -> ParseResult:
    """Parse a file; bad lines are rejected with a reason, duplicates after the first too."""
    result = ParseResult()
    seen: set[str] = set()
    with open_text(path, raw) as fh:
        for lineno, paper_or_error in _parse_lines(fh, source):
            where = f"{path.name}:{lineno}"
            if isinstance(paper_or_error, str):
                result.rejected.append((where, paper_or_error))
                log.warning("skipped %s: %s", where, paper_or_error)
            elif paper_or_error.id in seen:
                result.rejected.append((where, f"duplicate id {paper_or_error.id}"))
            else:
                seen.add(paper_or_error.id)
                result.papers.append(paper_or_error)
    return result


def _parse_lines(lines: IO[str], source: str) -> Iterator[tuple[int, Paper | str]]:
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield lineno, f"malformed JSON ({exc.msg})"
            continue
        if not isinstance(data, dict):
            yield lineno, "not a JSON object"
            continue
        try:
            yield lineno, clean_paper(paper_from_record(data, source))
        except (ValueError, TypeError) as exc:
            yield lineno, str(exc)


def paper_from_record(data: dict[str, Any], source: str = "file") -> Paper:
    """One normalized record as a Paper; ValueError says what is wrong.

    Only shapes are checked here; `validate.clean_paper` brings the values within bounds.
    """
    raw_id = data.get("id")
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise ValueError("missing id")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ValueError("missing title")
    abstract = data.get("abstract") or ""
    if not isinstance(abstract, str):
        raise ValueError("abstract is not a string")
    authors = _str_list(data.get("authors"), "authors", split_commas=True)
    categories = _str_list(data.get("categories"), "categories")
    primary = _text(data.get("primary_category")) or (categories[0] if categories else None)
    if primary and primary not in categories:
        categories = [primary, *categories]
    elif primary and categories[0] != primary:
        categories = [primary, *[c for c in categories if c != primary]]
    doi = _text(data.get("doi"))
    try:
        key = paper_key(arxiv=raw_id, doi=doi, guid=raw_id)
    except ValueError as exc:
        raise ValueError(f"bad id {raw_id[:100]!r}") from exc
    return Paper(
        id=key,
        title=title,
        abstract=abstract,
        authors=tuple(authors),
        categories=tuple(categories),
        primary_category=primary,
        published=_date(data.get("date") or data.get("published")),
        updated=_date(data.get("updated")),
        doi=doi,
        url=_text(data.get("url")),
        sources=(source,),
        upvotes=count(data.get("upvotes")),
        ai_summary=_text(data.get("ai_summary")),
        code_url=_text(data.get("code_url")),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _str_list(value: Any, name: str, *, split_commas: bool = False) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.split(",") if split_commas else value.split()
        return [p.strip() for p in parts if p.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [" ".join(v.split()) for v in value if v.strip()]
    raise ValueError(f"{name} must be a list of strings")


def _date(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    return parse_date(str(value))
