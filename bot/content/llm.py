"""Optional LLM TL;DRs through any OpenAI-compatible chat-completions endpoint.

Off unless LLM_BASE_URL is set (OpenAI, Ollama `http://localhost:11434/v1`, vLLM, llama.cpp).
Each paper costs one call at most (cached per paper and model), a day costs LLM_DAILY_BUDGET calls
at most, and any failure (timeout, HTTP error, junk, empty answer, budget spent) falls back,
silently for the channel, to the extractive TL;DR. The LLM only summarises; it never ranks.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.content.summarize import TLDR_LIMIT, ExtractiveSummarizer, Summarizer, clean_text, trim
from bot.errors import ConfigError, LLMError, PaperBotError, StorageError
from bot.models import CachedSummary, Paper
from bot.ports import Clock, SummaryCache

log = logging.getLogger(__name__)

PROMPT_ABSTRACT_CHARS = 4_000
MIN_SUMMARY_CHARS = 20
COOLDOWN = timedelta(minutes=10)
SYSTEM_PROMPT = (
    "You write TL;DRs of research papers for a team's chat digest. Reply with exactly one "
    "plain-text sentence of at most 30 words that says what the paper contributes or finds. "
    "No preamble, no markdown, no LaTeX, no quotes."
)

_THINK = re.compile(r"<think>.*?(</think>|$)", re.DOTALL | re.IGNORECASE)
_PREFIX = re.compile(
    r"^(?:\W*)(tl;?dr|summary|one[- ]sentence summary|one[- ]line summary)\s*[:\-–—]\s*",
    re.IGNORECASE,
)
_REFUSAL = re.compile(
    r"^(i'?m sorry|i am sorry|sorry,|i cannot|i can'?t|as an ai|i'?m unable|i am unable)",
    re.IGNORECASE,
)


class ChatClient:
    """The one call we need from an OpenAI-compatible API: `POST {base}/chat/completions`."""

    def __init__(self, http: httpx.Client, model: str) -> None:
        self.http = http
        self.model = model

    @classmethod
    def connect(
        cls, base_url: str, model: str, *, api_key: str | None, timeout: float
    ) -> ChatClient:
        parts = urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                f"LLM_BASE_URL must be an http(s) URL such as http://localhost:11434/v1, "
                f"not {base_url!r}"
            )
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        return cls(httpx.Client(base_url=base_url, timeout=timeout, headers=headers), model)

    def complete(self, messages: list[dict[str, str]], *, max_tokens: int = 160) -> str:
        """The first choice's text; LLMError for an answer without one, httpx errors as raised."""
        response = self.http.post(
            "chat/completions",
            json={
                "model": self.model,
                "messages": messages,
                "max_tokens": max_tokens,
                "temperature": 0,
                "stream": False,
            },
        )
        response.raise_for_status()
        try:
            data: Any = response.json()
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMError(f"not a chat-completions answer: {response.text[:120]!r}") from exc
        if not isinstance(content, str):
            raise LLMError("the answer has no text content")
        return content

    def close(self) -> None:
        self.http.close()


def prompt(paper: Paper) -> list[dict[str, str]]:
    abstract = clean_text(paper.abstract)[:PROMPT_ABSTRACT_CHARS]
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Title: {clean_text(paper.title)}\n\nAbstract: {abstract}"},
    ]


def parse_summary(raw: str, limit: int = TLDR_LIMIT) -> str:
    """One clean line from a model's answer, or '' when it is empty, junk or a refusal."""
    text = _THINK.sub("", raw or "")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.endswith(":")]  # "Here is a summary:" preambles
    if not lines:
        return ""
    line = lines[0].lstrip("#>*-• ").replace("**", "").replace("`", "")
    line = _PREFIX.sub("", line).strip().strip("\"'“”‘’").strip()
    line = clean_text(line)
    if len(line) < MIN_SUMMARY_CHARS or _REFUSAL.match(line):
        return ""
    letters = sum(ch.isalpha() for ch in line)
    if letters < 0.6 * len(line.replace(" ", "")):
        return ""
    return trim(line, limit)


