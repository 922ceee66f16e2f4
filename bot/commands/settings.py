"""`/papers` subcommands that change when and how a channel gets its digest."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.commands import parse as cp
from bot.commands.specs import SPECS, SWITCHES, Switch
from bot.digest.schedule_parse import parse_schedule_text
from bot.errors import CommandError
from bot.limits import SIZE_MAX, SIZE_MIN
from bot.models import (
    WEEKDAYS,
    Channel,
    ChannelSettings,
    CommandRequest,
    Platform,
    Reply,
    Threshold,
)
from bot.rich import Inline, Rich, bold, code, concat, fmt, join, lines, plain

if TYPE_CHECKING:
    from bot.service import PaperBot


def save_settings(core: PaperBot, channel: Channel, settings: ChannelSettings) -> Channel:
    """Store a channel's new settings and recompute its next run."""
    updated = core.store.update_settings(channel.id, settings)
    return core.reschedule(updated)


class SettingsCommands:
    """schedule, size, threshold, set, pause, resume."""

    core: PaperBot

    def _schedule(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        current = channel.settings.schedule
        parsed = parse_schedule_text(
            " ".join(p.words),
            default_timezone=current.timezone,
            default_days=WEEKDAYS if current.cron else current.days,
            usage=SPECS["schedule"].usage,
        )
        schedule = parsed.schedule
        updated = save_settings(self.core, channel, replace(channel.settings, schedule=schedule))
        when = (
            f"on the cron line {schedule.cron} ({schedule.timezone})"
            if schedule.cron
            else f"at {schedule.time} {schedule.timezone}, {cp.days_label(schedule.days)}"
        )
        notes = "".join(f" Note: {n}." for n in parsed.notes)
        return Reply(
            plain(f"Digests will be posted {when}.{notes}" + self.core.next_run_note(updated)),
            ephemeral=False,
        )

    def _size(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        if len(p.words) != 1:
            raise CommandError("Tell me one number.", SPECS["size"].usage)
        size = cp.parse_int(p.words[0], SIZE_MIN, SIZE_MAX, SPECS["size"].usage)
        save_settings(self.core, channel, replace(channel.settings, size=size))
        return Reply(plain(f"Digests here will show at most {size} papers."), ephemeral=False)

    def _threshold(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        try:
            level = Threshold(p.rest.strip().lower())
        except ValueError:
            raise CommandError("Use low, medium or high.", SPECS["threshold"].usage) from None
        save_settings(self.core, channel, replace(channel.settings, threshold=level))
        return Reply(plain(f"Threshold set to {level.value}."), ephemeral=False)

    def _set(self, channel: Channel, p: cp.Parsed, req: CommandRequest) -> Reply:
        usage = SPECS["set"].usage
        if not p.words:
            return Reply(_options(channel))
        name = p.words[0].lower()
        switch = SWITCHES.get(name)
        if switch is None:
            known = join(", ", [code(n) for n in SWITCHES])
            raise CommandError(
                fmt("There is no option {}. Options: {}.", code(p.words[0]), known), usage
            )
        current = bool(getattr(channel.settings, switch.field))
        if len(p.words) == 1:
            return Reply(fmt("{} {}.", code(name), _state(switch, current)))
        if len(p.words) > 2:
            raise CommandError(
                fmt("Tell me one option and {} or {}.", code("on"), code("off")), usage
            )
        value = cp.parse_switch(p.words[1], usage)
        if value and switch.slack_only and req.platform is not Platform.SLACK:
            raise CommandError(fmt("{} works on Slack only ({}).", code(name), switch.on), usage)
        if value == current:
            return Reply(fmt("{} is already {}.", code(name), _state(switch, value)))
        change: dict[str, Any] = {switch.field: value}
        save_settings(self.core, channel, replace(channel.settings, **change))
        return Reply(fmt("{} is now {}.", code(name), _state(switch, value)), ephemeral=False)

    def _pause(self, channel: Channel, _p: cp.Parsed, _req: CommandRequest) -> Reply:
        if channel.settings.paused:
            return Reply(
                fmt(
                    "Digests are already paused here. {} starts them again.", code("/papers resume")
                )
            )
        save_settings(
            self.core,
            channel,
            replace(channel.settings, paused=True, paused_reason="paused from chat"),
        )
        return Reply(
            fmt("Paused scheduled digests here. {} still works.", code("/papers now")),
            ephemeral=False,
        )

    def _resume(self, channel: Channel, _p: cp.Parsed, _req: CommandRequest) -> Reply:
        if not channel.settings.paused:
            return Reply(plain("Digests are not paused here."))
        updated = save_settings(
            self.core, channel, replace(channel.settings, paused=False, paused_reason=None)
        )
        return Reply(
            plain("Resumed scheduled digests." + self.core.next_run_note(updated)),
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
