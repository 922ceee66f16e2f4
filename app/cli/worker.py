"""`paperbot run` (the worker process) and `paperbot tick` (one scheduling pass, then exit)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app.cli.common import channel_dict, resolve_channel
from app.cli.root import app, channel_app
from app.cli.worker_jobs import open_runtime, open_worker_runtime, stop_on_signals, worker_jobs
from app.lifecycle import start_services, stop_services
from app.runtime import Runtime
from app.setup_checks import warn_at_start
from bot.clock import FixedClock, parse_at
from bot.config import load_settings
from bot.digest.schedule import channel_next_run, describe
from bot.digest.schedule_parse import parse_schedule_text
from bot.digest.tick_report import TickReport
from bot.digest.worker import Worker
from bot.ports import ChatService

if TYPE_CHECKING:
    pass

log = logging.getLogger("paperbot.worker")
CONCURRENCY = typer.Option(
    "--concurrency", min=1, max=4096, help="Channels delivered at once (DELIVERY_CONCURRENCY)."
)


def fetchers_for(rt: Runtime) -> dict[str, Callable[[], object]]:
    """The fetch jobs: arXiv after each announcement, HF (and RSS feeds) during the day."""
    from bot.sources.fetcher import run_fetch

    daytime = ("hf", "rss") if rt.settings.rss_feeds.strip() else ("hf",)
    return {
        "arxiv": partial(run_fetch, rt.core, rt.settings, sources=("arxiv",)),
        "hf": partial(run_fetch, rt.core, rt.settings, sources=daytime),
    }


def report_dict(report: TickReport) -> dict[str, Any]:
    return {
        "at": report.at.isoformat(),
        "scheduled": report.scheduled,
        "claimed": report.claimed,
        "delivered": [{"channel_id": c, "run_key": k} for c, k in report.delivered],
        "posted": report.posted,
        "notices": report.notices,
        "skipped": [{"channel_id": c, "run_key": k} for c, k in report.skipped],
        "deferred": {str(k): v for k, v in report.deferred.items()},
        "errors": {str(k): v for k, v in report.errors.items()},
    }


@channel_app.command("schedule")
def channel_schedule(
    ident: Annotated[str, typer.Argument(help="Channel id or ref.")],
    when: Annotated[
        str, typer.Argument(help='e.g. "09:00 Europe/Berlin weekdays" or "0 9 * * mon-fri CET"')
    ],
    announce_empty: Annotated[
        bool | None,
        typer.Option(
            "--announce-empty/--quiet-empty", help="One line on days with no papers, or silence."
        ),
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Also un-pause the channel.")] = False,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Compute the next run as if it were this ISO time."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the channel as JSON.")] = False,
) -> None:
    """Change a channel's schedule (its next run is recomputed at once)."""
    settings = load_settings()
    rt = open_runtime(settings, FixedClock(parse_at(at)) if at else None)
    try:
        channel = resolve_channel(rt, ident)
        parsed = parse_schedule_text(
            when, default_timezone=channel.settings.schedule.timezone, usage=None
        )
        schedule = parsed.schedule
        for note in parsed.notes:
            typer.echo(f"note: {note}", err=True)
        new = replace(channel.settings, schedule=schedule)
        if announce_empty is not None:
            new = replace(new, announce_empty=announce_empty)
        if resume:
            new = replace(new, paused=False, paused_reason=None)
        changed = rt.store.update_settings(channel.id, new)
        upcoming = channel_next_run(changed, rt.clock.now())
        rt.store.set_next_run(channel.id, upcoming)
        updated = rt.store.get_channel(channel.id)
    finally:
        rt.close()
    if as_json:
        typer.echo(json.dumps(channel_dict(updated), indent=2))
        return
    nxt = f"next run {upcoming:%Y-%m-%d %H:%M} UTC" if upcoming else "paused"
    typer.echo(f"channel {channel.id} ({channel.ref}): {describe(schedule)}; {nxt}")


