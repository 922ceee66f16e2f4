"""Fetch papers from every configured source into the store: the `fetch` stage, run alone.

`run_fetch` is what the CLI and the scheduler call. Each source is one unit of work: its
failure is logged and reported, never fatal to the others. Each good response is stored page
by page and only then remembered in the response cache, so a run that fails half-way is picked
up by the next one, and a second run of the same day adds nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot.config import Settings
from bot.digest.schedule import ArxivCalendar
from bot.errors import InvalidInput, PaperBotError, SourceError
from bot.models import InterestKind, Paper
from bot.service import PaperBot
from bot.sources import arxiv_api, arxiv_feed, hf_daily, rss
from bot.sources.arxiv_fallback import announcement_window
from bot.sources.base import Page
from bot.sources.http import (
    IntervalGate,
    MemoryCache,
    NoGate,
    PoliteClient,
    RateGate,
    ResponseCache,
)
from bot.sources.merge import REPLACED

log = logging.getLogger(__name__)

SOURCES = ("arxiv", "arxiv-api", "hf", "rss")
Progress = Callable[[str, str], None]  # (source, what just happened)


@dataclass
class SourceReport:
    """What one source did in one run."""

    source: str
    fetched: int = 0  # good entries read
    new: int = 0  # works stored for the first time (digest candidates)
    not_new: int = 0  # first seen through a `replace`: stored, never offered as new
    updated: int = 0
    unchanged: int = 0
    requests: int = 0  # responses read (network or cache)
    cached: int = 0  # of which reused from the cache or answered 304 Not Modified
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, reason)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "ok": self.ok,
            "fetched": self.fetched,
            "new": self.new,
            "not_new": self.not_new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "requests": self.requests,
            "cached": self.cached,
            "skipped": [{"where": w, "reason": r} for w, r in self.skipped],
            "errors": list(self.errors),
            "notes": list(self.notes),
        }


@dataclass
class FetchReport:
    sources: list[SourceReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """At least one source worked."""
        return any(s.ok for s in self.sources)

    @property
    def new(self) -> int:
        return sum(s.new for s in self.sources)

    def get(self, source: str) -> SourceReport | None:
        return next((s for s in self.sources if s.source == source), None)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "sources": [s.as_dict() for s in self.sources]}


def fetch_categories(core: PaperBot, settings: Settings) -> list[str]:
    """Channels' category interests plus ARXIV_DEFAULT_CATEGORIES, in a stable order."""
    wanted = list(settings.default_categories)
    for channel in core.store.list_channels():
        wanted.extend(channel.interest_values(InterestKind.CATEGORY))
    return sorted(dict.fromkeys(c.strip() for c in wanted if c.strip()))


def resolve_sources(names: Iterable[str], *, past_day: bool, have_feeds: bool) -> list[str]:
    """`all` = the arXiv feed (the API for a past day), HF and the configured RSS feeds."""
    chosen: list[str] = []
    for name in names:
        name = name.strip().lower()
        if name == "all":
            chosen += ["arxiv-api" if past_day else "arxiv", "hf", *(["rss"] if have_feeds else [])]
        elif name in SOURCES:
            chosen.append(name)
        else:
            raise InvalidInput(f"unknown source {name!r}; use one of {', '.join(SOURCES)}, all")
    return list(dict.fromkeys(chosen))


