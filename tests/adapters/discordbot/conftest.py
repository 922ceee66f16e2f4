"""Fixtures for the Discord adapter: the local fake, a core on SQLite, a running client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import pytest
import pytest_asyncio

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.client import PaperClient, configure_endpoints
from adapters.discord.runner import DiscordHandle, DiscordService
from bot.clock import FixedClock
from bot.config import Settings
from bot.models import Platform
from bot.service import PaperBot
from storage.store import SqlStore
from tests.adapters.discordbot.fake_discord import GUILD_ID, FakeDiscord
from tests.conftest import make_paper

NOW = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)


PAPERS = [
    make_paper("2606.00001", "Robot manipulation with diffusion policies", categories=("cs.RO",)),
    make_paper("2606.00002", "Dexterous robot manipulation from video", categories=("cs.RO",)),
    make_paper("2606.00003", "Language models for robot manipulation planning"),
    make_paper("2606.00004", "Grasping transparent objects for robot manipulation"),
    make_paper("2606.00005", "Protein folding with graph networks", categories=("q-bio.BM",)),
    make_paper("2606.00006", "Sparse attention for long documents", categories=("cs.CL",)),
]


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    route, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    server = await FakeDiscord().start()
    yield server
    await server.stop()
    discord.http.Route.BASE = route
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


@pytest.fixture
def discord_settings(fake: FakeDiscord, tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite:///{tmp_path / 'discord.db'}",
        discord_token="fake-token",
        discord_api_url=fake.api_url,
        discord_gateway_url=fake.gateway_url,
        discord_guild_id=str(GUILD_ID),
        new_channel_lookback_days=3,
    )


@pytest.fixture
def core(discord_settings: Settings) -> Iterator[PaperBot]:
    store = SqlStore.open(discord_settings.resolved_database_url())
    clock = FixedClock(NOW)
    bot = PaperBot(store, clock, discord_settings, {Platform.DISCORD: DiscordAdapter()})
    bot.ingest(PAPERS)
    yield bot
    store.close()


def adapter_of(core: PaperBot) -> DiscordAdapter:
    adapter = core.adapters[Platform.DISCORD]
    assert isinstance(adapter, DiscordAdapter)
    return adapter


def discord_service(rt: Any) -> DiscordService:
    """The Discord service the composition root built for this runtime (`app.runtime.Runtime`)."""
    (service,) = [s for s in rt.services if s.name == "discord"]
    assert isinstance(service, DiscordService)
    return service


def start_discord(rt: Any, **options: Any) -> DiscordHandle:
    """Start the runtime's Discord service with test options (backoff, client factory)."""
    service = discord_service(rt)
    for name, value in options.items():
        setattr(service, name, value)
    service.start()
    assert service.handle is not None
    return service.handle


@pytest_asyncio.fixture
async def client(
    fake: FakeDiscord, core: PaperBot, discord_settings: Settings
) -> AsyncIterator[PaperClient]:
    """A real PaperClient on this test's loop, logged in to the fake, adapter attached."""
    configure_endpoints(discord_settings)
    bot = PaperClient(core, discord_settings, guild_ready_timeout=0.05)
    adapter_of(core).attach(bot, asyncio.get_running_loop())
    task = asyncio.create_task(bot.start("fake-token"))
    await asyncio.wait_for(bot.wait_until_ready(), 5)
    yield bot
    adapter_of(core).detach()
    await bot.close()
    await asyncio.wait_for(task, 5)


async def until(cond: Callable[[], object], timeout: float = 5.0) -> None:
    """Poll `cond` on the event loop (no wall-clock sleeps beyond loop ticks)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        if loop.time() > end:
            raise AssertionError("timed out waiting for the condition")
        await asyncio.sleep(0.01)
