"""Questions in a paper's thread: the full-text cache and the handled-event record."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from bot.answers.models import FullText, Section
from bot.errors import NotFound
from storage.reaction_store import ReactionStore
from storage.tables import PaperFullTextRow


class AnswerStore(ReactionStore):
    """Full texts per paper (JSON sections) and the dedupe of re-delivered question events."""

    def get_full_text(self, paper_id: str) -> FullText | None:
        with self.session() as s:
            row = s.get(PaperFullTextRow, paper_id)
            if row is None:
                return None
            sections = tuple(
                Section(str(item["title"]), tuple(str(p) for p in item["paragraphs"]))
                for item in json.loads(row.sections)
            )
            return FullText(row.paper_id, sections, row.fetched_at, found=row.found)

    def save_full_text(self, full_text: FullText) -> None:
        """Insert or replace the full text of a paper."""
        body = json.dumps(
            [{"title": s.title, "paragraphs": list(s.paragraphs)} for s in full_text.sections],
            ensure_ascii=False,
        )
        row = PaperFullTextRow(
            paper_id=full_text.paper_id,
            found=full_text.found,
            sections=body,
            fetched_at=full_text.fetched_at,
        )
        try:
            with self.session() as s:
                s.merge(row)
        except IntegrityError as exc:
            raise NotFound(f"no paper with id {full_text.paper_id}") from exc

    def mark_event_handled(self, event_id: str, now: datetime) -> bool:
        """Record a platform event id as handled; False when it already was (a re-delivery).
        Shares the reactions' table, so the same pruning forgets it."""
        with self.session() as s:
            return self._first_delivery(s, event_id, now)
