"""The outbox's record path alone, per channel, as a worker runs it (no ranking, no posting):
unfinished digests, find, create (header + 3 papers), then the marks as delivery writes them
(the header with the 1st sending mark, each posted with the next sending mark, the last with
completion), every write under the channel's lease. CPU ms per channel on the calling thread,
PostgreSQL (a fresh schema) or SQLite.

    .venv/bin/python -m benchmarks.outbox_record                 # PostgreSQL, 300 channels
    .venv/bin/python -m benchmarks.outbox_record --db sqlite:///tmp/o.db --profile
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.pg import pg_schema  # noqa: E402
from bot.models import (  # noqa: E402
    ChannelRef,
    ChannelSettings,
    Lease,
    OutboxMark,
    Platform,
    ScoredPaper,
)
from bot.sources.sample import load_sample  # noqa: E402
from storage.store import SqlStore  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def seed(store: SqlStore, channels: int, size: int) -> tuple[list[int], list[Any]]:
    now = datetime.now(UTC)
    papers = load_sample().papers[:60]
    store.upsert_papers(papers, now - timedelta(hours=1))
    ids = []
    for i in range(channels):
        ref = ChannelRef(Platform.SLACK, "T0BENCH", f"C{i:07d}")
        cid = store.add_channel(ref, ref.channel, ChannelSettings(), now=now).id
        store.set_next_run(cid, now - timedelta(minutes=1))
        ids.append(cid)
    return ids, papers


def one_channel(store: SqlStore, lease: Lease, picks: list[Any], key: str) -> None:
    """The outbox calls a worker makes for one channel's digest, in order (bot/digest/
    delivery.py: each record of a posted message goes with the next mark)."""
    now = datetime.now(UTC)
    cid = lease.channel_id
    store.unfinished_digests(cid)
    store.find_digest(cid, key)
    digest, _ = store.create_digest(cid, key, picks, candidates=9, now=now, watermark=now)
    assert digest.id is not None
    done = OutboxMark.header(f"h-{cid}")
    for item in digest.items:
        assert store.apply_marks(digest.id, [done, OutboxMark.sending(item.paper.id)], lease=lease)
        done = OutboxMark.posted(item.paper.id, f"m-{cid}-{item.rank}", now)
    store.apply_marks(digest.id, [done, OutboxMark.complete(now)], lease=lease)


def run(url: str, channels: int, size: int, profile: bool) -> dict[str, Any]:
    store = SqlStore.open(url)
    try:
        ids, papers = seed(store, channels, size)
        claimed = store.claim_due_channels(
            "bench", datetime.now(UTC), lease_seconds=600, limit=channels
        )
        leases = {c.id: Lease(c.id, "bench", c.lease_token or "") for c in claimed}
        work: list[Callable[[], None]] = []
        for n, cid in enumerate(ids):
            chunk = [papers[(n * size + r) % len(papers)] for r in range(size)]
            picks = [(ScoredPaper(p, 1.0 - r / 10, ()), f"tldr {r}") for r, p in enumerate(chunk)]
            work.append(lambda c=cid, p=picks: one_channel(store, leases[c], p, "2026-12-06"))
        for w in work[:10]:  # warm-up: connections, compiled-statement cache
            w()
        measured = work[10:]
        prof = cProfile.Profile(time.thread_time) if profile else None
        cpu, wall = time.thread_time(), time.perf_counter()
        if prof:
            prof.enable()
        for w in measured:
            w()
        if prof:
            prof.disable()
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        if prof:
            pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
    finally:
        store.close()
    n = len(measured)
    return {
        "dialect": url.split(":")[0],
        "channels": n,
        "cpu_ms_per_channel": round(1000 * cpu / n, 3),
        "wall_ms_per_channel": round(1000 * wall / n, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_PG)
    parser.add_argument("--channels", type=int, default=300)
    parser.add_argument("--size", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.db.startswith("postgresql"):
        with pg_schema(args.db) as url:
            print(json.dumps(run(url, args.channels, args.size, args.profile)))
    else:
        print(json.dumps(run(args.db, args.channels, args.size, args.profile)))


if __name__ == "__main__":
    main()
