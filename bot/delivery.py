"""Posting a recorded digest: each item marked before and after its post, so a crash mid-digest
neither double-posts nor drops an item."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.config import Settings
from bot.errors import ChannelUnavailable, DeliveryError, RateLimited
from bot.models import Channel, Digest, DigestItem, ItemStatus, Platform
from bot.ports import ChatAdapter, Clock, ReconcilingAdapter, Store

log = logging.getLogger(__name__)


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

    store: Store
    clock: Clock
    settings: Settings
    adapters: dict[Platform, ChatAdapter]

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
    ) -> DeliveryResult:
        """Post every pending item, recording each message id as soon as it is posted.

        Each item is marked `sending` before its post and `posted` (with its message id) after.
        A crash between the two leaves it `sending`: on resume the adapter is asked whether the
        message exists (`ReconcilingAdapter`); if it cannot tell, DELIVERY_UNCERTAIN decides:
        `repost` (at-least-once, the default) or `skip` (at-most-once). `guard` runs before each
        post (a worker checks its lease there) and may raise to stop.
        """
        adapter = self.adapters.get(channel.ref.platform)
        result = DeliveryResult(digest=digest, resumed=resumed)
        if adapter is None:
            raise DeliveryError(f"no adapter running for {channel.ref.platform.value}")
        if digest.id is None:
            raise DeliveryError("cannot deliver a digest that was not recorded")
        digest_id = digest.id
        if not digest.items:
            # The notice's message id (or "notice") in the header slot marks it as sent, so a
            # rate-limited or crashed notice is retried and a sent one is never repeated.
            if channel.settings.announce_empty and digest.header_message_id is None:
                if guard is not None:
                    guard()
                result.notice = empty_notice or "No new papers for this channel today."
                notice_id = adapter.post_notice(channel, result.notice)
                self.store.set_header_message(digest_id, notice_id or "notice")
            self.store.complete_digest(digest_id, now=self.clock.now())
            return result
        max_attempts = self.settings.delivery_max_attempts
        todo = [
            i
            for i in digest.items
            if i.status is not ItemStatus.POSTED
            and not (i.status is ItemStatus.FAILED and i.attempts >= max_attempts)
        ]
        result.abandoned = [
            i.paper.id for i in digest.items if i not in todo and i.status is ItemStatus.FAILED
        ]
        try:
            if digest.header_message_id is None and todo:
                if guard is not None:
                    guard()
                header_id = adapter.post_header(channel, digest)
                if header_id:
                    self.store.set_header_message(digest_id, header_id)
                    digest = replace(digest, header_message_id=header_id)
            for item in todo:
                self._deliver_item(adapter, channel, digest, item, result, guard)
        except ChannelUnavailable as exc:
            log.warning("channel %s unavailable, pausing it: %s", channel.ref, exc)
            self.pause(channel, reason=str(exc))
            raise
        if result.failed:
            result.digest = self.store.get_digest(digest_id)  # with the failed items' attempts
            return result
        self.store.complete_digest(digest_id, now=self.clock.now())
        done = result.message_ids
        result.digest = replace(
            digest,
            items=tuple(
                replace(i, status=ItemStatus.POSTED, message_id=done[i.paper.id])
                if i.paper.id in done
                else i
                for i in digest.items
            ),
        )
        return result

    def _deliver_item(
        self,
        adapter: ChatAdapter,
        channel: Channel,
        digest: Digest,
        item: DigestItem,
        result: DeliveryResult,
        guard: Callable[[], None] | None,
    ) -> None:
        assert digest.id is not None
        digest_id, paper_id = digest.id, item.paper.id
        if item.status is ItemStatus.SENDING:
            found = None
            if isinstance(adapter, ReconcilingAdapter):
                found = adapter.find_item_message(channel, digest, item)
            if found is None and self.settings.delivery_uncertain == "skip":
                found = f"unknown-{digest_id}-{item.rank}"
                log.warning(
                    "%s: %s may not have been posted; not re-posting", channel.ref, paper_id
                )
            if found is not None:
                self.store.mark_item_posted(digest_id, paper_id, found, now=self.clock.now())
                result.reconciled.append(paper_id)
                result.message_ids[paper_id] = found
                return
            log.warning("%s: re-posting %s whose outcome is unknown", channel.ref, paper_id)
        if guard is not None:
            guard()
        if item.status is not ItemStatus.SENDING and not self.store.mark_item_sending(
            digest_id, paper_id
        ):
            return  # another delivery of this digest got to it first
        try:
            message_id = adapter.post_item(channel, digest, item)
        except (RateLimited, ChannelUnavailable) as exc:
            self.store.mark_item_failed(digest_id, paper_id, str(exc), count=False)
            raise
        except DeliveryError as exc:
            self.store.mark_item_failed(digest_id, paper_id, str(exc))
            result.failed[paper_id] = str(exc)
            return
        self.store.mark_item_posted(digest_id, paper_id, message_id, now=self.clock.now())
        result.posted.append(paper_id)
        result.message_ids[paper_id] = message_id


__all__ = ["Delivery", "DeliveryResult"]
