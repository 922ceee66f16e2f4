"""The arXiv query API (export.arxiv.org/api/query, Atom): id look-ups, searches, date windows.

Used for backfill, `like <id>` look-ups and to fill in fields other sources lack. Requests go
through the shared arXiv rate gate (one every ARXIV_MIN_INTERVAL_SECONDS, one at a time) and
results are reused for the rest of the day (they only change after arXiv's midnight rebuild).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from xml.etree.ElementTree import Element

from bot.config import Settings
from bot.identity import split_arxiv_id
from bot.models import Paper
from bot.sources.arxiv_feed import last_rebuild
from bot.sources.base import Page, ParsedFeed
from bot.sources.http import PoliteClient, RateGate
from bot.sources.jsonl import paper_from_record
from bot.sources.xmlsafe import ARXIV, ATOM, OPENSEARCH, iter_entries, text

SOURCE = "arxiv-api"
MAX_PAGE = 2_000  # arXiv's largest slice per call
MAX_TOTAL = 30_000  # arXiv refuses to page further
ID_BATCH = 100


def window_query(categories: Sequence[str], start: date, end: date) -> str:
    """`(cat:a OR cat:b) AND submittedDate:[start 00:00 TO end 23:59]` (GMT)."""
    cats = " OR ".join(f"cat:{c}" for c in dict.fromkeys(categories) if c)
    window = f"submittedDate:[{start:%Y%m%d}0000 TO {end:%Y%m%d}2359]"
    return f"({cats}) AND {window}" if cats else window


def span_query(categories: Sequence[str], start: datetime, end: datetime) -> str:
    """`(cat:a OR cat:b) AND submittedDate:[start TO end]`, to the minute (GMT), end included."""
    cats = " OR ".join(f"cat:{c}" for c in dict.fromkeys(categories) if c)
    fmt = "%Y%m%d%H%M"
    window = f"submittedDate:[{start.astimezone(UTC):{fmt}} TO {end.astimezone(UTC):{fmt}}]"
    return f"({cats}) AND {window}" if cats else window


def parse_api(body: bytes) -> ParsedFeed:
    """Parse an API response; an arXiv error entry makes `error` say what arXiv said."""
    result = ParsedFeed()

    def on_meta(elem: Element) -> None:
        if elem.tag == f"{OPENSEARCH}totalResults":
            try:
                result.meta["total"] = int(text(elem))
            except ValueError:
                result.meta["total"] = None

    for n, elem in enumerate(iter_entries(body, frozenset({f"{ATOM}entry"}), result, on_meta)):
        entry_id = text(elem.find(f"{ATOM}id"))
        if "/api/errors" in entry_id:
            result.error = f"arXiv API error: {text(elem.find(f'{ATOM}summary')) or entry_id}"
            continue
        try:
            paper = parse_entry(elem)
        except ValueError as exc:
            result.rejected.append(((entry_id or f"entry {n + 1}")[:100], str(exc)))
            continue
        result.accept(paper, duplicate="duplicate entry in the same response")
    if result.error is None and result.root != "feed":
        result.error = f"not an Atom feed (root element <{result.root}>)"
    return result


def parse_entry(elem: Element) -> Paper:
    entry_id = text(elem.find(f"{ATOM}id"))
    parts = split_arxiv_id(entry_id)
    if parts is None:
        raise ValueError("no arXiv id in the entry")
    base, version = parts
    abstract = text(elem.find(f"{ATOM}summary"))
    if not abstract:
        raise ValueError("missing abstract")
    links = elem.findall(f"{ATOM}link")
    url = next((lk.get("href") for lk in links if lk.get("rel") == "alternate"), None)
    pdf = next((lk.get("href") for lk in links if lk.get("title") == "pdf"), None)
    primary = elem.find(f"{ARXIV}primary_category")
    authors = [text(a.find(f"{ATOM}name")) for a in elem.findall(f"{ATOM}author")]
    record: dict[str, object] = {
        "id": base,
        "title": text(elem.find(f"{ATOM}title")),
        "abstract": abstract,
        "authors": [a for a in authors if a],
        "categories": [c.get("term", "") for c in elem.findall(f"{ATOM}category") if c.get("term")],
        "primary_category": primary.get("term") if primary is not None else None,
        "date": text(elem.find(f"{ATOM}published")) or None,
        "updated": text(elem.find(f"{ATOM}updated")) or None,
        "doi": text(elem.find(f"{ARXIV}doi")) or None,
        "url": f"https://arxiv.org/abs/{base}" if url else None,  # the link, without version
    }
    paper = paper_from_record(record, SOURCE)
    return replace(
        paper,
        version=version,
        pdf_url=pdf,
        comments=text(elem.find(f"{ARXIV}comment")) or None,
        journal_ref=text(elem.find(f"{ARXIV}journal_ref")) or None,
    )


def query_pages(
    client: PoliteClient,
    settings: Settings,
    gate: RateGate,
    *,
    search_query: str = "",
    id_list: Sequence[str] = (),
    max_results: int | None = None,
    sort_by: str = "submittedDate",
    now: datetime | None = None,
) -> Iterator[Page]:
    """Page through one query, stopping at the total, `max_results`, an empty page or an error."""
    limit = min(max_results or settings.arxiv_api_max_results, MAX_TOTAL)
    page_size = max(1, min(settings.arxiv_api_page_size, MAX_PAGE, limit))
    fresh = last_rebuild(now or client.clock.now())
    start = 0
    while start < limit:
        params: dict[str, str | int] = {
            "search_query": search_query,
            "id_list": ",".join(id_list),
            "start": start,
            "max_results": min(page_size, limit - start),
            "sortBy": sort_by,
            "sortOrder": "descending",
        }
        label = f"{search_query or 'ids ' + ','.join(id_list[:3])} [{start}:]"
        fetched = client.get(settings.arxiv_api_url, params, gate=gate, fresh_since=fresh)
        parsed = parse_api(fetched.body)
        total = parsed.meta.get("total")
        if (
            parsed.error is None
            and parsed.entries == 0
            and isinstance(total, int)
            and start < total
        ):
            # arXiv sometimes answers an empty page mid-way; not cached, so the next run retries
            parsed.error = f"arXiv returned an empty page at {start} of {total} results"
        elif isinstance(total, int) and start + parsed.entries >= limit and total > limit:
            parsed.meta["warning"] = f"stopped at {limit} of {total} results (raise the limit)"
        yield Page(label, parsed, fetched)
        if parsed.error is not None or parsed.entries == 0:
            return
        start += parsed.entries
        if isinstance(total, int) and start >= total:
            return


def lookup_pages(
    client: PoliteClient, settings: Settings, gate: RateGate, ids: Sequence[str]
) -> Iterator[Page]:
    """Look papers up by id (with or without version, old-style ids too), in batches."""
    clean: list[str] = []
    bad = ParsedFeed()
    for raw in dict.fromkeys(i.strip() for i in ids if i.strip()):
        parts = split_arxiv_id(raw)
        if parts is None:
            bad.rejected.append((raw, "not an arXiv id"))
        else:
            clean.append(parts[0] + (f"v{parts[1]}" if parts[1] else ""))
    if bad.rejected:
        yield Page("invalid ids", bad, None)
    for i in range(0, len(clean), ID_BATCH):
        batch = clean[i : i + ID_BATCH]
        yield from query_pages(client, settings, gate, id_list=batch, max_results=len(batch))
