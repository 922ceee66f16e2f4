"""In-memory ChannelStore and ManagerStore: channels with their settings, interests, managers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.errors import NotFound, StorageError
from bot.models import Channel, ChannelRef, ChannelSettings, Interest
from tests.fakes.base import MemoryBase


def normalise(value: str) -> str:
    """How an interest is compared (as `storage.mapping.normalise_interest`)."""
    return " ".join(value.lower().split())


@dataclass
class ChannelRecord:
    """A channel row: the channel, and what the store keeps about it beside."""

    channel: Channel
    claimed_by: str | None = None
    lease_until: datetime | None = None
    profile_state: str | None = None
    managers: list[str] = field(default_factory=list)


@dataclass
class FakeChannelStore(MemoryBase):
    """Channels by id; `removed` lists the ids of channels removed (with all they owned)."""

    channels: dict[int, ChannelRecord] = field(default_factory=dict)
    removed: list[int] = field(default_factory=list)

    def _record(self, channel_id: int) -> ChannelRecord:
        found = self.channels.get(channel_id)
        if found is None:
            raise NotFound(f"no channel with id {channel_id}")
        return found

    def _set(self, channel_id: int, **changes: object) -> None:
        rec = self._record(channel_id)
        rec.channel = replace(rec.channel, **changes)  # type: ignore[arg-type]

    def add_channel(
        self,
        ref: ChannelRef,
        name: str,
        settings: ChannelSettings,
        interests: Iterable[Interest] = (),
        *,
        now: datetime,
    ) -> Channel:
        existing = self.find_channel(ref)
        if existing is not None:
            raise StorageError(f"channel {ref} already exists (id {existing.id})")
        cid = self._next_id("channel")
        self.channels[cid] = ChannelRecord(Channel(cid, ref, name, settings, created_at=now))
        for interest in interests:
            self._add_interest(cid, interest)
        self._note("add_channel", ref, name)
        return self.get_channel(cid)

    def ensure_channel(
        self, ref: ChannelRef, name: str, settings: ChannelSettings, *, now: datetime
    ) -> Channel:
        return self.find_channel(ref) or self.add_channel(ref, name, settings, now=now)

    def get_channel(self, channel_id: int) -> Channel:
        return self._record(channel_id).channel

    def find_channel(self, ref: ChannelRef) -> Channel | None:
        return next((r.channel for r in self.channels.values() if r.channel.ref == ref), None)

    def list_channels(self) -> list[Channel]:
        return [self.channels[cid].channel for cid in sorted(self.channels)]

    def remove_channel(self, channel_id: int) -> None:
        self._record(channel_id)
        del self.channels[channel_id]
        self.removed.append(channel_id)
        self._note("remove_channel", channel_id)

    def update_settings(self, channel_id: int, settings: ChannelSettings) -> Channel:
        self._set(channel_id, settings=settings)
        self._note("update_settings", channel_id, settings)
        return self.get_channel(channel_id)

    def add_interest(self, channel_id: int, interest: Interest, *, now: datetime) -> bool:
        self._record(channel_id)
        added = self._add_interest(channel_id, interest)
        self._note("add_interest", channel_id, interest, added)
        return added

    def add_interests(
        self, channel_id: int, interests: Iterable[Interest], *, now: datetime
    ) -> int:
        self._record(channel_id)
        wanted = list(interests)
        added = sum(self._add_interest(channel_id, i) for i in wanted)
        self._note("add_interests", channel_id, tuple(wanted), added)
        return added

    def _add_interest(self, channel_id: int, interest: Interest) -> bool:
        channel = self._record(channel_id).channel
        norm = normalise(interest.value)
        if any(i.kind is interest.kind and normalise(i.value) == norm for i in channel.interests):
            return False
        kept = Interest(interest.kind, interest.value.strip())
        self._set(channel_id, interests=(*channel.interests, kept))
        return True

    def remove_interest(self, channel_id: int, interest: Interest) -> bool:
        rec = self.channels.get(channel_id)
        if rec is None:
            return False
        norm = normalise(interest.value)
        kept = tuple(
            i
            for i in rec.channel.interests
            if not (i.kind is interest.kind and normalise(i.value) == norm)
        )
        removed = len(kept) != len(rec.channel.interests)
        rec.channel = replace(rec.channel, interests=kept)
        self._note("remove_interest", channel_id, interest, removed)
        return removed

    def get_profile_state(self, channel_id: int) -> str | None:
        rec = self.channels.get(channel_id)
        return rec.profile_state if rec else None

    def save_profile_state(self, channel_id: int, state: str | None) -> None:
        if channel_id in self.channels:
            self.channels[channel_id].profile_state = state

    # ---------------------------------------------------------------- ManagerStore
    def claim_channel(self, channel_id: int, user_id: str) -> str | None:
        rec = self._record(channel_id)
        if rec.channel.set_up_by is None:
            self._set(channel_id, set_up_by=user_id)
            self._note("claim_channel", channel_id, user_id)
        return rec.channel.set_up_by

    def channel_managers(self, channel_id: int) -> list[str]:
        rec = self.channels.get(channel_id)
        return list(rec.managers) if rec else []

    def add_manager(
        self, channel_id: int, user_id: str, *, added_by: str | None, now: datetime
    ) -> bool:
        rec = self._record(channel_id)
        if user_id in rec.managers:
            return False
        rec.managers.append(user_id)
        self._note("add_manager", channel_id, user_id, added_by)
        return True

    def remove_manager(self, channel_id: int, user_id: str) -> bool:
        rec = self.channels.get(channel_id)
        if rec is None or user_id not in rec.managers:
            return False
        rec.managers.remove(user_id)
        self._note("remove_manager", channel_id, user_id)
        return True
