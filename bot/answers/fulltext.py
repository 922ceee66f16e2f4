"""A paper's full text from arXiv's HTML rendering, fetched once and kept in the database.

`ArxivHtml` fetches `https://arxiv.org/html/<id>` with a timeout and a size cap and parses it;
`FullTextReader` asks it only for arXiv papers that can have an HTML version (ids from 2312
on), keeps what it found in the `FullTextCache` (a page without HTML is remembered too, and
tried again after `retry_missing`), and answers None on any failure: a question is then
answered from the abstract alone.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Protocol

import httpx

from bot.answers.html import parse_sections
from bot.answers.models import FullText, Section
from bot.content.links import has_arxiv_html
from bot.errors import PaperBotError
from bot.models import Paper
from bot.ports import Clock

log = logging.getLogger(__name__)
RETRY_MISSING = timedelta(days=1)


class FullTextError(PaperBotError):
    """The HTML page could not be read right now (network, timeout, 5xx)."""


class FullTextCache(Protocol):
    def get_full_text(self, paper_id: str) -> FullText | None: ...
    def save_full_text(self, full_text: FullText) -> None: ...


class HtmlSource(Protocol):
    def sections(self, arxiv_id: str) -> list[Section] | None: ...


class ArxivHtml:
    """GET `<base_url>/<arxiv id>` -> sections; None when arXiv has no (usable) HTML page."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        max_bytes: int,
        user_agent: str,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        self.transport = transport

    def sections(self, arxiv_id: str) -> list[Section] | None:
        body = self._download(f"{self.base_url}/{arxiv_id}")
        if body is None:
            return None
        return parse_sections(body.decode("utf-8", errors="replace")) or None

    def _download(self, url: str) -> bytes | None:
        headers = {"User-Agent": self.user_agent, "Accept": "text/html"}
        try:
            with (
                httpx.Client(
                    timeout=self.timeout, follow_redirects=True, transport=self.transport
                ) as http,
                http.stream("GET", url, headers=headers) as response,
            ):
                if response.status_code in (404, 410):
                    return None
                if response.status_code >= 400:
                    raise FullTextError(f"HTTP {response.status_code} from {url}")
                if "html" not in response.headers.get("content-type", "html"):
                    return None
                return self._capped(response, url)
        except httpx.HTTPError as exc:
            raise FullTextError(f"{type(exc).__name__} reading {url}") from exc

    def _capped(self, response: httpx.Response, url: str) -> bytes | None:
        """The body, or None past `max_bytes`; FullTextError past `timeout` seconds in all
        (httpx's timeout is per read: a page dripping in would hold the question forever)."""
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + self.timeout
        for chunk in response.iter_bytes():
            if time.monotonic() > deadline:
                raise FullTextError(f"{url} took longer than {self.timeout:.0f}s")
            size += len(chunk)
            if size > self.max_bytes:
                log.info("%s is over %d bytes; answering from the abstract", url, self.max_bytes)
                return None
            chunks.append(chunk)
        return b"".join(chunks)


class FullTextReader:
    """A paper's full text: from the cache, else from arXiv (then cached); None without."""

    def __init__(
        self,
        cache: FullTextCache,
        source: HtmlSource,
        clock: Clock,
        *,
        retry_missing: timedelta = RETRY_MISSING,
    ) -> None:
        self.cache = cache
        self.source = source
        self.clock = clock
        self.retry_missing = retry_missing
        self.fetches = 0  # pages requested by this process, for logs and tests

    def full_text(self, paper: Paper) -> FullText | None:
        if not (paper.is_arxiv and has_arxiv_html(paper.id)):
            return None
        now = self.clock.now()
        cached = self._cached(paper.id)
        if cached is not None and (cached.found or now - cached.fetched_at < self.retry_missing):
            return cached if cached.found else None
        self.fetches += 1
        try:
            sections = self.source.sections(paper.id)
        except FullTextError as exc:
            log.warning("full text of %s unavailable now: %s", paper.id, exc)
            return None
        found = FullText(paper.id, tuple(sections or ()), now, found=bool(sections))
        try:
            self.cache.save_full_text(found)
        except PaperBotError as exc:
            log.warning("could not cache the full text of %s: %s", paper.id, exc)
        return found if found.found else None

    def _cached(self, paper_id: str) -> FullText | None:
        try:
            return self.cache.get_full_text(paper_id)
        except PaperBotError as exc:
            log.warning("full-text cache unavailable: %s", exc)
            return None
