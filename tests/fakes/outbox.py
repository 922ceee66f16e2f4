"""In-memory OutboxStore: digests and their items, with the lease fencing of outbox writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

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
    PostedDigest,
    Reason,
    ScoredPaper,
)
from bot.ports import create_requested
from tests.fakes.channels import FakeChannelStore
from tests.fakes.papers import FakePaperStore


@dataclass
class ItemRecord:
    paper_id: str
    rank: int
    score: float
    reasons: tuple[Reason, ...]
    tldr: str
    status: ItemStatus = ItemStatus.PENDING
    message_id: str | None = None
    attempts: int = 0
    last_error: str | None = None
    posted_at: datetime | None = None


@dataclass
class DigestRecord:
    id: int
    channel_id: int
    run_key: str
    candidates: int
    created_at: datetime
    items: list[ItemRecord]
    header_message_id: str | None = None
    done: bool = False
    completed_at: datetime | None = None


@dataclass
class FakeOutboxStore(FakeChannelStore, FakePaperStore):
    """Digests by id; items load their papers from the paper fake, as the SQL store joins them."""

    digests: dict[int, DigestRecord] = field(default_factory=dict)

    def posted_paper_ids(self, channel_id: int) -> set[str]:
        return {i.paper_id for d in self._of(channel_id) for i in d.items}

    def _of(self, channel_id: int | None) -> list[DigestRecord]:
        return [d for d in self.digests.values() if channel_id in (None, d.channel_id)]

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
        existing = self.find_digest(channel_id, run_key)
        if existing is not None:
            return existing, False
        taken = self.posted_paper_ids(channel_id) & {s.paper.id for s, _ in picks}
        if taken:
            raise DigestInProgress(
                f"{len(taken)} of these papers are in another digest of channel {channel_id}"
            )
        self._record(channel_id)
        items = [
            ItemRecord(s.paper.id, rank, float(s.score), tuple(s.reasons), tldr)
            for rank, (s, tldr) in enumerate(picks, start=1)
        ]
        did = self._next_id("digest")
        self.digests[did] = DigestRecord(did, channel_id, run_key, candidates, now, items)
        changes: dict[str, object] = {"last_digest_at": now}
        if watermark is not None:
            changes["watermark"] = watermark
        self._set(channel_id, **changes)
        self._note("create_digest", channel_id, run_key, tuple(i.paper_id for i in items))
        return self.get_digest(did), True

    def create_digests(
        self, requests: Sequence[DigestRequest]
    ) -> list[tuple[Digest, bool] | PaperBotError]:
        """Each request through `create_digest`, in order; an error is that request's."""
        outcomes: list[tuple[Digest, bool] | PaperBotError] = []
        for r in requests:
            try:
                outcomes.append(create_requested(self, r))
            except PaperBotError as exc:
                outcomes.append(exc)
        return outcomes

    def _load(self, d: DigestRecord) -> Digest:
        items = tuple(
            DigestItem(
                self.papers[i.paper_id],
                i.rank,
                i.score,
                i.reasons,
                i.tldr,
                i.status,
                i.message_id,
                i.attempts,
            )
            for i in sorted(d.items, key=lambda i: i.rank)
        )
        return Digest(
            d.channel_id, d.run_key, items, d.candidates, d.id, d.created_at, d.header_message_id
        )

    def find_digest(self, channel_id: int, run_key: str) -> Digest | None:
        found = [d for d in self._of(channel_id) if d.run_key == run_key]
        return self._load(found[0]) if found else None

    def get_digest(self, digest_id: int) -> Digest:
        if digest_id not in self.digests:
            raise NotFound(f"no digest with id {digest_id}")
        return self._load(self.digests[digest_id])

    def _fenced(self, digest_id: int, lease: Lease | None) -> DigestRecord | None:
        """The digest a write may change: None when it is not there (or not the lease's
        channel); LeaseLost when the lease's claim on the channel was lost."""
        d = self.digests.get(digest_id)
        if lease is None:
            return d
        rec = self.channels.get(lease.channel_id)
        held = (
            rec is not None
            and rec.claimed_by == lease.worker
            and rec.channel.lease_token == lease.token
        )
        if not held:
            self._note("lease_lost", digest_id, lease)
            raise LeaseLost(
                f"{lease.worker} lost its claim on channel {lease.channel_id}; write abandoned"
            )
        return d if d is not None and d.channel_id == lease.channel_id else None

    def _item(self, digest_id: int, paper_id: str, lease: Lease | None) -> ItemRecord | None:
        d = self._fenced(digest_id, lease)
        return next((i for i in d.items if i.paper_id == paper_id), None) if d else None

    def set_header_message(
        self, digest_id: int, message_id: str, *, lease: Lease | None = None
    ) -> None:
        d = self._fenced(digest_id, lease)
        if d is not None:
            d.header_message_id = message_id
            self._note("set_header_message", digest_id, message_id)

    def mark_item_posted(
        self,
        digest_id: int,
        paper_id: str,
        message_id: str,
        *,
        now: datetime,
        lease: Lease | None = None,
    ) -> None:
        item = self._item(digest_id, paper_id, lease)
        if item is not None:
            item.status, item.message_id, item.posted_at = ItemStatus.POSTED, message_id, now
            self._note("mark_item_posted", digest_id, paper_id, message_id)

    def mark_item_sending(
        self, digest_id: int, paper_id: str, *, lease: Lease | None = None
    ) -> bool:
        item = self._item(digest_id, paper_id, lease)
        if item is None or item.status not in (ItemStatus.PENDING, ItemStatus.FAILED):
            return False
        item.status = ItemStatus.SENDING
        self._note("mark_item_sending", digest_id, paper_id)
        return True

    def mark_item_failed(
        self,
        digest_id: int,
        paper_id: str,
        error: str,
        *,
        count: bool = True,
        lease: Lease | None = None,
    ) -> None:
        item = self._item(digest_id, paper_id, lease)
        if item is not None:
            item.status, item.last_error = ItemStatus.FAILED, error[:500]
            item.attempts += 1 if count else 0
            self._note("mark_item_failed", digest_id, paper_id, error)

    def mark_item_uncertain(
        self, digest_id: int, paper_id: str, error: str, *, lease: Lease | None = None
    ) -> None:
        item = self._item(digest_id, paper_id, lease)
        if item is not None:
            item.status, item.last_error = ItemStatus.SENDING, error[:500]
            item.attempts += 1
            self._note("mark_item_uncertain", digest_id, paper_id, error)

    def complete_digest(self, digest_id: int, *, now: datetime, lease: Lease | None = None) -> None:
        d = self._fenced(digest_id, lease)
        if d is not None:
            d.done, d.completed_at = True, now
            self._note("complete_digest", digest_id)

    def apply_marks(
        self, digest_id: int, marks: Sequence[OutboxMark], *, lease: Lease | None = None
    ) -> bool:
        """Each mark through its own method; a lost lease is refused at the first, so none
        applies (nothing else runs in between here)."""
        changed = False
        for mark in marks:
            if mark.kind is MarkKind.HEADER:
                self.set_header_message(digest_id, mark.message_id, lease=lease)
                changed = True
            elif mark.kind is MarkKind.SENDING:
                changed = self.mark_item_sending(digest_id, mark.paper_id, lease=lease)
            elif mark.kind is MarkKind.POSTED:
                assert mark.at is not None
                self.mark_item_posted(
                    digest_id, mark.paper_id, mark.message_id, now=mark.at, lease=lease
                )
                changed = True
            else:
                assert mark.at is not None
                self.complete_digest(digest_id, now=mark.at, lease=lease)
                changed = True
        return changed

    def apply_marks_many(
        self, requests: Sequence[MarkRequest]
    ) -> list[bool | LeaseLost | StorageError]:
        """Each request through `apply_marks`, in order; a lost lease is that request's."""
        outcomes: list[bool | LeaseLost | StorageError] = []
        for r in requests:
            try:
                outcomes.append(self.apply_marks(r.digest_id, r.marks, lease=r.lease))
            except LeaseLost as exc:
                outcomes.append(exc)
        return outcomes

    def unfinished_digests_many(self, channel_ids: Sequence[int]) -> list[list[Digest]]:
        return [self.unfinished_digests(cid) for cid in channel_ids]

    def unfinished_digests(self, channel_id: int | None = None) -> list[Digest]:
        return [
            self._load(d) for d in sorted(self._of(channel_id), key=lambda d: d.id) if not d.done
        ]

    def recent_digests(self, channel_id: int, limit: int = 10) -> list[Digest]:
        newest = sorted(self._of(channel_id), key=lambda d: d.id, reverse=True)
        return [self._load(d) for d in newest[:limit]]

    def posted_digests(self, channel_id: int, limit: int = 60) -> list[PostedDigest]:
        newest = sorted(self._of(channel_id), key=lambda d: d.id, reverse=True)[: max(0, limit)]
        return [
            PostedDigest(
                d.id,
                d.run_key,
                d.created_at,
                tuple(
                    i.paper_id
                    for i in sorted(d.items, key=lambda i: i.rank)
                    if i.status is ItemStatus.POSTED
                ),
            )
            for d in newest
        ]

    def find_item_by_message(self, channel_id: int, message_id: str) -> str | None:
        items = (i for d in self._of(channel_id) for i in d.items)
        return next((i.paper_id for i in items if i.message_id == message_id), None)

    def find_item(self, channel_id: int, paper_id: str) -> DigestItem | None:
        for d in self._of(channel_id):
            for item in self._load(d).items:
                if item.paper.id == paper_id:
                    return item
        return None
