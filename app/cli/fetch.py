"""`paperbot fetch` and `paperbot backfill`: pull papers from the sources into the store."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.cli.common import runtime
from app.cli.root import app
from bot.errors import InvalidInput
from bot.sources.fetcher import FetchReport, run_fetch
from bot.sources.fetcher import Progress as ProgressFn

MAX_LISTED = 10


@app.command()
def fetch(
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help="arxiv, arxiv-api, hf, rss or all (repeatable)."),
    ] = None,
    day: Annotated[
        str | None, typer.Option("--date", help="YYYY-MM-DD (default: today's announcements).")
    ] = None,
    categories: Annotated[
        list[str] | None,
        typer.Option(
            "--categories",
            help="arXiv categories (repeatable or comma-separated; default: the channels' "
            "categories plus ARXIV_DEFAULT_CATEGORIES).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Fetch as if it were this ISO time (default: now)."),
    ] = None,
) -> None:
    """Fetch new papers from arXiv, Hugging Face Daily Papers and RSS feeds into the store."""
    _run(source or ["all"], _parse_day(day), _split(categories), 1, as_json, at=at)


@app.command()
def backfill(
    days: Annotated[int, typer.Option("--days", min=1, max=60, help="How many days back.")] = 7,
    categories: Annotated[
        list[str] | None, typer.Option("--categories", help="arXiv categories.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Fill a new deployment: the arXiv API over the last N days, and HF Daily Papers."""
    _run(["arxiv-api", "hf"], None, _split(categories), days, as_json)


def _run(
    sources: list[str],
    day: date | None,
    categories: list[str] | None,
    days: int,
    as_json: bool,
    *,
    at: str | None = None,
) -> None:
    names = [n for s in sources for n in s.split(",") if n.strip()]
    with runtime(at=at) as rt, _progress(quiet=as_json) as progress:
        report = run_fetch(
            rt.core,
            rt.settings,
            sources=names,
            day=day,
            categories=categories,
            days=days,
            progress=progress,
        )
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        print_report(report, Console())
    if not report.ok:
        failures = "; ".join(f"{s.source}: {s.errors[0]}" for s in report.sources if s.errors)
        typer.echo(f"error: every source failed ({failures})", err=True)
        raise typer.Exit(1)


def print_report(report: FetchReport, console: Console) -> None:
    table = Table(title="fetch report", caption="not new: first seen as an arXiv replacement")
    table.add_column("source", no_wrap=True)
    for column in ("fetched", "new", "not new", "updated", "same", "skipped", "errors"):
        table.add_column(column, justify="right")
    for s in report.sources:
        counts = (s.fetched, s.new, s.not_new, s.updated, s.unchanged, len(s.skipped))
        errors = f"[red]{len(s.errors)}[/red]" if s.errors else "0"
        table.add_row(s.source, *(str(v) for v in counts), errors)
    console.print(table)
    for s in report.sources:
        for note in s.notes:
            console.print(f"{s.source}: {note}", markup=False)
        for where, reason in s.skipped[:MAX_LISTED]:
            console.print(f"{s.source}: skipped {where}: {reason}", markup=False)
        if len(s.skipped) > MAX_LISTED:
            console.print(f"{s.source}: … and {len(s.skipped) - MAX_LISTED} more (see --json)")
        for error in s.errors:
            console.print(f"{s.source}: error: {error}", markup=False, style="red")


class RetriesToBar(logging.Handler):
    """Shows the HTTP client's "retrying URL after: error" warnings on the progress bar, so a
    fetch waiting out its backoff (offline, 429, 503) says what it is waiting for."""

    def __init__(self, update: ProgressFn) -> None:
        super().__init__(logging.WARNING)
        self.update = update

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("retrying "):
            self.update("retries", message)


@contextmanager
def _progress(*, quiet: bool) -> Iterator[ProgressFn | None]:
    if quiet or not sys.stderr.isatty():  # a bar only on a terminal, never in logs or --json
        yield None
        return
    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, object] = {}

        def update(source: str, what: str) -> None:
            if source not in tasks:
                tasks[source] = bar.add_task(source, total=None)
            bar.update(tasks[source], description=f"{source}: {what}")  # type: ignore[arg-type]

        retries = RetriesToBar(update)
        http_log = logging.getLogger("bot.sources.http")
        http_log.addHandler(retries)
        try:
            yield update
        finally:
            http_log.removeHandler(retries)


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--date must be YYYY-MM-DD, not {value!r}") from None


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [c.strip() for v in values for c in v.replace("+", ",").split(",") if c.strip()]
