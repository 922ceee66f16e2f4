"""Who may change a channel: the person who set it up and the managers admins added."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.errors import NotFound
from storage.base import StoreBase
from storage.tables import ChannelManagerRow, ChannelRow


class ManagerStore(StoreBase):
    """`channel.set_up_by` and the `channel_manager` rows."""

    def claim_channel(self, channel_id: int, user_id: str) -> str | None:
        """Record `user_id` as who set the channel up, unless someone already is (the first
        one wins, also between concurrent commands); who set it up afterwards."""
        with self.session() as s:
            s.execute(
                update(ChannelRow)
                .where(col(ChannelRow.id) == channel_id, col(ChannelRow.set_up_by).is_(None))
                .values(set_up_by=user_id)
            )
            row = s.get(ChannelRow, channel_id)
            if row is None:
                raise NotFound(f"no channel with id {channel_id}")
            return row.set_up_by

    def channel_managers(self, channel_id: int) -> list[str]:
        """The channel's managers' user ids, in the order they were added."""
        with self.session() as s:
            rows = s.exec(
                select(ChannelManagerRow)
                .where(ChannelManagerRow.channel_id == channel_id)
                .order_by(col(ChannelManagerRow.added_at), col(ChannelManagerRow.id))
            )
            return [r.user_id for r in rows]

    def add_manager(
        self, channel_id: int, user_id: str, *, added_by: str | None, now: datetime
    ) -> bool:
        """Make `user_id` a manager of the channel; False when they already were."""
        try:
            with self.session() as s:
                if s.get(ChannelRow, channel_id) is None:
                    raise NotFound(f"no channel with id {channel_id}")
                found = s.exec(
                    select(ChannelManagerRow).where(
                        ChannelManagerRow.channel_id == channel_id,
                        ChannelManagerRow.user_id == user_id,
                    )
                ).first()
                if found is not None:
                    return False
                s.add(
                    ChannelManagerRow(
                        channel_id=channel_id, user_id=user_id, added_by=added_by, added_at=now
                    )
                )
                s.flush()
                return True
        except IntegrityError:  # added by a concurrent command between the check and the insert
            return False

    def remove_manager(self, channel_id: int, user_id: str) -> bool:
        """False when `user_id` was not a manager of the channel."""
        with self.session() as s:
            result = s.execute(
                delete(ChannelManagerRow).where(
                    col(ChannelManagerRow.channel_id) == channel_id,
                    col(ChannelManagerRow.user_id) == user_id,
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]
