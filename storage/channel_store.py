"""Channels, their settings and interests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.errors import NotFound, StorageError
from bot.models import Channel, ChannelRef, ChannelSettings, Interest
from storage.base import StoreBase
from storage.mapping import channel_from_row, normalise_interest, settings_values
from storage.tables import (
    ChannelManagerRow,
    ChannelRow,
    DigestItemRow,
    DigestRow,
    InterestRow,
    ReactionRow,
)


class ChannelStore(StoreBase):
    """Channels, their settings and interests."""

    def add_channel(
        self,
        ref: ChannelRef,
        name: str,
        settings: ChannelSettings,
        interests: Iterable[Interest] = (),
        *,
        now: datetime,
    ) -> Channel:
        with self.session() as s:
            existing = s.exec(self._ref_query(ref)).first()
            if existing is not None:
                raise StorageError(f"channel {ref} already exists (id {existing.id})")
            row = ChannelRow(
                platform=ref.platform.value,
                workspace=ref.workspace,
                external_id=ref.channel,
                name=name,
                created_at=now,
                **settings_values(settings),
            )
            s.add(row)
            s.flush()
            assert row.id is not None
            for interest in interests:
                self._add_interest(s, row.id, interest, now)
            channel_id = row.id
        return self.get_channel(channel_id)

    def ensure_channel(
        self, ref: ChannelRef, name: str, settings: ChannelSettings, *, now: datetime
    ) -> Channel:
        """The channel for `ref`, created with `settings` on first use."""
        found = self.find_channel(ref)
        if found is not None:
            return found
        try:
            return self.add_channel(ref, name, settings, now=now)
        except (IntegrityError, StorageError):
            found = self.find_channel(ref)
            if found is None:
                raise
            return found

    @staticmethod
    def _ref_query(ref: ChannelRef) -> Any:
        return select(ChannelRow).where(
            ChannelRow.platform == ref.platform.value,
            ChannelRow.workspace == ref.workspace,
            ChannelRow.external_id == ref.channel,
        )

    def _load_channel(self, s: Session, row: ChannelRow) -> Channel:
        interests = list(s.exec(select(InterestRow).where(InterestRow.channel_id == row.id)))
        return channel_from_row(row, interests)

    def _load_channels(self, s: Session, rows: list[ChannelRow]) -> list[Channel]:
        """Channels with their interests: one query for the interests of all of them."""
        interests: dict[int, list[InterestRow]] = {}
        ids = [r.id for r in rows]
        for i in s.exec(select(InterestRow).where(col(InterestRow.channel_id).in_(ids))):
            interests.setdefault(i.channel_id, []).append(i)
        return [channel_from_row(r, interests.get(r.id or 0, [])) for r in rows]

    def get_channel(self, channel_id: int) -> Channel:
        with self.session() as s:
            row = s.get(ChannelRow, channel_id)
            if row is None:
                raise NotFound(f"no channel with id {channel_id}")
            return self._load_channel(s, row)

    def find_channel(self, ref: ChannelRef) -> Channel | None:
        with self.session() as s:
            row = s.exec(self._ref_query(ref)).first()
            return self._load_channel(s, row) if row else None

    def list_channels(self) -> list[Channel]:
        with self.session() as s:
            rows = list(s.exec(select(ChannelRow).order_by(col(ChannelRow.id))))
            interests: dict[int, list[InterestRow]] = {}
            for i in s.exec(select(InterestRow)):
                interests.setdefault(i.channel_id, []).append(i)
            return [channel_from_row(r, interests.get(r.id or 0, [])) for r in rows]

    def remove_channel(self, channel_id: int) -> None:
        with self.session() as s:
            row = s.get(ChannelRow, channel_id)
            if row is None:
                raise NotFound(f"no channel with id {channel_id}")
            s.execute(delete(ReactionRow).where(col(ReactionRow.channel_id) == channel_id))
            s.execute(delete(DigestItemRow).where(col(DigestItemRow.channel_id) == channel_id))
            s.execute(delete(InterestRow).where(col(InterestRow.channel_id) == channel_id))
            s.execute(
                delete(ChannelManagerRow).where(col(ChannelManagerRow.channel_id) == channel_id)
            )
            s.execute(delete(DigestRow).where(col(DigestRow.channel_id) == channel_id))
            s.delete(row)

    def update_settings(self, channel_id: int, settings: ChannelSettings) -> Channel:
        with self.session() as s:
            row = s.get(ChannelRow, channel_id)
            if row is None:
                raise NotFound(f"no channel with id {channel_id}")
            for key, value in settings_values(settings).items():
                setattr(row, key, value)
            s.add(row)
        return self.get_channel(channel_id)

    def set_next_run(self, channel_id: int, next_run_at: datetime | None) -> None:
        with self.session() as s:
            s.execute(
                update(ChannelRow)
                .where(col(ChannelRow.id) == channel_id)
                .values(next_run_at=next_run_at)
            )

    def add_interest(self, channel_id: int, interest: Interest, *, now: datetime) -> bool:
        """Add an interest; False when the channel already had it."""
        try:
            with self.session() as s:
                if s.get(ChannelRow, channel_id) is None:
                    raise NotFound(f"no channel with id {channel_id}")
                return self._add_interest(s, channel_id, interest, now)
        except IntegrityError:
            return False

    def add_interests(
        self, channel_id: int, interests: Iterable[Interest], *, now: datetime
    ) -> int:
        """Add several interests in one transaction (a library import's seeds); how many were
        new. A concurrent writer's duplicate makes it fall back to one at a time."""
        wanted = list(interests)
        try:
            with self.session() as s:
                if s.get(ChannelRow, channel_id) is None:
                    raise NotFound(f"no channel with id {channel_id}")
                return sum(self._add_interest(s, channel_id, i, now) for i in wanted)
        except IntegrityError:
            return sum(self.add_interest(channel_id, i, now=now) for i in wanted)

    @staticmethod
    def _add_interest(s: Session, channel_id: int, interest: Interest, now: datetime) -> bool:
        norm = normalise_interest(interest.value)
        exists = s.exec(
            select(InterestRow).where(
                InterestRow.channel_id == channel_id,
                InterestRow.kind == interest.kind.value,
                InterestRow.norm == norm,
            )
        ).first()
        if exists is not None:
            return False
        s.add(
            InterestRow(
                channel_id=channel_id,
                kind=interest.kind.value,
                value=interest.value.strip(),
                norm=norm,
                created_at=now,
            )
        )
        s.flush()
        return True

    def remove_interest(self, channel_id: int, interest: Interest) -> bool:
        """Remove an interest; False when the channel did not have it."""
        with self.session() as s:
            result = s.execute(
                delete(InterestRow).where(
                    col(InterestRow.channel_id) == channel_id,
                    col(InterestRow.kind) == interest.kind.value,
                    col(InterestRow.norm) == normalise_interest(interest.value),
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def get_profile_state(self, channel_id: int) -> str | None:
        with self.session() as s:
            row = s.get(ChannelRow, channel_id)
            return row.profile_state if row else None

    def save_profile_state(self, channel_id: int, state: str | None) -> None:
        with self.session() as s:
            s.execute(
                update(ChannelRow)
                .where(col(ChannelRow.id) == channel_id)
                .values(profile_state=state)
            )
