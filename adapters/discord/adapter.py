"""DiscordAdapter: the ChatAdapter port over a running discord.py client.

The core calls it synchronously (scheduler thread, or a worker thread of a command); each
call is bridged into the client's event loop with `asyncio.run_coroutine_threadsafe`.
discord.py's HTTP client paces requests per bucket and waits out 429s itself; only waits longer
than `max_ratelimit_timeout` surface, as `bot.errors.RateLimited`.

Exactly once: every header and paper is sent with a nonce naming its outbox slot and
`enforce_nonce` (discord.py sets it with any nonce), so Discord answers a repeated create
within its dedupe window (a few minutes) with the message it already made; this covers
discord.py's own re-sends after a 5xx and ours after an ambiguous failure (`DeliveryUncertain`:
5xx, reset, no answer within `call_timeout`). Beyond the window the core looks the message up
in the channel's recent history (`find_*_message`) before posting again.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
import discord

from adapters.discord.render import (
    NO_MENTIONS,
    footer_prefix,
    header_content,
    notice_content,
    paper_embed,
)
from bot.config import Settings
from bot.digest.pacing import REACT, Lane, Rate
from bot.errors import (
    ChannelUnavailable,
    DeliveryError,
    DeliveryUncertain,
    RateLimited,
)
from bot.models import Channel, Digest, DigestItem, Platform
from bot.retry_after import retry_after_seconds

log = logging.getLogger(__name__)
LOOKBACK = 200  # recent messages searched for an item after a crash
T = TypeVar("T")
FEEDBACK_EMOJI = ("👍", "👎")


def translate(exc: BaseException) -> DeliveryError:
    """A discord.py / transport error as one of ours (the one place this happens)."""
    if isinstance(exc, discord.Forbidden | discord.NotFound):
        return ChannelUnavailable(
            f"Discord refused the channel ({exc.status} {exc.code}: {exc.text or 'no detail'})"
        )
    if isinstance(exc, discord.RateLimited):
        return RateLimited(exc.retry_after, "Discord rate limit")
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:  # a Cloudflare-level limit discord.py does not retry
            headers = exc.response.headers.items() if exc.response else ()
            wait = retry_after_seconds(headers, default=60.0)
            return RateLimited(wait, "Discord rate limit (not retried by the client)")
        detail = f"Discord HTTP {exc.status} {exc.code}: {exc.text or 'no detail'}"
        if exc.status >= 500:  # after discord.py's own retries (same nonce): maybe created
            return DeliveryUncertain(f"{detail}; maybe carried out")
        return DeliveryError(detail)
    if isinstance(exc, aiohttp.ClientConnectorError):  # no connection: nothing was sent
        return DeliveryError(f"cannot reach Discord: {type(exc).__name__}: {exc}")
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return DeliveryUncertain(f"no answer from Discord: {type(exc).__name__}: maybe carried out")
    return DeliveryError(f"Discord delivery failed: {type(exc).__name__}: {exc}")


def post_nonce(channel: Channel, digest: Digest, slot: str) -> str:
    """The nonce of one outbox slot (`header` or a paper id): the same on every attempt, and
    within Discord's 25-character limit."""
    key = f"{channel.ref}|{digest.id}|{digest.run_key}|{slot}"
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


class RestSession:
    """A REST-only discord.py client (no gateway) on a private event-loop thread.

    Lets the CLI (`paperbot digest --channel discord:...`) post without the worker running.
    """

    def __init__(self, token: str, timeout: float = 30.0) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="paperbot-discord-rest", daemon=True
        )
        self.thread.start()
        self.client = discord.Client(intents=discord.Intents.none())
        future = asyncio.run_coroutine_threadsafe(self.client.login(token), self.loop)
        try:
            future.result(timeout)
        except Exception as exc:
            self.close()
            if isinstance(exc, discord.LoginFailure):
                raise DeliveryError(f"Discord refused DISCORD_TOKEN: {exc}") from exc
            raise translate(exc) from exc

    def close(self) -> None:
        if self.loop.is_closed():
            return
        try:
            asyncio.run_coroutine_threadsafe(self.client.close(), self.loop).result(10)
        except Exception as exc:
            log.debug("closing the Discord REST session: %s", exc)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


