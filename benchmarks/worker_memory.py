"""Peak memory of one worker serving 10,000 channels with learned profiles over 100,000 papers.

    .venv/bin/python -m benchmarks.worker_memory [--channels 10000] [--papers 100000]
        [--new 2000] [--opinions 40] [--db PATH] [--keep-all]

Seeds a SQLite database (in a separate process, so the seeding's memory is not counted): the
shared arXiv cs corpus, repeated under new ids up to `--papers`, of which the last `--new` were
first seen on the digest day; `--channels` channels with the benchmark protocol's topics and
categories, each with `--opinions` stored reactions (a third of them 👎) on older papers, all
due at 09:00 UTC. Then one real `Worker.tick()` (lexical ranker, no embeddings, console adapter
writing to /dev/null) builds, records and delivers every channel's digest in claim batches,
and prints the peak RSS (VmHWM) before and after, the learned states still held and the time.
`--keep-all` restores the previous behaviour (the worker keeps every channel's learned state,
up to 20,000) to show where the memory went; run it with fewer channels.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert, update

from benchmarks.protocol import CS, load_channels, read_papers
from bot.digest.schedule import parse_schedule
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Paper, Platform
from storage.store import SqlStore
from storage.tables import ChannelRow, ReactionRow

DAY = datetime(2026, 6, 30, 9, tzinfo=UTC)  # the digest time every channel is due at
OLD = DAY - timedelta(days=30)


def vm(field: str) -> int:
    """A /proc/self/status memory figure (VmRSS, VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    return 0


def corpus(n: int) -> list[Paper]:
    """The shared corpus repeated under new ids until there are `n` papers."""
    base = [p for p, _ in read_papers(CS.data_path)]
    out = base[:n]
    copy = 1
    while len(out) < n:
        out += [replace(p, id=f"{p.id}-c{copy}") for p in base[: n - len(out)]]
        copy += 1
    return out


def seed(url: str, args: argparse.Namespace) -> None:
    """Papers, channels, reactions and due times into a fresh database."""
    store = SqlStore.open(url)
    papers = corpus(args.papers)
    old, new = papers[: -args.new], papers[-args.new :]
    store.upsert_papers(old, OLD)
    store.upsert_papers(new, DAY - timedelta(hours=12))
    bench = load_channels()
    rng = np.random.default_rng(0)
    settings = ChannelSettings(size=5, schedule=parse_schedule("09:00 UTC daily"))
    reactions: list[dict[str, object]] = []
    for n in range(args.channels):
        b = bench[n % len(bench)]
        interests = [Interest(InterestKind.TOPIC, p) for p in b.phrases]
        interests += [Interest(InterestKind.CATEGORY, c) for c in b.categories]
        ch = store.add_channel(
            ChannelRef(Platform.CONSOLE, "bench", f"c{n}"), f"c{n}", settings, interests, now=OLD
        )
        for i, j in enumerate(rng.choice(len(old), size=args.opinions, replace=False)):
            value = -1 if i % 3 == 0 else 1
            reactions.append(
                {
                    "channel_id": ch.id,
                    "paper_id": old[int(j)].id,
                    "user_id": f"u{i % 5}",
                    "emoji": "+1" if value > 0 else "-1",
                    "value": value,
                    "active": True,
                    "created_at": OLD,
                    "updated_at": OLD,
                    "event_at": OLD + timedelta(minutes=i),
                }
            )
    with store.engine.begin() as conn:
        conn.execute(insert(ReactionRow.__table__), reactions)  # type: ignore[attr-defined]
        conn.execute(
            update(ChannelRow.__table__).values(  # type: ignore[attr-defined]
                next_run_at=DAY, watermark=DAY - timedelta(days=1)
            )
        )
    store.close()


def serve(url: str, keep_all: bool) -> None:
    """One worker pass over every due channel, as `paperbot run` sets a worker up (its malloc
    arenas capped, its garbage collector tuned); prints memory and time."""
    from adapters.console.adapter import ConsoleAdapter
    from app.gc_tuning import tune_gc
    from app.malloc_arenas import cap_malloc_arenas

    cap_malloc_arenas()
    from bot.clock import FixedClock
    from bot.config import Settings
    from bot.digest.worker import Worker
    from bot.feedback.learned import LearnedProfiles
    from bot.service import PaperBot

    store = SqlStore.open(url)
    settings = Settings(_env_file=None, database_url=url, ranker="lexical")  # type: ignore[call-arg]
    with open(os.devnull, "w") as devnull:
        core = PaperBot(
            store, FixedClock(DAY), settings, {Platform.CONSOLE: ConsoleAdapter(devnull)}
        )
        if keep_all:
            core.learned = _KeepAll(LearnedProfiles(kept=20_000))
        worker = Worker(core, worker_id="bench")
        tune_gc(settings.worker_gc_gen0)  # as `paperbot run` does
        before = vm("VmHWM")
        start = time.perf_counter()
        report = worker.tick()
        elapsed = time.perf_counter() - start
    print(f"worker: {len(report.delivered)} digests in {elapsed:.0f} s ({report.claimed} claimed)")
    print(f"peak RSS before serving: {before} MB; after: {vm('VmHWM')} MB (now {vm('VmRSS')} MB)")
    print(f"learned states held at the end: {len(core.learned)}")
    store.close()


class _KeepAll:
    """The previous behaviour: forgetting on release does nothing."""

    def __init__(self, inner: object) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def forget(self, channel_id: int) -> None:
        return None

    def __len__(self) -> int:
        return len(self.inner)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=2_000, help="papers new on the digest day")
    parser.add_argument("--opinions", type=int, default=40)
    parser.add_argument("--db", type=Path, help="SQLite file to seed (or reuse when it exists)")
    parser.add_argument("--keep-all", action="store_true", help="the previous behaviour")
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "worker.db"
        url = f"sqlite:///{path}"
        if args.seed_only:
            seed(url, args)
            return
        if args.serve_only:
            serve(url, args.keep_all)
            return
        if not path.exists():
            start = time.perf_counter()
            _child(args, path, "--seed-only")
            print(f"seeded {path} in {time.perf_counter() - start:.0f} s")
        print(
            f"{args.channels} channels x {args.opinions} opinions, {args.papers} papers "
            f"({args.new} new), lexical ranker, no embeddings"
            + (" -- previous behaviour (--keep-all)" if args.keep_all else "")
        )
        _child(args, path, "--serve-only")


def _child(args: argparse.Namespace, path: Path, mode: str) -> None:
    cmd = [sys.executable, "-m", "benchmarks.worker_memory", mode, "--db", str(path)]
    cmd += ["--channels", str(args.channels), "--papers", str(args.papers)]
    cmd += ["--new", str(args.new), "--opinions", str(args.opinions)]
    cmd += ["--keep-all"] if args.keep_all else []
    subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
