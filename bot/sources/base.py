"""What every source hands the fetcher: parsed pages of papers, with rejections and errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.models import Paper

if TYPE_CHECKING:
    from bot.sources.http import Fetched


@dataclass
class ParsedFeed:
    """What one response held: the good papers, the skipped entries and why, a fatal error."""

    papers: list[Paper] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (where, reason)
    error: str | None = None  # the response as a whole was bad (after `papers` were read)
    root: str = ""  # the root element's tag, without namespace
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def entries(self) -> int:
        return len(self.papers) + len(self.rejected)


@dataclass
class Page:
    """One response of a source and what it held; `fetched` is None when nothing was asked."""

    label: str
    parsed: ParsedFeed
    fetched: Fetched | None
