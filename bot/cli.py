"""The `paperbot` command line: every stage runs alone and can print instead of post."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Annotated

import typer

from bot.cli_export import register as register_export
from bot.cli_import import register as register_import
from bot.config import Settings, load_settings
from bot.delivery import DeliveryResult
from bot.errors import InvalidInput, NotFound, PaperBotError
from bot.limits import DEFAULT_SIZE, SIZE_MAX, SIZE_MIN
from bot.logs import setup_logging
from bot.models import (
    Channel,
    ChannelRef,
    ChannelSettings,
    InterestKind,
    Platform,
    Threshold,
)
from bot.runtime import Runtime, load_runtime
from bot.service import DigestPlan

app = typer.Typer(
    name="paperbot",
    help="PaperBot: a daily digest of new research papers, ranked per channel, that learns from reactions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
channel_app = typer.Typer(help="Add, list and remove channels.", no_args_is_help=True)
app.add_typer(channel_app, name="channel")
register_export(app)
register_import(channel_app)

log = logging.getLogger("paperbot")


def package_version() -> str:
    """The installed distribution's version (pyproject.toml), e.g. 0.1.0."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("paperbot")
    except PackageNotFoundError:
        return "unknown (not installed; run `make install`)"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"paperbot {package_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print `paperbot X.Y.Z` and exit.",
        ),
    ] = False,
) -> None:
    """PaperBot: a daily digest of new research papers, ranked per channel, that learns from reactions."""


@contextmanager
def runtime(
    settings: Settings | None = None, *, at: str | None = None, quiet_console: bool = False
) -> Iterator[Runtime]:
    """The runtime for one command; `at` (an ISO time) stands the clock still at that time.
    `quiet_console` sends what the console adapter posts to stderr (stdout stays pure --json)."""
    from bot.clock import FixedClock, parse_at

    settings = settings or load_settings()
    setup_logging(settings.log_level, settings.log_format)
    rt = load_runtime(
        settings,
        out=sys.stderr if quiet_console else None,
        clock=FixedClock(parse_at(at)) if at else None,
    )
    try:
        yield rt
    finally:
        rt.close()


def parse_ref(text: str) -> ChannelRef:
    """`console:NAME`, `slack:TEAM:CHANNEL`, `discord:GUILD:CHANNEL`."""
    parts = text.split(":")
    try:
        platform = Platform(parts[0].lower())
    except ValueError:
        raise InvalidInput(
            f"unknown platform in {text!r}; use console:NAME, slack:TEAM:CHANNEL or discord:GUILD:CHANNEL"
        ) from None
    if platform is Platform.CONSOLE and len(parts) == 2 and parts[1]:
        return ChannelRef(platform, "local", parts[1])
    if platform is not Platform.CONSOLE and len(parts) == 3 and all(parts[1:]):
        return ChannelRef(platform, parts[1], parts[2])
    raise InvalidInput(
        f"bad channel {text!r}; use console:NAME, slack:TEAM:CHANNEL or discord:GUILD:CHANNEL"
    )


def resolve_channel(rt: Runtime, ident: str) -> Channel:
    """A channel by numeric id or by reference (`console:lab`)."""
    if ident.isdigit():
        return rt.store.get_channel(int(ident))
    found = rt.store.find_channel(parse_ref(ident))
    if found is None:
        raise NotFound(f"no channel {ident}; see `paperbot channel list`")
    return found


def channel_dict(channel: Channel) -> dict[str, object]:
    s = channel.settings
    return {
        "id": channel.id,
        "ref": str(channel.ref),
        "name": channel.name,
        "size": s.size,
        "threshold": s.threshold.value,
        "schedule": asdict(s.schedule),
        "paused": s.paused,
        "paused_reason": s.paused_reason,
        "interests": [{"kind": i.kind.value, "value": i.value} for i in channel.interests],
        "next_run_at": channel.next_run_at.isoformat() if channel.next_run_at else None,
        "last_digest_at": channel.last_digest_at.isoformat() if channel.last_digest_at else None,
        "retry_at": channel.retry_at.isoformat() if channel.retry_at else None,
    }


# ----------------------------------------------------------------------------- demo
@app.command()
def demo(
    database: Annotated[
        str | None, typer.Option(help="Keep the demo in this database instead of a temporary one.")
    ] = None,
) -> None:
    """Run the offline demo: ingest the bundled papers, post a digest, react, post the next one."""
    from bot.demo import run_demo

    run_demo(database_url=database)


# -------------------------------------------------------------------------- channel
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
    from bot.command_parse import checked_interest
    from bot.schedule import next_run
    from bot.schedule_parse import parse_schedule_text

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
    from bot.schedule import status_line

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


# --------------------------------------------------------------------------- digest
def plan_dict(plan: DigestPlan) -> dict[str, object]:
    """A dry run's picks for --json."""
    return {
        "channel": str(plan.channel.ref),
        "dry_run": True,
        "candidates": plan.candidates,
        "picks": [
            {
                "rank": rank,
                "paper_id": scored.paper.id,
                "title": scored.paper.title,
                "url": scored.paper.abs_url,
                "score": round(scored.score, 4),
                "tldr": summary,
                "reasons": [r.text for r in scored.reasons],
            }
            for rank, (scored, summary) in enumerate(plan.picks, start=1)
        ],
    }


def delivery_dict(channel: Channel, result: DeliveryResult) -> dict[str, object]:
    """What a posted digest did, for --json."""
    found = result.digest
    return {
        "channel": str(channel.ref),
        "dry_run": False,
        "run_key": found.run_key if found else None,
        "candidates": found.candidates if found else 0,
        "posted": list(result.posted),
        "failed": dict(result.failed),
        "notice": result.notice,
        "message_ids": dict(result.message_ids),
    }


