"""Fan-out benchmark: daily digests to N channels through the real worker and the real Slack or
Discord adapter (slack-sdk / discord.py HTTP code paths) against a local stand-in that
enforces the platform's limits (benchmarks/fake_chat.py: 429 + Retry-After beyond them).

    .venv/bin/python -m benchmarks.fanout                              # 1,000 channels, Slack, 1 and 4 workers
    .venv/bin/python -m benchmarks.fanout --platform discord --workers 1
    .venv/bin/python -m benchmarks.fanout --global-rate 50 --workers 1  # a 50 msg/s cap on top
    .venv/bin/python -m benchmarks.fanout --channels 10000 --workers 1

Workers are processes sharing one PostgreSQL database (a fresh schema, dropped afterwards),
built by the composition root as `paperbot run` builds them; each runs the real pass: claim due
channels, rank, record the outbox, post header + papers with many channels in flight, each at
its platform's pace, vote reactions in their own lane. The floor is what the limits alone
allow: (messages per channel - 1) / channel rate, or messages / global rate when that is lower.
The lexical ranking tier unless `--ranker semantic` (so the figures do not depend on whether the
semantic extra happens to be installed). Exits 1 on any duplicate, lost post or unfinished digest.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing as mp
import os
import resource
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.fake_chat import serve_in_process  # noqa: E402
from benchmarks.fanout_stages import StageClock  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TOPICS = (
    "language models",
    "image segmentation",
    "reinforcement learning",
    "graph neural networks",
    "speech recognition",
    "robot manipulation",
    "diffusion models",
    "retrieval-augmented generation",
    "federated learning",
    "object detection",
)
WORKSPACE = {"slack": "T0BENCH", "discord": "777000000000000001"}
DISCORD_GLOBAL = 50.0  # requests a second per bot, Discord's global limit


def channel_id(platform: str, i: int) -> str:
    return f"C{i:07d}" if platform == "slack" else str(900000000000000000 + i)


def settings_for(url: str, api: str, platform: str, args: argparse.Namespace) -> Any:
    from bot.config import Settings

    extra: dict[str, Any] = (
        {"slack_bot_token": "xoxb-bench", "slack_api_url": f"{api}/api/"}
        if platform == "slack"
        else {"discord_token": "bench", "discord_api_url": f"{api}/api/v10"}
    )
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=url,
        claim_batch_size=200,
        claim_lease_seconds=600,
        delivery_concurrency=args.concurrency,
        slack_workspace_posts_per_second=args.global_rate,
        slack_reactions_per_minute=args.reaction_rate * 60,
        discord_global_per_second=args.global_rate / 0.9 if args.global_rate else 50.0,
        log_level="WARNING",
        ranker=args.ranker,
        **extra,
    )


# ------------------------------------------------------------------------------- workers
def worker_main(url: str, api: str, name: str, args: argparse.Namespace, go: Any, out: Any) -> None:
    from app.gc_tuning import tune_gc
    from app.malloc_arenas import cap_malloc_arenas
    from app.wiring.runtime import build_runtime
    from bot.digest.worker import Worker

    cap_malloc_arenas()  # as `paperbot run` does

    rt = build_runtime(settings_for(url, api, args.platform, args))
    tune_gc(rt.settings.worker_gc_gen0)  # as `paperbot run` does
    worker = Worker(rt.core, worker_id=name, concurrency=args.concurrency)
    lane = worker.defer_votes()
    stages = StageClock()
    stages.instrument(rt.store, rt.core, *rt.core.adapters.values())
    go.wait()
    profile = start_profile()
    gc_seconds = gc_clock()
    cpu, started = time.process_time(), time.perf_counter()
    while True:
        worker.drain(max_seconds=5, sleep=time.sleep)
        due = rt.store.next_due_at()
        if due is None or due > rt.clock.now() + timedelta(seconds=60):
            break
        time.sleep(0.05)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if profile:
        profile(name)
    report = {
        "worker": name,
        "seconds": elapsed,
        "cpu": cpu,
        "stages": stages.report(),
        "votes": vars(lane.stats) | {"pending": lane.pending()},
        "gc_seconds": gc_seconds(),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    rt.core.stop_vote_lane()  # keeps the votes not added yet (pending_vote)
    rt.close()
    out.put(report | {"votes_kept": lane.stats.kept})


def gc_clock() -> Callable[[], float]:
    """Seconds spent in the cyclic garbage collector from now on (ask the returned function)."""
    spent, began = [0.0], [0.0]

    def on_gc(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - began[0]

    gc.callbacks.append(on_gc)
    return lambda: spent[0]


def start_profile() -> Callable[[str], None] | None:
    """With FANOUT_PROFILE=path set, every thread's CPU time profiled by yappi (not a
    dependency: `pip install yappi`; it slows the worker about 3x); the stop call saves
    pstats to `path.<worker>` (read with `python -m pstats`)."""
    path = os.environ.get("FANOUT_PROFILE")
    if not path:
        return None
    import yappi  # type: ignore[import-not-found,unused-ignore]

    yappi.set_clock_type("cpu")
    yappi.start()

    def stop(name: str) -> None:
        yappi.stop()
        yappi.get_func_stats().save(f"{path}.{name}", type="pstat")

    return stop


def seed(url: str, platform: str, channels: int, papers: int, size: int) -> None:
    from bot.models import Threshold
    from bot.sources.sample import load_sample
    from storage.store import SqlStore

    store = SqlStore.open(url)
    now = datetime.now(UTC)
    sample = load_sample().papers
    # past the sample's 500 papers, copies under new ids (a realistic day is ~2,000 papers)
    day = [
        p if i < len(sample) else replace(p, id=f"{p.id}-{i}")
        for i, p in enumerate(sample[i % len(sample)] for i in range(papers))
    ]
    store.upsert_papers(day, now - timedelta(hours=1))
    due = now.replace(second=0, microsecond=0)
    rows = [
        {
            "platform": platform,
            "ws": WORKSPACE[platform],
            "ext": channel_id(platform, i),
            "size": size,
            "thr": Threshold.LOW.value,
            "at": f"{due:%H:%M}",
            "now": now,
            "due": due,
            "topic": TOPICS[i % len(TOPICS)],
        }
        for i in range(channels)
    ]
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO channel (platform, workspace, external_id, name, size, threshold,"
                " schedule_time, timezone, days, paused, announce_empty, thread_mode,"
                " follow_authors, created_at, next_run_at)"
                " VALUES (:platform, :ws, :ext, :ext, :size, :thr, :at, 'UTC',"
                " '0,1,2,3,4,5,6', false, false, false, true, :now, :due)"
            ),
            rows,
        )
        conn.execute(
            text(
                "INSERT INTO interest (channel_id, kind, value, norm, created_at)"
                " SELECT id, 'topic', :topic, :topic, :now FROM channel WHERE external_id = :ext"
            ),
            rows,
        )
    store.close()


def written_rows(admin: Any, schema: str) -> int:
    """Rows inserted, updated and deleted in the run's schema (PostgreSQL's own counters), but
    the vote reactions a worker keeps for later when it stops (`pending_vote`: at 50 reactions a
    minute most are still queued when the run ends; counted apart as `votes_kept_at_stop`)."""
    with admin.begin() as conn:
        conn.execute(text("SELECT pg_stat_force_next_flush()"))
        value = conn.execute(
            text(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
                " FROM pg_stat_user_tables WHERE schemaname = :s AND relname <> 'pending_vote'"
            ),
            {"s": schema},
        ).scalar_one()
    return int(value)


def outbox_state(url: str) -> tuple[int, int, int]:
    """(digests, items recorded, digests left unfinished)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        digests = conn.execute(text("SELECT count(*) FROM digest")).scalar_one()
        items = conn.execute(text("SELECT count(*) FROM digest_item")).scalar_one()
        open_ = conn.execute(text("SELECT count(*) FROM digest WHERE completed_at IS NULL"))
        unfinished = open_.scalar_one()
    engine.dispose()
    return int(digests), int(items), int(unfinished)


