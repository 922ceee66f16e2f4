"""Claiming due work on PostgreSQL: our claim/lease queue against procrastinate, measured.

    .venv/bin/python -m benchmarks.queue_engines [--jobs 2000] [--workers 1 4 8]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

N due channels (ours: rows of `channel` with `next_run_at` passed; procrastinate: N deferred
jobs) are worked off by K concurrent workers. Every job fails its first attempt and is retried
at once (ours: released with `retry_at` = now; procrastinate: `retry_job`), so each is claimed
twice: a due claim and a retry claim. Prints claims/s and the p50/p99 latency of one claim
call (ours one at a time, like procrastinate's `fetch_job`, and in batches of 20, the worker's
default `CLAIM_BATCH_SIZE`), then the code and concepts each needs. A claim ends with the
channel in hand: ours returns it, procrastinate's job names it and the channel is then loaded
(`get_channel`, in the latency too). Each run uses a fresh
schema, dropped after. Needs `pip install procrastinate` (not a dependency of PaperBot).
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import os
import re
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, update

from benchmarks.pg import pg_schema as fresh_schema
from storage.claim_store import ClaimStore
from storage.store import SqlStore
from storage.tables import ChannelRow

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
LEASE_SECONDS = 300


@dataclass
class Run:
    """Claim latencies (seconds) and the wall time of one engine's run."""

    latencies: list[float] = field(default_factory=list)
    claimed: int = 0
    seconds: float = 0.0

    def line(self, name: str, workers: int) -> str:
        ms = sorted(1000 * x for x in self.latencies)
        p50 = statistics.median(ms) if ms else 0.0
        p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))] if ms else 0.0
        rate = self.claimed / self.seconds if self.seconds else 0.0
        return (
            f"{name:<28} K={workers:<2} {self.claimed:>6} claims  {rate:>8,.0f} claims/s  "
            f"p50 {p50:6.2f} ms  p99 {p99:7.2f} ms"
        )


# ------------------------------------------------------------------------------------- ours
def seed_channels(store: SqlStore, n: int, due: datetime) -> None:
    table = ChannelRow.__table__  # type: ignore[attr-defined]
    rows = [
        {"platform": "console", "workspace": "q", "external_id": f"c{i}", "name": f"c{i}"}
        for i in range(n)
    ]
    with store.engine.begin() as conn:
        conn.execute(insert(table), [{**r, "created_at": due} for r in rows])
        conn.execute(update(table).values(next_run_at=due))


def run_ours(url: str, jobs: int, workers: int, batch: int) -> Run:
    store = SqlStore.open(url)
    seed_channels(store, jobs, datetime.now(UTC) - timedelta(minutes=1))
    run, lock, attempts = Run(), threading.Lock(), {}

    def work(name: str) -> None:
        while True:
            start = time.perf_counter()
            now = datetime.now(UTC)
            got = store.claim_due_channels(name, now, lease_seconds=LEASE_SECONDS, limit=batch)
            elapsed = time.perf_counter() - start
            if not got:
                return
            with lock:
                run.latencies.append(elapsed)
                run.claimed += len(got)
            for channel in got:
                first = attempts.setdefault(channel.id, 0) == 0
                attempts[channel.id] += 1
                store.release_channel(
                    channel.id,
                    name,
                    next_run_at=now + timedelta(days=1),
                    retry_at=now if first else None,  # failed once: due again at once
                    token=channel.lease_token,
                )

    run.seconds = _threads(work, workers)
    store.close()
    assert run.claimed == 2 * jobs and all(a == 2 for a in attempts.values()), attempts
    return run


