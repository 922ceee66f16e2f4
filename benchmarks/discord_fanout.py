"""Discord figures: embed rendering over real papers, and digest fan-out through discord.py.

1. Render every paper of the corpus sample as a digest embed: time per embed, embed size, how
   often the TL;DR was clipped to fit Discord's 6000-character budget.
2. Fan-out: the real client (its own thread, as in the worker) posts N channels x k papers to
   the local fake Discord (127.0.0.1): REST calls per digest and digests per second, i.e. our
   overhead (thread bridge + discord.py), not Discord's rate limits.

    .venv/bin/python benchmarks/discord_fanout.py [--path FILE] [--channels N] [--size K]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.discord.client import PaperClient  # noqa: E402
from adapters.discord.render import EMBED_TOTAL_MAX, paper_embed  # noqa: E402
from adapters.discord.runner import start_discord  # noqa: E402
from app.wiring.runtime import build_runtime  # noqa: E402
from benchmarks.protocol import shared_dir  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.content.summarize import tldr  # noqa: E402
from bot.models import (  # noqa: E402
    ChannelRef,
    ChannelSettings,
    DigestItem,
    Interest,
    InterestKind,
    Paper,
    Platform,
    Reason,
    ReasonKind,
    Threshold,
)
from bot.sources.jsonl import read_jsonl  # noqa: E402
from tests.adapters.discordbot.fake_discord import GUILD_ID, FakeDiscord  # noqa: E402

SAMPLE = "data/arxiv-cs-2025-2026/sample_1000.jsonl"  # under the shared folder (`benchmarks.protocol.shared_dir`)


def render(papers: list[Paper]) -> None:
    reasons = (Reason(ReasonKind.TOPIC, "matches “robot manipulation”", 1.0),)
    items = [DigestItem(p, 1, 0.8, reasons, tldr(p)) for p in papers]
    started = time.perf_counter()
    embeds = [paper_embed(i) for i in items]
    elapsed = time.perf_counter() - started
    sizes = [len(e) for e in embeds]
    clipped = sum(
        1 for e, i in zip(embeds, items, strict=True) if len(e.description or "") < len(i.tldr)
    )
    print(f"render: {len(embeds)} papers, {elapsed / len(embeds) * 1e6:.0f} µs per embed")
    print(
        f"        embed size mean {statistics.mean(sizes):.0f}, max {max(sizes)} "
        f"(limit {EMBED_TOTAL_MAX}); TL;DR clipped in {clipped}"
    )


async def fan_out(papers: list[Paper], channels: int, size: int) -> None:
    fake = await FakeDiscord().start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=f"sqlite:///{tmp}/bench.db",
            discord_token="fake-token",
            discord_api_url=fake.api_url,
            discord_gateway_url=fake.gateway_url,
            log_level="WARNING",
        )
        now = datetime(2026, 6, 30, 9, tzinfo=UTC)
        rt = build_runtime(settings, clock=FixedClock(now))
        rt.core.ingest(papers)
        targets = []
        for n in range(channels):
            ref = ChannelRef(Platform.DISCORD, str(GUILD_ID), str(50_000 + n))
            # a low threshold and a broad topic so every digest is full
            settings_n = ChannelSettings(size=size, threshold=Threshold.LOW)
            interests = [Interest(InterestKind.TOPIC, "language models")]
            targets.append(rt.store.add_channel(ref, f"c{n}", settings_n, interests, now=now))
        handle = start_discord(
            rt, client_factory=lambda c, s: PaperClient(c, s, guild_ready_timeout=0.05)
        )
        if not await asyncio.to_thread(handle.wait_ready, 10):
            sys.exit(f"the Discord client did not connect: {handle.error!r}")
        calls_before = len(fake.calls)

        plans = [rt.core.plan(ch) for ch in targets]  # ranking is not what is measured here
        picks = [[(sp, summary) for sp, summary in plan.picks] for plan in plans]
        digests = [
            rt.store.create_digest(ch.id, "d1", p, candidates=0, now=now, watermark=now)[0]
            for ch, p in zip(targets, picks, strict=True)
        ]

        def deliver_all() -> int:
            return sum(
                len(rt.core.deliver(ch, d).posted) for ch, d in zip(targets, digests, strict=True)
            )

        started = time.perf_counter()
        posted = await asyncio.to_thread(deliver_all)
        elapsed = time.perf_counter() - started
        calls = len(fake.calls) - calls_before
        await asyncio.to_thread(handle.stop)
        rt.close()
    await fake.stop()
    print(
        f"fan-out: {channels} digests, {posted} papers, {calls} REST calls "
        f"({calls / channels:.1f} per digest) in {elapsed:.2f}s "
        f"= {channels / elapsed:.1f} digests/s against the local fake"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=None)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--size", type=int, default=5)
    args = parser.parse_args()
    args.path = args.path or shared_dir() / SAMPLE
    if not args.path.exists():
        sys.exit(f"no corpus at {args.path}; pass --path to a normalized JSONL file")
    papers = read_jsonl(args.path).papers
    render(papers)
    asyncio.run(fan_out(papers, args.channels, args.size))


if __name__ == "__main__":
    main()
