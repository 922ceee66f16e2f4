"""Digests and their items: the outbox that never double-posts."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.errors import DigestInProgress, LeaseLost, NotFound, PaperBotError, StorageError
from bot.models import (
    Digest,
    DigestItem,
    DigestRequest,
    ItemStatus,
    Lease,
    MarkKind,
    MarkRequest,
    OutboxMark,
    ScoredPaper,
)
from bot.ports import create_requested
from storage import digest_batch, outbox_batch
from storage import outbox_sql as sql
from storage.base import StoreBase
from storage.mapping import paper_from_row, reasons_from_json, reasons_to_json
from storage.tables import DigestItemRow, PaperRow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NewDigest:
    """A digest about to be written: `create_digest`'s arguments, its items built."""

    channel_id: int
    run_key: str
    items: list[DigestItem]
    candidates: int
    created_at: datetime  # aware, UTC
    now: datetime
    watermark: datetime | None


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

        One transaction of three statements (the digest, its items in one batch, the channel's
        last digest time); on PostgreSQL one statement doing the three, without BEGIN/COMMIT.
        The digest returned is built from what was written, not read back.
        """
        created_at = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
        items = [_new_item(rank, scored, tldr) for rank, (scored, tldr) in enumerate(picks, 1)]
        new = NewDigest(channel_id, run_key, items, candidates, created_at, now, watermark)
        try:
            digest_id = self._create_pg(new) if self.dialect == "postgresql" else self._create(new)
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
        digest = Digest(channel_id, run_key, tuple(items), candidates, digest_id, created_at)
        return digest, True

    def create_digests(
        self, requests: Sequence[DigestRequest]
    ) -> list[tuple[Digest, bool] | PaperBotError]:
        """Many channels' digests: on PostgreSQL one statement for all (storage/
        digest_batch.py) when their channels are distinct; on a conflict (nothing written)
        or elsewhere, each alone as `create_digest` records it, an error being its own."""
        channels = {r.channel_id for r in requests}
        if len(requests) > 1 and len(channels) == len(requests) and self.dialect == "postgresql":
            items = [
                [_new_item(rank, s, tldr) for rank, (s, tldr) in enumerate(r.picks, 1)]
                for r in requests
            ]
            try:
                with self.autocommit() as conn:
                    return list(digest_batch.create_many(conn, requests, items))
            except IntegrityError:
                pass  # some digest conflicts: each alone tells which
        return [self._create_alone(r) for r in requests]

    def _create_alone(self, r: DigestRequest) -> tuple[Digest, bool] | PaperBotError:
        try:
            return create_requested(self, r)
        except PaperBotError as exc:
            return exc
        except IntegrityError as exc:
            return StorageError(f"digest not recorded: {type(exc).__name__}")

    def _create_pg(self, new: NewDigest) -> int:
        """The digest, its items and the channel's touch in one statement, no transaction
        round trips (outbox_sql.create_digest_pg)."""
        items = new.items
        params = {
            "channel_id": new.channel_id,
            "run_key": new.run_key,
            "candidates": new.candidates,
            "created_at": new.created_at,
            "papers": [i.paper.id for i in items],
            "ranks": [i.rank for i in items],
            "scores": [i.score for i in items],
            "reasons": [json.dumps(reasons_to_json(i.reasons)) for i in items],
            "tldrs": [i.tldr for i in items],
            "p_now": sql.utc(new.now),
            "p_watermark": sql.utc(new.watermark),
        }
        with self.autocommit() as conn:
            stmt = sql.CREATE_DIGEST_PG[new.watermark is not None]
            return int(conn.execute(stmt, params).scalar_one())

    def _create(self, new: NewDigest) -> int:
        """The digest, its items and the channel's touch: one transaction, three statements."""
        with self.transaction() as conn:
            digest_id = conn.execute(
                sql.INSERT_DIGEST,
                {
                    "channel_id": new.channel_id,
                    "run_key": new.run_key,
                    "candidates": new.candidates,
                    "status": "pending",
                    "created_at": new.created_at,
                },
            ).scalar_one()
            if new.items:
                conn.execute(
                    sql.INSERT_ITEM,
                    [_item_values(digest_id, new.channel_id, i) for i in new.items],
                )
            watermark = new.watermark
            touch = sql.TOUCH_CHANNEL if watermark is None else sql.TOUCH_CHANNEL_WATERMARK
            conn.execute(
                touch, {"p_channel": new.channel_id, "p_now": new.now, "p_watermark": watermark}
            )
        return int(digest_id)

    def find_digest(self, channel_id: int, run_key: str) -> Digest | None:
        found = self._digests(sql.FIND_DIGEST, {"p_channel": channel_id, "p_run_key": run_key})
        return found[0] if found else None

    def get_digest(self, digest_id: int) -> Digest:
        found = self._digests(sql.GET_DIGEST, {"p_digest": digest_id})
        if not found:
            raise NotFound(f"no digest with id {digest_id}")
        return found[0]

    def _digests(self, query: Select[Any], params: dict[str, Any]) -> list[Digest]:
        """The digests `query` selects, in its order, each with its items (by rank) and their
        papers: three statements at most, one when there is no digest."""
        with self.transaction() as conn:
            rows = conn.execute(query, params).all()
            if not rows:
                return []
            item_rows = conn.execute(sql.ITEMS, {"p_ids": [r.id for r in rows]}).all()
            paper_ids = sorted({i.paper_id for i in item_rows})
            papers = (
                {p.id: sql.paper_of(p) for p in conn.execute(sql.PAPERS, {"p_ids": paper_ids})}
                if paper_ids
                else {}
            )
        items: dict[int, list[DigestItem]] = {}
        for i in item_rows:
            items.setdefault(i.digest_id, []).append(sql.item_from_row(i, papers[i.paper_id]))
        return [
            Digest(
                id=r.id,
                channel_id=r.channel_id,
                run_key=r.run_key,
                candidates=r.candidates,
                created_at=r.created_at,
                header_message_id=r.header_message_id,
                items=tuple(items.get(r.id, ())),
            )
            for r in rows
        ]

    def set_header_message(
        self, digest_id: int, message_id: str, *, lease: Lease | None = None
    ) -> None:
        self._write("header", {"p_digest": digest_id, "p_message": message_id}, lease)

    def mark_item_posted(
        self,
        digest_id: int,
        paper_id: str,
        message_id: str,
        *,
        now: datetime,
        lease: Lease | None = None,
    ) -> None:
        params = {"p_digest": digest_id, "p_paper": paper_id, "p_message": message_id}
        self._write("posted", params | {"p_now": now}, lease)

    def mark_item_sending(
        self, digest_id: int, paper_id: str, *, lease: Lease | None = None
    ) -> bool:
        """Mark an item as being posted now; False when it is not pending/failed any more."""
        return self._write("sending", {"p_digest": digest_id, "p_paper": paper_id}, lease)

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
        params = {"p_digest": digest_id, "p_paper": paper_id, "p_error": error[:500]}
        self._write("failed", params | {"p_count": 1 if count else 0}, lease)

    def mark_item_uncertain(
        self, digest_id: int, paper_id: str, error: str, *, lease: Lease | None = None
    ) -> None:
        """Record a post whose outcome is unknown (maybe posted): the item stays `sending`, so
        the next attempt looks for the message before posting again; it uses up an attempt."""
        params = {"p_digest": digest_id, "p_paper": paper_id, "p_error": error[:500]}
        self._write("uncertain", params, lease)

    def complete_digest(self, digest_id: int, *, now: datetime, lease: Lease | None = None) -> None:
        self._write("complete", {"p_digest": digest_id, "p_now": now}, lease)

    def apply_marks(
        self, digest_id: int, marks: Sequence[OutboxMark], *, lease: Lease | None = None
    ) -> bool:
        """Header, sending, posted and complete marks in order, in one transaction: each the
        fenced UPDATE its own method runs; a LeaseLost rolls them all back."""
        with self.transaction() as conn:
            return self._apply_request(conn, MarkRequest(digest_id, tuple(marks), lease))

    def apply_marks_many(
        self, requests: Sequence[MarkRequest]
    ) -> list[bool | LeaseLost | StorageError]:
        """Many deliveries' marks in one transaction, each request as if alone (its own
        LeaseLost applies none of its marks and fails no other request): storage/
        outbox_batch.py."""
        if not requests:
            return []
        batch = self.autocommit if self.dialect == "postgresql" else self.transaction
        with batch() as conn:
            return outbox_batch.apply_many(conn, requests, self._apply_request)

    def _apply_request(self, conn: Connection, request: MarkRequest) -> bool:
        """One request's marks in order in `conn`'s transaction; True when the last changed."""
        changed = False
        for mark in request.marks:
            changed = self._fenced(conn, *_mark(request.digest_id, mark), request.lease)
        return changed

    def _write(self, name: str, params: dict[str, Any], lease: Lease | None) -> bool:
        """One outbox write in its own transaction; True when a row changed."""
        with self.transaction() as conn:
            return self._fenced(conn, name, params, lease)

    def _fenced(
        self, conn: Connection, name: str, params: dict[str, Any], lease: Lease | None
    ) -> bool:
        """One conditional UPDATE of outbox rows (storage/outbox_sql.py); True when a row
        changed.

        Under a `lease` the update applies only while that claim still holds the channel: the
        check and the write are one statement (on PostgreSQL it also share-locks the channel
        row, so a concurrent claim waits for this write instead of racing it). A write refused
        because the claim was lost raises LeaseLost (its transaction rolls back).
        """
        if lease is not None:
            params = params | {
                "p_lease_channel": lease.channel_id,
                "p_lease_worker": lease.worker,
                "p_lease_token": lease.token,
            }
        changed = conn.execute(sql.write(name, lease is not None), params).rowcount
        if changed or lease is None:
            return bool(changed)
        if conn.execute(sql.OWNER, params).first() is not None:
            return False
        log.warning(
            "refused a %s write by %s on channel %d: its claim was lost",
            "digest" if name in ("header", "complete") else "digest_item",
            lease.worker,
            lease.channel_id,
        )
        raise LeaseLost(
            f"{lease.worker} lost its claim on channel {lease.channel_id}; write abandoned"
        )

    def unfinished_digests(self, channel_id: int | None = None) -> list[Digest]:
        if channel_id is None:
            return self._digests(sql.UNFINISHED, {})
        params = {"p_channel": channel_id}
        with self.autocommit() as conn:  # usually none: one statement, no transaction
            if conn.execute(sql.ANY_UNFINISHED_OF_CHANNEL, params).first() is None:
                return []
        return self._digests(sql.UNFINISHED_OF_CHANNEL, params)

    def unfinished_digests_many(self, channel_ids: Sequence[int]) -> list[list[Digest]]:
        """Each channel's unfinished digests: one autocommit read of which channels have any,
        then those channels' digests (rare: after a crash or a failed post)."""
        if not channel_ids:
            return []
        with self.autocommit() as conn:
            params = {"p_ids": sorted(set(channel_ids))}
            found = {r.channel_id for r in conn.execute(sql.WITH_UNFINISHED, params)}
        return [
            self._digests(sql.UNFINISHED_OF_CHANNEL, {"p_channel": cid}) if cid in found else []
            for cid in channel_ids
        ]

    def recent_digests(self, channel_id: int, limit: int = 10) -> list[Digest]:
        return self._digests(sql.RECENT, {"p_channel": channel_id, "p_limit": limit})

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
            return sql.item_from_row(row, paper_from_row(paper))


