"""In-memory VoteStore: the vote reactions waiting, oldest first."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.models import PendingVote, Platform
from tests.fakes.channels import FakeChannelStore


@dataclass
class FakeVoteStore(FakeChannelStore):
    pending_votes: list[PendingVote] = field(default_factory=list)

    def save_votes(self, votes: Sequence[PendingVote], *, now: datetime) -> None:
        self.pending_votes.extend(votes)
        if votes:
            self._note("save_votes", len(votes))

    def take_votes(self, limit: int, platforms: Collection[Platform]) -> list[PendingVote]:
        def ours(vote: PendingVote) -> bool:
            record = self.channels.get(vote.channel_id)
            return record is not None and record.channel.ref.platform in platforms

        taken = [v for v in self.pending_votes if ours(v)][: max(limit, 0)]
        for vote in taken:
            self.pending_votes.remove(vote)
        return taken
