"""The LLM summary cache."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.errors import NotFound
from bot.models import CachedSummary
from storage.base import StoreBase
from storage.tables import PaperSummaryRow


class SummaryStore(StoreBase):
    """The LLM summary cache."""

    def get_summary(self, paper_id: str, model: str) -> CachedSummary | None:
        with self.session() as s:
            row = s.get(PaperSummaryRow, (paper_id, model))
            if row is None:
                return None
            return CachedSummary(row.paper_id, row.model, row.text, row.source_hash, row.created_at)

    def save_summary(self, summary: CachedSummary) -> None:
        """Insert or replace the summary of (paper, model)."""
        created = summary.created_at
        if created is None:
            raise ValueError("a cached summary needs created_at")
        try:
            self._merge_summary(summary, created)
        except IntegrityError as exc:
            raise NotFound(f"no paper with id {summary.paper_id}") from exc

    def _merge_summary(self, summary: CachedSummary, created: datetime) -> None:
        with self.session() as s:
            s.merge(
                PaperSummaryRow(
                    paper_id=summary.paper_id,
                    model=summary.model[:200],
                    text=summary.text,
                    source_hash=summary.source_hash,
                    created_at=created,
                )
            )

    def count_summaries_since(self, since: datetime) -> int:
        with self.session() as s:
            return int(
                s.exec(
                    select(func.count())
                    .select_from(PaperSummaryRow)
                    .where(col(PaperSummaryRow.created_at) >= since)
                ).one()
            )
