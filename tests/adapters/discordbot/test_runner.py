"""The worker-side runner: its own thread and loop, restarts after a crash, stops cleanly."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.client import DiscordCore, PaperClient
from adapters.discord.runner import start_discord
from app.runtime import Runtime
from app.wiring.runtime import build_runtime
from bot.clock import FixedClock
from bot.config import Settings
from bot.errors import ConfigError
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Platform
from tests.adapters.discordbot.conftest import NOW, PAPERS
from tests.adapters.discordbot.fake_discord import APP_ID, CHANNEL_ID, GUILD_ID, FakeDiscord
from tests.conftest import make_paper


@pytest.fixture
def runtime(discord_settings: Settings) -> Iterator[Runtime]:
    rt = build_runtime(discord_settings, clock=FixedClock(NOW))
    rt.core.ingest(PAPERS)
    yield rt
    rt.close()


def quick_client(core: DiscordCore, settings: Settings) -> PaperClient:
    return PaperClient(core, settings, guild_ready_timeout=0.05)


def test_wiring_registers_the_adapter_only_with_a_token(discord_settings: Settings) -> None:
    with_token = build_runtime(discord_settings)
    without = build_runtime(
        discord_settings.model_copy(
            update={"discord_token": None, "discord_guild_id": None, "discord_gateway_url": None}
        )
    )
    try:
        assert isinstance(with_token.core.adapters[Platform.DISCORD], DiscordAdapter)
        assert Platform.DISCORD not in without.core.adapters
        with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
            without.extras["start_discord"]()
        with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
            without.extras["discord_sync"]()
    finally:
        with_token.close()
        without.close()


def test_a_malformed_guild_id_is_a_config_error(runtime: Runtime) -> None:
    settings = runtime.settings.model_copy(update={"discord_guild_id": "lab"})
    with pytest.raises(ConfigError, match="DISCORD_GUILD_ID"):
        build_runtime(settings)
    runtime.settings = settings
    with pytest.raises(ConfigError, match="DISCORD_GUILD_ID"):
        start_discord(runtime)


def test_discord_settings_without_a_token_fail_fast_naming_it(discord_settings: Settings) -> None:
    asked = discord_settings.model_copy(update={"discord_token": None})  # guild id still set
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        build_runtime(asked)


async def test_client_runs_in_its_own_thread_and_posts_for_the_scheduler(
    fake: FakeDiscord, runtime: Runtime
) -> None:
    handle = start_discord(runtime, client_factory=quick_client)
    try:
        assert await asyncio.to_thread(handle.wait_ready, 5)
        assert handle.thread is not None and handle.thread.name == "paperbot-discord"
        ref = ChannelRef(Platform.DISCORD, str(GUILD_ID), str(CHANNEL_ID))
        channel = runtime.store.add_channel(
            ref,
            "papers",
            ChannelSettings(size=2),
            [Interest(InterestKind.TOPIC, "robot manipulation")],
            now=NOW,
        )
        # the scheduler thread calls the core synchronously
        _, result = await asyncio.to_thread(runtime.core.run_digest, channel, run_key="d1")
        assert len(result.posted) == 2
        assert len(fake.posts(CHANNEL_ID)) == 3
    finally:
        await asyncio.to_thread(handle.stop)
    assert not handle.alive
    assert not handle.adapter.connected


class CrashOnce(PaperClient):
    crashed = False

    async def start(self, token: str, *, reconnect: bool = True) -> None:
        if not CrashOnce.crashed:
            CrashOnce.crashed = True
            raise RuntimeError("boom")
        await super().start(token, reconnect=reconnect)


async def test_a_crash_is_contained_and_the_client_restarts(
    fake: FakeDiscord, runtime: Runtime
) -> None:
    handle = start_discord(
        runtime,
        backoff=(0.0,),
        client_factory=lambda core, s: CrashOnce(core, s, guild_ready_timeout=0.05),
    )
    try:
        assert await asyncio.to_thread(handle.wait_ready, 5)
        assert handle.crashes == 1 and isinstance(handle.error, RuntimeError)
        assert handle.alive
    finally:
        await asyncio.to_thread(handle.stop)


async def test_a_refused_token_stops_without_retrying(
    fake: FakeDiscord, discord_settings: Settings
) -> None:
    rt = build_runtime(discord_settings.model_copy(update={"discord_token": "bad-token"}))
    try:
        handle = start_discord(rt, backoff=(0.0,), client_factory=quick_client)
        assert handle.thread is not None
        await asyncio.to_thread(handle.thread.join, 5)
        assert not handle.alive
        assert type(handle.error).__name__ == "LoginFailure"
        assert handle.crashes == 0
    finally:
        rt.close()


async def test_discord_sync_cli_syncs_globally_and_prints_the_invite(
    fake: FakeDiscord, discord_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.cli.main import app

    env: dict[str, Any] = {
        "DATABASE_URL": discord_settings.database_url,
        "DISCORD_TOKEN": "fake-token",
        "DISCORD_API_URL": fake.api_url,
        "DISCORD_GUILD_ID": "",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = await asyncio.to_thread(CliRunner().invoke, app, ["discord-sync"])
    assert result.exit_code == 0, result.output
    assert "synced 1 command(s) to all servers (global): papers" in result.output
    assert "scope=bot+applications.commands&permissions=85056" in result.output
    puts = [c for c in fake.calls if c.method == "PUT"]
    assert [c.path for c in puts] == [f"/applications/{APP_ID}/commands"]
    assert fake.identify is None  # REST only, no gateway session

    guild = await asyncio.to_thread(
        CliRunner().invoke, app, ["discord-sync", "--guild", str(GUILD_ID)]
    )
    assert guild.exit_code == 0, guild.output
    assert f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands" in [c.path for c in fake.calls]


async def test_cli_digest_posts_over_rest_without_the_worker(
    fake: FakeDiscord, discord_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.cli.main import app

    live = build_runtime(discord_settings)  # the system clock, as the CLI has it
    try:
        ref = ChannelRef(Platform.DISCORD, str(GUILD_ID), str(CHANNEL_ID))
        topic = [Interest(InterestKind.TOPIC, "robot manipulation")]
        live.store.add_channel(ref, "papers", ChannelSettings(size=2), topic, now=live.clock.now())
        live.core.ingest(make_paper(f"2611.0000{i}", f"Robot manipulation {i}") for i in range(3))
    finally:
        live.close()
    monkeypatch.setenv("DATABASE_URL", discord_settings.database_url)
    monkeypatch.setenv("DISCORD_TOKEN", "fake-token")
    monkeypatch.setenv("DISCORD_API_URL", fake.api_url)
    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["digest", "--channel", f"discord:{GUILD_ID}:{CHANNEL_ID}"]
    )
    assert result.exit_code == 0, result.output
    assert len(fake.posts(CHANNEL_ID)) == 3  # header and two papers
    assert len(fake.reactions_added()) == 4
    assert fake.identify is None  # REST only, no gateway session


def test_discord_sync_without_a_token_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli.main import app

    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["discord-sync"])
    assert isinstance(result.exception, ConfigError)
    assert "DISCORD_TOKEN" in str(result.exception)


async def test_the_worker_starts_and_stops_the_client_through_the_adapter(
    fake: FakeDiscord, runtime: Runtime
) -> None:
    """`paperbot run` calls `adapter.start(core)` / `adapter.stop()` on every adapter."""
    adapter = runtime.core.adapters[Platform.DISCORD]
    assert isinstance(adapter, DiscordAdapter)
    await asyncio.to_thread(adapter.start, runtime.core)
    handle = adapter.handle
    assert handle is not None
    try:
        assert await asyncio.to_thread(handle.wait_ready, 5)
        assert adapter.connected
        assert fake.identify is not None
    finally:
        await asyncio.to_thread(adapter.stop)
    assert not handle.alive and adapter.handle is None


async def test_starting_twice_runs_one_client(fake: FakeDiscord, runtime: Runtime) -> None:
    first = start_discord(runtime, client_factory=quick_client)
    try:
        second = start_discord(runtime, client_factory=quick_client)
        assert second is first
        assert await asyncio.to_thread(first.wait_ready, 5)
        assert fake.identifies == 1
    finally:
        await asyncio.to_thread(first.stop)
