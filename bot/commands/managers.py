"""`/papers managers`: who may change a channel's settings, and adding or removing managers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import parse as cp
from bot.commands.access import admins_label
from bot.commands.specs import SPECS
from bot.errors import CommandError
from bot.models import Channel, CommandRequest, Reply
from bot.rich import Inline, Rich, bold, code, concat, fmt, join, lines, mention

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
            raise CommandError(
                fmt(
                    "Use {}, {} or {}, not {}.",
                    code("list"),
                    code("add"),
                    code("remove"),
                    code(p.words[0]),
                ),
                usage,
            )
        if len(p.words) != 2:
            raise CommandError("Tell me one member.", usage)
        user = cp.user_ref(p.words[1], usage)
        if action == "add":
            return self._add_manager(channel, user, req)
        if not self.core.store.remove_manager(channel.id, user):
            raise CommandError(
                fmt(
                    "{} is not a manager here. Managers: {}.", mention(user), self._listing(channel)
                ),
                usage,
            )
        return Reply(
            fmt("{} is no longer a manager of this channel.", mention(user)),
            ephemeral=False,
        )

    def _add_manager(self, channel: Channel, user: str, req: CommandRequest) -> Reply:
        store = self.core.store
        if len(store.channel_managers(channel.id)) >= MAX_MANAGERS:
            raise CommandError(f"This channel already has {MAX_MANAGERS} managers.")
        if not store.add_manager(channel.id, user, added_by=req.user_id, now=self.core.clock.now()):
            return Reply(fmt("{} already manages this channel.", mention(user)))
        return Reply(
            fmt(
                "{} now manages this channel: they can change its topics, schedule and "
                "options ({}).",
                mention(user),
                code("/papers help"),
            ),
            ephemeral=False,
        )

    def _listing(self, channel: Channel) -> Rich:
        managers = self.core.store.channel_managers(channel.id)
        return join(", ", [mention(m) for m in managers]) or concat("none yet")

    def _who_may_change(self, channel: Channel, req: CommandRequest) -> Rich:
        policy = self.core.settings.settings_policy
        title = bold(f"Who may change #{channel.name or channel.ref.channel}")
        if policy.anyone:
            return lines([title, "• Everyone here (the operator set SETTINGS_ADMINS=anyone)."])
        shown: list[Inline] = [title, f"• {admins_label(req.platform).capitalize()}"]
        if channel.set_up_by:
            shown.append(fmt("• {}, who set it up", mention(channel.set_up_by)))
        shown.append(fmt("• Managers: {}", self._listing(channel)))
        if policy.listed:
            listed = join(", ", [mention(u) for u in sorted(policy.listed)])
            shown.append(fmt("• In every channel (SETTINGS_ADMINS): {}", listed))
        if channel.set_up_by is None and not channel.interests:
            shown.append("Nobody has set this channel up yet: the first person to change it does.")
        shown.append(
            fmt(
                "Admins and whoever set it up add managers with {}.",
                code("/papers managers add @member"),
            )
        )
        return lines(shown)