def print_plan(plan: DigestPlan) -> None:
    typer.echo(
        f"[dry run] {len(plan.picks)} of {plan.candidates} new papers for {plan.channel.ref}:"
    )
    for rank, (scored, summary) in enumerate(plan.picks, start=1):
        why = "; ".join(r.text for r in scored.reasons[:2]) or "best remaining match"
        typer.echo(
            f"{rank}. {scored.paper.title}\n   {scored.paper.abs_url or ''}\n"
            f"   TL;DR: {summary}\n   Why: {why}"
        )


@app.command()
def digest(
    channel: Annotated[str, typer.Option("--channel", help="Channel id or ref.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print without recording or posting.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the picks (or what was posted) as JSON.")
    ] = False,
) -> None:
    """Build a channel's digest from the papers it has not been shown, and deliver it now."""
    with runtime(quiet_console=as_json) as rt:
        ch = resolve_channel(rt, channel)
        plan, result = rt.core.run_digest(ch, dry_run=dry_run)
    if as_json:
        payload = plan_dict(plan) if dry_run else delivery_dict(ch, result)
        typer.echo(json.dumps(payload, indent=2))
    elif dry_run:
        print_plan(plan)
    elif result.digest is None or not result.digest.items:
        typer.echo(f"no new papers for {ch.ref}")
    else:
        failed = f", {len(result.failed)} failed" if result.failed else ""
        typer.echo(f"posted {len(result.posted)} papers to {ch.ref}{failed}", err=True)
    if not dry_run and result.failed:
        raise typer.Exit(1)


@app.command()
def react(
    channel: Annotated[str, typer.Option("--channel", help="Channel id or ref.")],
    paper: Annotated[str, typer.Option("--paper", help="Paper id (arXiv id).")],
    emoji: Annotated[
        str, typer.Option("--emoji", help="+1 or -1 (or any mapped emoji name).")
    ] = "+1",
    user: Annotated[str, typer.Option("--user", help="Who reacted.")] = "cli",
    remove: Annotated[bool, typer.Option("--remove", help="Remove the reaction instead.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Record a reaction as if a person had reacted (console channels and tests)."""
    from bot.identity import arxiv_id

    with runtime() as rt:
        ch = resolve_channel(rt, channel)
        paper_id = arxiv_id(paper) or paper
        if rt.core.emoji.value(emoji) == 0:
            raise InvalidInput(f"emoji {emoji!r} carries no opinion; use +1 or -1")
        changed = rt.core.react(ch, paper_id, user, emoji, added=not remove)
    verb = "removed" if remove else "recorded"
    if as_json:
        payload = {"channel": str(ch.ref), "paper_id": paper_id, "emoji": emoji, "user": user}
        typer.echo(json.dumps(dict(payload, action="remove" if remove else "add", changed=changed)))
        return
    typer.echo(
        f"{verb} {emoji} on {paper_id} in {ch.ref}"
        if changed
        else "nothing changed (already recorded)"
    )


@app.command("reseal-tokens")
def reseal_tokens(
    as_json: Annotated[bool, typer.Option("--json", help="Print the count as JSON.")] = False,
) -> None:
    """Encrypt every stored chat app install (OAuth tokens) with TOKEN_ENCRYPTION_KEY's first
    key: after setting a key, or after putting a new one first to rotate."""
    settings = load_settings()
    if not settings.token_encryption_key:
        raise InvalidInput("set TOKEN_ENCRYPTION_KEY first (see .env.example)")
    with runtime(settings) as rt:
        if rt.installations is None:
            raise InvalidInput("this runtime keeps no chat app installs")
        count = rt.installations.reseal_installations()
    if as_json:
        typer.echo(json.dumps({"sealed": count}))
        return
    typer.echo(f"sealed {count} stored install(s) with the current key")


@app.command("command")
def command(
    channel: Annotated[str, typer.Option("--channel", help="Channel ref, e.g. console:lab.")],
    text: Annotated[list[str], typer.Argument(help="What you would type after /papers.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the reply as JSON (text, ok).")
    ] = False,
) -> None:
    """Run a /papers chat command from the terminal, as the operator (allowed everything)."""
    from bot.models import CommandRequest

    ref = parse_ref(channel)
    with runtime(quiet_console=as_json) as rt:
        if rt.store.find_channel(ref) is None:  # chat adds a channel on first use; the CLI not
            raise NotFound(
                f"no such channel {ref}; add it with `paperbot channel add {ref} --topic ...`"
            )
        reply = rt.core.on_command(
            CommandRequest(
                ref.platform,
                ref.workspace,
                ref.channel,
                "cli",
                " ".join(text),
                ref.channel,
                operator=True,  # whoever runs the CLI operates PaperBot: no chat permissions
            )
        )
    plain = reply.text  # plain text: links as "label (url)"
    if as_json:
        typer.echo(
            json.dumps({"channel": str(ref), "ok": reply.ok, "text": plain}, ensure_ascii=False)
        )
    else:
        typer.echo(plain)
    if not reply.ok:
        raise typer.Exit(1)


from bot import cli_discord  # noqa: E402

cli_discord.register(app)

from bot import cli_worker  # noqa: E402, F401  (registers `run` and `tick`)


def main() -> None:
    """Console-script entry point: PaperBot errors become one line and a non-zero exit."""
    try:
        app()
    except PaperBotError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)


import bot.cli_doctor  # noqa: E402  (registers `doctor`)
import bot.cli_ingest  # noqa: E402  (registers `ingest`)
import bot.cli_serve  # noqa: E402,F401  (registers `serve`)
from bot import cli_fetch  # noqa: E402,F401  (registers `fetch` and `backfill`)
