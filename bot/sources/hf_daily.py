"""Hugging Face Daily Papers (`/api/daily_papers?date=...&p=...&limit=...`): trending arXiv papers.

Each element wraps a `paper`: its `id` is the arXiv id, and `upvotes`, `ai_summary`,
`ai_keywords`, `githubRepo`, `githubStars`, `projectPage` live inside it. The top-level
`publishedAt` is when the paper reached Daily Papers; `paper.publishedAt` is the arXiv date.
Every field is optional and unknown fields are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

from bot.config import Settings
from bot.identity import split_arxiv_id
from bot.models import Paper
from bot.sources.base import Page, ParsedFeed
from bot.sources.http import PoliteClient, RateGate
from bot.sources.jsonl import paper_from_record
from bot.sources.validate import count

SOURCE = "hf"
MAX_KEYWORDS = 30


def parse_daily(body: bytes) -> ParsedFeed:
    """Parse one page of Daily Papers; bad elements are rejected with a reason."""
    result = ParsedFeed(root="json")
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        result.error = f"malformed JSON ({getattr(exc, 'msg', exc)})"
        return result
    if isinstance(data, dict) and "error" in data:
        result.error = f"Hugging Face error: {str(data['error'])[:200]}"
        return result
    if not isinstance(data, list):
        result.error = f"expected a JSON array, got {type(data).__name__}"
        return result
    for n, item in enumerate(data, start=1):
        try:
            paper = parse_item(item)
        except (ValueError, TypeError) as exc:
            result.rejected.append((_where(item, n), str(exc)))
            continue
        result.accept(paper, duplicate="duplicate entry in the same response")
    return result


def _where(item: Any, n: int) -> str:
    if isinstance(item, dict) and isinstance(item.get("paper"), dict):
        pid = item["paper"].get("id")
        if isinstance(pid, str) and pid:
            return pid[:60]
    return f"item {n}"


def parse_item(item: Any) -> Paper:
    if not isinstance(item, dict):
        raise ValueError("not a JSON object")
    inner = item.get("paper")
    if not isinstance(inner, dict):
        raise ValueError("no paper object")
    if inner.get("withdrawnAt"):
        raise ValueError("withdrawn on Hugging Face")
    raw_id = inner.get("id")
    parts = split_arxiv_id(raw_id) if isinstance(raw_id, str) else None
    if parts is None:
        raise ValueError("missing or non-arXiv paper id")
    authors = [
        a["name"]
        for a in inner.get("authors") or []
        if isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip()
    ]
    record = {
        "id": parts[0],
        "title": inner.get("title") or item.get("title"),
        "abstract": inner.get("summary") or item.get("summary") or "",
        "authors": authors,
        "published": inner.get("publishedAt"),  # the arXiv date, not the Daily Papers one
    }
    paper = paper_from_record(record, SOURCE)
    keywords = inner.get("ai_keywords") or []
    if not isinstance(keywords, list):
        keywords = []
    return replace(
        paper,
        upvotes=count(inner.get("upvotes")),
        hf_comments=count(item.get("numComments")),
        ai_summary=_str(inner.get("ai_summary")),
        keywords=tuple(k for k in keywords[:MAX_KEYWORDS] if isinstance(k, str)),
        code_url=_str(inner.get("githubRepo")),
        code_stars=count(inner.get("githubStars")),
        project_url=_str(inner.get("projectPage")),
        hf_url=f"https://huggingface.co/papers/{parts[0]}",
    )


def _str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def daily_pages(
    client: PoliteClient, settings: Settings, gate: RateGate, day: date
) -> Iterator[Page]:
    """Every page of one day's Daily Papers (until a short or empty page)."""
    size = settings.hf_page_size
    for page in range(settings.hf_max_pages):
        params: dict[str, str | int] = {"date": day.isoformat(), "p": page, "limit": size}
        fetched = client.get(settings.hf_papers_url, params, gate=gate)
        parsed = parse_daily(fetched.body)
        yield Page(f"{day.isoformat()} page {page}", parsed, fetched)
        if parsed.error is not None or parsed.entries < size:
            return
