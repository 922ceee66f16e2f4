"""What a channel's web page costs to serve, in-process on SQLite with the bundled papers.

Seeds one channel with `--days` digests of 5 papers (the bundled 500 real arXiv papers, a
slice arriving each day) and reactions from three people on most of them, then times
`GET /c/<token>` through the real ASGI app (httpx's ASGI transport): the whole request, and
apart the core's view model and the template, medians over `--runs`.

    .venv/bin/python -m benchmarks.channel_page [--days 60] [--runs 30]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from adapters.slack.web import create_web_app
from adapters.web.channel_page import channel_page_routes, curve_chart, templates
from bot.clock import FixedClock
from bot.config import Settings
from bot.content.channel_link import make_page_link
from bot.content.channel_page import load_channel_page, page_of_link
from bot.models import Channel, ChannelRef, CommandRequest, Platform
from bot.service import PaperBot
from bot.sources.sample import load_sample
from storage.store import SqlStore

KEY = b"benchmark-key-0123456789abcdef"
START = datetime(2026, 5, 1, 9, tzinfo=UTC)
REF = ChannelRef(Platform.CONSOLE, "", "bench")


class Chat:
    """A console-like chat that accepts every post."""

    platform = Platform.CONSOLE

    def __init__(self) -> None:
        self.n = 0

    def _id(self) -> str:
        self.n += 1
        return f"m{self.n}"

    def post_header(self, channel: object, digest: object) -> str:
        return self._id()

    def post_item(self, channel: object, digest: object, item: object) -> str:
        return self._id()

    def post_notice(self, channel: object, text: str) -> None:
        return None


def seed(store: SqlStore, days: int) -> tuple[PaperBot, Channel, FixedClock]:
    clock = FixedClock(START)
    settings = Settings(_env_file=None, ranker="lexical", database_url="sqlite://")  # type: ignore[call-arg]
    core = PaperBot(store, clock, settings, {Platform.CONSOLE: Chat()})  # type: ignore[dict-item]
    for text in ("subscribe machine learning", "subscribe cat:cs.LG", "size 5", "threshold low"):
        core.on_command(
            CommandRequest(Platform.CONSOLE, "", "bench", "op", text, channel_name="bench")
        )
    papers = load_sample().papers
    per_day = max(5, len(papers) // days)
    for day in range(days):
        clock.set(START + timedelta(days=day))
        core.ingest(papers[day * per_day % len(papers) :][:per_day])
        channel = store.find_channel(REF)
        assert channel is not None
        _, result = core.run_digest(channel)
        for n, paper_id in enumerate(result.posted):
            for user in ("U1", "U2", "U3")[: 1 + (day + n) % 3]:
                core.react(channel, paper_id, user, "+1" if (n + day) % 4 else "-1")
    channel = store.find_channel(REF)
    assert channel is not None
    return core, channel, clock


def median_ms(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def request_ms(core: PaperBot, token: str, runs: int) -> tuple[float, int]:
    app = create_web_app(
        None,
        health=lambda: True,
        extra_routes=channel_page_routes(lambda t: page_of_link(core, KEY, t)),
    )
    transport = httpx.ASGITransport(app=app)
    times, size = [], 0
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for _ in range(runs):
            start = time.perf_counter()
            response = await client.get(f"/c/{token}")
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
            size = len(response.content)
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = SqlStore.open(f"sqlite:///{Path(folder) / 'bench.db'}")
        core, channel, clock = seed(store, args.days)
        token = make_page_link(KEY, "", channel, clock.now(), 7).url.removeprefix("/c/")
        page = load_channel_page(core, channel)
        env = templates()
        model = median_ms(args.runs, lambda: load_channel_page(core, channel))
        render = median_ms(
            args.runs,
            lambda: env.get_template("channel_page.html").render(
                page=page, expires_at=clock.now(), chart=curve_chart(page), command="/papers"
            ),
        )
        whole, size = asyncio.run(request_ms(core, token, args.runs))
        store.close()
    posted = sum(p.posted for p in page.curve)
    print(
        f"channel: {len(page.curve)} digest days, {posted} papers posted, {page.learned.up} 👍 / {page.learned.down} 👎 held"
    )
    print(f"view model (store + learned profile), median: {model:.1f} ms")
    print(f"template + SVG, median: {render:.1f} ms")
    print(f"GET /c/<token> through the ASGI app, median: {whole:.1f} ms, {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
