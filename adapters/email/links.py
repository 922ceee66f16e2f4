"""The signed links an email carries: 👍/👎 per paper and unsubscribe, and reading them back.

Tokens come from `bot.content.signed_links`; each names the channel (id and address, so a
removed and re-created channel never inherits old links) and, for a vote, the paper's outbox
message id and the emoji. `paperbot serve` answers them (`adapters/web/feedback_routes.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.content.signed_links import read_link, sign_link
from bot.errors import LinkInvalid
from bot.models import Channel

VOTE = "email-vote"
UNSUBSCRIBE = "email-unsubscribe"
VOTE_PATH = "/r/{token}"
UNSUBSCRIBE_PATH = "/u/{token}"
VOTES = {"up": "+1", "down": "-1"}  # link word -> the emoji recorded


@dataclass(frozen=True, slots=True)
class Vote:
    channel_id: int
    address: str
    message_id: str
    emoji: str  # "+1" or "-1"


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    channel_id: int
    address: str


@dataclass(frozen=True, slots=True)
class LinkSigner:
    """Makes the URLs of one email; `now` is the injected clock's time of sending."""

    key: bytes
    public_url: str
    now: datetime
    link_days: int = 30
    unsubscribe_days: int = 365

    def vote_url(self, channel: Channel, message_id: str, vote: str) -> str:
        payload = {
            "c": str(channel.id),
            "a": channel.ref.channel,
            "m": message_id,
            "e": VOTES[vote],
        }
        token = sign_link(self.key, VOTE, payload, self.now + timedelta(days=self.link_days))
        return self._url(VOTE_PATH, token)

    def unsubscribe_url(self, channel: Channel) -> str:
        payload = {"c": str(channel.id), "a": channel.ref.channel}
        expires = self.now + timedelta(days=self.unsubscribe_days)
        return self._url(UNSUBSCRIBE_PATH, sign_link(self.key, UNSUBSCRIBE, payload, expires))

    def _url(self, path: str, token: str) -> str:
        return self.public_url.rstrip("/") + path.format(token=token)


def read_vote(key: bytes, token: str, now: datetime) -> Vote:
    """The vote a token carries; LinkInvalid / LinkExpired otherwise."""
    p = read_link(key, token, VOTE, now)
    if p.get("e") not in VOTES.values() or not p.get("m"):
        raise LinkInvalid("this link is not valid")
    return Vote(_channel_id(p), p.get("a", ""), p["m"], p["e"])


def read_unsubscribe(key: bytes, token: str, now: datetime) -> Unsubscribe:
    p = read_link(key, token, UNSUBSCRIBE, now)
    return Unsubscribe(_channel_id(p), p.get("a", ""))


def _channel_id(payload: dict[str, str]) -> int:
    value = payload.get("c", "")
    if not value.isdigit():
        raise LinkInvalid("this link is not valid")
    return int(value)
