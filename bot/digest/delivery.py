"""Posting a recorded digest: each item marked before and after its post, so a crash mid-digest
neither double-posts nor drops an item."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, TypeVar

from bot.config import Settings
from bot.digest.group_commit import GroupCommit
from bot.digest.marks import Marks
from bot.digest.pacing import POST, Pacer
from bot.digest.votes import VoteLane
from bot.errors import (
    ChannelUnavailable,
    DeliveryError,
    DeliveryUncertain,
    LeaseLost,
    RateLimited,
    StorageError,
)
from bot.models import (
    Channel,
    Digest,
    DigestItem,
    ItemStatus,
    Lease,
    MarkRequest,
    OutboxMark,
    Platform,
)
from bot.ports import (
    ChannelStore,
    ChatAdapter,
    Clock,
    HeaderReconcilingAdapter,
    OutboxStore,
    PacedAdapter,
    ReconcilingAdapter,
    VoteSeedingAdapter,
    supports,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


class DeliveryStore(OutboxStore, ChannelStore, Protocol):
    """What delivery needs: the outbox, and the channel's settings (to pause it)."""


@dataclass
class DeliveryResult:
    digest: Digest | None
    posted: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    resumed: bool = False
    notice: str | None = None
    reconciled: list[str] = field(default_factory=list)  # found posted after a crash
    abandoned: list[str] = field(default_factory=list)  # failed DELIVERY_MAX_ATTEMPTS times
    message_ids: dict[str, str] = field(default_factory=dict)  # paper id -> message id