@app.command()
def tick(
    at: Annotated[
        str | None,
        typer.Option("--at", help="Run as if it were this ISO time (default: now)."),
    ] = None,
    fetch: Annotated[
        bool, typer.Option("--fetch", help="Also run the fetch jobs that are due.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    concurrency: Annotated[int | None, CONCURRENCY] = None,
) -> None:
    """One scheduling pass (claim due channels, deliver, set next runs), then exit."""
    settings = load_settings()
    rt = open_runtime(settings, FixedClock(parse_at(at)) if at else None)
    try:
        worker = Worker(
            rt.core, fetchers=fetchers_for(rt) if fetch else None, concurrency=concurrency
        )
        if fetch:
            for kind in worker.fetchers:
                worker.fetch(kind)
        report = worker.tick()
    finally:
        rt.close()
    if as_json:
        typer.echo(json.dumps(report_dict(report), indent=2))
        return
    typer.echo(
        f"tick at {report.at:%Y-%m-%d %H:%M:%S} UTC: {len(report.delivered)} digests "
        f"({report.posted} papers, {report.notices} notices) from {report.claimed} claimed "
        f"channels; {report.scheduled} newly scheduled, {len(report.deferred)} waiting to retry, "
        f"{len(report.skipped)} missed runs past the grace window, {len(report.errors)} errors"
    )
    for channel_id, why in report.errors.items():
        typer.echo(f"  channel {channel_id}: {why}", err=True)


@app.command()
def run(
    tick_seconds: Annotated[
        float | None,
        typer.Option(help="Seconds between scheduling passes (TICK_INTERVAL_SECONDS)."),
    ] = None,
    no_fetch: Annotated[
        bool, typer.Option("--no-fetch", help="Deliver only; never fetch.")
    ] = False,
    concurrency: Annotated[int | None, CONCURRENCY] = None,
    processes: Annotated[
        int | None,
        typer.Option(
            "--processes",
            min=1,
            max=64,
            help="Processes delivering, one core each (WORKER_PROCESSES; PostgreSQL only).",
        ),
    ] = None,
) -> None:
    """The worker: scheduling passes, fetches on arXiv's calendar, and the chat adapters.

    Run any number of these against one PostgreSQL database. SIGTERM/SIGINT: the current
    channel is finished, the other claimed channels are given back, then the process exits.
    """
    from app.cli.processes import DeliveryProcesses, check_processes, shared_caps
    from app.malloc_arenas import cap_malloc_arenas

    cap_malloc_arenas()  # before the delivery threads start
    loaded = load_settings()
    count = processes or loaded.worker_processes
    check_processes(loaded, count)
    settings = shared_caps(loaded, count)
    rt = open_worker_runtime(settings)
    warn_at_start(settings, log, "the worker")
    stop = threading.Event()
    worker = Worker(rt.core, fetchers={} if no_fetch else fetchers_for(rt), concurrency=concurrency)
    worker.defer_votes()
    interval = tick_seconds or settings.tick_interval_seconds
    helpers = DeliveryProcesses(worker.worker_id, count, interval, concurrency)

    stop_on_signals(worker, stop)
    scheduler = worker_jobs(rt, settings, worker, interval, stop)
    started: list[ChatService] = []
    try:
        started = start_services(rt.services)  # console, Slack Socket Mode, Discord, ...
        scheduler.start()
        helpers.start()
        log.info(
            "worker %s running: a pass every %.0f s, %d process(es) delivering",
            worker.worker_id, interval, count,
        )  # fmt: skip
        wait_for_signal(stop, on_wake=helpers.check)
    finally:
        helpers.stop()
        if scheduler.running:
            scheduler.shutdown(wait=True)  # the running pass releases what it has not done
        rt.core.stop_vote_lane()
        stop_services(started)
        rt.close()
    log.info("worker %s stopped", worker.worker_id)


def wait_for_signal(
    stop: threading.Event, step: float = 0.5, on_wake: Callable[[], None] | None = None
) -> None:
    """Block the main thread until `stop` is set, waking every `step` seconds.

    The OS may hand SIGINT/SIGTERM to any thread; Python only flags it there and runs the
    handler when the main thread next wakes, so an untimed wait could sleep through Ctrl-C.
    """
    while not stop.wait(timeout=step):
        if on_wake is not None:
            on_wake()
