"""`paperbot discord-sync`: register the `/papers` app commands with Discord."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from bot.config import load_settings


def discord_sync(
    guild: Annotated[
        str | None,
        typer.Option(help="Sync to this server only (instant) instead of globally."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Sync the /papers commands globally (they can take a while to appear) or to one server."""
    from app.cli.common import runtime

    settings = load_settings()
    settings.require("discord_token", why="paperbot discord-sync")
    with runtime(settings) as rt:
        sync: Any = rt.extras.get("discord_sync")
        if sync is None:
            raise typer.BadParameter("this installation has no Discord support")
        result = sync(guild)
    if as_json:
        payload = {
            "guild": guild,
            "commands": list(result.commands),
            "application_id": result.application_id,
            "invite_url": result.invite_url,
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    where = f"server {guild}" if guild else "all servers (global)"
    typer.echo(f"synced {len(result.commands)} command(s) to {where}: {', '.join(result.commands)}")
    if result.invite_url:
        typer.echo(f"invite the bot with: {result.invite_url}")


def register(app: typer.Typer) -> None:
    app.command("discord-sync")(discord_sync)
