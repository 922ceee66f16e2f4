"""Reactions and the opinions they add up to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.models import Feedback
from storage.base import StoreBase
from storage.tables import ProcessedEventRow, ReactionRow


class ReactionStore(StoreBase):
    """Reactions and the opinions they add up to."""

    def record_reaction(
        self,
        channel_id: int,
        paper_id: str,
        user_id: str,
        emoji: str,
        value: int,
        *,
        added: bool,
        now: datetime,
        event_id: str | None = None,
    ) -> bool:
        """Store a reaction added or removed; False when nothing changed (a retried event)."""
        try:
            with self.session() as s:
                if event_id:
                    s.add(ProcessedEventRow(event_id=event_id, created_at=now))
                    s.flush()
                row = s.exec(
                    select(ReactionRow).where(
                        ReactionRow.channel_id == channel_id,
                        ReactionRow.paper_id == paper_id,
                        ReactionRow.user_id == user_id,
                        ReactionRow.emoji == emoji,
                    )
                ).first()
                if row is None:
                    if not added:
                        return False
                    s.add(
                        ReactionRow(
                            channel_id=channel_id,
                            paper_id=paper_id,
                            user_id=user_id,
                            emoji=emoji,
                            value=value,
                            active=True,
                            created_at=now,
                            updated_at=now,
                        )
                    )
                    return True
                if row.active == added:
                    return False
                row.active = added
                row.updated_at = now
                s.add(row)
                return True
        except IntegrityError:
            return False

    def feedback(self, channel_id: int) -> list[Feedback]:
        """Each person's latest opinion per paper in this channel (removed reactions excluded)."""
        with self.session() as s:
            rows = s.exec(
                select(ReactionRow)
                .where(ReactionRow.channel_id == channel_id, col(ReactionRow.active).is_(True))
                .order_by(col(ReactionRow.updated_at), col(ReactionRow.id))
            )
            latest: dict[tuple[str, str], ReactionRow] = {}
            for row in rows:
                latest[(row.paper_id, row.user_id)] = row
        return [
            Feedback(channel_id, r.paper_id, r.user_id, r.value, r.updated_at)
            for r in latest.values()
        ]

    def reaction_counts(self, channel_id: int) -> tuple[int, int]:
        """(positive, negative) opinions currently held in this channel."""
        values = [f.value for f in self.feedback(channel_id)]
        return sum(1 for v in values if v > 0), sum(1 for v in values if v < 0)

    def prune_events(self, before: datetime) -> int:
        with self.session() as s:
            result = s.execute(
                delete(ProcessedEventRow).where(col(ProcessedEventRow.created_at) < before)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]
