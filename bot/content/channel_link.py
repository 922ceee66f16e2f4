"""The signed link to a channel's page: made by `/papers web`, read by the web route."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.content.signed_links import read_link, sign_link
from bot.errors import LinkInvalid, NotFound
from bot.models import Channel
from bot.ports import Clock, Store

PURPOSE = "channel-page"
PAGE_PATH = "/c/"

KeySource = Callable[[], bytes]  # the link signing key (settings, else the database)


@dataclass(frozen=True, slots=True)
class PageLink:
    url: str
    expires_at: datetime


def make_page_link(
    key: bytes, public_url: str, channel: Channel, now: datetime, days: float
) -> PageLink:
    """`PUBLIC_URL/c/<token>` for `channel`, valid `days` from `now`. The token names the
    channel by id and by where it lives, so a removed channel's link never opens another."""
    expires_at = now + timedelta(days=days)
    payload = {"channel": str(channel.id), "ref": str(channel.ref)}
    payload["until"] = expires_at.isoformat()  # shown on the page
    token = sign_link(key, PURPOSE, payload, expires_at)
    return PageLink(f"{public_url.rstrip('/')}{PAGE_PATH}{token}", expires_at)


@dataclass(frozen=True, slots=True)
class LinkedChannel:
    channel: Channel
    expires_at: datetime


def channel_of_link(key: bytes, token: str, store: Store, clock: Clock) -> LinkedChannel:
    """The channel a page token was made for and when the link expires; LinkExpired /
    LinkInvalid for a bad token, NotFound when the channel was removed since."""
    payload = read_link(key, token, PURPOSE, clock.now())
    channel_id = payload.get("channel", "")
    try:
        expires_at = datetime.fromisoformat(payload.get("until", ""))
    except ValueError:
        raise LinkInvalid("this link is not valid") from None
    if not channel_id.isdigit():
        raise LinkInvalid("this link is not valid")
    channel = store.get_channel(int(channel_id))
    if str(channel.ref) != payload.get("ref"):
        raise NotFound("the channel of this link was removed")
    return LinkedChannel(channel, expires_at)