class DiscordAdapter:
    """Posts digests into Discord channels through the client the runner attaches.

    With DISCORD_TOKEN in `settings` and no ready gateway client (the CLI, or while the client
    restarts), it posts through a REST-only session opened on first use.
    """

    platform = Platform.DISCORD

    vote_emoji = FEEDBACK_EMOJI

    def __init__(
        self,
        *,
        settings: Settings | None = None,
        call_timeout: float = 180.0,
        channel_per_second: float = 1.0,
        defer_votes: bool = False,
    ) -> None:
        self.call_timeout = call_timeout
        self.settings = settings
        self.channel_per_second = channel_per_second  # Discord: 5 messages per 5 s per channel
        self.defer_votes = defer_votes  # True: the core's vote lane calls `add_vote`
        per_bot = settings.discord_global_per_second if settings is not None else 50.0
        share = settings.discord_reaction_share if settings is not None else 0.1
        self._global = Rate(per_bot * (1 - share))  # posts and look-ups
        self._global_votes = Rate(per_bot * share)  # kept for the vote reactions
        self._token = settings.discord_token if settings is not None else None
        self._client: discord.Client | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._rest: RestSession | None = None
        self._lock = threading.Lock()

    # ----------------------------------------- the gateway client (runner.DiscordService)
    def attach(self, client: discord.Client, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            self._client, self._loop = client, loop

    def detach(self) -> None:
        with self._lock:
            self._client, self._loop = None, None

    def close(self) -> None:
        """Close the REST-only session, if one was opened."""
        with self._lock:
            rest, self._rest = self._rest, None
        if rest is not None:
            rest.close()

    def _usable(self) -> tuple[discord.Client, asyncio.AbstractEventLoop]:
        with self._lock:
            client, loop = self._client, self._loop
            # the gateway client once it has logged in (is_ready stays set across reconnects)
            if self._live(client, loop):
                assert client is not None and loop is not None
                return client, loop
            if self._token is None:
                raise DeliveryError("the Discord client is not running (start the worker)")
            if self._rest is None:
                self._rest = RestSession(self._token)
            return self._rest.client, self._rest.loop

    @staticmethod
    def _live(client: discord.Client | None, loop: asyncio.AbstractEventLoop | None) -> bool:
        return (
            client is not None
            and loop is not None
            and loop.is_running()
            and client.is_ready()
            and not client.is_closed()
        )

    @property
    def connected(self) -> bool:
        client = self._client
        return client is not None and client.is_ready() and not client.is_closed()

    # ------------------------------------------------------------------ port
    def lanes(self, channel: Channel, route: str) -> list[Lane]:
        """Discord's limits, paced by the core: messages per channel, reactions per channel
        (one every 0.25 s), and the bot's global budget, split so votes never take a post's
        turn."""
        where = channel.ref.channel
        if route == REACT:
            return [
                Lane(f"discord:{where}:reactions", Rate(4.0)),
                Lane("discord:global:votes", self._global_votes),
            ]
        return [
            # Discord's bucket is 5 per 5 s: a digest's first five go at once
            Lane(f"discord:{where}:post", Rate(self.channel_per_second, burst=5), serial=True),
            Lane("discord:global", self._global),
        ]

    def add_vote(self, channel: Channel, message_id: str, emoji: str) -> None:
        """One vote reaction (the core's vote lane). Raises RateLimited, DeliveryError."""

        async def react(client: discord.Client) -> None:
            message = self._target(client, channel).get_partial_message(int(message_id))
            await message.add_reaction(emoji)

        self._call(react)

    def post_header(self, channel: Channel, digest: Digest) -> str | None:
        content = self._header(channel, digest)
        nonce = post_nonce(channel, digest, "header")
        return self._call(lambda c: self._send(c, channel, content=content, nonce=nonce))

    def post_item(self, channel: Channel, digest: Digest, item: DigestItem) -> str:
        embed = paper_embed(item)
        nonce = post_nonce(channel, digest, item.paper.id)
        react = not self.defer_votes
        return self._call(lambda c: self._send(c, channel, embed=embed, react=react, nonce=nonce))

    def post_notice(self, channel: Channel, text: str) -> str | None:
        content = notice_content(text)
        return self._call(lambda c: self._send(c, channel, content=content))

    def find_item_message(self, channel: Channel, digest: Digest, item: DigestItem) -> str | None:
        """After a crash or an ambiguous failure between posting an item and recording it: the
        item's message among the channel's recent messages, by its embed footer, which starts
        with the paper id (a paper is never posted to a channel twice). None when it is not
        there, or when Discord can never tell (no Read Message History): DELIVERY_UNCERTAIN
        decides then. Raises when Discord cannot tell right now (5xx, timeout, 429)."""
        prefix = footer_prefix(item.paper)

        def match(message: discord.Message) -> bool:
            return any((e.footer.text or "").startswith(prefix) for e in message.embeds)

        return self._find(channel, match, item.paper.id)

    def find_header_message(self, channel: Channel, digest: Digest) -> str | None:
        """The digest's header among the bot's recent messages in the channel, by its text."""
        content = self._header(channel, digest)

        def match(message: discord.Message) -> bool:
            return message.content == content and not message.embeds

        return self._find(channel, match, "the digest header")

    def _find(
        self, channel: Channel, match: Callable[[discord.Message], bool], what: str
    ) -> str | None:
        async def look(client: discord.Client) -> str | None:
            me = client.user.id if client.user else None
            async for message in self._target(client, channel).history(limit=LOOKBACK):
                if message.author.id == me and match(message):
                    return str(message.id)
            return None

        try:
            return self._call(look)
        except (DeliveryUncertain, RateLimited):
            raise
        except DeliveryError as exc:
            log.warning("%s: cannot look for %s in Discord: %s", channel.ref, what, exc)
            return None

    @staticmethod
    def _header(channel: Channel, digest: Digest) -> str:
        day = digest.created_at.strftime("%a %d %b") if digest.created_at else digest.run_key
        return header_content(channel, digest, day)

    # ------------------------------------------------------------- internals
    def _call(self, make: Callable[[discord.Client], Awaitable[T]]) -> T:
        client, loop = self._usable()
        try:
            if asyncio.get_running_loop() is loop:
                raise DeliveryError("DiscordAdapter called from the client's own event loop")
        except RuntimeError:
            pass  # no loop in this thread: the expected case

        async def guarded() -> T:
            try:
                return await make(client)
            except DeliveryError:
                raise
            except Exception as exc:
                raise translate(exc) from exc

        future = asyncio.run_coroutine_threadsafe(guarded(), loop)
        try:
            return future.result(self.call_timeout)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise DeliveryUncertain(
                f"Discord did not answer within {self.call_timeout:g}s: maybe carried out"
            ) from exc
        except concurrent.futures.CancelledError as exc:
            raise DeliveryUncertain("the Discord client stopped while posting") from exc

    @staticmethod
    def _target(client: discord.Client, channel: Channel) -> discord.PartialMessageable:
        ref = channel.ref
        if not (ref.channel.isdigit() and ref.workspace.isdigit()):
            raise ChannelUnavailable(f"{ref} is not a Discord guild and channel id")
        return client.get_partial_messageable(int(ref.channel), guild_id=int(ref.workspace))

    async def _send(
        self,
        client: discord.Client,
        channel: Channel,
        *,
        content: str | None = None,
        embed: discord.Embed | None = None,
        react: bool = False,
        nonce: str | None = None,
    ) -> str:
        target = self._target(client, channel)
        extra: dict[str, Any] = {"nonce": nonce} if nonce is not None else {}
        if embed is not None:
            message = await target.send(
                content=content, embed=embed, allowed_mentions=NO_MENTIONS, **extra
            )
        else:
            message = await target.send(content=content, allowed_mentions=NO_MENTIONS, **extra)
        if react:
            for emoji in FEEDBACK_EMOJI:
                try:
                    await message.add_reaction(emoji)
                except (TimeoutError, discord.HTTPException, aiohttp.ClientError) as exc:
                    # the paper is posted; people can still react by hand
                    log.warning("could not add %s in %s: %s", emoji, channel.ref, exc)
                    break
        return str(message.id)
