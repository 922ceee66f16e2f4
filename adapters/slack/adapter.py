"""`SlackAdapter`: the ChatAdapter port on slack-sdk's WebClient (posts, vote reactions)."""

from __future__ import annotations

import http.client
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from adapters.slack import render
from adapters.slack.client import (
    Sleep,
    api_error_code,
    make_client,
    translate,
    transport_error,
)
from adapters.slack.pooled import make_pool
from bot.digest.pacing import REACT, Lane, Rate
from bot.errors import ChannelUnavailable, DeliveryError, DeliveryUncertain, RateLimited
from bot.models import Channel, Digest, DigestItem, Platform

log = logging.getLogger(__name__)

TokenResolver = Callable[[str], str | None]  # Slack team id -> bot token
VOTE_EMOJI = ("+1", "-1")
LOOKBACK = 200  # recent messages searched for an item after a crash


class SlackAdapter:
    """Posts a digest header, one message per paper (with 👍/👎 seeded), and notices.

    The bot token comes from `token_for(team_id)`: the single-workspace SLACK_BOT_TOKEN, or the
    workspace's stored OAuth installation. Posts to one channel are paced `pace_seconds` apart
    (Slack allows about one message per second per channel) by the core's pacer, which asks
    `lanes` for the limits; 429s are retried a bounded number
    of times honouring `Retry-After`; everything else becomes a bot.errors.DeliveryError, and
    an answer that leaves it open whether Slack posted (a 5xx, a reset, no answer within
    `timeout` seconds) a DeliveryUncertain. Every header and paper message carries a marker in
    its metadata, so the core can look it up (`find_*_message`) instead of posting it twice.
    """

    platform = Platform.SLACK

    def __init__(
        self,
        token_for: TokenResolver,
        *,
        api_url: str,
        vote_emoji: tuple[str, ...] = VOTE_EMOJI,
        pace_seconds: float = 1.0,
        max_retries: int = 2,
        max_retry_wait: float = 30.0,
        join_public_channels: bool = True,
        timeout: float = 30.0,
        sleep: Sleep = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        workspace_posts_per_second: float = 0.0,
        reactions_per_minute: float = 50.0,
        defer_votes: bool = False,
        pool: httpx.Client | None = None,
    ) -> None:
        self.token_for = token_for
        self.api_url = api_url
        self.vote_emoji = vote_emoji
        self.pace_seconds = pace_seconds
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.join_public_channels = join_public_channels
        self.timeout = timeout
        self.sleep = sleep
        self.monotonic = monotonic
        self.workspace_posts_per_second = workspace_posts_per_second
        self.reactions_per_minute = reactions_per_minute
        self.defer_votes = defer_votes  # True: the core's vote lane calls `add_vote`
        self.pool = pool if pool is not None else make_pool(timeout=timeout)
        self._clients: dict[tuple[str, bool], WebClient] = {}
        self._lock = threading.Lock()

    # ----------------------------------------------------------------- the port
    def lanes(self, channel: Channel, route: str) -> list[Lane]:
        """Slack's limits, paced by the core: posts about one a second per channel (and a
        workspace ceiling when set); reactions.add per workspace (Tier 3)."""
        team = channel.ref.workspace
        if route == REACT:
            return [Lane(f"slack:{team}:reactions.add", Rate(self.reactions_per_minute / 60))]
        own = Lane(f"slack:{team}:{channel.ref.channel}:post", Rate.every(self.pace_seconds), True)
        lanes = [own]  # serial: one delivery thread posts to a channel, a post at a time
        if self.workspace_posts_per_second > 0:
            lanes.append(Lane(f"slack:{team}:post", Rate(self.workspace_posts_per_second)))
        return lanes

    def post_header(self, channel: Channel, digest: Digest) -> str | None:
        payload = render.header_message(channel, digest)
        payload["metadata"] = render.header_metadata(digest)
        return self._post(channel, payload)

    def post_item(self, channel: Channel, digest: Digest, item: DigestItem) -> str:
        thread_ts = digest.header_message_id if channel.settings.thread_mode else None
        marker = render.item_marker(digest, item)
        ts = self._post(channel, render.item_message(item, thread_ts=thread_ts, marker=marker))
        if not self.defer_votes:
            self._seed_votes(channel, ts)
        return ts

    def find_item_message(self, channel: Channel, digest: Digest, item: DigestItem) -> str | None:
        """After a crash or an ambiguous failure between posting an item and recording it: the
        item's message, found by the marker in its metadata among the channel's (or the
        digest thread's) recent messages. None when it is not there, or when Slack can never
        tell (e.g. an install without the history scopes): the core's DELIVERY_UNCERTAIN
        policy decides then. Raises when Slack cannot tell right now (5xx, timeout, 429)."""
        thread = digest.header_message_id if channel.settings.thread_mode else None
        marker = render.item_marker(digest, item)
        return self._find_marked(channel, render.ITEM_EVENT, ("item", marker), thread)

    def find_header_message(self, channel: Channel, digest: Digest) -> str | None:
        """The digest's header among the channel's recent messages (same rules as items)."""
        key = ("digest", str(digest.id))
        return self._find_marked(channel, render.HEADER_EVENT, key, None)

    def _find_marked(
        self, channel: Channel, event_type: str, key: tuple[str, str], thread: str | None
    ) -> str | None:
        client = self.client_for(channel.ref.workspace)
        method = "conversations_replies" if thread else "conversations_history"
        where = {"ts": thread} if thread else {}
        try:
            response = self._call(
                client,
                method,
                channel=channel.ref.channel,
                include_all_metadata=True,
                limit=LOOKBACK,
                **where,
            )
        except (DeliveryUncertain, RateLimited):
            raise
        except DeliveryError as exc:
            log.warning("%s: cannot look for %s in Slack: %s", channel.ref, key[1], exc)
            return None
        for message in response.get("messages") or []:
            meta = message.get("metadata") or {}
            payload = meta.get("event_payload") or {}
            if meta.get("event_type") == event_type and payload.get(key[0]) == key[1]:
                return str(message["ts"])
        return None

    def post_notice(self, channel: Channel, text: str) -> str | None:
        return self._post(channel, render.notice_message(text))

    # ---------------------------------------------------------------- internals
    def client_for(self, workspace: str, *, wait_out_429: bool = True) -> WebClient:
        """The workspace's client; with `wait_out_429` False one that raises RateLimited at
        once instead of sleeping out a 429 (for callers that pace and retry themselves)."""
        token = self.token_for(workspace)
        if not token:
            raise ChannelUnavailable(f"no Slack installation for workspace {workspace}")
        with self._lock:
            client = self._clients.get((token, wait_out_429))
            if client is None:
                client = make_client(
                    base_url=self.api_url,
                    token=token,
                    max_retries=self.max_retries if wait_out_429 else 0,
                    max_wait=self.max_retry_wait,
                    sleep=self.sleep,
                    timeout=self.timeout,
                    pool=self.pool,
                )
                self._clients[(token, wait_out_429)] = client
        return client

    def _call(self, client: WebClient, method: str, **kwargs: Any) -> Any:
        try:
            return getattr(client, method)(**kwargs)
        except SlackApiError as exc:
            raise translate(exc) from exc
        except (SlackClientError, OSError, http.client.HTTPException) as exc:
            raise transport_error(exc) from exc

    def _post(self, channel: Channel, payload: dict[str, Any]) -> str:
        client = self.client_for(channel.ref.workspace)
        try:
            response = self._call(
                client, "chat_postMessage", channel=channel.ref.channel, **payload
            )
        except ChannelUnavailable as exc:
            if "not_in_channel" not in str(exc) or not self._join(client, channel):
                raise
            response = self._call(
                client, "chat_postMessage", channel=channel.ref.channel, **payload
            )
        ts = response.get("ts")
        if not ts:
            raise DeliveryError("Slack accepted the message but returned no ts")
        return str(ts)

    def _join(self, client: WebClient, channel: Channel) -> bool:
        """Join a public channel the bot was not invited to; False when it cannot."""
        if not self.join_public_channels:
            return False
        try:
            client.conversations_join(channel=channel.ref.channel)
        except SlackApiError as exc:
            log.warning(
                "cannot join %s (%s): invite the bot with /invite", channel.ref, api_error_code(exc)
            )
            return False
        except (SlackClientError, OSError):
            return False
        return True

    def add_vote(self, channel: Channel, message_id: str, emoji: str) -> None:
        """One vote reaction (the core's vote lane, at the reactions' pace); one that is
        already there counts as added. Raises RateLimited, DeliveryError. From the lane
        (`defer_votes`) a 429 is raised at once: the lane holds the route and adds the vote
        later, so no lane thread sleeps in a call (and a stopping worker keeps the vote)."""
        client = self.client_for(channel.ref.workspace, wait_out_429=not self.defer_votes)
        try:
            client.reactions_add(channel=channel.ref.channel, timestamp=message_id, name=emoji)
        except SlackApiError as exc:
            if api_error_code(exc) != "already_reacted":
                raise translate(exc) from exc
        except (SlackClientError, OSError, http.client.HTTPException) as exc:
            raise transport_error(exc) from exc

    def _seed_votes(self, channel: Channel, ts: str) -> None:
        """Add 👍 and 👎 so reacting is one click; failures here never fail the post."""
        for name in self.vote_emoji:
            try:
                self.add_vote(channel, ts, name)
            except DeliveryError as exc:
                log.warning("could not add :%s: in %s: %s", name, channel.ref, exc)
