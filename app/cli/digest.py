"""`paperbot demo|digest|react|command|reseal-tokens`: one channel's digest and chat, from a terminal."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from app.cli.common import parse_ref, resolve_channel, runtime
from app.cli.root import app
from bot.config import load_settings
from bot.digest.delivery import DeliveryResult
from bot.errors import InvalidInput, NotFound
from bot.models import Channel
from bot.service import DigestPlan


# ----------------------------------------------------------------------------- demo
@app.command()
def demo(
    database: Annotated[
        str | None, typer.Option(help="Keep the demo in this database instead of a temporary one.")
    ] = None,
) -> None:
    """Run the offline demo: ingest the bundled papers, post a digest, react, post the next one."""
    from app.demo import run_demo

    run_demo(database_url=database)


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
