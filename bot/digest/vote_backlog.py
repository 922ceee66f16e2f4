"""The vote lane's backlog in the store: a vote is kept as its channel id, message and emoji,
and taken back with its channel (read again) and the adapter of its platform."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from bot.digest.votes import Vote
from bot.errors import NotFound
from bot.models import Channel, PendingVote, Platform
from bot.ports import ChannelStore, ChatAdapter, Clock, VoteSeedingAdapter, VoteStore, supports


class VoteBacklogStore(VoteStore, ChannelStore, Protocol):
    """What the backlog needs: the kept votes and the channels they go to."""


class StoredVotes:
    """`bot.digest.votes.VoteBacklog` on the store, for the platforms whose adapters seed
    votes in this process (another worker's platforms stay for it)."""

    def __init__(
        self, store: VoteBacklogStore, adapters: Mapping[Platform, ChatAdapter], clock: Clock
    ) -> None:
        self.store = store
        self.adapters = adapters
        self.clock = clock

    def save(self, votes: Sequence[Vote]) -> None:
        kept = [PendingVote(v.channel.id, v.message_id, v.emoji, v.tries) for v in votes]
        self.store.save_votes(kept, now=self.clock.now())

    def take(self, limit: int) -> list[Vote]:
        seeding = {p: a for p, a in self.adapters.items() if supports(a, VoteSeedingAdapter)}
        channels: dict[int, Channel | None] = {}
        taken: list[Vote] = []
        for kept in self.store.take_votes(limit, tuple(seeding)):
            if kept.channel_id not in channels:
                channels[kept.channel_id] = self._channel(kept.channel_id)
            channel = channels[kept.channel_id]
            if channel is None:  # removed meanwhile: nothing to react in
                continue
            adapter = seeding[channel.ref.platform]
            taken.append(Vote(0.0, 0, adapter, channel, kept.message_id, kept.emoji, kept.tries))
        return taken

    def _channel(self, channel_id: int) -> Channel | None:
        try:
            return self.store.get_channel(channel_id)
        except NotFound:
            return None


__all__ = ["StoredVotes", "VoteBacklogStore"]
