"""In-memory SummaryCache: TL;DRs per (paper, model)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.errors import NotFound
from bot.models import CachedSummary
from tests.fakes.papers import FakePaperStore


@dataclass
class FakeSummaryCache(FakePaperStore):
    summaries: dict[tuple[str, str], CachedSummary] = field(default_factory=dict)

    def get_summary(self, paper_id: str, model: str) -> CachedSummary | None:
        return self.summaries.get((paper_id, model[:200]))

    def save_summary(self, summary: CachedSummary) -> None:
        if summary.created_at is None:
            raise ValueError("a cached summary needs created_at")
        if summary.paper_id not in self.papers:
            raise NotFound(f"no paper with id {summary.paper_id}")
        self.summaries[(summary.paper_id, summary.model[:200])] = summary
        self._note("save_summary", summary.paper_id, summary.model)

    def count_summaries_since(self, since: datetime) -> int:
        return sum(
            1 for s in self.summaries.values() if s.created_at is not None and s.created_at >= since
        )
