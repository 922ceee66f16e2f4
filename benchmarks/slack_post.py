"""The Slack post path alone: `SlackAdapter.post_header` + 3 `post_item` per channel, from
many threads at once, through the real slack-sdk WebClient and our pooled transport, against
`fake_chat` (in its own process, no pace): CPU ms per message of this process (threads,
locks and system time included).

    python -m benchmarks.slack_post [--channels 1000] [--threads 256] [--profile]

`--profile` runs one thread under a CPU-time cProfile and prints the top of it.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime

from adapters.slack.adapter import SlackAdapter
from adapters.slack.pooled import make_pool
from benchmarks.fake_chat import serve_in_process
from bot.models import Channel, ChannelRef, ChannelSettings, Digest, DigestItem, Paper, Platform

PAPERS = [
    Paper(
        f"2503.{i:05d}",
        f"A <b>paper</b> & its title {i}",
        "abstract",
        authors=("Ada Lovelace", "Alan Turing", "Grace Hopper"),
        categories=("cs.LG", "cs.CL"),
    )
    for i in range(30)
]


def post_digest(adapter: SlackAdapter, i: int) -> None:
    """One channel's digest: its header, then three papers under it."""
    channel = Channel(i, ChannelRef(Platform.SLACK, "T1", f"C{i}"), f"chan{i}", ChannelSettings())
    items = tuple(
        DigestItem(PAPERS[(i + k) % 30], k + 1, 1.0, tldr="a <b>tl;dr</b>") for k in range(3)
    )
    digest = Digest(i, "2026-01-01", items, 100, id=i, created_at=datetime(2026, 1, 1, tzinfo=UTC))
    digest = replace(digest, header_message_id=adapter.post_header(channel, digest))
    for item in items:
        adapter.post_item(channel, digest, item)


def post_all(adapter: SlackAdapter, channels: int) -> None:
    for i in range(channels):
        post_digest(adapter, i)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=256)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    server, api = serve_in_process(channel_rate=1e6, reaction_rate=1e6)
    try:
        adapter = SlackAdapter(
            lambda team: "xoxb-bench",
            api_url=f"{api}/api/",
            pace_seconds=0,
            defer_votes=True,  # as the worker runs it: votes in their own lane
            pool=make_pool(args.threads + 8),
        )
        post_digest(adapter, -1)  # warm: imports, first connection
        profile = cProfile.Profile(time.thread_time) if args.profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profile is not None:
            profile.runcall(post_all, adapter, args.channels)
        else:
            with ThreadPoolExecutor(args.threads) as threads:
                list(threads.map(lambda i: post_digest(adapter, i), range(args.channels)))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        messages = 4 * args.channels
        print(
            f"messages={messages} cpu_ms_per_message={cpu * 1000 / messages:.3f} wall={wall:.2f}s"
        )
        if profile is not None:
            pstats.Stats(profile).sort_stats("cumtime").print_stats(40)
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
