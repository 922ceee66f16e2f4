"""`paperbot run` (the worker process) and `paperbot tick` (one scheduling pass, then exit)."""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC
from functools import partial
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app.cli.common import channel_dict, resolve_channel
from app.cli.root import app, channel_app
from app.lifecycle import start_services, stop_services
from app.logs import setup_logging
from app.runtime import Runtime, load_runtime
from app.setup_checks import warn_at_start
from bot.clock import FixedClock, parse_at
from bot.config import Settings, load_settings
from bot.digest.schedule import channel_next_run, describe, fetch_triggers
from bot.digest.schedule_parse import parse_schedule_text
from bot.digest.tick_report import TickReport
from bot.digest.worker import Worker
from bot.ports import ChatService, Clock

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

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


def _open(settings: Settings, clock: Clock | None = None) -> Runtime:
    setup_logging(settings.log_level, settings.log_format)
    return load_runtime(settings, clock=clock)


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
    rt = _open(settings, FixedClock(parse_at(at)) if at else None)
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
    rt = _open(settings, FixedClock(parse_at(at)) if at else None)
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

    loaded = load_settings()
    count = processes or loaded.worker_processes
    check_processes(loaded, count)
    settings = shared_caps(loaded, count)
    rt = _open(settings)
    warn_at_start(settings, log, "the worker")
    stop = threading.Event()
    worker = Worker(rt.core, fetchers={} if no_fetch else fetchers_for(rt), concurrency=concurrency)
    worker.defer_votes()
    interval = tick_seconds or settings.tick_interval_seconds
    helpers = DeliveryProcesses(worker.worker_id, count, interval, concurrency)

    _stop_on_signals(worker, stop)
    scheduler = _scheduler(rt, settings, worker, interval, stop)
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


def _stop_on_signals(worker: Worker, stop: threading.Event) -> None:
    """SIGTERM/SIGINT: finish the current channel, then stop."""

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info(
            "received %s: finishing the current channel, then stopping", signal.Signals(signum).name
        )
        worker.request_stop()
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def _scheduler(
    rt: Runtime, settings: Settings, worker: Worker, interval: float, stop: threading.Event
) -> BackgroundScheduler:
    """The worker's jobs, not started: a scheduling pass every `interval` seconds and each
    fetch on its trigger (and once at start)."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        partial(_safe, _pass, worker, interval, stop),
        IntervalTrigger(seconds=interval),
        id="tick",
        max_instances=1,
        coalesce=True,
        next_run_time=rt.clock.now(),
    )
    triggers = fetch_triggers(
        arxiv_delay_minutes=settings.arxiv_fetch_delay_minutes,
        hf_hours_utc=settings.hf_fetch_hours_utc,
    )
    for kind in worker.fetchers:
        trigger = triggers.get(kind)
        job = partial(_safe, worker.fetch, kind)
        if trigger is not None:
            scheduler.add_job(job, trigger, id=f"fetch-{kind}", max_instances=1, coalesce=True)
        # catch up once at start: a no-op when this announcement was already fetched
        scheduler.add_job(job, id=f"fetch-{kind}-start", next_run_time=rt.clock.now())
    return scheduler


def _pass(worker: Worker, interval: float, stop: threading.Event) -> None:
    """Scheduling passes for up to `interval` seconds; one log line when channels were due."""
    report = worker.drain(max_seconds=interval, sleep=stop.wait)
    if report.claimed:
        log.info(
            "worker %s: %d digests (%d papers) from %d claimed channels, %d errors",
            worker.worker_id, len(report.delivered), report.posted, report.claimed,
            len(report.errors),
        )  # fmt: skip


def _safe(fn: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    """One bulkhead per scheduled job run: log the traceback, keep the scheduler alive."""
    try:
        fn(*args, **kwargs)
    except Exception:
        log.exception("scheduled job %s failed", getattr(fn, "__name__", fn))
