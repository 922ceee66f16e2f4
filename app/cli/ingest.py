"""`paperbot ingest FILE`: import a normalized JSONL file; a bad file is one line, not a traceback."""

from __future__ import annotations

import gzip
import json
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from app.cli.common import runtime
from app.cli.root import app
from bot.errors import InvalidInput
from bot.models import IngestReport, Paper
from bot.sources.jsonl import ParseResult, read_jsonl

CHUNK = 2000
MAX_LISTED = 20


def progress_bar(*, quiet: bool) -> Progress:
    """A transient progress bar on stderr, shown only on a terminal (never in logs or --json)."""
    return Progress(
        console=Console(stderr=True),
        transient=True,
        disable=quiet or not sys.stderr.isatty(),
    )


def check_input(path: Path) -> None:
    if path.is_dir():
        raise InvalidInput(f"{path} is a directory; give a .jsonl or .jsonl.gz file")
    if not path.exists():
        raise InvalidInput(f"no such file: {path}")


def parse_file(path: Path, progress: Progress) -> ParseResult:
    """Parse `path`, reading it through the progress bar; unreadable files are InvalidInput."""
    check_input(path)
    try:
        with progress.open(path, "rb", description=f"reading {path.name}") as raw:
            return read_jsonl(path, raw=raw)
    except EOFError:
        raise InvalidInput(
            f"{path}: the compressed file ends early (an incomplete download?); nothing imported"
        ) from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise InvalidInput(f"{path}: not valid gzip data ({exc}); nothing imported") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None


def store_papers(
    ingest: Callable[[list[Paper]], IngestReport],
    papers: list[Paper],
    progress: Progress,
    name: str,
) -> IngestReport:
    """Store in chunks of CHUNK papers through `core.ingest`, advancing the bar."""
    report = IngestReport()
    task = progress.add_task(f"storing {name}", total=len(papers))
    for start in range(0, len(papers), CHUNK):
        part = ingest(papers[start : start + CHUNK])
        report = IngestReport(
            new=report.new + part.new,
            updated=report.updated + part.updated,
            unchanged=report.unchanged + part.unchanged,
            rejected=report.rejected + part.rejected,
        )
        progress.advance(task, len(papers[start : start + CHUNK]))
    return report


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="A normalized .jsonl or .jsonl.gz file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import papers from a normalized JSONL file; re-importing the same file changes nothing."""
    check_input(path)
    with runtime() as rt, progress_bar(quiet=as_json) as progress:
        parsed = parse_file(path, progress)
        report = store_papers(rt.core.ingest, parsed.papers, progress, path.name)
    rejected = [{"where": w, "reason": r} for w, r in (*parsed.rejected, *report.rejected)]
    if as_json:
        payload = {
            "new": report.new,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": rejected,
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    typer.echo(
        f"{path.name}: {report.new} new, {report.updated} updated, {report.unchanged} unchanged, "
        f"{len(rejected)} rejected"
    )
    for item in rejected[:MAX_LISTED]:
        typer.echo(f"  rejected {item['where']}: {item['reason']}")
    if len(rejected) > MAX_LISTED:
        typer.echo(f"  … and {len(rejected) - MAX_LISTED} more (use --json for all)")
