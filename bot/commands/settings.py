"""`/papers` subcommands that change when and how a channel gets its digest."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.commands import parse as cp
from bot.commands.core import CommandCore
from bot.commands.permissions import Access
from bot.commands.registry import Arg, ArgKind, Call, Suggest, command
from bot.digest.schedule_parse import parse_schedule_text
from bot.errors import CommandError
from bot.limits import SIZE_MAX, SIZE_MIN
from bot.models import WEEKDAYS, Channel, ChannelSettings, Platform, Reply, Threshold
from bot.rich import Inline, Rich, bold, code, concat, fmt, join, lines, plain

S = Access.SETTINGS


@dataclass(frozen=True)
class Switch:
    """An on/off channel option of `/papers set`: its `ChannelSettings` field and what each
    state means."""

    field: str
    on: str
    off: str
    slack_only: bool = False


SWITCHES: dict[str, Switch] = {
    "authors": Switch(
        "follow_authors",
        "papers by followed authors rank higher",
        "followed authors' papers rank like any other (the authors stay listed)",
    ),
    "threads": Switch(
        "thread_mode",
        "a digest's papers are replies in a thread under its header",
        "a digest's papers are posted in the channel",
        slack_only=True,
    ),
    "empty": Switch(
        "announce_empty",
        "on a day without new papers I post a short note",
        "on a day without new papers I stay quiet",
    ),
}


def save_settings(core: CommandCore, channel: Channel, settings: ChannelSettings) -> Channel:
    """Store a channel's new settings and recompute its next run."""
    updated = core.store.update_settings(channel.id, settings)
    return core.reschedule(updated)


@command(
    name="schedule",
    usage="/papers schedule <HH:MM|9am> [timezone] [daily|weekdays|weekly|mon,wed,fri]"
    " or <cron line> [timezone]",
    summary="Set when the digest is posted, in the channel's timezone (or a 5-field cron line).",
    brief="When this channel gets its digest",
    args=(
        Arg(
            "time", help="local time (09:00, 9am) or a cron line (0 9 * * mon-fri)", low=3, high=60
        ),
        Arg(
            "timezone",
            help="IANA timezone or CET, EST, PST...",
            required=False,
            suggest=Suggest.TIMEZONES,
        ),
        Arg("days", help="weekdays, daily or mon,wed,fri", required=False, suggest=Suggest.DAYS),
    ),
    examples=(
        "/papers schedule 09:00 Europe/Berlin weekdays",
        "/papers schedule 08:30 mon,thu",
        "/papers schedule 0 9 * * mon-fri Europe/Berlin",
    ),
    access=S,
)
def schedule(call: Call) -> Reply:
    channel = call.channel
    current = channel.settings.schedule
    parsed = parse_schedule_text(
        " ".join(call.words),
        default_timezone=current.timezone,
        default_days=WEEKDAYS if current.cron else current.days,
        usage=call.usage,
    )
    chosen = parsed.schedule
    updated = save_settings(call.core, channel, replace(channel.settings, schedule=chosen))
    when = (
        f"on the cron line {chosen.cron} ({chosen.timezone})"
        if chosen.cron
        else f"at {chosen.time} {chosen.timezone}, {cp.days_label(chosen.days)}"
    )
    notes = "".join(f" Note: {n}." for n in parsed.notes)
    return Reply(
        plain(f"Digests will be posted {when}.{notes}" + call.core.next_run_note(updated)),
        ephemeral=False,
    )


@command(
    name="size",
    usage=f"/papers size <{SIZE_MIN}-{SIZE_MAX}>",
    summary="Set how many papers a digest shows at most.",
    brief="How many papers per digest",
    args=(Arg("papers", ArgKind.NUMBER, low=SIZE_MIN, high=SIZE_MAX),),
    examples=("/papers size 5",),
    access=S,
)
def size(call: Call) -> Reply:
    if len(call.words) != 1:
        raise CommandError("Tell me one number.", call.usage)
    count = cp.parse_int(call.words[0], SIZE_MIN, SIZE_MAX, call.usage)
    save_settings(call.core, call.channel, replace(call.channel.settings, size=count))
    return Reply(plain(f"Digests here will show at most {count} papers."), ephemeral=False)