# ----------------------------------------------------------------------------------- runs
def fake_stats(api: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{api}/bench/stats", timeout=10) as response:
        return dict(json.loads(response.read()))


def floor_seconds(channels: int, per_channel: int, args: argparse.Namespace) -> float:
    """What the limits alone allow: each channel's posts a pace apart, all channels at once,
    or every message through the global cap (Discord always has one: 50 requests/s per bot)."""
    by_channel = (per_channel - 1) / args.channel_rate
    cap = args.global_rate or (DISCORD_GLOBAL if args.platform == "discord" else 0.0)
    by_cap = channels * per_channel / cap if cap else 0.0
    return max(by_channel, by_cap)


def start_workers(url: str, api: str, args: argparse.Namespace, workers: int) -> dict[str, Any]:
    """Run the workers from one start signal; their reports merged."""
    ctx = mp.get_context("spawn")
    go, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=worker_main, args=(url, api, f"bench-{w}", args, go, out))
        for w in range(workers)
    ]
    for p in procs:
        p.start()
    time.sleep(args.warmup)  # imports, migrations check, adapters built
    started = time.perf_counter()
    go.set()
    reports = [out.get(timeout=3600) for _ in procs]
    seconds = time.perf_counter() - started
    for p in procs:
        p.join()
    return {"seconds": seconds, "reports": reports, "exit_codes": [p.exitcode for p in procs]}


def run_once(args: argparse.Namespace, channels: int, workers: int) -> dict[str, Any]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(args.db)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in args.db else "?"
    url = f"{args.db}{sep}options=-csearch_path%3D{schema}"
    server, api = serve_in_process(
        channel_rate=args.channel_rate,
        global_rate=args.global_rate,
        reaction_rate=args.reaction_rate,
    )
    try:
        seed(url, args.platform, channels, args.papers, args.size)
        before = written_rows(admin, schema)
        run = start_workers(url, api, args, workers)
        rows = written_rows(admin, schema) - before
        stats = fake_stats(api)
        digests, items, unfinished = outbox_state(url)
    finally:
        server.terminate()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return summarize(args, channels, workers, run, stats, (digests, items, unfinished, rows))


