"""Vote reactions waiting to be added (`bot.ports.VoteStore`): the vote lane's overflow past
its in-memory cap and what a stopping worker had not added, taken back oldest first."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select

from bot.models import PendingVote, Platform
from storage.base import StoreBase
from storage.tables import ChannelRow, PendingVoteRow

_VOTE = PendingVoteRow.__table__  # type: ignore[attr-defined]
_CHANNEL = ChannelRow.__table__  # type: ignore[attr-defined]


class VoteStore(StoreBase):
    def save_votes(self, votes: Sequence[PendingVote], *, now: datetime) -> None:
        if not votes:
            return
        rows = [
            {
                "channel_id": v.channel_id,
                "message_id": v.message_id,
                "emoji": v.emoji,
                "tries": v.tries,
                "queued_at": now,
            }
            for v in votes
        ]
        with self.transaction() as conn:
            conn.execute(insert(_VOTE), rows)

    def take_votes(self, limit: int, platforms: Collection[Platform]) -> list[PendingVote]:
        """One `DELETE .. RETURNING` of the oldest rows; on PostgreSQL the rows another worker
        is taking are skipped (`FOR UPDATE SKIP LOCKED`), SQLite has one writer at a time."""
        if limit <= 0 or not platforms:
            return []
        oldest = (
            select(_VOTE.c.id)
            .join(_CHANNEL, _CHANNEL.c.id == _VOTE.c.channel_id)
            .where(_CHANNEL.c.platform.in_([p.value for p in platforms]))
            .order_by(_VOTE.c.id)
            .limit(limit)
        )
        if self.dialect == "postgresql":
            oldest = oldest.with_for_update(of=_VOTE, skip_locked=True)
        taken = (
            delete(_VOTE)
            .where(_VOTE.c.id.in_(oldest.scalar_subquery()))
            .returning(*(_VOTE.c[k] for k in ("id", "channel_id", "message_id", "emoji", "tries")))
        )
        with self.transaction() as conn:
            rows = sorted(conn.execute(taken).all())
        return [PendingVote(r.channel_id, r.message_id, r.emoji, r.tries) for r in rows]


__all__ = ["VoteStore"]
