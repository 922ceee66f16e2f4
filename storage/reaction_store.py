"""Reactions and the opinions they add up to.

A reaction is keyed by (channel, paper, person, emoji) and holds the state of the latest event
seen for that key: platforms deliver events late, twice, or out of order, so each event carries
its time and an older one never overrides a newer one. At equal times a removal wins. The
decision is one conditional upsert, atomic on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, not_, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.models import ChannelRef, Feedback
from storage.base import StoreBase
from storage.tables import ChannelRow, DigestItemRow, ProcessedEventRow, ReactionRow

_REACTION = ReactionRow.__table__  # type: ignore[attr-defined]
_KEY = ("channel_id", "paper_id", "user_id", "emoji")


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
        at: datetime | None = None,
    ) -> bool:
        """Apply a reaction added or removed at `at` (the event's time; `now` when unknown).

        The stored state is the latest event's per key whatever the arrival order (a removal
        wins a tie); a removal seen first is kept, so its older add arriving later loses.
        True when the person's reaction changed; False for a retried `event_id`, an event older
        than the one applied, or one that changes nothing.
        """
        key = {"channel_id": channel_id, "paper_id": paper_id, "user_id": user_id, "emoji": emoji}
        try:
            with self.session() as s:
                return self._record(s, key, value, added, now, event_id, at)
        except IntegrityError:  # the channel or paper went away meanwhile
            return False

    def record_message_reaction(
        self,
        ref: ChannelRef,
        message_id: str,
        user_id: str,
        emoji: str,
        value: int,
        *,
        added: bool,
        now: datetime,
        event_id: str | None = None,
        at: datetime | None = None,
    ) -> bool:
        """`record_reaction` for a reaction on the message `message_id` in the channel `ref`,
        in one transaction: the message is looked up (False, nothing recorded, when it is not a
        paper the bot posted there), then the event id checked and the reaction applied."""
        found = (
            select(DigestItemRow.channel_id, DigestItemRow.paper_id)
            .join(ChannelRow, col(ChannelRow.id) == col(DigestItemRow.channel_id))
            .where(
                ChannelRow.platform == ref.platform.value,
                ChannelRow.workspace == ref.workspace,
                ChannelRow.external_id == ref.channel,
                DigestItemRow.message_id == message_id,
            )
        )
        try:
            with self.session() as s:
                item = s.exec(found).first()
                if item is None:
                    return False
                key = {"channel_id": item[0], "paper_id": item[1]}
                key |= {"user_id": user_id, "emoji": emoji}
                return self._record(s, key, value, added, now, event_id, at)
        except IntegrityError:  # the channel or paper went away meanwhile
            return False

    def _record(
        self,
        s: Session,
        key: dict[str, Any],
        value: int,
        added: bool,
        now: datetime,
        event_id: str | None,
        at: datetime | None,
    ) -> bool:
        """The event-id check and the ordered upsert, inside the caller's transaction."""
        if event_id and not self._first_delivery(s, event_id, now):
            return False
        was = s.exec(
            select(ReactionRow.active)
            .where(*(col(getattr(ReactionRow, k)) == v for k, v in key.items()))
            .with_for_update()  # PostgreSQL: the row is ours until commit
        ).first()
        values = {**key, "value": value, "active": added, "created_at": now}
        values |= {"updated_at": now, "event_at": at or now}
        applied = s.execute(self._apply(values)).first()
        return applied is not None and bool(applied[0]) != bool(was)

    def _insert(self, table: Any) -> Any:
        """INSERT with ON CONFLICT support for this database."""
        dialect = postgresql if self.dialect == "postgresql" else sqlite
        return dialect.insert(table)

    def _first_delivery(self, s: Session, event_id: str, now: datetime) -> bool:
        """Record `event_id` as handled; False when it already was (a platform retry)."""
        table = ProcessedEventRow.__table__  # type: ignore[attr-defined]
        stmt = self._insert(table).values(event_id=event_id, created_at=now)
        # RETURNING, not rowcount: psycopg reports -1 for INSERT ... ON CONFLICT DO NOTHING
        inserted = stmt.on_conflict_do_nothing(index_elements=["event_id"]).returning(
            table.c.event_id
        )
        return s.execute(inserted).first() is not None

    def _apply(self, values: dict[str, Any]) -> Any:
        """Insert the reaction, or update it when this event is newer (a removal wins a tie);
        returns the stored `active` when applied, no row when the stored event is newer."""
        stmt = self._insert(_REACTION).values(**values)
        new, old = stmt.excluded, _REACTION.c
        newer = or_(
            new.event_at > old.event_at,
            and_(new.event_at == old.event_at, old.active, not_(new.active)),
        )
        changes = {name: new[name] for name in ("active", "value", "updated_at", "event_at")}
        return stmt.on_conflict_do_update(
            index_elements=list(_KEY), set_=changes, where=newer
        ).returning(old.active)

    def feedback(self, channel_id: int) -> list[Feedback]:
        """Each person's latest opinion per paper in this channel (removed reactions excluded).

        Latest by event time; at equal times a 👎 outranks a 👍, then the emoji name decides,
        so the result never depends on the order events arrived in."""
        with self.session() as s:
            return channel_feedback(s, channel_id)

    def reaction_counts(self, channel_id: int) -> tuple[int, int]:
        """(positive, negative) opinions currently held in this channel."""
        values = [f.value for f in self.feedback(channel_id)]
        return sum(1 for v in values if v > 0), sum(1 for v in values if v < 0)

    def prune_events(self, before: datetime) -> int:
        """Forget the ids of events handled before `before` (retries come within minutes)."""
        with self.session() as s:
            result = s.execute(
                delete(ProcessedEventRow).where(col(ProcessedEventRow.created_at) < before)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]


def channel_feedback(s: Session, channel_id: int) -> list[Feedback]:
    """`ReactionStore.feedback` in the caller's transaction."""
    rows = s.exec(
        select(ReactionRow).where(
            ReactionRow.channel_id == channel_id, col(ReactionRow.active).is_(True)
        )
    )
    return latest_opinions(channel_id, rows)


def latest_opinions(channel_id: int, rows: Iterable[Any]) -> list[Feedback]:
    """Each person's latest opinion per paper among active reaction rows (anything with
    `paper_id`, `user_id`, `value`, `event_at` and `emoji`): latest by event time, at equal
    times a 👎 outranks a 👍, then the emoji name decides."""
    latest: dict[tuple[str, str], Any] = {}
    for row in sorted(rows, key=lambda r: (r.event_at, -r.value, r.emoji)):
        latest[(row.paper_id, row.user_id)] = row
    return [
        Feedback(channel_id, r.paper_id, r.user_id, r.value, r.event_at) for r in latest.values()
    ]