class Fetcher:
    """Holds one run's client, gates and reports."""

    def __init__(
        self,
        core: PaperBot,
        settings: Settings,
        client: PoliteClient,
        arxiv_gate: RateGate,
        progress: Progress | None = None,
    ) -> None:
        self.core = core
        self.settings = settings
        self.client = client
        self.arxiv_gate = arxiv_gate
        self.progress = progress or (lambda source, what: None)
        self.deadline_seconds = settings.source_fetch_deadline_seconds

    def fetch_feed(self, sr: SourceReport, cats: Sequence[str], *, day: date, today: date) -> None:
        """Today's announcement feeds; they hold no other day."""
        if day != today:
            sr.errors.append(
                f"the arXiv feed only holds today's announcements ({today}); "
                "use --source arxiv-api for other days"
            )
            return
        self.run_source(sr, _feed_pages(self, cats))
        if sr.ok and sr.fetched == 0 and not sr.skipped:
            sr.notes.append("no announcements today (weekend or arXiv holiday)")

    def fetch_window(self, sr: SourceReport, cats: Sequence[str], *, day: date, days: int) -> None:
        """Papers submitted in the `days` (at least 2) before `day`, from the arXiv API."""
        query = arxiv_api.window_query(cats, day - timedelta(days=max(days, 2)), day)
        cap = self.settings.arxiv_backfill_max_results if days > 1 else None
        pages = arxiv_api.query_pages(
            self.client, self.settings, self.arxiv_gate, search_query=query, max_results=cap
        )
        self.run_source(sr, pages)

    def fetch_feed_fallback(
        self, report: FetchReport, feed: SourceReport, cats: Sequence[str], day: date
    ) -> None:
        """The feed of `day` failed: fetch its announcement's submissions from the arXiv API."""
        calendar = ArxivCalendar.from_setting(self.settings.arxiv_holidays)
        window = announcement_window(calendar, day)
        if window is None:
            feed.notes.append(f"no announcement in the feed of {day}: no API fallback needed")
            return
        start, end = window
        log.warning(
            "arxiv feed failed (%s); fetching the %s announcement from the arXiv API instead",
            feed.errors[0],
            day,
        )
        api = report.get("arxiv-api")
        if api is None:
            api = SourceReport("arxiv-api")
            report.sources.append(api)
        api.notes.append(
            f"fallback for the failed arXiv feed: submissions {start:%Y-%m-%d %H:%M} to "
            f"{end:%Y-%m-%d %H:%M} UTC"
        )
        query = arxiv_api.span_query(cats, start, end - timedelta(minutes=1))
        cap = self.settings.arxiv_backfill_max_results  # a big day has more than a page
        pages = arxiv_api.query_pages(
            self.client, self.settings, self.arxiv_gate, search_query=query, max_results=cap
        )
        self.run_source(api, pages)

    def run_source(self, report: SourceReport, pages: Iterator[Page]) -> list[Paper]:
        """Store every page of one source within its deadline; a failure is reported, not
        raised."""
        stored: list[Paper] = []
        try:
            with self.client.within(self.deadline_seconds):
                for page in pages:
                    stored += self.store_page(report, page)
        except PaperBotError as exc:
            log.warning("%s failed: %s", report.source, exc)
            report.errors.append(str(exc))
        except Exception as exc:  # one bulkhead per source: log the traceback, keep going
            log.exception("%s failed unexpectedly", report.source)
            report.errors.append(f"unexpected {type(exc).__name__}: {exc}")
        return stored

    def store_page(self, report: SourceReport, page: Page) -> list[Paper]:
        parsed, fetched = page.parsed, page.fetched
        if fetched is not None:
            report.requests += 1
            report.cached += int(fetched.from_cache or fetched.not_modified)
        for where, reason in parsed.rejected:
            log.info("%s skipped %s: %s", report.source, where, reason)
        report.skipped += parsed.rejected
        report.fetched += len(parsed.papers)
        if parsed.meta.get("warning"):
            report.notes.append(f"{page.label}: {parsed.meta['warning']}")
        fresh = [p for p in parsed.papers if p.announce_type not in REPLACED]
        replaced = [p for p in parsed.papers if p.announce_type in REPLACED]
        for group, is_new in ((fresh, True), (replaced, False)):
            if not group:
                continue
            result = self.core.ingest(group)
            if is_new:
                report.new += result.new
            else:
                report.not_new += result.new
            report.updated += result.updated
            report.unchanged += result.unchanged
            report.skipped += result.rejected  # refused by the database (logged there)
        if parsed.error is not None:
            kept = f" ({len(parsed.papers)} entries before it kept)" if parsed.papers else ""
            raise_msg = f"{page.label}: {parsed.error}{kept}"
            log.warning("%s: %s", report.source, raise_msg)
            report.errors.append(raise_msg)
        elif fetched is not None:
            self.client.remember(fetched)
        self.progress(report.source, f"{page.label}: {len(parsed.papers)} papers")
        return parsed.papers


def run_fetch(
    core: PaperBot,
    settings: Settings,
    *,
    sources: Sequence[str] = ("all",),
    day: date | None = None,
    categories: Sequence[str] | None = None,
    days: int = 1,
    client: PoliteClient | None = None,
    arxiv_gate: RateGate | None = None,
    progress: Progress | None = None,
) -> FetchReport:
    """Fetch the chosen sources for `day` (default: today's announcements) into the store.

    `days` > 1 backfills: the arXiv API over that many days of submissions, HF day by day.
    """
    now = core.clock.now()
    today = arxiv_feed.feed_day(now)
    day = day or today
    if days < 1:
        raise InvalidInput("--days must be at least 1")
    feeds = rss.feed_specs(settings.rss_feeds)
    chosen = resolve_sources(sources, past_day=day != today or days > 1, have_feeds=bool(feeds))
    wanted = list(categories) if categories else fetch_categories(core, settings)
    cats = [c for c in wanted if arxiv_feed.is_category(c)]
    bad_cats = [c for c in wanted if not arxiv_feed.is_category(c)]
    if categories and bad_cats:
        raise InvalidInput(f"not arXiv categories: {', '.join(bad_cats)} (e.g. cs.LG, q-bio.NC)")
    own_client = client is None
    client = client or PoliteClient(settings, core.clock, cache=_cache_for(core))
    fetcher = Fetcher(
        core, settings, client, arxiv_gate or default_arxiv_gate(core, settings), progress
    )
    fetcher.deadline_seconds = settings.source_fetch_deadline_seconds * days
    report = FetchReport()
    hf_papers: list[Paper] = []
    try:
        for name in chosen:
            sr = SourceReport(name)
            report.sources.append(sr)
            if bad_cats and name in ("arxiv", "arxiv-api"):
                sr.notes.append(f"ignored channel categories that arXiv does not have: {bad_cats}")
            if name in ("arxiv", "arxiv-api") and not cats:
                sr.notes.append("no categories to fetch")
            elif name == "arxiv":
                fetcher.fetch_feed(sr, cats, day=day, today=today)
                if not sr.ok and day == today and settings.arxiv_feed_fallback:
                    fetcher.fetch_feed_fallback(report, sr, cats, day)
            elif name == "arxiv-api":
                fetcher.fetch_window(sr, cats, day=day, days=days)
            elif name == "hf":
                hf_days = [day - timedelta(days=i) for i in range(days)]
                hf_papers = fetcher.run_source(sr, _hf_pages(client, settings, hf_days))
            elif name == "rss":
                for spec in feeds:
                    fetcher.run_source(sr, rss.feed_pages(client, settings, NoGate(), spec))
                if not feeds:
                    sr.notes.append("no RSS_FEEDS configured")
        if hf_papers and settings.hf_fill_from_arxiv:
            _fill_from_arxiv(fetcher, report, hf_papers)
    finally:
        if own_client:
            client.close()
    return report