class Delivery:
    """The core's delivery part (`PaperBot` is one): needs its store, clock, settings and
    adapters."""

    store: DeliveryStore
    clock: Clock
    settings: Settings
    adapters: dict[Platform, ChatAdapter]
    pacer: Pacer  # shared by every thread: the platforms' limits, declared by the adapters
    votes: VoteLane | None  # when set, vote reactions are added apart from the posts
    outbox: GroupCommit[MarkRequest, bool] | None  # when set, marks are group-committed
    unfinished_reads: GroupCommit[int, list[Digest]] | None  # when set, lookups are grouped

    def write_marks(self, request: MarkRequest) -> bool:
        """`OutboxStore.apply_marks` for `request`, group-committed with other channels' marks
        when `outbox` is set; returns once the marks are written, raises its own LeaseLost."""
        if self.outbox is None:
            return self.store.apply_marks(request.digest_id, request.marks, lease=request.lease)
        return self.outbox.submit(request)

    def unfinished_of(self, channel_id: int) -> list[Digest]:
        """The channel's unfinished digests, read together with other channels' lookups when
        `unfinished_reads` is set (a worker's channels in flight: one read for many)."""
        if self.unfinished_reads is None:
            return self.store.unfinished_digests(channel_id)
        return self.unfinished_reads.submit(channel_id)

    def apply_marks_batch(
        self, requests: Sequence[MarkRequest]
    ) -> list[bool | LeaseLost | StorageError]:
        """A group commit's flush: a request alone takes the single-request path."""
        if len(requests) != 1:
            return self.store.apply_marks_many(requests)
        (alone,) = requests
        try:
            return [self.store.apply_marks(alone.digest_id, alone.marks, lease=alone.lease)]
        except LeaseLost as exc:
            return [exc]

    def pause(self, channel: Channel, *, reason: str | None) -> Channel:
        """Stop a channel's scheduled digests (e.g. the bot was removed from it)."""
        settings = replace(channel.settings, paused=True, paused_reason=reason)
        return self.store.update_settings(channel.id, settings)

    def deliver(
        self,
        channel: Channel,
        digest: Digest,
        *,
        resumed: bool = False,
        empty_notice: str | None = None,
        guard: Callable[[], None] | None = None,
        lease: Lease | None = None,
    ) -> DeliveryResult:
        """Post every pending item, recording each message id as soon as it is posted.

        Each item is marked `sending` before its post and `posted` (with its message id) after.
        A post that fails ambiguously (`DeliveryUncertain`: 5xx, reset, timeout) leaves it
        `sending`, like a crash between post and record: before it is posted again the adapter
        is asked whether the message exists (`ReconcilingAdapter`); if it cannot tell,
        DELIVERY_UNCERTAIN decides: `repost` (at-least-once, the default) or `skip`
        (at-most-once). A definite failure marks it `failed` and it is simply posted again
        later. `guard` runs before each post (a worker checks its lease there) and may raise
        to stop; under `lease` every write-back is refused (LeaseLost) once another worker
        has claimed the channel.
        """
        adapter = self.adapters.get(channel.ref.platform)
        result = DeliveryResult(digest=digest, resumed=resumed)
        if adapter is None:
            raise DeliveryError(f"no adapter running for {channel.ref.platform.value}")
        if digest.id is None:
            raise DeliveryError("cannot deliver a digest that was not recorded")
        digest_id = digest.id
        if not digest.items:
            self._deliver_notice(adapter, channel, digest, result, empty_notice, guard, lease)
            return result
        todo = self._todo(digest, result)
        marks = Marks(self.write_marks, digest_id, lease)
        try:
            if digest.header_message_id is None and todo:
                digest = self._deliver_header(adapter, channel, digest, result, guard, marks)
            for item in todo if HEADER not in result.failed else ():
                self._deliver_item(adapter, channel, digest, item, result, guard, marks)
        except Exception as exc:
            marks.flush()  # the record of what is out is written first
            if isinstance(exc, ChannelUnavailable):
                log.warning("channel %s unavailable, pausing it: %s", channel.ref, exc)
                self.pause(channel, reason=str(exc))
            raise
        if result.failed:
            marks.flush()
            result.digest = self.store.get_digest(digest_id)  # with the failed items' attempts
            return result
        marks.write(OutboxMark.complete(self.clock.now()))  # with the last item's record
        result.digest = _all_posted(digest, result.message_ids)
        return result

    def _todo(self, digest: Digest, result: DeliveryResult) -> list[DigestItem]:
        """The items still to post; those out of attempts are noted as abandoned."""
        max_attempts = self.settings.delivery_max_attempts
        todo = [
            i
            for i in digest.items
            if i.status is not ItemStatus.POSTED
            and not (i.status is not ItemStatus.PENDING and i.attempts >= max_attempts)
        ]
        result.abandoned = [
            i.paper.id for i in digest.items if i not in todo and i.status is not ItemStatus.POSTED
        ]
        return todo

    def _deliver_notice(
        self,
        adapter: ChatAdapter,
        channel: Channel,
        digest: Digest,
        result: DeliveryResult,
        empty_notice: str | None,
        guard: Callable[[], None] | None,
        lease: Lease | None,
    ) -> None:
        """An empty digest: the notice's message id (or "notice") in the header slot marks it
        as sent, so a rate-limited or crashed notice is retried and a sent one never repeated."""
        assert digest.id is not None
        marks: list[OutboxMark] = []
        if channel.settings.announce_empty and digest.header_message_id is None:
            if guard is not None:
                guard()
            result.notice = empty_notice or "No new papers for this channel today."
            text = result.notice
            notice_id = self._paced(
                adapter, channel, lambda: adapter.post_notice(channel, text), guard
            )
            marks.append(OutboxMark.header(notice_id or "notice"))
        marks.append(OutboxMark.complete(self.clock.now()))
        self.write_marks(MarkRequest(digest.id, tuple(marks), lease))  # one transaction

    def _deliver_header(
        self,
        adapter: ChatAdapter,
        channel: Channel,
        digest: Digest,
        result: DeliveryResult,
        guard: Callable[[], None] | None,
        marks: Marks,
    ) -> Digest:
        """Post the header unless a resumed digest's header is found already posted (after a
        crash or an ambiguous failure). A failed header stops this delivery (papers follow
        their header, in thread mode under it); the digest is retried later."""
        assert digest.id is not None
        try:
            header_id = None
            if result.resumed and supports(adapter, HeaderReconcilingAdapter):
                header_id = adapter.find_header_message(channel, digest)
            if header_id is None:
                if guard is not None:
                    guard()
                header_id = self._paced(
                    adapter, channel, lambda: adapter.post_header(channel, digest), guard
                )
        except (RateLimited, ChannelUnavailable):
            raise
        except DeliveryError as exc:
            log.warning("%s: digest header not posted (%s); retrying later", channel.ref, exc)
            result.failed[HEADER] = str(exc)
            return digest
        if not header_id:
            return digest
        marks.after_post(OutboxMark.header(header_id))
        return replace(digest, header_message_id=header_id)

    def _deliver_item(
        self,
        adapter: ChatAdapter,
        channel: Channel,
        digest: Digest,
        item: DigestItem,
        result: DeliveryResult,
        guard: Callable[[], None] | None,
        marks: Marks,
    ) -> None:
        """Post one item between its `sending` mark and its `posted` record (held for the
        next mark: `Marks`)."""
        assert digest.id is not None
        digest_id, paper_id = digest.id, item.paper.id
        if item.status is ItemStatus.SENDING:  # maybe posted: look before posting again
            marks.flush()
            try:
                found = self._find_posted(adapter, channel, digest, item)
            except (RateLimited, ChannelUnavailable):
                raise
            except DeliveryError as exc:  # cannot tell right now: post nothing
                self.store.mark_item_uncertain(digest_id, paper_id, str(exc), lease=marks.lease)
                result.failed[paper_id] = str(exc)
                return
            if found is not None:
                marks.after_post(OutboxMark.posted(paper_id, found, self.clock.now()))
                result.reconciled.append(paper_id)
                result.message_ids[paper_id] = found
                return
        if guard is not None:
            guard()
        if item.status is not ItemStatus.SENDING and not marks.write(OutboxMark.sending(paper_id)):
            return  # another delivery of this digest got to it first
        message_id = self._post_item(adapter, channel, digest, item, result, marks.lease, guard)
        if message_id is None:
            return
        marks.after_post(OutboxMark.posted(paper_id, message_id, self.clock.now()))
        result.posted.append(paper_id)
        result.message_ids[paper_id] = message_id
        if self.votes is not None and supports(adapter, VoteSeedingAdapter) and adapter.defer_votes:
            self.votes.submit(adapter, channel, message_id)

    def _paced(
        self,
        adapter: ChatAdapter,
        channel: Channel,
        post: Callable[[], T],
        guard: Callable[[], None] | None,
    ) -> T:
        """Post when the adapter's declared limits allow it, waiting in this thread (right
        before the request, so nothing slower than a thread switch lies between the booked
        moment and the platform); after a wait the lease is checked again. A 429's
        Retry-After holds the same lanes for every thread; the answer's moment times the
        channel's next post (`Pacer.done`)."""
        if not supports(adapter, PacedAdapter):
            return post()
        lanes = adapter.lanes(channel, POST)
        if self.pacer.acquire(lanes) > 0 and guard is not None:
            guard()
        try:
            return post()
        except RateLimited as exc:
            self.pacer.hold(lanes, exc.retry_after)
            raise
        finally:
            self.pacer.done(lanes)  # the next post on the channel is timed from this answer

    def _post_item(
        self,
        adapter: ChatAdapter,
        channel: Channel,
        digest: Digest,
        item: DigestItem,
        result: DeliveryResult,
        lease: Lease | None,
        guard: Callable[[], None] | None,
    ) -> str | None:
        """Post one item; on failure record what is known about it and return None."""
        assert digest.id is not None
        digest_id, paper_id = digest.id, item.paper.id
        try:
            post = lambda: adapter.post_item(channel, digest, item)  # noqa: E731
            return self._paced(adapter, channel, post, guard)
        except (RateLimited, ChannelUnavailable) as exc:  # definitely not posted
            self.store.mark_item_failed(digest_id, paper_id, str(exc), count=False, lease=lease)
            raise
        except DeliveryUncertain as exc:  # maybe posted: stays `sending`, looked up next time
            log.warning("%s: %s may have been posted (%s)", channel.ref, paper_id, exc)
            self.store.mark_item_uncertain(digest_id, paper_id, str(exc), lease=lease)
            result.failed[paper_id] = str(exc)
        except DeliveryError as exc:  # definitely not posted
            self.store.mark_item_failed(digest_id, paper_id, str(exc), lease=lease)
            result.failed[paper_id] = str(exc)
        return None

    def _find_posted(
        self, adapter: ChatAdapter, channel: Channel, digest: Digest, item: DigestItem
    ) -> str | None:
        """The message of an item whose earlier post may have gone through, else None (post
        it again). Raises DeliveryError when the adapter cannot tell right now."""
        found = None
        if supports(adapter, ReconcilingAdapter):
            found = adapter.find_item_message(channel, digest, item)
        if found is None and self.settings.delivery_uncertain == "skip":
            found = f"unknown-{digest.id}-{item.rank}"
            log.warning(
                "%s: %s may not have been posted; not re-posting", channel.ref, item.paper.id
            )
        elif found is None:
            log.warning("%s: re-posting %s, not found posted", channel.ref, item.paper.id)
        return found


HEADER = "(header)"  # the key of a failed digest header in DeliveryResult.failed

__all__ = ["HEADER", "Delivery", "DeliveryResult"]


def _all_posted(digest: Digest, done: Mapping[str, str]) -> Digest:
    """The digest as delivered: every item in `done` posted with its message id."""
    return replace(
        digest,
        items=tuple(
            replace(i, status=ItemStatus.POSTED, message_id=done[i.paper.id])
            if i.paper.id in done
            else i
            for i in digest.items
        ),
    )
