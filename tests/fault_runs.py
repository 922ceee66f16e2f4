"""Fault-injection runs: digests for many channels through the real worker, adapter and SDK,
against a fake platform (127.0.0.1) that fails posts after storing them (tests/faults.py).

Duplicates and losses are counted from what the platform stored against what the outbox
recorded. Used by tests/e2e/test_fault_injection.py (small runs) and
benchmarks/reliability.py (>= 500 posts, 1 worker on SQLite and 4 on PostgreSQL).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import discord

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.client import configure_endpoints
from adapters.slack.adapter import SlackAdapter
from bot.config import Settings
from bot.digest.schedule import parse_schedule
from bot.digest.worker import Worker
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Platform
from bot.ports import ChatAdapter, Clock
from bot.service import PaperBot
from storage.store import SqlStore
from tests.adapters.discordbot.fake_discord import GUILD_ID, FakeDiscord
from tests.adapters.slack.fake_slack import BOT_TOKEN, TEAM, running_fake
from tests.conftest import make_paper
from tests.faults import KINDS, FaultPlan

T0 = datetime(2026, 6, 29, 9, 0, tzinfo=UTC)  # every channel's first run; the clock starts here
Marked = Callable[[str], list[tuple[str, str]]]  # channel id -> (paper id | "header", message id)


@dataclass
class RunReport:
    """What one run delivered, what was injected, and what went wrong."""

    platform: str
    database: str
    workers: int
    posts: int = 0  # paper messages the digests hold
    faults: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0  # extra copies of a paper or a header in a channel
    lost: int = 0  # papers or headers recorded in the outbox but not in the channel
    misrecorded: int = 0  # in the channel, but the outbox holds another message id
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.duplicates or self.lost or self.misrecorded or self.errors)


class RunningClock:
    """T0 plus the time elapsed since the run started: the real pace, a fixed date."""

    def __init__(self, start: datetime = T0) -> None:
        self.start, self.began = start, time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began)


def run_settings(db_url: str, **overrides: object) -> Settings:
    """Fast retries (the clock runs at real pace), many attempts, small claim batches."""
    values: dict[str, object] = {
        "database_url": db_url,
        "ranker": "lexical",
        "claim_batch_size": 2,
        "delivery_backoff_seconds": 0.05,
        "delivery_backoff_max_seconds": 0.5,
        "delivery_max_attempts": 20,
        "new_channel_lookback_days": 3,
        "slack_pace_seconds": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def seed(db_url: str, platform: Platform, workspace: str, channels: list[str], size: int) -> None:
    """`size` papers on one topic, and channels on that topic that are due at T0."""
    store = SqlStore.open(db_url)
    try:
        seen = T0 - timedelta(hours=1)
        papers = [make_paper(f"2606.{i:05d}", f"Robot study number {i}") for i in range(size)]
        store.upsert_papers(papers, seen)
        for name in channels:
            channel = store.add_channel(
                ChannelRef(platform, workspace, name),
                name,
                ChannelSettings(size=size, schedule=parse_schedule("09:00 UTC daily")),
                [Interest(InterestKind.TOPIC, "robot")],
                now=seen,
            )
            store.set_next_run(channel.id, T0)
    finally:
        store.close()


def finished(store: SqlStore, now: datetime) -> bool:
    due = store.next_due_at()
    return not store.unfinished_digests() and (due is None or due > now)


def work(
    db_url: str, settings: Settings, clock: Clock, adapter: ChatAdapter, name: str, limit: float
) -> list[str]:
    """One worker: tick until every channel is delivered (or `limit` seconds); its errors."""
    store = SqlStore.open(db_url, migrate_schema=False)
    worker = Worker(PaperBot(store, clock, settings, {adapter.platform: adapter}), worker_id=name)
    if getattr(adapter, "defer_votes", False):
        worker.defer_votes()
    errors: list[str] = []
    stop_at = time.monotonic() + limit
    try:
        while not finished(store, clock.now()):
            if time.monotonic() > stop_at:
                errors.append(f"{name}: not finished after {limit:.0f}s")
                break
            report = worker.tick()
            errors += [f"{name}: channel {c}: {e}" for c, e in report.errors.items()]
            time.sleep(0.01)
    finally:
        worker.core.stop_vote_lane()
        store.close()
    return errors


def run_workers(
    db_url: str, settings: Settings, adapters: list[ChatAdapter], limit: float = 600.0
) -> tuple[float, list[str]]:
    """Workers in threads sharing one database, one adapter each; (seconds, errors)."""
    clock = RunningClock()
    started = time.perf_counter()
    with ThreadPoolExecutor(len(adapters)) as pool:
        futures = [
            pool.submit(work, db_url, settings, clock, adapter, f"w{i}", limit)
            for i, adapter in enumerate(adapters)
        ]
        errors = [e for f in futures for e in f.result()]
    return time.perf_counter() - started, errors


def tally(db_url: str, report: RunReport, marked: Marked) -> RunReport:
    """Compare what each channel holds with what its digest recorded."""
    store = SqlStore.open(db_url, migrate_schema=False)
    try:
        for channel in store.list_channels():
            stored: dict[str, list[str]] = defaultdict(list)
            for what, message_id in marked(channel.ref.channel):
                stored[what].append(message_id)
            report.duplicates += sum(len(ids) - 1 for ids in stored.values())
            digests = store.recent_digests(channel.id)
            if not digests:
                report.errors.append(f"{channel.ref}: no digest")
            for digest in digests:
                report.posts += len(digest.items)
                expected = [("header", digest.header_message_id)]
                expected += [(i.paper.id, i.message_id) for i in digest.items]
                for what, recorded in expected:
                    if not stored.get(what):
                        report.lost += 1
                    elif recorded not in stored[what]:
                        report.misrecorded += 1
    finally:
        store.close()
    return report


def slack_run(
    db_url: str,
    *,
    workers: int,
    channels: int,
    size: int = 5,
    rate: float = 1 / 6,
    seed_value: int = 0,
    timeout: float = 0.3,
    pace: float = 0.0,
    concurrency: int | None = None,
) -> RunReport:
    """Slack: the real SlackAdapter and WebClient against the fake Web API; with `pace`, each
    channel's posts that far apart (the core's pacer) and the votes in their own lane."""
    names = [f"C{i:05d}" for i in range(channels)]
    seed(db_url, Platform.SLACK, TEAM, names, size)
    with running_fake() as fake:
        fake.faults = FaultPlan(rate=rate, seed=seed_value, kinds=KINDS)
        fake.stall_seconds = timeout + 0.3
        extra = {"delivery_concurrency": concurrency} if concurrency else {}
        settings = run_settings(db_url, slack_api_url=fake.base_url, **extra)
        adapters: list[ChatAdapter] = [
            SlackAdapter(
                lambda team: BOT_TOKEN,
                api_url=fake.base_url,
                pace_seconds=pace,
                timeout=timeout,
                defer_votes=pace > 0,
                reactions_per_minute=60_000,
            )
            for _ in range(workers)
        ]
        seconds, errors = run_workers(db_url, settings, adapters)
        report = RunReport("Slack", database_name(db_url), workers, seconds=seconds, errors=errors)
        report.faults = Counter(fake.faults.injected)
        return tally(db_url, report, fake.marked)


@contextmanager
def running_fake_discord() -> Iterator[tuple[FakeDiscord, asyncio.AbstractEventLoop]]:
    """The fake Discord on its own event-loop thread (the workers call it from theirs)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    route, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    fake = asyncio.run_coroutine_threadsafe(FakeDiscord().start(), loop).result(10)
    try:
        yield fake, loop
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
        discord.http.Route.BASE = route
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


