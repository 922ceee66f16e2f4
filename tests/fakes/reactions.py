"""In-memory ReactionStore: the latest event per (channel, paper, person, emoji) decides."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.models import ChannelRef, Feedback
from tests.fakes.outbox import FakeOutboxStore

Key = tuple[int, str, str, str]  # (channel id, paper id, user id, emoji)


@dataclass
class ReactionRecord:
    value: int
    active: bool
    event_at: datetime


@dataclass
class FakeReactionStore(FakeOutboxStore):
    """Reactions by key, and the handled event ids with when they were handled."""

    reactions: dict[Key, ReactionRecord] = field(default_factory=dict)
    processed: dict[str, datetime] = field(default_factory=dict)

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
        if channel_id not in self.channels or paper_id not in self.papers:
            return False  # the SQL store's foreign keys refuse it, event id and all
        if event_id:
            if event_id in self.processed:
                self._note("duplicate_event", event_id)
                return False
            self.processed[event_id] = now
        key, when = (channel_id, paper_id, user_id, emoji), at or now
        old = self.reactions.get(key)
        newer = old is None or when > old.event_at
        newer = newer or (old is not None and when == old.event_at and old.active and not added)
        if not newer:
            self._note("older_event", key, added, when)
            return False
        self.reactions[key] = ReactionRecord(value, added, when)
        self._note("record_reaction", key, added, when)
        return added != (old is not None and old.active)

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
        self._note("record_message_reaction", ref, message_id, event_id)
        channel = self.find_channel(ref)
        paper_id = self.find_item_by_message(channel.id, message_id) if channel else None
        if channel is None or paper_id is None:
            return False
        return self.record_reaction(
            channel.id,
            paper_id,
            user_id,
            emoji,
            value,
            added=added,
            now=now,
            event_id=event_id,
            at=at,
        )

    def prune_events(self, before: datetime) -> int:
        old = [e for e, at in self.processed.items() if at < before]
        for e in old:
            del self.processed[e]
        self._note("prune_events", before, len(old))
        return len(old)

    def feedback(self, channel_id: int) -> list[Feedback]:
        active = [(k, r) for k, r in self.reactions.items() if k[0] == channel_id and r.active]
        latest: dict[tuple[str, str], tuple[Key, ReactionRecord]] = {}
        for k, r in sorted(active, key=lambda kr: (kr[1].event_at, -kr[1].value, kr[0][3])):
            latest[(k[1], k[2])] = (k, r)
        return [Feedback(channel_id, k[1], k[2], r.value, r.event_at) for k, r in latest.values()]

    def reaction_counts(self, channel_id: int) -> tuple[int, int]:
        values = [f.value for f in self.feedback(channel_id)]
        return sum(1 for v in values if v > 0), sum(1 for v in values if v < 0)
