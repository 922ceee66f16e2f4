"""Any RSS/Atom feed (journals, bioRxiv/medRxiv, blogs), parsed with feedparser.

Identity per entry: an arXiv id found in its link, guid or DOI (`10.48550/arXiv.*`) first,
then a DOI, then the guid or link. Documents declaring entities are refused before
feedparser sees them (XML bombs); feedparser's lenient mode handles the rest.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import feedparser

from bot.config import Settings
from bot.identity import arxiv_id, find_doi
from bot.models import Paper
from bot.sources.base import Page, ParsedFeed
from bot.sources.http import PoliteClient, RateGate
from bot.sources.jsonl import paper_from_record
from bot.sources.xmlsafe import looks_like_html

_TAG = re.compile(r"<[^>]+>")
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
MAX_KEYWORDS = 30


@dataclass(frozen=True, slots=True)
class FeedSpec:
    name: str
    url: str

    @property
    def source(self) -> str:
        return f"rss:{self.name}"


def feed_specs(value: str) -> list[FeedSpec]:
    """`RSS_FEEDS`: comma-separated URLs, each optionally `name=url`."""
    specs: list[FeedSpec] = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, url = part.partition("=")
        if not sep or "://" in name:
            url, name = part, urlsplit(part).hostname or part
        specs.append(FeedSpec(name.strip(), url.strip()))
    return specs


def parse_rss(body: bytes, source: str) -> ParsedFeed:
    result = ParsedFeed()
    if not body.strip():
        result.error = "empty response body"
        return result
    if looks_like_html(body):
        result.error = "got an HTML page instead of a feed"
        return result
    if _ENTITY_DECL.search(body[:65536]):
        result.error = "unsafe XML refused (entity declarations)"
        return result
    parsed: Any = feedparser.parse(body, sanitize_html=True, resolve_relative_uris=False)
    result.root = parsed.get("version") or ""
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            exc = parsed.get("bozo_exception")
            result.error = f"not a readable RSS/Atom feed ({type(exc).__name__}: {exc})"[:300]
        return result
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        result.meta["warning"] = f"feed is not well-formed ({type(exc).__name__})"
    for n, entry in enumerate(parsed.entries, start=1):
        try:
            paper = parse_entry(entry, source)
        except (ValueError, TypeError) as exc:
            result.rejected.append(
                (str(entry.get("id") or entry.get("link") or f"entry {n}")[:100], str(exc))
            )
            continue
        result.accept(paper)
    return result


def _plain(value: str | None) -> str:
    return html.unescape(_TAG.sub(" ", value or ""))


def parse_entry(entry: Any, source: str) -> Paper:
    link = entry.get("link") or ""
    guid = entry.get("id") or ""
    doi = (
        find_doi(entry.get("prism_doi"))
        or find_doi(entry.get("dc_identifier"))
        or find_doi(link)
        or find_doi(guid)
    )
    arxiv = arxiv_id(link) or arxiv_id(guid) or (arxiv_id(doi) if doi else None)
    if not (arxiv or doi or guid or link):
        raise ValueError("missing id (no guid, link or DOI)")
    authors = [a.get("name", "") for a in entry.get("authors") or [] if isinstance(a, dict)]
    if not any(authors) and entry.get("author"):
        authors = [entry["author"]]
    record = {
        "id": arxiv or guid or link or doi,
        "title": _plain(entry.get("title")),
        "abstract": _plain(entry.get("summary")),
        "authors": [a for a in authors if isinstance(a, str) and a.strip()],
        "date": _entry_date(entry),
        "doi": doi,
        "url": link or None,
    }
    paper = paper_from_record(record, source)
    tags = [t.get("term") for t in entry.get("tags") or [] if isinstance(t, dict)]
    keywords = tuple(t for t in tags[:MAX_KEYWORDS] if isinstance(t, str))
    return replace(paper, keywords=keywords)


def _entry_date(entry: Any) -> str | None:
    """The entry's date (ISO); a date feedparser could not read makes the entry invalid."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed:
        return date(*parsed[:3]).isoformat()
    raw = entry.get("published") or entry.get("updated")
    if raw:
        raise ValueError(f"bad date {str(raw)[:40]!r}")
    return None


def feed_pages(
    client: PoliteClient, settings: Settings, gate: RateGate, spec: FeedSpec
) -> Iterator[Page]:
    fetched = client.get(spec.url, gate=gate)
    yield Page(spec.name, parse_rss(fetched.body, spec.source), fetched)
