"""EmailAdapter: the ChatAdapter of `email:ADDRESS` channels; one email per digest.

The outbox posts a digest item by item; email sends the whole digest once, with the first
item's post, and every item's message id is derived from the digest (`mail-<digest>-<rank>`,
the id its 👍/👎 links carry). Exactly once, decided:
- the email is sent only when no item of the digest is already `posted` or `sending` (the
  outbox marks an item `sending` before its post), nor sent by this process;
- email has no history to look an item up in, so an item left `sending` (a crash after the
  send, or an SMTP server that took the message but whose answer was lost) counts as sent:
  `find_item_message` returns its id and nothing is re-sent. The price is at-most-once in one
  window: a crash after the outbox marked the first item and before SMTP took the message
  loses that day's email (the next digest still carries new papers). A duplicate can only come
  from a server that queued a message and then refused it at the end of DATA; it carries the
  same Message-ID, which mail clients use to collapse it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from cachetools import LRUCache

from adapters.email.links import LinkSigner
from adapters.email.pacing import Pacer
from adapters.email.render import item_message_id, render_email, render_notice
from adapters.email.smtp import SmtpSender
from bot.errors import ChannelUnavailable, DeliveryError, DeliveryUncertain, RateLimited
from bot.models import Channel, Digest, DigestItem, ItemStatus, Platform

log = logging.getLogger(__name__)


class EmailAdapter:
    """The ChatAdapter of email channels, and their ChatService (nothing to connect)."""

    platform = Platform.EMAIL
    name = "email"

    def __init__(
        self,
        sender: SmtpSender,
        *,
        from_address: str,
        links: Callable[[], LinkSigner],
        pacer: Pacer,
    ) -> None:
        self.sender = sender
        self.from_address = from_address
        self.links = links
        self.pacer = pacer
        self._sent: LRUCache[int, bool] = LRUCache(maxsize=10_000)
        # a send that failed in this delivery (the same Digest object): its other items fail
        # fast instead of trying the server once per paper
        self._failed: LRUCache[int, tuple[Digest, str]] = LRUCache(maxsize=1_000)

    # the lifecycle every chat service shares: nothing to open, SMTP connects per message
    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None

    def post_header(self, channel: Channel, digest: Digest) -> str | None:
        return None  # the email is the header: it goes out with the first item

    def post_item(self, channel: Channel, digest: Digest, item: DigestItem) -> str:
        if not self._already_sent(digest):
            self._send_digest(channel, digest)
        return item_message_id(digest, item)

    def find_item_message(self, channel: Channel, digest: Digest, item: DigestItem) -> str | None:
        """An item left `sending` counts as sent (see the module docstring)."""
        return item_message_id(digest, item)

    def post_notice(self, channel: Channel, text: str) -> str | None:
        """A short email; one whose answer was lost counts as sent, like a digest."""
        message = render_notice(channel, text, sender=self.from_address, links=self.links())
        self.pacer.acquire()
        try:
            self.sender.send(message)
        except DeliveryUncertain as exc:
            log.warning("%s: notice counted as sent (%s)", channel.ref, exc)
        return None

    def _already_sent(self, digest: Digest) -> bool:
        assert digest.id is not None
        if digest.id in self._sent:
            return True
        return any(i.status in (ItemStatus.POSTED, ItemStatus.SENDING) for i in digest.items)

    def _send_digest(self, channel: Channel, digest: Digest) -> None:
        assert digest.id is not None
        failed = self._failed.get(digest.id)
        if failed is not None and failed[0] is digest:
            raise DeliveryError(failed[1])
        message = render_email(channel, digest, sender=self.from_address, links=self.links())
        self.pacer.acquire()
        try:
            self.sender.send(message)
        except DeliveryUncertain as exc:
            log.warning("%s: digest %s counted as sent (%s)", channel.ref, digest.id, exc)
        except (RateLimited, ChannelUnavailable):
            raise
        except DeliveryError as exc:
            self._failed[digest.id] = (digest, str(exc))
            raise
        self._sent[digest.id] = True
