"""What a worker process runs, shared by `paperbot run` and its delivery processes
(`app/cli/processes.py`): opening the runtime, the stop signals, and the scheduled jobs."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC
from functools import partial
from types import FrameType
from typing import TYPE_CHECKING, Any

from app.logs import setup_logging
from app.runtime import Runtime, load_runtime
from bot.config import Settings
from bot.digest.schedule import fetch_triggers
from bot.digest.worker import Worker
from bot.ports import Clock

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger("paperbot.worker")


def open_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    setup_logging(settings.log_level, settings.log_format)
    return load_runtime(settings, clock=clock)


def open_worker_runtime(settings: Settings) -> Runtime:
    """The runtime of a long-running worker process, its garbage collector tuned once it is
    built (app/gc_tuning.py)."""
    from app.gc_tuning import tune_gc

    rt = open_runtime(settings)
    tune_gc(settings.worker_gc_gen0)
    return rt


def stop_on_signals(worker: Worker, stop: threading.Event) -> None:
    """SIGTERM/SIGINT: finish the current channel, then stop."""

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info(
            "received %s: finishing the current channel, then stopping", signal.Signals(signum).name
        )
        worker.request_stop()
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def worker_jobs(
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


__all__ = ["open_runtime", "stop_on_signals", "worker_jobs"]
