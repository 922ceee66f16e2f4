"""The `rank` stage alone: `PaperBot.plan` for N channels with distinct topics, one thread.

    .venv/bin/python -m benchmarks.plan_speed [--channels 1000] [--papers 60] [--sqlite]

Seeds a fresh PostgreSQL schema (or a temporary SQLite file) as benchmarks/fanout.py does, but
every channel follows its own pair of topics plus a keyword, so nothing is shared between
channels but the candidate window. Prints the CPU and wall ms per channel of a warm pass (the
first pass, which builds the day's features, is shown on its own line).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from benchmarks.fanout import DEFAULT_PG, TOPICS
from benchmarks.pg import pg_schema

WORDS = (
    "transformer", "attention", "benchmark", "privacy", "robustness", "sparsity", "pruning",
    "distillation", "alignment", "planning", "tracking", "depth", "protein", "molecule",
    "video", "audio", "tabular", "causal", "bayesian", "kernel", "optimization", "quantization",
    "agents", "reasoning", "multilingual", "medical", "3d", "point cloud", "navigation", "climate",
)  # fmt: skip


def topics_for(i: int, count: int = 3) -> list[str]:
    """Channel i's typed topics: one of TOPICS, then another, then a keyword (the first
    `count`); 300 distinct combinations."""
    a, b = TOPICS[i % len(TOPICS)], TOPICS[(i // len(TOPICS) + 1 + i) % len(TOPICS)]
    return list(dict.fromkeys([a, b, WORDS[(i // 7) % len(WORDS)]][:count]))


def seed(url: str, channels: int, papers: int, topics: int = 3) -> None:
    from bot.sources.sample import load_sample
    from storage.store import SqlStore

    store = SqlStore.open(url)
    now = datetime.now(UTC)
    sample = load_sample().papers
    day = [
        p if i < len(sample) else replace(p, id=f"{p.id}-{i}")
        for i, p in enumerate(sample[i % len(sample)] for i in range(papers))
    ]
    store.upsert_papers(day, now - timedelta(hours=1))
    rows = [{"ext": f"C{i:07d}", "now": now} for i in range(channels)]
    interests = [
        {"ext": f"C{i:07d}", "topic": t, "now": now}
        for i in range(channels)
        for t in topics_for(i, topics)
    ]
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO channel (platform, workspace, external_id, name, size, threshold,"
                " schedule_time, timezone, days, paused, announce_empty, thread_mode,"
                " follow_authors, created_at, next_run_at)"
                " VALUES ('slack', 'T0BENCH', :ext, :ext, 3, 'low', '09:00', 'UTC',"
                " '0,1,2,3,4,5,6', false, false, false, true, :now, :now)"
            ),
            rows,
        )
        conn.execute(
            text(
                "INSERT INTO interest (channel_id, kind, value, norm, created_at)"
                " SELECT id, 'topic', :topic, :topic, :now FROM channel WHERE external_id = :ext"
            ),
            interests,
        )
    store.close()


@contextmanager
def database(args: argparse.Namespace) -> Iterator[str]:
    if args.sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'plan.db'}"
    else:
        with pg_schema(args.pg) as url:
            yield url


def _dumped(plan: Any) -> str:
    picks = [(p.paper.id, p.score, [repr(r) for r in p.reasons], tldr) for p, tldr in plan.picks]
    return json.dumps([plan.channel.name, plan.candidates, picks])


def timed_pass(core: object, channels: list) -> tuple[float, float, list]:  # type: ignore[type-arg]
    cpu, wall = time.thread_time(), time.perf_counter()
    plans = [core.plan(ch) for ch in channels]  # type: ignore[attr-defined]
    return time.thread_time() - cpu, time.perf_counter() - wall, plans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--papers", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3, help="warm passes (the best is shown)")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--profile", metavar="FILE", help="cProfile one warm pass into FILE")
    parser.add_argument("--dump", metavar="FILE", help="write every channel's picks (JSON lines)")
    parser.add_argument("--topics", type=int, default=3, help="typed topics per channel (1-3)")
    args = parser.parse_args()

    from app.wiring.runtime import build_runtime
    from bot.config import Settings

    with database(args) as url:
        seed(url, args.channels, args.papers, args.topics)
        rt = build_runtime(Settings(_env_file=None, database_url=url, log_level="WARNING"))  # type: ignore[call-arg]
        channels = rt.store.list_channels()
        cold_cpu, cold_wall, plans = timed_pass(rt.core, channels[:1])
        runs = [timed_pass(rt.core, channels) for _ in range(args.repeat)]
        if args.profile:
            import cProfile

            cProfile.runctx("timed_pass(rt.core, channels)", globals(), locals(), args.profile)
        cpu, wall, plans = min(runs, key=lambda r: r[0])
        n = len(channels)
        picks = {tuple(p.paper.id for p, _ in plan.picks) for plan in plans}
        if args.dump:
            Path(args.dump).write_text("".join(_dumped(plan) + "\n" for plan in plans))
        rt.close()
    print(
        json.dumps(
            {
                "channels": n,
                "papers": args.papers,
                "database": "sqlite" if args.sqlite else "postgresql",
                "first_plan_ms": round(cold_cpu * 1000, 2),
                "cpu_ms_per_channel": round(cpu / n * 1000, 3),
                "wall_ms_per_channel": round(wall / n * 1000, 3),
                "distinct_rankings": len(picks),
            }
        )
    )


if __name__ == "__main__":
    main()
