"""Digests and their items: the outbox that never double-posts."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.errors import DigestInProgress, LeaseLost, NotFound
from bot.models import Digest, DigestItem, ItemStatus, Lease, Paper, ScoredPaper
from storage.base import StoreBase
from storage.mapping import paper_from_row, reasons_from_json, reasons_to_json
from storage.tables import ChannelRow, DigestItemRow, DigestRow, PaperRow

log = logging.getLogger(__name__)


class OutboxStore(StoreBase):
    """Digests and their items: the outbox that never double-posts."""

    def posted_paper_ids(self, channel_id: int) -> set[str]:
        """Every paper ever put into a digest for this channel (posted or still pending)."""
        with self.session() as s:
            return set(
                s.exec(select(DigestItemRow.paper_id).where(DigestItemRow.channel_id == channel_id))
            )

    def create_digest(
        self,
        channel_id: int,
        run_key: str,
        picks: Sequence[tuple[ScoredPaper, str]],
        *,
        candidates: int,
        now: datetime,
        watermark: datetime | None,
    ) -> tuple[Digest, bool]:
        """Write a digest and all its items before anything is posted.

        Returns (digest, created). When (channel, run_key) already exists the existing digest is
        returned with created=False, so a retried or concurrent run resumes instead of duplicating.
        When another digest of the channel (another run key) recorded some of these papers
        first, raises DigestInProgress: a paper is posted to a channel once.
        """
        try:
            with self.session() as s:
                digest = DigestRow(
                    channel_id=channel_id, run_key=run_key, candidates=candidates, created_at=now
                )
                s.add(digest)
                s.flush()
                assert digest.id is not None
                for rank, (scored, tldr) in enumerate(picks, start=1):
                    s.add(
                        DigestItemRow(
                            digest_id=digest.id,
                            channel_id=channel_id,
                            paper_id=scored.paper.id,
                            rank=rank,
                            score=float(scored.score),
                            reasons=reasons_to_json(scored.reasons),
                            tldr=tldr,
                        )
                    )
                values: dict[str, Any] = {"last_digest_at": now}
                if watermark is not None:
                    values["watermark"] = watermark
                s.execute(
                    update(ChannelRow).where(col(ChannelRow.id) == channel_id).values(**values)
                )
                digest_id = digest.id
        except IntegrityError as exc:
            existing = self.find_digest(channel_id, run_key)
            if existing is not None:
                return existing, False
            taken = self.posted_paper_ids(channel_id) & {scored.paper.id for scored, _ in picks}
            if taken:  # a concurrent digest of this channel recorded these papers first
                raise DigestInProgress(
                    f"{len(taken)} of these papers are in another digest of channel {channel_id}"
                ) from exc
            raise
        return self.get_digest(digest_id), True

    def find_digest(self, channel_id: int, run_key: str) -> Digest | None:
        with self.session() as s:
            row = s.exec(
                select(DigestRow).where(
                    DigestRow.channel_id == channel_id, DigestRow.run_key == run_key
                )
            ).first()
            return self._load_digest(s, row) if row else None

    def get_digest(self, digest_id: int) -> Digest:
        with self.session() as s:
            row = s.get(DigestRow, digest_id)
            if row is None:
                raise NotFound(f"no digest with id {digest_id}")
            return self._load_digest(s, row)

    def _load_digest(self, s: Session, row: DigestRow) -> Digest:
        items = list(
            s.exec(
                select(DigestItemRow)
                .where(DigestItemRow.digest_id == row.id)
                .order_by(col(DigestItemRow.rank))
            )
        )
        papers = {
            p.id: paper_from_row(p)
            for p in s.exec(
                select(PaperRow).where(col(PaperRow.id).in_([i.paper_id for i in items]))
            )
        }
        assert row.id is not None
        return Digest(
            id=row.id,
            channel_id=row.channel_id,
            run_key=row.run_key,
            candidates=row.candidates,
            created_at=row.created_at,
            header_message_id=row.header_message_id,
            items=tuple(item_from_row(i, papers[i.paper_id]) for i in items),
        )

    def set_header_message(
        self, digest_id: int, message_id: str, *, lease: Lease | None = None
    ) -> None:
        where = [col(DigestRow.id) == digest_id]
        self._write(DigestRow, where, {"header_message_id": message_id}, lease)

    def mark_item_posted(
        self,
        digest_id: int,
        paper_id: str,
        message_id: str,
        *,
        now: datetime,
        lease: Lease | None = None,
    ) -> None:
        values = {"status": ItemStatus.POSTED.value, "message_id": message_id, "posted_at": now}
        self._write(DigestItemRow, _item(digest_id, paper_id), values, lease)

    def mark_item_sending(
        self, digest_id: int, paper_id: str, *, lease: Lease | None = None
    ) -> bool:
        """Mark an item as being posted now; False when it is not pending/failed any more."""
        waiting = [ItemStatus.PENDING.value, ItemStatus.FAILED.value]
        where = [*_item(digest_id, paper_id), col(DigestItemRow.status).in_(waiting)]
        return self._write(DigestItemRow, where, {"status": ItemStatus.SENDING.value}, lease)

    def mark_item_failed(
        self,
        digest_id: int,
        paper_id: str,
        error: str,
        *,
        count: bool = True,
        lease: Lease | None = None,
    ) -> None:
        """Record a failed post (definitely not posted); `count=False` (rate limited) does not
        use up an attempt."""
        values = {
            "status": ItemStatus.FAILED.value,
            "last_error": error[:500],
            "attempts": DigestItemRow.attempts + (1 if count else 0),  # type: ignore[operator]
        }
        self._write(DigestItemRow, _item(digest_id, paper_id), values, lease)

    def mark_item_uncertain(
        self, digest_id: int, paper_id: str, error: str, *, lease: Lease | None = None
    ) -> None:
        """Record a post whose outcome is unknown (maybe posted): the item stays `sending`, so
        the next attempt looks for the message before posting again; it uses up an attempt."""
        values = {
            "status": ItemStatus.SENDING.value,
            "last_error": error[:500],
            "attempts": DigestItemRow.attempts + 1,  # type: ignore[operator]
        }
        self._write(DigestItemRow, _item(digest_id, paper_id), values, lease)

    def complete_digest(self, digest_id: int, *, now: datetime, lease: Lease | None = None) -> None:
        where = [col(DigestRow.id) == digest_id]
        self._write(DigestRow, where, {"status": "done", "completed_at": now}, lease)

    def _write(
        self,
        table: type[DigestRow] | type[DigestItemRow],
        where: list[Any],
        values: dict[str, Any],
        lease: Lease | None,
    ) -> bool:
        """One conditional UPDATE of outbox rows; True when a row changed.

        Under a `lease` the update applies only while that claim still holds the channel (the
        check and the write are one statement; on PostgreSQL the channel row is also share-
        locked first, so a concurrent claim waits for this write instead of racing it). A write
        refused because the claim was lost raises LeaseLost and changes nothing.
        """
        with self.session() as s:
            if lease is not None:
                if self.dialect == "postgresql":
                    s.exec(select(ChannelRow.id).where(*_held(lease)).with_for_update(read=True))
                held = exists().where(*_held(lease))
                where = [*where, col(table.channel_id) == lease.channel_id, held]
            result = s.execute(update(table).where(*where).values(**values))
            if result.rowcount or lease is None:  # type: ignore[attr-defined]
                return bool(result.rowcount)  # type: ignore[attr-defined]
            owner = s.exec(
                select(ChannelRow.claimed_by).where(
                    col(ChannelRow.id) == lease.channel_id, *_held(lease)
                )
            ).first()
            if owner is None:
                log.warning(
                    "refused a %s write by %s on channel %d: its claim was lost",
                    table.__tablename__,
                    lease.worker,
                    lease.channel_id,
                )
                raise LeaseLost(
                    f"{lease.worker} lost its claim on channel {lease.channel_id}; write abandoned"
                )
            return False

    def unfinished_digests(self, channel_id: int | None = None) -> list[Digest]:
        with self.session() as s:
            query = select(DigestRow).where(DigestRow.status != "done")
            if channel_id is not None:
                query = query.where(DigestRow.channel_id == channel_id)
            return [self._load_digest(s, r) for r in s.exec(query.order_by(col(DigestRow.id)))]

    def recent_digests(self, channel_id: int, limit: int = 10) -> list[Digest]:
        with self.session() as s:
            rows = s.exec(
                select(DigestRow)
                .where(DigestRow.channel_id == channel_id)
                .order_by(col(DigestRow.id).desc())
                .limit(limit)
            )
            return [self._load_digest(s, r) for r in rows]

    def find_item_by_message(self, channel_id: int, message_id: str) -> str | None:
        """The paper id posted as `message_id` in this channel, if the bot posted it."""
        with self.session() as s:
            return s.exec(
                select(DigestItemRow.paper_id).where(
                    DigestItemRow.channel_id == channel_id, DigestItemRow.message_id == message_id
                )
            ).first()

    def find_item(self, channel_id: int, paper_id: str) -> DigestItem | None:
        with self.session() as s:
            row = s.exec(
                select(DigestItemRow).where(
                    DigestItemRow.channel_id == channel_id, DigestItemRow.paper_id == paper_id
                )
            ).first()
            if row is None:
                return None
            paper = s.get(PaperRow, row.paper_id)
            assert paper is not None
            return item_from_row(row, paper_from_row(paper))


def _item(digest_id: int, paper_id: str) -> list[Any]:
    return [col(DigestItemRow.digest_id) == digest_id, col(DigestItemRow.paper_id) == paper_id]


def _held(lease: Lease) -> list[Any]:
    """The channel row still claimed under `lease` (same worker, same claim token)."""
    return [
        col(ChannelRow.id) == lease.channel_id,
        col(ChannelRow.claimed_by) == lease.worker,
        col(ChannelRow.lease_token) == lease.token,
    ]


def item_from_row(row: DigestItemRow, paper: Paper) -> DigestItem:
    return DigestItem(
        paper=paper,
        rank=row.rank,
        score=row.score,
        reasons=reasons_from_json(row.reasons),
        tldr=row.tldr,
        status=ItemStatus(row.status),
        message_id=row.message_id,
        attempts=row.attempts,
    )
