"""`paperbot export`: a channel's liked papers as CSV, BibTeX or JSON lines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.errors import InvalidInput


def export(
    channel: Annotated[str, typer.Option("--channel", help="Channel id or ref.")],
    fmt: Annotated[
        str, typer.Option("--format", help="csv, bibtex or jsonl.", case_sensitive=False)
    ] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Export the papers a channel liked (more 👍 than 👎), for a reference manager or a sheet."""
    from app.cli.common import resolve_channel, runtime
    from bot.content.export import FORMATS, render
    from bot.content.history import liked_papers

    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    with runtime() as rt:
        ch = resolve_channel(rt, channel)
        liked = liked_papers(rt.store, ch.id)
    text = render(liked, fmt)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    typer.echo(f"exported {len(liked)} liked papers from {ch.ref} to {output}", err=True)


def register(app: typer.Typer) -> None:
    app.command("export")(export)