def _threads(work: Callable[[str], None], workers: int) -> float:
    threads = [threading.Thread(target=work, args=(f"w{k}",)) for k in range(workers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


# ------------------------------------------------------------------------------ procrastinate
async def run_procrastinate(url: str, jobs: int, workers: int) -> Run:
    import procrastinate
    from procrastinate.jobs import Status

    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(
            conninfo=conninfo, min_size=workers, max_size=workers
        )
    )

    @app.task(name="digest")
    def digest(channel_id: int) -> None:  # the job's body is not run here: only the queue
        return None

    store = SqlStore.open(url)  # the channels a job names, loaded after each claim as ours are
    seed_channels(store, jobs, datetime.now(UTC))
    ids = [c.id for c in store.list_channels()]
    async with app.open_async():
        await app.schema_manager.apply_schema_async()
        await digest.batch_defer_async(*({"channel_id": i} for i in ids))
        manager = app.job_manager
        run, attempts = Run(), dict[int, int]()

        async def work() -> None:
            worker_id = await manager.register_worker()
            while True:
                start = time.perf_counter()
                job = await manager.fetch_job(None, worker_id)
                if job is None:
                    return
                channel_id = int(job.task_kwargs["channel_id"])  # type: ignore[arg-type]
                await asyncio.to_thread(store.get_channel, channel_id)
                elapsed = time.perf_counter() - start
                run.latencies.append(elapsed)
                run.claimed += 1
                assert job.id is not None
                first = attempts.setdefault(job.id, 0) == 0
                attempts[job.id] += 1
                if first:
                    await manager.retry_job(job, retry_at=datetime.now(UTC))
                else:
                    await manager.finish_job(job, Status.SUCCEEDED, delete_job=False)

        start = time.perf_counter()
        await asyncio.gather(*(work() for _ in range(workers)))
        run.seconds = time.perf_counter() - start
    store.close()
    assert run.claimed == 2 * jobs and all(a == 2 for a in attempts.values())
    return run


# --------------------------------------------------------------------------- code, concepts
def code_size() -> list[str]:
    ours = [
        ClaimStore.claim_due_channels,
        ClaimStore.renew_lease,
        ClaimStore.release_channel,
        ClaimStore._owned,
        ClaimStore.next_due_at,
    ]
    ours_lines = sum(_code_lines(inspect.getsource(f)) for f in ours)
    glue_lines = _code_lines(inspect.getsource(run_procrastinate))
    lines = [
        f"ours: {ours_lines} lines of Python (claim, renew, release, next due in "
        "storage/claim_store.py), 0 extra tables (5 columns on `channel`: next_run_at, "
        "retry_at, claimed_by, lease_until, lease_token); concepts: a due row, a lease with "
        "an expiry, a fencing token"
    ]
    try:
        import procrastinate
    except ImportError:
        return [*lines, "procrastinate: not installed (pip install procrastinate)"]
    root = Path(procrastinate.__file__).parent
    py = sum(_code_lines(p.read_text()) for p in root.rglob("*.py"))
    schema = (root / "sql" / "schema.sql").read_text()
    tables = len(re.findall(r"^CREATE TABLE", schema, re.M))
    functions = len(re.findall(r"^CREATE FUNCTION", schema, re.M))
    triggers = len(re.findall(r"^CREATE TRIGGER", schema, re.M))
    return [
        *lines,
        f"procrastinate {procrastinate.__version__}: {py:,} lines of Python in the package, "
        f"a schema of {len(schema.splitlines())} lines of SQL ({tables} tables, {functions} "
        f"functions, {triggers} triggers) with its own migrations beside Alembic; glue in this "
        f"benchmark alone {glue_lines} lines; concepts: app, connector (async pool), task, job "
        "(todo/doing/succeeded/failed/cancelled/aborting/aborted), queue, lock, queueing lock, "
        "priority, worker registration and heartbeat, stalled jobs, retry strategy, periodic "
        "deferrer, events",
    ]


def _code_lines(source: str) -> int:
    return sum(
        1 for line in source.splitlines() if line.strip() and not line.strip().startswith("#")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--pg", default=os.environ.get("PAPERBOT_BENCH_PG_URL", DEFAULT_PG))
    args = parser.parse_args()
    print(f"{args.jobs} due jobs, each failing once and retried at once: {2 * args.jobs} claims")
    for k in args.workers:
        for name, batch in (("ours, one per claim", 1), ("ours, 20 per claim", 20)):
            with fresh_schema(args.pg) as url:
                print(run_ours(url, args.jobs, k, batch).line(name, k), flush=True)
        with fresh_schema(args.pg) as url:
            result = asyncio.run(run_procrastinate(url, args.jobs, k))
            print(result.line("procrastinate fetch_job", k), flush=True)
    for line in code_size():
        print(line)


if __name__ == "__main__":
    main()