def _mark(digest_id: int, mark: OutboxMark) -> tuple[str, dict[str, Any]]:
    """The write (outbox_sql.write) and parameters of one mark."""
    params: dict[str, Any] = {"p_digest": digest_id}
    if mark.kind is MarkKind.HEADER:
        return "header", params | {"p_message": mark.message_id}
    if mark.kind is MarkKind.SENDING:
        return "sending", params | {"p_paper": mark.paper_id}
    if mark.kind is MarkKind.POSTED:
        values = {"p_paper": mark.paper_id, "p_message": mark.message_id, "p_now": mark.at}
        return "posted", params | values
    return "complete", params | {"p_now": mark.at}


def _new_item(rank: int, scored: ScoredPaper, tldr: str) -> DigestItem:
    """A recorded item as it reads back (reasons through their stored form)."""
    reasons = reasons_from_json(reasons_to_json(scored.reasons))
    return DigestItem(scored.paper, rank, float(scored.score), reasons, tldr)


def _item_values(digest_id: int, channel_id: int, item: DigestItem) -> dict[str, Any]:
    return {
        "digest_id": digest_id,
        "channel_id": channel_id,
        "paper_id": item.paper.id,
        "rank": item.rank,
        "score": item.score,
        "reasons": reasons_to_json(item.reasons),
        "tldr": item.tldr,
        "status": ItemStatus.PENDING.value,
        "attempts": 0,
    }
