"""Fakes for our own ports: they record what happened instead of scripting answers."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.digest.pacing import REACT, Lane, Rate
from bot.errors import ChannelUnavailable, DeliveryError, RateLimited
from bot.models import Channel, Digest, DigestItem, Platform


class FakeTime:
    """A monotonic clock that only moves when something sleeps on it (for `Pacer`)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


class Crash(BaseException):
    """Simulates the process dying: nothing in the core catches a BaseException."""


@dataclass
class Post:
    channel: str
    kind: str  # header | item | notice
    text: str
    message_id: str


@dataclass
class RecordingAdapter:
    """A chat platform that records every message; failures are injected per paper id."""

    platform: Platform = Platform.CONSOLE
    posts: list[Post] = field(default_factory=list)
    fail: dict[str, int] = field(default_factory=dict)  # paper id -> failures left
    rate_limit: dict[str, float] = field(default_factory=dict)  # paper id -> retry_after, once
    gone: set[str] = field(default_factory=set)  # channel names that are unavailable
    crash_after_post: set[str] = field(default_factory=set)  # paper ids: post, then die
    crash_before_post: set[str] = field(default_factory=set)
    crash_on_header: bool = False
    rate_limit_notice: float | None = None  # once

    def _next_id(self) -> str:
        return f"m{len(self.posts) + 1}"

    def post_header(self, channel: Channel, digest: Digest) -> str | None:
        if channel.name in self.gone:
            raise ChannelUnavailable("channel_not_found")
        if self.crash_on_header:
            self.crash_on_header = False
            raise Crash("killed after writing the digest, before posting anything")
        message_id = self._next_id()
        self.posts.append(Post(channel.name, "header", digest.run_key, message_id))
        return message_id

    def post_item(self, channel: Channel, digest: Digest, item: DigestItem) -> str:
        pid = item.paper.id
        if pid in self.crash_before_post:
            self.crash_before_post.discard(pid)
            raise Crash(f"killed before posting {pid}")
        if pid in self.rate_limit:
            raise RateLimited(self.rate_limit.pop(pid))
        if self.fail.get(pid, 0) > 0:
            self.fail[pid] -= 1
            raise DeliveryError(f"server error posting {pid}")
        message_id = self._next_id()
        self.posts.append(Post(channel.name, "item", pid, message_id))
        if pid in self.crash_after_post:
            self.crash_after_post.discard(pid)
            raise Crash(f"killed after posting {pid}")
        return message_id

    def post_notice(self, channel: Channel, text: str) -> str | None:
        if self.rate_limit_notice is not None:
            retry_after, self.rate_limit_notice = self.rate_limit_notice, None
            raise RateLimited(retry_after)
        self.posts.append(Post(channel.name, "notice", text, self._next_id()))
        return None

    def items(self, channel: str | None = None) -> list[str]:
        return [p.text for p in self.posts if p.kind == "item" and channel in (None, p.channel)]

    def notices(self, channel: str | None = None) -> list[str]:
        return [p.text for p in self.posts if p.kind == "notice" and channel in (None, p.channel)]


@dataclass
class ReconcilingRecordingAdapter(RecordingAdapter):
    """Same, and it can look up whether an item is already in the channel."""

    def find_item_message(self, channel: Channel, digest: Digest, item: DigestItem) -> str | None:
        for post in self.posts:
            if post.kind == "item" and post.channel == channel.name and post.text == item.paper.id:
                return post.message_id
        return None


@dataclass
class RecordingChat:
    """A ChatAdapter that remembers every post; `fail_on` paper ids raise DeliveryError."""

    platform: Platform = Platform.CONSOLE
    headers: list[tuple[int, str]] = field(default_factory=list)
    posts: list[tuple[int, str, str]] = field(
        default_factory=list
    )  # channel id, paper id, message id
    notices: list[tuple[int, str]] = field(default_factory=list)
    fail_on: set[str] = field(default_factory=set)

    def post_header(self, channel: Channel, digest: Digest) -> str | None:
        mid = f"h{len(self.headers) + 1}"
        self.headers.append((channel.id, mid))
        return mid

    def post_item(self, channel: Channel, digest: Digest, item: DigestItem) -> str:
        if item.paper.id in self.fail_on:
            raise DeliveryError(f"cannot post {item.paper.id}")
        mid = f"m{len(self.posts) + 1}"
        self.posts.append((channel.id, item.paper.id, mid))
        return mid

    def post_notice(self, channel: Channel, text: str) -> str | None:
        self.notices.append((channel.id, text))
        return None


@dataclass
class PacedChat:
    """A thread-safe recording adapter that declares limits (`PacedAdapter`) and adds votes
    apart (`VoteSeedingAdapter`): each post and vote is recorded with its monotonic time.
    `rate_limit[channel]` answers that many posts with RateLimited(`retry_after`), and
    `vote_rate_limit` that many votes."""

    per_channel: float = 20.0  # posts a second per channel
    global_rate: float = 0.0  # posts a second over all channels (0: none)
    votes_per_second: float = 1000.0
    retry_after: float = 0.2
    rate_limit: dict[str, int] = field(default_factory=dict)
    vote_rate_limit: int = 0
    defer_votes: bool = True
    vote_emoji: tuple[str, ...] = ("+1", "-1")
    platform: Platform = Platform.CONSOLE
    posts: list[tuple[str, str, float]] = field(default_factory=list)  # channel, what, when
    votes: list[tuple[str, str, float]] = field(default_factory=list)  # channel, message, when
    limited: list[tuple[str, float]] = field(default_factory=list)  # 429s: channel, when
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def lanes(self, channel: Channel, route: str) -> list[Lane]:
        if route == REACT:
            return [Lane("votes", Rate(self.votes_per_second))]
        lanes = [Lane(f"post:{channel.ref.channel}", Rate(self.per_channel), serial=True)]
        if self.global_rate:
            lanes.append(Lane("post:*", Rate(self.global_rate)))
        return lanes

    def _post(self, channel: Channel, what: str) -> str:
        name = channel.ref.channel
        with self._lock:
            if self.rate_limit.get(name, 0) > 0:
                self.rate_limit[name] -= 1
                self.limited.append((name, self.clock()))
                raise RateLimited(self.retry_after)
            self.posts.append((name, what, self.clock()))
            return f"m{next(self._ids)}"

    def post_header(self, channel: Channel, digest: Digest) -> str | None:
        return self._post(channel, "header")

    def post_item(self, channel: Channel, digest: Digest, item: DigestItem) -> str:
        return self._post(channel, item.paper.id)

    def post_notice(self, channel: Channel, text: str) -> str | None:
        return self._post(channel, "notice")

    def add_vote(self, channel: Channel, message_id: str, emoji: str) -> None:
        with self._lock:
            if self.vote_rate_limit > 0:
                self.vote_rate_limit -= 1
                self.limited.append(("votes", self.clock()))
                raise RateLimited(self.retry_after)
            self.votes.append((channel.ref.channel, message_id, self.clock()))

    def times(self, channel: str) -> list[float]:
        with self._lock:
            return [at for name, _what, at in self.posts if name == channel]