def source_hash(paper: Paper) -> str:
    """Ties a cached summary to the text it summarised (a new version's abstract re-summarises)."""
    return hashlib.sha256(f"{paper.title}\n{paper.abstract}".encode()).hexdigest()[:16]


class LLMSummarizer:
    """HF ai_summary, else a cached or fresh LLM sentence, else the extractive TL;DR."""

    name = "llm"

    def __init__(
        self,
        client: ChatClient,
        cache: SummaryCache,
        clock: Clock,
        *,
        daily_budget: int,
        fallback: Summarizer | None = None,
        cooldown: timedelta = COOLDOWN,
        limit: int = TLDR_LIMIT,
    ) -> None:
        self.client = client
        self.cache = cache
        self.clock = clock
        self.daily_budget = daily_budget
        self.fallback = fallback or ExtractiveSummarizer()
        self.cooldown = cooldown
        self.limit = limit
        self._down_until: datetime | None = None
        self._failed: dict[date, int] = {}
        self.calls = 0  # requests sent by this process, for logs and tests

    def tldr(self, paper: Paper) -> str:
        if paper.ai_summary and paper.ai_summary.strip():
            return self.fallback.tldr(paper)  # HF's summary is already a model's; spend nothing
        return self.llm_tldr(paper) or self.fallback.tldr(paper)

    def llm_tldr(self, paper: Paper) -> str:
        """The LLM sentence for `paper`, from cache or the endpoint; '' when there is none."""
        if not paper.abstract.strip():
            return ""  # a title alone invites the model to make things up
        digest = source_hash(paper)
        model = self.client.model
        try:
            cached = self.cache.get_summary(paper.id, model)
        except StorageError:
            log.warning("summary cache unavailable; asking the LLM without it", exc_info=True)
            cached = None
        if cached is not None and cached.source_hash == digest and cached.text:
            return cached.text
        now = self.clock.now()
        if self._down_until is not None and now < self._down_until:
            return ""
        if self._used(now) >= self.daily_budget:
            log.info(
                "LLM daily budget of %d calls spent; using extractive TL;DRs", self.daily_budget
            )
            return ""
        text = self._ask(paper, now)
        if not text:
            day = _utc_day(now)
            self._failed[day] = self._failed.get(day, 0) + 1
            return ""
        try:
            self.cache.save_summary(CachedSummary(paper.id, model, text, digest, now))
        except PaperBotError:
            log.warning("could not cache the LLM summary of %s", paper.id, exc_info=True)
        return text

    def _ask(self, paper: Paper, now: datetime) -> str:
        self.calls += 1
        try:
            raw = self.client.complete(prompt(paper))
        except httpx.HTTPStatusError as exc:
            status = exc.response.status_code
            log.warning("LLM endpoint answered HTTP %d for %s; falling back", status, paper.id)
            if status >= 500 or status in (401, 403, 404, 429):
                self._down_until = now + self.cooldown
            return ""
        except httpx.HTTPError as exc:
            log.warning(
                "LLM endpoint failed for %s (%s); falling back", paper.id, type(exc).__name__
            )
            self._down_until = now + self.cooldown  # one slow call per digest, not five
            return ""
        except LLMError as exc:
            log.warning("LLM answer for %s unusable: %s", paper.id, exc)
            return ""
        text = parse_summary(raw, self.limit)
        if not text:
            log.warning("LLM answer for %s was empty or junk: %r", paper.id, raw[:80])
        return text

    def _used(self, now: datetime) -> int:
        """Calls spent today (UTC): summaries cached today plus today's failed attempts."""
        day = _utc_day(now)
        try:
            cached = self.cache.count_summaries_since(datetime.combine(day, time(0), tzinfo=UTC))
        except StorageError:
            cached = 0
        return cached + self._failed.get(day, 0)


def _utc_day(now: datetime) -> date:
    return now.astimezone(UTC).date() if now.tzinfo else now.date()
