"""`paperbot channel add|list|remove`."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from app.cli.common import channel_dict, parse_ref, resolve_channel, runtime
from app.cli.root import channel_app
from bot.errors import InvalidInput
from bot.limits import DEFAULT_SIZE, SIZE_MAX, SIZE_MIN
from bot.models import Channel, ChannelSettings, InterestKind, Threshold


@channel_app.command("add")
def channel_add(
    ref: Annotated[
        str, typer.Argument(help="console:NAME, slack:TEAM:CHANNEL or discord:GUILD:CHANNEL")
    ],
    topic: Annotated[
        list[str] | None, typer.Option("--topic", help="A topic phrase (repeatable).")
    ] = None,
    category: Annotated[
        list[str] | None, typer.Option("--category", help="An arXiv category.")
    ] = None,
    author: Annotated[list[str] | None, typer.Option("--author", help="A followed author.")] = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="A keyword to exclude.")
    ] = None,
    size: Annotated[
        int, typer.Option(min=SIZE_MIN, max=SIZE_MAX, help="Papers per digest.")
    ] = DEFAULT_SIZE,
    name: Annotated[str | None, typer.Option(help="Display name (default: from the ref).")] = None,
    schedule: Annotated[
        str | None,
        typer.Option(
            help='When: "09:00 Europe/Berlin weekdays", "9am CET daily" or a cron line '
            '"0 9 * * mon-fri Europe/Berlin".'
        ),
    ] = None,
    announce_empty: Annotated[
        bool, typer.Option("--announce-empty", help="Post one line on days with no papers.")
    ] = False,
    threshold: Annotated[Threshold, typer.Option(help="How good a match must be.")] = (
        Threshold.MEDIUM
    ),
    at: Annotated[
        str | None,
        typer.Option("--at", help="Compute the first run as if it were this ISO time."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Add a channel with its interests and schedule."""
    from bot.commands.parse import checked_interest
    from bot.digest.schedule import next_run
    from bot.digest.schedule_parse import parse_schedule_text

    channel_ref = parse_ref(ref)
    given = {
        InterestKind.TOPIC: topic,
        InterestKind.CATEGORY: category,
        InterestKind.AUTHOR: author,
        InterestKind.EXCLUDE: exclude,
    }
    interests = [checked_interest(kind, v) for kind, values in given.items() for v in values or []]
    with runtime(at=at) as rt:
        existing = rt.store.find_channel(channel_ref)
        if existing is not None:
            raise InvalidInput(
                f"channel {channel_ref} already exists (id {existing.id}); change it with "
                f'`paperbot channel schedule {channel_ref} "09:00 UTC weekdays"` or '
                f"`paperbot command --channel {channel_ref} subscribe <topic>`, "
                f"or `paperbot channel remove {channel_ref}` first"
            )
        parsed = parse_schedule_text(
            schedule or f"{rt.settings.default_digest_time} {rt.settings.default_timezone}",
            default_timezone=rt.settings.default_timezone,
            usage=None,
        )
        when = parsed.schedule
        for note in parsed.notes:
            typer.echo(f"note: {note}", err=True)
        settings = ChannelSettings(
            size=size, threshold=threshold, schedule=when, announce_empty=announce_empty
        )
        channel = rt.store.add_channel(
            channel_ref, name or channel_ref.channel, settings, interests, now=rt.clock.now()
        )
        rt.store.set_next_run(channel.id, next_run(when, rt.clock.now()))
        channel = rt.store.get_channel(channel.id)
        if as_json:
            typer.echo(json.dumps(channel_dict(channel), indent=2))
        else:
            typer.echo(
                f"added channel {channel.id} ({channel.ref}) with {len(interests)} interests"
            )


@channel_app.command("list")
def channel_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List channels with their settings and interests."""
    with runtime() as rt:
        channels = rt.store.list_channels()
    if as_json:
        typer.echo(json.dumps([channel_dict(c) for c in channels], indent=2))
        return
    if not channels:
        typer.echo("no channels yet; add one with `paperbot channel add console:NAME --topic ...`")
        return
    from bot.digest.schedule import status_line

    for c in channels:
        status = (
            f"paused ({c.settings.paused_reason or 'by request'})"
            if c.settings.paused
            else "active"
        )
        topics = ", ".join(f"{i.kind.value}:{i.value}" for i in c.interests) or "no interests"
        typer.echo(
            f"{c.id:>4}  {c.ref}  size {c.settings.size}  {status}\n"
            f"      {status_line(c)}\n      {topics}"
        )


@channel_app.command("remove")
def channel_remove(
    ident: Annotated[str, typer.Argument(help="Channel id or ref.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Remove a channel and everything recorded for it (asks first unless --yes)."""
    with runtime() as rt:
        channel = resolve_channel(rt, ident)
        confirm_removal(channel, yes=yes)
        rt.store.remove_channel(channel.id)
    if as_json:
        typer.echo(json.dumps({"removed": {"id": channel.id, "ref": str(channel.ref)}}))
        return
    typer.echo(f"removed channel {channel.id} ({channel.ref})")


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def confirm_removal(channel: Channel, *, yes: bool) -> None:
    """Ask before deleting a channel's history; with no terminal to ask on, refuse without --yes."""
    if yes:
        return
    what = f"channel {channel.id} ({channel.ref}) with its digests, reactions and interests"
    if not stdin_is_terminal():
        raise InvalidInput(f"not removing {what}: no terminal to confirm on; add --yes")
    if not typer.confirm(f"Remove {what}?", default=False):
        typer.echo("nothing removed", err=True)
        raise typer.Exit(1)
