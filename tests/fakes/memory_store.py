"""`MemoryStore`: every store port in memory, one shared state, every change in `events`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.models import PlanInputs
from tests.fakes.reactions import FakeReactionStore
from tests.fakes.schedule import FakeScheduleStore
from tests.fakes.summaries import FakeSummaryCache
from tests.fakes.votes import FakeVoteStore


@dataclass
class MemoryStore(FakeReactionStore, FakeScheduleStore, FakeSummaryCache, FakeVoteStore):
    """The `bot.ports.Store` union on plain dicts, for core unit tests (no database)."""

    def plan_inputs(self, channel_id: int, since: datetime, limit: int = 5000) -> PlanInputs:
        return PlanInputs(
            papers=self.papers_seen_since(since, limit),
            posted=frozenset(self.posted_paper_ids(channel_id)),
            feedback=tuple(self.feedback(channel_id)),
        )

    def remove_channel(self, channel_id: int) -> None:
        """The channel and everything it owned: digests, items, reactions."""
        super().remove_channel(channel_id)
        for did in [d.id for d in self.digests.values() if d.channel_id == channel_id]:
            del self.digests[did]
        for key in [k for k in self.reactions if k[0] == channel_id]:
            del self.reactions[key]
