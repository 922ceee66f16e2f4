"""The narrow core the `/papers` handlers use (`bot.service.PaperBot` is one)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from bot.config import Settings
from bot.digest.delivery import DeliveryResult
from bot.digest.guard import LockStore
from bot.models import Channel, Feedback, Paper
from bot.ports import (
    ChannelStore,
    Clock,
    ManagerStore,
    OutboxStore,
    PaperStore,
    ReactionStore,
)
from bot.ranking import Profile, Ranker


class CommandStore(
    ChannelStore, ManagerStore, PaperStore, OutboxStore, ReactionStore, LockStore, Protocol
):
    """The ports the handlers use: channels and who manages them, papers, the digests posted
    and the opinions on them, and the lock that keeps one `/papers now` per channel."""


class CommandCore(Protocol):
    """The part of the core (`bot.service.PaperBot`) the command handlers use."""

    @property
    def store(self) -> CommandStore: ...

    clock: Clock
    settings: Settings
    # arXiv ids -> papers, fetched and stored (`/papers import`); None: the store only
    papers_lookup: Callable[[Sequence[str]], dict[str, Paper]] | None
    link_key: Callable[[], bytes] | None  # signs web links (`/papers web`)

    @property
    def ranker(self) -> Ranker: ...
    def find_paper(self, paper_id: str) -> Paper | None: ...
    def profile_for(self, channel: Channel) -> Profile: ...
    def opinions(self, channel: Channel) -> list[Feedback]: ...
    def run_digest(self, channel: Channel) -> tuple[object, DeliveryResult]: ...
    def reschedule(self, channel: Channel) -> Channel: ...
    def next_run_note(self, channel: Channel) -> str: ...
