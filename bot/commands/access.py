"""The command layer's gate: may this caller run this `/papers` subcommand on this channel?

What each subcommand needs is declared in `bot.commands.specs`; the decision is
`bot.commands.permissions.decide`; this module feeds it a request and a channel, and words the refusal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.commands.permissions import Access, Caller, ChannelAccess, Decision, decide
from bot.commands.specs import access_of
from bot.models import Channel, CommandRequest, Platform
from bot.rich import Inline, Rich, code, concat, fmt, join, mention

if TYPE_CHECKING:
    from bot.service import PaperBot

ADMINS = {
    Platform.SLACK: "workspace admins",
    Platform.DISCORD: "members with Manage Channels",
}
UNCHECKED = "I could not check whether you may change this channel, so I changed nothing. "


def admins_label(platform: Platform) -> str:
    return ADMINS.get(platform, "admins")


def caller_is_admin(req: CommandRequest) -> bool:
    """The adapter's answer; a check (Slack users.info) runs here, when first needed."""
    answer = req.caller_admin
    if callable(answer):
        return bool(answer())
    return bool(answer)


class AccessGate:
    """Decides per command, and records who set a channel up when they first change it."""

    def __init__(self, core: PaperBot) -> None:
        self.core = core

    def decide(
        self, req: CommandRequest, name: str, words: Sequence[str], channel: Channel | None
    ) -> Decision:
        """May raise PermissionUnknown (the platform could not say who is an admin)."""
        store = self.core.store

        def managers() -> frozenset[str]:
            return frozenset(store.channel_managers(channel.id)) if channel else frozenset()

        caller = Caller(req.user_id, lambda: caller_is_admin(req), operator=req.operator)
        state = ChannelAccess(
            set_up_by=channel.set_up_by if channel else None,
            configured=bool(channel and channel.interests),
            managers=managers,
        )
        return decide(access_of(name, words), self.core.settings.settings_policy, caller, state)

    def record_set_up(self, channel: Channel, req: CommandRequest) -> None:
        """The caller configured a channel nobody had set up: they set it up."""
        self.core.store.claim_channel(channel.id, req.user_id)


def refusal(platform: Platform, name: str, words: Sequence[str], set_up_by: str | None) -> Rich:
    """Who may run the refused command, and how to get access."""
    who: list[Inline] = [admins_label(platform)]
    if set_up_by:
        who.append(fmt("{} (who set it up)", mention(set_up_by)))
    if access_of(name, words) is Access.OWNERS:
        return fmt(
            "Only {} can change who manages this channel. {} shows who does.",
            _join(who),
            code("/papers managers"),
        )
    who.append("this channel's managers")
    return fmt(
        "Only {} can change its settings. Ask one of them, or an admin can run {}.",
        _join(who),
        code("/papers managers add @you"),
    )


def _join(parts: list[Inline]) -> Rich:
    if len(parts) == 1:
        return concat(parts[0])
    return concat(join(", ", parts[:-1]), " and ", parts[-1])
