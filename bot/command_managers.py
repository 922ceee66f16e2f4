"""`/papers managers`: who may change a channel's settings, and adding or removing managers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import command_parse as cp
from bot.command_access import admins_label
from bot.command_specs import SPECS
from bot.errors import CommandError
from bot.models import Channel, CommandRequest, Reply

if TYPE_CHECKING:
    from bot.service import PaperBot

MAX_MANAGERS = 50


class ManagersCommands:
    """managers [list | add @member | remove @member]."""

    core: PaperBot

    def _managers(self, channel: Channel, p: cp.Parsed, req: CommandRequest) -> Reply:
        usage = SPECS["managers"].usage
        action = p.words[0].lower() if p.words else "list"
        if action == "list":
            return Reply(self._who_may_change(channel, req))
        if action not in ("add", "remove"):
            raise CommandError(f"Use `list`, `add` or `remove`, not `{p.words[0]}`.", usage)
        if len(p.words) != 2:
            raise CommandError("Tell me one member.", usage)
        user = cp.user_ref(p.words[1], usage)
        if action == "add":
            return self._add_manager(channel, user, req)
        if not self.core.store.remove_manager(channel.id, user):
            raise CommandError(
                f"<@{user}> is not a manager here. Managers: {self._listing(channel)}.", usage
            )
        return Reply(
            f"<@{user}> is no longer a manager of this channel.",
            ephemeral=False,
        )

    def _add_manager(self, channel: Channel, user: str, req: CommandRequest) -> Reply:
        store = self.core.store
        if len(store.channel_managers(channel.id)) >= MAX_MANAGERS:
            raise CommandError(f"This channel already has {MAX_MANAGERS} managers.")
        if not store.add_manager(channel.id, user, added_by=req.user_id, now=self.core.clock.now()):
            return Reply(f"<@{user}> already manages this channel.")
        return Reply(
            f"<@{user}> now manages this channel: they can change its topics, schedule and "
            "options (`/papers help`).",
            ephemeral=False,
        )

    def _listing(self, channel: Channel) -> str:
        managers = self.core.store.channel_managers(channel.id)
        return ", ".join(f"<@{m}>" for m in managers) or "none yet"

    def _who_may_change(self, channel: Channel, req: CommandRequest) -> str:
        policy = self.core.settings.settings_policy
        name = channel.name or channel.ref.channel
        if policy.anyone:
            return (
                f"*Who may change #{name}*\n• Everyone here (the operator set "
                "SETTINGS_ADMINS=anyone)."
            )
        lines = [f"*Who may change #{name}*", f"• {admins_label(req.platform).capitalize()}"]
        if channel.set_up_by:
            lines.append(f"• <@{channel.set_up_by}>, who set it up")
        lines.append(f"• Managers: {self._listing(channel)}")
        if policy.listed:
            lines.append(
                "• In every channel (SETTINGS_ADMINS): "
                + ", ".join(f"<@{u}>" for u in sorted(policy.listed))
            )
        if channel.set_up_by is None and not channel.interests:
            lines.append("Nobody has set this channel up yet: the first person to change it does.")
        lines.append(
            "Admins and whoever set it up add managers with `/papers managers add @member`."
        )
        return "\n".join(lines)
