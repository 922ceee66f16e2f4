"""What every source hands the fetcher: parsed pages of papers, with rejections and errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.models import Paper
from bot.sources.validate import clean_paper

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
    seen: set[str] = field(default_factory=set, repr=False)

    @property
    def entries(self) -> int:
        return len(self.papers) + len(self.rejected)

    def accept(self, paper: Paper, *, duplicate: str = "duplicate entry in the same feed") -> None:
        """Keep a parsed paper once `clean_paper` made it valid; else reject it, saying why."""
        try:
            paper = clean_paper(paper)
        except ValueError as exc:
            self.rejected.append((paper.id[:100], str(exc)))
            return
        if paper.id in self.seen:
            self.rejected.append((paper.id, duplicate))
            return
        self.seen.add(paper.id)
        self.papers.append(paper)


@dataclass
class Page:
    """One response of a source and what it held; `fetched` is None when nothing was asked."""

    label: str
    parsed: ParsedFeed
    fetched: Fetched | None
