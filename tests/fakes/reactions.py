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
        key = (channel_id, paper_id, user_id, emoji)
        outcome = self._apply(key, value, added, now, event_id, at or now)
        self._note("record_reaction", key, added, event_id, outcome)
        return outcome == "changed"

    def _apply(
        self, key: Key, value: int, added: bool, now: datetime, event_id: str | None, when: datetime
    ) -> str:
        """What the event did: changed, unchanged, older, duplicate or refused."""
        if key[0] not in self.channels or key[1] not in self.papers:
            return "refused"  # the SQL store's foreign keys refuse it, event id and all
        if event_id:
            if event_id in self.processed:
                return "duplicate"
            self.processed[event_id] = now
        old = self.reactions.get(key)
        newer = old is None or when > old.event_at
        newer = newer or (old is not None and when == old.event_at and old.active and not added)
        if not newer:
            return "older"
        self.reactions[key] = ReactionRecord(value, added, when)
        return "changed" if added != (old is not None and old.active) else "unchanged"

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
        channel = self.find_channel(ref)
        paper_id = self.find_item_by_message(channel.id, message_id) if channel else None
        if channel is None or paper_id is None:
            outcome = "not a posted paper"
        else:
            key = (channel.id, paper_id, user_id, emoji)
            outcome = self._apply(key, value, added, now, event_id, at or now)
        self._note("record_message_reaction", ref, message_id, event_id, outcome)
        return outcome == "changed"

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