@command(
    name="threshold",
    usage="/papers threshold <low|medium|high>",
    summary="Fewer, better papers (high) or more, looser ones (low).",
    brief="How good a match must be to be posted",
    args=(Arg("level", ArgKind.CHOICE, choices=("low", "medium", "high")),),
    examples=("/papers threshold high",),
    access=S,
)
def threshold(call: Call) -> Reply:
    try:
        level = Threshold(call.rest.strip().lower())
    except ValueError:
        raise CommandError("Use low, medium or high.", call.usage) from None
    save_settings(call.core, call.channel, replace(call.channel.settings, threshold=level))
    return Reply(plain(f"Threshold set to {level.value}."), ephemeral=False)


@command(
    name="set",
    usage="/papers set [authors|threads|empty] [on|off]",
    summary="Show or switch this channel's options (without arguments: all of them).",
    brief="Show or switch this channel's options",
    args=(
        Arg(
            "option",
            ArgKind.CHOICE,
            help="leave empty to see every option",
            required=False,
            choices=tuple(SWITCHES),
        ),
        Arg("value", ArgKind.CHOICE, help="on or off", required=False, choices=("on", "off")),
    ),
    examples=("/papers set", "/papers set authors off", "/papers set threads on"),
    aliases=("settings", "options"),
    access=S,
    shows=lambda words: len(words) < 2,  # `set` and `set authors` only show the options
)
def set_option(call: Call) -> Reply:
    channel, words, usage = call.channel, call.words, call.usage
    if not words:
        return Reply(_options(channel))
    name = words[0].lower()
    switch = SWITCHES.get(name)
    if switch is None:
        known = join(", ", [code(n) for n in SWITCHES])
        raise CommandError(fmt("There is no option {}. Options: {}.", code(words[0]), known), usage)
    current = bool(getattr(channel.settings, switch.field))
    if len(words) == 1:
        return Reply(fmt("{} {}.", code(name), _state(switch, current)))
    if len(words) > 2:
        raise CommandError(fmt("Tell me one option and {} or {}.", code("on"), code("off")), usage)
    value = cp.parse_switch(words[1], usage)
    if value and switch.slack_only and call.request.platform is not Platform.SLACK:
        raise CommandError(fmt("{} works on Slack only ({}).", code(name), switch.on), usage)
    if value == current:
        return Reply(fmt("{} is already {}.", code(name), _state(switch, value)))
    change: dict[str, Any] = {switch.field: value}
    save_settings(call.core, channel, replace(channel.settings, **change))
    return Reply(fmt("{} is now {}.", code(name), _state(switch, value)), ephemeral=False)


@command(
    name="pause",
    usage="/papers pause",
    summary="Stop scheduled digests here.",
    brief="Pause this channel's digests",
    access=S,
)
def pause(call: Call) -> Reply:
    channel = call.channel
    if channel.settings.paused:
        return Reply(
            fmt("Digests are already paused here. {} starts them again.", code("/papers resume"))
        )
    save_settings(
        call.core,
        channel,
        replace(channel.settings, paused=True, paused_reason="paused from chat"),
    )
    return Reply(
        fmt("Paused scheduled digests here. {} still works.", code("/papers now")),
        ephemeral=False,
    )


@command(
    name="resume",
    usage="/papers resume",
    summary="Start scheduled digests again.",
    brief="Resume this channel's digests",
    access=S,
)
def resume(call: Call) -> Reply:
    channel = call.channel
    if not channel.settings.paused:
        return Reply(plain("Digests are not paused here."))
    updated = save_settings(
        call.core, channel, replace(channel.settings, paused=False, paused_reason=None)
    )
    return Reply(
        plain("Resumed scheduled digests." + call.core.next_run_note(updated)),
        ephemeral=False,
    )


def _options(channel: Channel) -> Rich:
    """`/papers set` alone: every option with its current state."""
    shown: list[Inline] = [bold(f"Options of #{channel.name}")]
    shown += [
        fmt(
            "• {} {}{}",
            code(name),
            _state(s, getattr(channel.settings, s.field)),
            " (Slack only)" if s.slack_only else "",
        )
        for name, s in SWITCHES.items()
    ]
    shown.append(concat("Switch one with ", code("/papers set <option> on|off"), "."))
    return lines(shown)


def _state(switch: Switch, value: bool) -> str:
    return f"on: {switch.on}" if value else f"off: {switch.off}"
