"""`/papers managers`: who may change a channel's settings, and adding or removing managers."""

from __future__ import annotations

from bot.commands import parse as cp
from bot.commands.access import admins_label
from bot.commands.core import CommandCore
from bot.commands.permissions import Access
from bot.commands.registry import Action, Arg, ArgKind, Call, command
from bot.errors import CommandError
from bot.models import Channel, CommandRequest, Reply
from bot.rich import Inline, Rich, bold, code, concat, fmt, join, lines, mention

MAX_MANAGERS = 50


@command(
    name="managers",
    usage="/papers managers [list | add @member | remove @member]",
    summary="See who may change this channel's settings; admins add or remove its managers.",
    brief="Who may change this channel's settings",
    actions=(
        Action("list", "Who may change this channel's settings"),
        Action(
            "add",
            "Let a member change this channel's settings",
            (
                Arg(
                    "member",
                    ArgKind.MEMBER,
                    help="who may change topics, schedule and options here",
                ),
            ),
        ),
        Action(
            "remove",
            "Take a member's right to change settings back",
            (Arg("member", ArgKind.USER, help="one of this channel's managers"),),
        ),
    ),
    examples=("/papers managers", "/papers managers add @ada", "/papers managers remove @ada"),
    aliases=("manager",),
    access=Access.OWNERS,
    shows=lambda words: not words or words[0].lower() == "list",
)
def managers(call: Call) -> Reply:
    core, channel, words, usage = call.core, call.channel, call.words, call.usage
    action = words[0].lower() if words else "list"
    if action == "list":
        return Reply(_who_may_change(core, channel, call.request))
    if action not in ("add", "remove"):
        raise CommandError(
            fmt(
                "Use {}, {} or {}, not {}.",
                code("list"),
                code("add"),
                code("remove"),
                code(words[0]),
            ),
            usage,
        )
    if len(words) != 2:
        raise CommandError("Tell me one member.", usage)
    user = cp.user_ref(words[1], usage)
    if action == "add":
        return _add_manager(core, channel, user, call.request)
    if not core.store.remove_manager(channel.id, user):
        raise CommandError(
            fmt("{} is not a manager here. Managers: {}.", mention(user), _listing(core, channel)),
            usage,
        )
    return Reply(
        fmt("{} is no longer a manager of this channel.", mention(user)),
        ephemeral=False,
    )


def _add_manager(core: CommandCore, channel: Channel, user: str, req: CommandRequest) -> Reply:
    store = core.store
    if len(store.channel_managers(channel.id)) >= MAX_MANAGERS:
        raise CommandError(f"This channel already has {MAX_MANAGERS} managers.")
    if not store.add_manager(channel.id, user, added_by=req.user_id, now=core.clock.now()):
        return Reply(fmt("{} already manages this channel.", mention(user)))
    return Reply(
        fmt(
            "{} now manages this channel: they can change its topics, schedule and options ({}).",
            mention(user),
            code("/papers help"),
        ),
        ephemeral=False,
    )


def _listing(core: CommandCore, channel: Channel) -> Rich:
    managers = core.store.channel_managers(channel.id)
    return join(", ", [mention(m) for m in managers]) or concat("none yet")


def _who_may_change(core: CommandCore, channel: Channel, req: CommandRequest) -> Rich:
    policy = core.settings.settings_policy
    title = bold(f"Who may change #{channel.name or channel.ref.channel}")
    if policy.anyone:
        return lines([title, "• Everyone here (the operator set SETTINGS_ADMINS=anyone)."])
    shown: list[Inline] = [title, f"• {admins_label(req.platform).capitalize()}"]
    if channel.set_up_by:
        shown.append(fmt("• {}, who set it up", mention(channel.set_up_by)))
    shown.append(fmt("• Managers: {}", _listing(core, channel)))
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