def summarize(
    args: argparse.Namespace,
    channels: int,
    workers: int,
    run: dict[str, Any],
    stats: dict[str, Any],
    outbox: tuple[int, int, int, int],
) -> dict[str, Any]:
    digests, items, unfinished, rows = outbox
    messages = stats["accepted"]
    expected = digests + items  # a header per digest, a message per paper
    cpu = sum(r["cpu"] for r in run["reports"])
    stages: dict[str, dict[str, float]] = {}
    for report in run["reports"]:
        for stage, figures in report["stages"].items():
            into = stages.setdefault(stage, {"calls": 0, "cpu": 0.0, "wall": 0.0})
            for key in into:
                into[key] += figures[key]
    per_channel = (expected / digests) if digests else args.size + 1
    return {
        "platform": args.platform,
        "channels": channels,
        "workers": workers,
        "concurrency": args.concurrency,
        "ranker": args.ranker,
        "global_rate": args.global_rate,
        "seconds": round(run["seconds"], 2),
        "post_span_seconds": stats["post_span_seconds"],
        "floor_seconds": round(floor_seconds(channels, round(per_channel), args), 2),
        "messages": messages,
        "messages_per_second": round(messages / run["seconds"], 1) if run["seconds"] else 0.0,
        "expected_messages": expected,
        "duplicates": stats["duplicates"],
        "lost": max(expected - stats["distinct"], 0),
        "unfinished_digests": unfinished,
        "rate_limited_429": stats["rejected_429"],
        "lookups": stats["lookups"],
        "cpu_seconds": round(cpu, 2),
        "cpu_ms_per_message": round(1000 * cpu / messages, 3) if messages else 0.0,
        "stage_cpu_ms_per_channel": {
            s: round(1000 * f["cpu"] / channels, 3) for s, f in stages.items()
        },
        "stage_wall_seconds": {s: round(f["wall"], 2) for s, f in stages.items()},
        "db_rows_written_per_channel": round(rows / channels, 2),
        "reactions_added": stats["reactions"],
        "reactions_pending_at_end": sum(r["votes"]["pending"] for r in run["reports"]),
        "votes_kept_at_stop": sum(r["votes_kept"] for r in run["reports"]),
        "gc_seconds": round(sum(r["gc_seconds"] for r in run["reports"]), 2),
        "worker_peak_rss_mb": round(max(r["peak_rss_mb"] for r in run["reports"]), 1),
        "exit_codes": run["exit_codes"],
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    print()
    print(
        f"{'platform':>8} {'channels':>8} {'workers':>7} {'cap/s':>5} {'seconds':>8} "
        f"{'floor':>6} {'msg/s':>7} {'messages':>8} {'dups':>4} {'lost':>4} {'429s':>5} "
        f"{'cpu ms/msg':>10} {'rows/ch':>7}"
    )
    for r in rows:
        print(
            f"{r['platform']:>8} {r['channels']:>8} {r['workers']:>7} {r['global_rate']:>5g} "
            f"{r['seconds']:>8} {r['floor_seconds']:>6} {r['messages_per_second']:>7} "
            f"{r['messages']:>8} {r['duplicates']:>4} {r['lost']:>4} {r['rate_limited_429']:>5} "
            f"{r['cpu_ms_per_message']:>10} {r['db_rows_written_per_channel']:>7}"
        )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--platform", choices=("slack", "discord"), default="slack")
    parser.add_argument("--channels", default="1000", help="comma-separated channel counts")
    parser.add_argument("--workers", default="1,4", help="comma-separated worker counts")
    parser.add_argument("--size", type=int, default=3, help="papers per digest (+1 header)")
    parser.add_argument("--papers", type=int, default=60, help="papers ingested before the run")
    parser.add_argument("--concurrency", type=int, default=256, help="channels in flight")
    parser.add_argument("--channel-rate", type=float, default=1.0, help="posts/s per channel")
    parser.add_argument("--global-rate", type=float, default=0.0, help="posts/s over all (0: none)")
    parser.add_argument("--reaction-rate", type=float, default=50 / 60, help="reactions/s")
    parser.add_argument(
        "--ranker",
        choices=("lexical", "semantic"),
        default="lexical",
        help="the ranking tier (semantic needs the extra; lexical whatever is installed)",
    )
    parser.add_argument("--warmup", type=float, default=4.0, help="seconds to start workers")
    parser.add_argument("--db", default=DEFAULT_PG, help="PostgreSQL URL (a schema is created)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    rows = []
    for channels in (int(c) for c in args.channels.split(",")):
        for workers in (int(w) for w in args.workers.split(",")):
            row = run_once(args, channels, workers)
            rows.append(row)
            print(json.dumps(row), flush=True)
    print_table(rows)
    if any(r["duplicates"] or r["lost"] or r["unfinished_digests"] for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
