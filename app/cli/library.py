"""`paperbot channel import`: a lab's BibTeX, RIS or Zotero CSV export becomes a channel's
liked papers (matched by arXiv id, DOI or title; missing arXiv papers fetched)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.errors import InvalidInput
from bot.library.entries import MAX_LIBRARY_BYTES
from bot.library.importer import ImportReport, import_library
from bot.library.reply import entry_label


def read_file(path: Path) -> bytes:
    """The file's bytes; a missing file, a directory or one over the size cap is refused."""
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file")
    if path.stat().st_size > MAX_LIBRARY_BYTES:
        raise InvalidInput(
            f"{path} is {path.stat().st_size // 1000:,} KB; library files are read up to "
            f"{MAX_LIBRARY_BYTES // 1_000_000} MB"
        )
    return path.read_bytes()


def report_dict(report: ImportReport) -> dict[str, object]:
    return {
        "file": report.name,
        "format": report.format,
        "matched": len(report.matched),
        "unmatched": len(report.unmatched),
        "added": report.added,
        "entries": [
            {
                "title": o.entry.title,
                "arxiv": o.entry.arxiv,
                "doi": o.entry.doi,
                "paper_id": o.paper.id if o.paper else None,
                "matched_by": o.how,
                "reason": o.reason,
            }
            for o in report.outcomes
        ],
    }


def channel_import(
    file: Annotated[Path, typer.Argument(help="A BibTeX (.bib), RIS (.ris) or Zotero CSV file.")],
    channel: Annotated[str, typer.Option("--channel", help="Channel id or ref.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Make a reference library's papers this channel's liked papers (idempotent)."""
    from app.cli.common import resolve_channel, runtime

    data = read_file(file)
    with runtime(quiet_console=as_json) as rt:
        ch = resolve_channel(rt, channel)
        report = import_library(
            rt.store, ch, file.name, data, now=rt.clock.now(), lookup=rt.core.papers_lookup
        )
    if as_json:
        typer.echo(json.dumps(report_dict(report), indent=2, ensure_ascii=False))
        return
    typer.echo(report.summary)
    typer.echo(f"{report.added} new liked papers in {ch.ref}", err=True)
    for outcome in report.unmatched:
        typer.echo(f"unmatched: {entry_label(outcome)}: {outcome.reason}")


def register(channel_app: typer.Typer) -> None:
    channel_app.command("import")(channel_import)