def _feed_pages(fetcher: Fetcher, cats: Sequence[str]) -> Iterator[Page]:
    s = fetcher.settings
    fresh = arxiv_feed.last_rebuild(fetcher.core.clock.now())
    for url in arxiv_feed.feed_urls(s.arxiv_feed_url, cats, s.arxiv_feed_categories_per_request):
        fetched = fetcher.client.get(url, gate=fetcher.arxiv_gate, fresh_since=fresh)
        parsed = arxiv_feed.parse_feed(fetched.body)
        if parsed.entries >= arxiv_feed.FEED_CAP:
            parsed.meta["warning"] = (
                f"{parsed.entries} entries: arXiv's cap, some may be missing; "
                "lower ARXIV_FEED_CATEGORIES_PER_REQUEST"
            )
        yield Page(url.rsplit("/", 1)[-1], parsed, fetched)


def _hf_pages(client: PoliteClient, settings: Settings, days: Sequence[date]) -> Iterator[Page]:
    for d in days:
        yield from hf_daily.daily_pages(client, settings, NoGate(), d)


def _fill_from_arxiv(fetcher: Fetcher, report: FetchReport, hf_papers: Sequence[Paper]) -> None:
    """HF entries carry no arXiv categories: look up the ones no arXiv source has given us."""
    known = fetcher.core.store.get_papers([p.id for p in hf_papers])
    missing = [pid for pid, p in known.items() if not p.categories]
    if not missing:
        return
    sr = report.get("arxiv-api") or SourceReport("arxiv-api")
    if sr not in report.sources:
        report.sources.append(sr)
    sr.notes.append(f"looked up {len(missing)} HF papers for their arXiv categories")
    s = fetcher.settings
    fetcher.run_source(sr, arxiv_api.lookup_pages(fetcher.client, s, fetcher.arxiv_gate, missing))


def lookup_papers(
    core: PaperBot,
    settings: Settings,
    ids: Sequence[str],
    *,
    client: PoliteClient | None = None,
    arxiv_gate: RateGate | None = None,
) -> dict[str, Paper]:
    """Papers by arXiv id (`like <id>`): from the store, else fetched from the arXiv API and stored.

    Unknown or malformed ids are simply missing from the answer; a failing API raises
    `SourceError`.
    """
    from bot.identity import arxiv_id

    wanted = {raw: arxiv_id(raw) for raw in ids}
    known = core.store.get_papers([k for k in wanted.values() if k])
    missing = [raw for raw, key in wanted.items() if key and key not in known]
    if missing:
        own = client is None
        client = client or PoliteClient(settings, core.clock, cache=_cache_for(core))
        gate = arxiv_gate or default_arxiv_gate(core, settings)
        try:
            for page in arxiv_api.lookup_pages(client, settings, gate, missing):
                if page.parsed.error:
                    raise SourceError(page.parsed.error)
                core.ingest(page.parsed.papers)
        finally:
            if own:
                client.close()
        known = core.store.get_papers([k for k in wanted.values() if k])
    return known


def _cache_for(core: PaperBot) -> ResponseCache:
    return core.store if isinstance(core.store, ResponseCache) else MemoryCache()


def default_arxiv_gate(core: PaperBot, settings: Settings) -> RateGate:
    """The store's shared gate when it has one (PostgreSQL), else a lock file on this host."""
    shared = getattr(core.store, "shared_rate_gate", None)
    if shared is not None:
        gate: RateGate | None = shared("arxiv", settings.arxiv_min_interval_seconds)
        if gate is not None:
            return gate
    return IntervalGate(
        settings.arxiv_min_interval_seconds, lock_path=settings.arxiv_lock_path(), sleep=time.sleep
    )
