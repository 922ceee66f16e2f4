"""What a `/papers` handler gets: one `Call` (channel, arguments, request) over a narrow core."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot.commands.parse import Parsed
from bot.config import Settings
from bot.digest.delivery import DeliveryResult
from bot.digest.guard import DigestGuard
from bot.models import Channel, CommandRequest, Feedback, Paper
from bot.ports import Clock, Store
from bot.ranking import Profile, Ranker

if TYPE_CHECKING:
    from bot.commands.registry import Registry, Subcommand


class CommandCore(Protocol):
    """The part of the core (`bot.service.PaperBot`) the command handlers use."""

    store: Store
    clock: Clock
    settings: Settings

    @property
    def ranker(self) -> Ranker: ...
    def find_paper(self, paper_id: str) -> Paper | None: ...
    def profile_for(self, channel: Channel) -> Profile: ...
    def opinions(self, channel: Channel) -> list[Feedback]: ...
    def run_digest(self, channel: Channel) -> tuple[object, DeliveryResult]: ...
    def reschedule(self, channel: Channel) -> Channel: ...
    def next_run_note(self, channel: Channel) -> str: ...


@dataclass(frozen=True)
class Call:
    """One `/papers <name> ...` on one channel, allowed by the gate, about to be handled."""

    core: CommandCore
    channel: Channel
    parsed: Parsed
    request: CommandRequest
    spec: Subcommand
    registry: Registry
    digests: DigestGuard

    @property
    def words(self) -> tuple[str, ...]:
        return self.parsed.words

    @property
    def rest(self) -> str:
        return self.parsed.rest

    @property
    def usage(self) -> str:
        return self.spec.usage

    @property
    def now(self) -> datetime:
        return self.core.clock.now()
