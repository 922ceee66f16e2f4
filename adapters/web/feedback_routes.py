"""GET/POST /r/{token} (an emailed 👍/👎) and GET/POST /u/{token} (unsubscribe).

GET never changes anything: mail scanners (Gmail, Outlook Safe Links) fetch every link in a
message, so a GET only checks the token and shows one button; the POST that button sends
records the vote or unsubscribes. RFC 8058 one-click unsubscribe is that same POST, sent by
the mail client with `List-Unsubscribe=One-Click`. A vote is recorded through the core's
reaction path as a reaction of the address on that paper's outbox message: clicking the same
link twice counts once, and 👎 after 👍 leaves 👎 (the other emoji is removed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.email.links import (
    UNSUBSCRIBE_PATH,
    VOTE_PATH,
    Vote,
    read_unsubscribe,
    read_vote,
)
from adapters.web.pages import page
from bot.errors import LinkExpired, LinkInvalid, NotFound
from bot.models import Channel, Platform, ReactionEvent
from bot.ports import Store

log = logging.getLogger(__name__)
EMOJI = {"+1": "👍", "-1": "👎"}
OTHER = {"+1": "-1", "-1": "+1"}


class FeedbackCore(Protocol):
    """What the links need from the core (`bot.service.PaperBot` is one)."""

    store: Store

    def on_reaction(self, event: ReactionEvent) -> bool: ...
    def pause(self, channel: Channel, *, reason: str | None) -> Channel: ...


@dataclass(frozen=True, slots=True)
class FeedbackLinks:
    core: FeedbackCore
    key: Callable[[], bytes]
    now: Callable[[], datetime]

    def channel_of(self, channel_id: int, address: str) -> Channel:
        """The email channel a link names; NotFound once it was removed or re-created."""
        channel = self.core.store.get_channel(channel_id)
        if channel.ref.platform is not Platform.EMAIL or channel.ref.channel != address:
            raise NotFound("this mailing list is no longer subscribed")
        return channel

    def paper_title(self, channel: Channel, message_id: str) -> str:
        paper_id = self.core.store.find_item_by_message(channel.id, message_id)
        paper = self.core.store.get_paper(paper_id) if paper_id else None
        if paper is None:
            raise NotFound("this paper is not in a digest of this list")
        return paper.title

    def record_vote(self, vote: Vote) -> str:
        """Record the vote (and withdraw the opposite one); the paper's title."""
        channel = self.channel_of(vote.channel_id, vote.address)
        title = self.paper_title(channel, vote.message_id)
        at = self.now()
        for emoji, added in ((OTHER[vote.emoji], False), (vote.emoji, True)):
            event = ReactionEvent(
                Platform.EMAIL,
                channel.ref.workspace,
                channel.ref.channel,
                vote.message_id,
                vote.address,
                emoji,
                added=added,
                at=at,
            )
            self.core.on_reaction(event)
        return title

    def unsubscribe(self, channel_id: int, address: str) -> Channel:
        channel = self.channel_of(channel_id, address)
        if channel.settings.paused:
            return channel
        log.info("%s unsubscribed by its emailed link", channel.ref)
        return self.core.pause(channel, reason=f"unsubscribed by {address} (email link)")


def feedback_routes(links: FeedbackLinks) -> list[Route]:
    """The routes, to mount beside Slack's in the web app."""

    async def vote(request: Request) -> Response:
        token = request.path_params["token"]
        try:
            found = read_vote(links.key(), token, links.now())
            if request.method == "POST":
                title = await run_in_threadpool(links.record_vote, found)
                return _voted(found, title)
            channel = await run_in_threadpool(links.channel_of, found.channel_id, found.address)
            title = await run_in_threadpool(links.paper_title, channel, found.message_id)
        except (LinkInvalid, NotFound) as exc:
            return _refused(exc)
        mark = EMOJI[found.emoji]
        return page(
            f"{mark} {title}",
            f"Tell PaperBot that {found.address} wants "
            + ("more" if found.emoji == "+1" else "fewer")
            + " papers like this one?",
            button=f"{mark} Record it",
        )

    async def unsubscribe(request: Request) -> Response:
        token = request.path_params["token"]
        try:
            found = read_unsubscribe(links.key(), token, links.now())
            if request.method == "POST":
                await run_in_threadpool(links.unsubscribe, found.channel_id, found.address)
                return page("Unsubscribed", f"{found.address} will get no more PaperBot digests.")
            await run_in_threadpool(links.channel_of, found.channel_id, found.address)
        except (LinkInvalid, NotFound) as exc:
            return _refused(exc)
        return page(
            "Unsubscribe?",
            f"Stop sending PaperBot digests to {found.address}?",
            button="Unsubscribe",
        )

    return [
        Route(VOTE_PATH, vote, methods=["GET", "POST"]),
        Route(UNSUBSCRIBE_PATH, unsubscribe, methods=["GET", "POST"]),
    ]


def _voted(vote: Vote, title: str) -> Response:
    mark = EMOJI[vote.emoji]
    return page(
        f"{mark} recorded",
        f"Thanks: {mark} for “{title}”, from {vote.address}.",
        "Clicking again changes nothing; the other button in the email replaces this vote.",
    )


def _refused(exc: Exception) -> Response:
    if isinstance(exc, LinkExpired):
        return page("This link has expired", str(exc).capitalize() + ".", status=410)
    if isinstance(exc, LinkInvalid):
        return page("This link is not valid", str(exc).capitalize() + ".", status=400)
    return page("Not found", str(exc).capitalize() + ".", status=404)