def discord_run(
    db_url: str,
    *,
    workers: int,
    channels: int,
    size: int = 5,
    rate: float = 1 / 6,
    seed_value: int = 0,
    timeout: float = 0.5,
) -> RunReport:
    """Discord: the real DiscordAdapter and discord.py (REST sessions) against the fake."""
    names = [str(5000 + i) for i in range(channels)]
    seed(db_url, Platform.DISCORD, str(GUILD_ID), names, size)
    with running_fake_discord() as (fake, _loop):
        fake.faults = FaultPlan(rate=rate, seed=seed_value, kinds=KINDS)
        fake.stall_seconds = timeout + 0.3
        settings = run_settings(db_url, discord_token="fake-token", discord_api_url=fake.api_url)
        configure_endpoints(settings)
        adapters = [DiscordAdapter(settings=settings, call_timeout=timeout) for _ in range(workers)]
        try:
            seconds, errors = run_workers(db_url, settings, list(adapters))
        finally:
            for adapter in adapters:
                adapter.close()
        report = RunReport(
            "Discord", database_name(db_url), workers, seconds=seconds, errors=errors
        )
        report.faults = Counter(fake.faults.injected)
        return tally(db_url, report, fake.marked)


def database_name(db_url: str) -> str:
    return "PostgreSQL" if db_url.startswith("postgresql") else "SQLite"
