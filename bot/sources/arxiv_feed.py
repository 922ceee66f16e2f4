"""arXiv announcement feeds (rss.arxiv.org, RSS 2.0 or Atom): the day's new, cross and replace.

One URL per group of categories (`<ARXIV_FEED_URL>/cs.AI+cs.LG`). The feed is rebuilt once a
day at midnight US Eastern, so a copy fetched since the last rebuild is reused without a
request; otherwise the request is conditional (ETag / Last-Modified).

`replace` / `replace-cross` entries are new versions of older papers: they update what we
know, and a paper first seen that way is stored but never offered to digests as new.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time
from xml.etree.ElementTree import Element
from zoneinfo import ZoneInfo

from bot.identity import split_arxiv_id
from bot.models import Paper
from bot.sources.base import ParsedFeed
from bot.sources.jsonl import paper_from_record
from bot.sources.validate import parse_date
from bot.sources.xmlsafe import ARXIV, ATOM, DC, iter_entries, local, split_authors, text

SOURCE = "arxiv"
FEED_CAP = 2_000  # rss.arxiv.org returns at most this many entries per feed
ANNOUNCE_TYPES = frozenset({"new", "cross", "replace", "replace-cross"})
NOT_NEW = frozenset({"replace", "replace-cross"})
EASTERN = ZoneInfo("America/New_York")
_DESCRIPTION = re.compile(
    r"^\s*arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?(?P<abstract>.*)$",
    re.S | re.I,
)
_ENTRY_TAGS = frozenset({"item", f"{ATOM}entry"})
_CATEGORY = re.compile(r"^(?P<archive>[a-z][a-z-]*)(?:\.[A-Za-z][A-Za-z-]*)?$")
ARCHIVES = frozenset(
    [
        "astro-ph",
        "cond-mat",
        "cs",
        "econ",
        "eess",
        "gr-qc",
        "hep-ex",
        "hep-lat",
        "hep-ph",
        "hep-th",
        "math",
        "math-ph",
        "nlin",
        "nucl-ex",
        "nucl-th",
        "physics",
        "q-bio",
        "q-fin",
        "quant-ph",
        "stat",
    ]
)


def is_category(value: str) -> bool:
    """`cs.LG`, `q-bio.NC`, `math`, `hep-th`: an arXiv archive or a category in one."""
    match = _CATEGORY.match(value)
    return match is not None and match.group("archive") in ARCHIVES


def feed_urls(base_url: str, categories: Sequence[str], per_request: int) -> list[str]:
    """One feed URL per group of categories (`.../rss/cs.AI+cs.LG`)."""
    cats = list(dict.fromkeys(c.strip() for c in categories if c.strip()))
    size = max(1, per_request)
    return [
        f"{base_url.rstrip('/')}/{'+'.join(cats[i : i + size])}" for i in range(0, len(cats), size)
    ]


def last_rebuild(now: datetime) -> datetime:
    """The most recent midnight US Eastern at or before `now`: when the feeds were rebuilt."""
    local_now = now.astimezone(EASTERN)
    return datetime.combine(local_now.date(), time(0), tzinfo=EASTERN)


def feed_day(now: datetime) -> date:
    """The announcement day the feeds currently hold (US Eastern date)."""
    return now.astimezone(EASTERN).date()


def parse_feed(body: bytes) -> ParsedFeed:
    """Parse an arXiv RSS or Atom announcement feed; bad entries are rejected with a reason."""
    result = ParsedFeed()

    def on_meta(elem: Element) -> None:
        if elem.tag in ("pubDate", f"{ATOM}updated") and "date" not in result.meta:
            result.meta["date"] = _feed_date(text(elem))
        if elem.tag == "skipDays":
            result.meta["skip_days"] = True

    for n, elem in enumerate(iter_entries(body, _ENTRY_TAGS, result, on_meta), start=1):
        try:
            paper = parse_entry(elem)
        except ValueError as exc:
            where = text(elem.find("guid")) or text(elem.find(f"{ATOM}id")) or f"entry {n}"
            result.rejected.append((where[:100], str(exc)))
            continue
        result.accept(paper)
    if result.error is None and result.root not in ("rss", "feed"):
        result.error = f"not an RSS/Atom feed (root element <{result.root}>)"
    return result


def parse_entry(elem: Element) -> Paper:
    """One RSS `<item>` or Atom `<entry>` of an arXiv announcement feed."""
    atom = local(elem.tag) == "entry"
    ns = ATOM if atom else ""
    description = text(elem.find(f"{ns}summary" if atom else "description"))
    match = _DESCRIPTION.match(description)
    guid = text(elem.find(f"{ATOM}id" if atom else "guid"))
    raw_id = (match.group("id") if match else "") or guid
    parts = split_arxiv_id(raw_id) or split_arxiv_id(guid)
    if parts is None:
        raise ValueError("no arXiv id in the entry")
    base, version = parts
    announce = text(elem.find(f"{ARXIV}announce_type")) or (match.group("type") if match else "")
    announce = announce.lower()
    if announce and announce not in ANNOUNCE_TYPES:
        raise ValueError(f"unknown announce type {announce!r}")
    abstract = match.group("abstract").strip() if match else description
    if not abstract:
        raise ValueError("missing abstract")
    if atom:
        categories = [c.get("term", "") for c in elem.findall(f"{ATOM}category")]
        link = next((lk.get("href") for lk in elem.findall(f"{ATOM}link") if lk.get("href")), None)
        when = parse_date(text(elem.find(f"{ATOM}published")))
    else:
        categories = [text(c) for c in elem.findall("category")]
        link = text(elem.find("link")) or None
        when = parse_date(text(elem.find("pubDate")))
    record = {
        "id": base,
        "title": text(elem.find(f"{ns}title")),
        "abstract": abstract,
        "authors": split_authors(text(elem.find(f"{DC}creator"))),
        "categories": [c for c in categories if c],
        "doi": text(elem.find(f"{ARXIV}DOI")) or None,
        "url": link,
    }
    paper = paper_from_record(record, SOURCE)
    first_release = announce not in NOT_NEW
    return replace(
        paper,
        version=version,
        announce_type=announce or None,
        published=when if first_release else None,
        updated=when,
        journal_ref=text(elem.find(f"{ARXIV}journal_reference")) or None,
    )


def _feed_date(value: str) -> date | None:
    """The feed's own date (metadata): unreadable is unknown, not fatal."""
    try:
        return parse_date(value)
    except ValueError:
        return None
