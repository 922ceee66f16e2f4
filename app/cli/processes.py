"""`paperbot run --processes N` (WORKER_PROCESSES): one worker using N cores. Python runs one
thread at a time per process, so one process delivers on one core; the first process keeps the
chat services and the fetch jobs, N - 1 delivery processes claim and post channels beside it
(the same leases as separate workers), and the platform-wide caps are split N ways so the
processes together keep to them. The first process restarts a delivery process that dies and
stops them all on SIGTERM/SIGINT; one whose parent is gone stops by itself."""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from multiprocessing.process import BaseProcess

from bot.config import Settings, load_settings
from bot.digest.worker import Worker
from bot.errors import ConfigError

log = logging.getLogger("paperbot.worker")
RESTART_AFTER = 10.0  # seconds: a delivery process that died is started again no sooner


def shared_caps(settings: Settings, processes: int) -> Settings:
    """Each of `processes` processes paces at its share of the platform-wide caps."""
    if processes <= 1:
        return settings
    caps = ("slack_workspace_posts_per_second", "slack_reactions_per_minute")
    update: dict[str, float] = {name: getattr(settings, name) / processes for name in caps}
    update["discord_global_per_second"] = settings.discord_global_per_second / processes
    return settings.model_copy(update=update)


def check_processes(settings: Settings, processes: int) -> None:
    if processes > 1 and settings.resolved_database_url().startswith("sqlite"):
        raise ConfigError(
            f"WORKER_PROCESSES={processes} needs PostgreSQL: SQLite is the single-process "
            "default (set DATABASE_URL=postgresql+psycopg://..., or use 1 process)"
        )


def delivery_main(
    worker_id: str, processes: int, interval: float, concurrency: int | None, parent: int
) -> None:
    """A delivery process: scheduling passes only (no chat services, no fetches)."""
    from app.cli.worker_jobs import open_worker_runtime, stop_on_signals, worker_jobs
    from app.malloc_arenas import cap_malloc_arenas

    cap_malloc_arenas()
    settings = shared_caps(load_settings(), processes)
    rt = open_worker_runtime(settings)
    stop = threading.Event()
    worker = Worker(rt.core, worker_id=worker_id, fetchers={}, concurrency=concurrency)
    worker.defer_votes()
    stop_on_signals(worker, stop)
    scheduler = worker_jobs(rt, settings, worker, interval, stop)
    try:
        scheduler.start()
        log.info("delivery process %s running", worker_id)
        while not stop.wait(timeout=0.5):
            if os.getppid() != parent:  # the first process is gone (killed): stop too
                log.warning("%s: the worker's first process is gone; stopping", worker_id)
                worker.request_stop()
                stop.set()
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
        rt.core.stop_vote_lane()
        rt.close()
    log.info("delivery process %s stopped", worker_id)


class DeliveryProcesses:
    """The N - 1 delivery processes beside the first, started, watched and stopped by it."""

    def __init__(
        self, worker_id: str, processes: int, interval: float, concurrency: int | None
    ) -> None:
        self.worker_id = worker_id
        self.processes = processes
        self.interval = interval
        self.concurrency = concurrency
        self._ctx = mp.get_context("spawn")
        self._slots: list[BaseProcess | None] = [None] * (processes - 1)
        self._started = [0.0] * (processes - 1)
        self.restarts = 0

    def start(self) -> None:
        for slot in range(len(self._slots)):
            self._start(slot)

    def _start(self, slot: int) -> None:
        args = (
            f"{self.worker_id}/{slot + 2}",
            self.processes,
            self.interval,
            self.concurrency,
            os.getpid(),
        )
        proc = self._ctx.Process(target=delivery_main, args=args, name=f"paperbot-deliver-{slot}")
        proc.start()
        self._slots[slot], self._started[slot] = proc, time.monotonic()

    def check(self) -> None:
        """Start again a delivery process that exited (at most once per RESTART_AFTER)."""
        for slot, proc in enumerate(self._slots):
            if proc is None or proc.is_alive():
                continue
            if time.monotonic() - self._started[slot] < RESTART_AFTER:
                continue
            log.error(
                "delivery process %s/%d exited (code %s); starting it again",
                self.worker_id, slot + 2, proc.exitcode,
            )  # fmt: skip
            self.restarts += 1
            self._start(slot)

    def pids(self) -> list[int]:
        return [p.pid for p in self._slots if p is not None and p.pid is not None]

    def stop(self, timeout: float = 120.0) -> None:
        """SIGTERM each (it finishes its current channels, gives the rest back), then wait;
        one still running after `timeout` is killed (its leases run out)."""
        alive = [p for p in self._slots if p is not None and p.is_alive()]
        for proc in alive:
            if proc.pid is not None:
                os.kill(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in alive:
            proc.join(max(deadline - time.monotonic(), 0.1))
            if proc.is_alive():
                log.error("delivery process %s did not stop; killing it", proc.name)
                proc.kill()
                proc.join(5)


__all__ = ["DeliveryProcesses", "check_processes", "delivery_main", "shared_caps"]
