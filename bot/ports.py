"""Ports: the small protocols the core needs from the outside world."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

import numpy as np

from bot.models import (
    Channel,
    ChannelRef,
    ChannelSettings,
    Digest,
    DigestItem,
    Feedback,
    IngestReport,
    Interest,
    Paper,
    Platform,
    ScoredPaper,
)


class Clock(Protocol):
    def now(self) -> datetime: ...


class Embedder(Protocol):
    """Text -> unit-length float32 vectors (the semantic tier); `name` keys stored vectors."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class ChatAdapter(Protocol):
    """Posts digests and notices to one platform. Raises only bot.errors.DeliveryError kinds.

    The core posts item by item and records each message id at once (the outbox), so a crash
    between two papers resumes at the first unposted one.
    """

    platform: Platform

    def post_header(self, channel: Channel, digest: Digest) -> str | None:
        """Post the digest's short header; its message id (None if the platform has none)."""
        ...

    def post_item(self, channel: Channel, digest: Digest, item: DigestItem) -> str:
        """Post one paper as its own message (so reactions attach to it); its message id."""
        ...

    def post_notice(self, channel: Channel, text: str) -> str | None:
        """Post a short line (an empty day, a paused channel)."""
        ...


class Store(Protocol):
    """Persistence the core relies on; `storage.store.SqlStore` implements it."""

    def upsert_papers(self, papers: Iterable[Paper], now: datetime) -> IngestReport: ...
    def get_paper(self, paper_id: str) -> Paper | None: ...
    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]: ...
    def papers_seen_since(self, since: datetime, limit: int = 5000) -> list[Paper]: ...
    def count_papers(self) -> int: ...

    def add_channel(
        self,
        ref: ChannelRef,
        name: str,
        settings: ChannelSettings,
        interests: Iterable[Interest] = (),
        *,
        now: datetime,
    ) -> Channel: ...
    def ensure_channel(
        self, ref: ChannelRef, name: str, settings: ChannelSettings, *, now: datetime
    ) -> Channel: ...
    def get_channel(self, channel_id: int) -> Channel: ...
    def find_channel(self, ref: ChannelRef) -> Channel | None: ...
    def list_channels(self) -> list[Channel]: ...
    def remove_channel(self, channel_id: int) -> None: ...
    def update_settings(self, channel_id: int, settings: ChannelSettings) -> Channel: ...
    def set_next_run(self, channel_id: int, next_run_at: datetime | None) -> None: ...
    def add_interest(self, channel_id: int, interest: Interest, *, now: datetime) -> bool: ...
    def remove_interest(self, channel_id: int, interest: Interest) -> bool: ...
    def get_profile_state(self, channel_id: int) -> str | None: ...
    def get_embeddings(self, model: str, paper_ids: Sequence[str]) -> dict[str, bytes]: ...
    def save_embeddings(self, model: str, vectors: dict[str, bytes]) -> None: ...
    def save_profile_state(self, channel_id: int, state: str | None) -> None: ...

    def posted_paper_ids(self, channel_id: int) -> set[str]: ...
    def create_digest(
        self,
        channel_id: int,
        run_key: str,
        picks: Sequence[tuple[ScoredPaper, str]],
        *,
        candidates: int,
        now: datetime,
        watermark: datetime | None,
    ) -> tuple[Digest, bool]: ...
    def find_digest(self, channel_id: int, run_key: str) -> Digest | None: ...
    def get_digest(self, digest_id: int) -> Digest: ...
    def set_header_message(self, digest_id: int, message_id: str) -> None: ...
    def mark_item_posted(
        self, digest_id: int, paper_id: str, message_id: str, *, now: datetime
    ) -> None: ...
    def mark_item_failed(self, digest_id: int, paper_id: str, error: str) -> None: ...
    def complete_digest(self, digest_id: int, *, now: datetime) -> None: ...
    def unfinished_digests(self, channel_id: int | None = None) -> list[Digest]: ...
    def recent_digests(self, channel_id: int, limit: int = 10) -> list[Digest]: ...
    def find_item_by_message(self, channel_id: int, message_id: str) -> str | None: ...
    def find_item(self, channel_id: int, paper_id: str) -> DigestItem | None: ...

    def record_reaction(
        self,
        channel_id: int,
        paper_id: str,
        user_id: str,
        emoji: str,
        value: int,
        *,
        added: bool,
        now: datetime,
        event_id: str | None = None,
    ) -> bool: ...
    def feedback(self, channel_id: int) -> list[Feedback]: ...
    def reaction_counts(self, channel_id: int) -> tuple[int, int]: ...
