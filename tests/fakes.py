"""Fakes for our own ports: they record what happened instead of scripting answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.errors import DeliveryError
from bot.models import Channel, Digest, DigestItem, Platform


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
