"""The one gate every source's records pass before they reach the store.

Text loses NUL and other control characters (and lone surrogates, which no database encodes)
and has its whitespace collapsed; counts are clamped to the 32-bit columns that hold them;
lists and long fields are capped; dates are read strictly. A record that cannot be made valid
raises ValueError with the reason, and its source skips it (one line in the log, with the
source and the record id) and keeps the rest of the page.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache

from bot.models import (
    MAX_ABSTRACT,
    MAX_AUTHOR_NAME,
    MAX_AUTHORS,
    MAX_CATEGORIES,
    MAX_CATEGORY,
    MAX_COUNT,
    MAX_DOI,
    MAX_KEYWORDS,
    MAX_PAPER_ID,
    MAX_SHORT_FIELD,
    MAX_TITLE,
    Paper,
)

MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)
MAX_KEYWORD = 100
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str) -> str:
    """Control characters removed, whitespace runs (newlines and tabs too) made one space."""
    if value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " ":
        return value  # the common case, already clean: the only whitespace is single spaces
    if _CONTROL.search(value):
        value = _CONTROL.sub("", value)
    return " ".join(value.split())


def clip(value: str | None, limit: int = MAX_SHORT_FIELD) -> str | None:
    """Cleaned, None when empty, cut with an ellipsis past `limit` characters."""
    if not isinstance(value, str):
        return None
    value = clean_text(value)
    if not value:
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


def count(value: object, *, low: int = 0) -> int | None:
    """A count clamped to [low, 2^31-1]; None when it is no number (bools, text, NaN)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        return None
    return min(max(value, low), MAX_COUNT)


@lru_cache(maxsize=512)
def parse_date(value: str) -> date | None:
    """An ISO (`2026-06-12`, `2026-06-12T14:00:00Z`) or RFC 2822 date; '' is None.

    ValueError when the text is no date or lies outside 1900-2100.
    """
    text = value.strip()
    if not text:
        return None
    try:
        if text[:4].isdigit():
            day = datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        else:
            day = parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        raise ValueError(f"bad date {value[:40]!r}") from None
    return checked_date(day)


def checked_date(day: date | None) -> date | None:
    if day is not None and not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(f"date out of range ({day.isoformat()})")
    return day


def clean_paper(paper: Paper) -> Paper:
    """`paper` within the bounds of bot.models; ValueError says why it cannot be."""
    pid = clean_text(paper.id)
    if not pid:
        raise ValueError("missing id")
    if len(pid) > MAX_PAPER_ID:
        raise ValueError(f"id too long ({len(pid)} characters)")
    title = clean_text(paper.title)
    if not title:
        raise ValueError("missing title")
    if len(title) > MAX_TITLE:
        raise ValueError(f"title too long ({len(title)} characters)")
    abstract = clean_text(paper.abstract)
    if len(abstract) > MAX_ABSTRACT:
        raise ValueError(f"abstract too long ({len(abstract)} characters)")
    categories = [c for c in (_within(v, MAX_CATEGORY) for v in paper.categories) if c]
    if len(categories) > MAX_CATEGORIES:
        raise ValueError(f"too many categories ({len(categories)})")
    return replace(
        paper,
        id=pid,
        title=title,
        abstract=abstract,
        authors=_clipped(paper.authors, MAX_AUTHOR_NAME)[:MAX_AUTHORS],
        categories=tuple(categories),
        primary_category=_within(paper.primary_category, MAX_CATEGORY),
        published=checked_date(paper.published),
        updated=checked_date(paper.updated),
        version=count(paper.version, low=1),
        sources=_clipped(paper.sources, MAX_KEYWORD),
        keywords=_clipped(paper.keywords, MAX_KEYWORD)[:MAX_KEYWORDS],
        doi=_within(paper.doi, MAX_DOI),
        announce_type=_within(paper.announce_type, 32),
        url=clip(paper.url),
        pdf_url=clip(paper.pdf_url),
        comments=clip(paper.comments),
        journal_ref=clip(paper.journal_ref),
        ai_summary=clip(paper.ai_summary),
        code_url=clip(paper.code_url),
        project_url=clip(paper.project_url),
        hf_url=clip(paper.hf_url),
        upvotes=count(paper.upvotes),
        code_stars=count(paper.code_stars),
        hf_comments=count(paper.hf_comments),
    )


def _within(value: str | None, limit: int) -> str | None:
    """Cleaned; None when empty or longer than `limit` (a cut DOI or category is no DOI)."""
    if not isinstance(value, str):
        return None
    value = clean_text(value)
    return value if value and len(value) <= limit else None


def _clipped(values: tuple[str, ...], limit: int) -> tuple[str, ...]:
    """Each value cleaned and cut to `limit`; empty ones dropped."""
    return tuple(v for v in (clip(value, limit) for value in values) if v)
