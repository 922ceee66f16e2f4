"""Run the Discord client in its own thread and event loop, isolated from the rest.

`start_discord(runtime)` is what the worker calls: a crash of the client is logged and the
client restarts with backoff; it never takes the scheduler or Slack down. `stop()` closes it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, cast

import aiohttp
import discord

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.client import (
    BOT_PERMISSIONS,
    SCOPES,
    DiscordCore,
    PaperClient,
    configure_endpoints,
)
from bot.config import Settings
from bot.errors import ConfigError, DeliveryError
from bot.models import Platform
from bot.service import PaperBot

log = logging.getLogger(__name__)


class Runtime(Protocol):
    """What the runner needs of the running application (`app.runtime.Runtime` is one)."""

    settings: Settings
    core: PaperBot
    closers: list[Callable[[], None]]


FATAL = (discord.LoginFailure, discord.PrivilegedIntentsRequired)
BACKOFF_SECONDS = (5.0, 15.0, 60.0, 300.0)


def check_settings(settings: Settings, why: str) -> str:
    """The token, or a ConfigError naming what is missing or malformed."""
    settings.require("discord_token", why=why)
    guild = settings.discord_guild_id
    if guild and not guild.strip().isdigit():
        raise ConfigError(f"DISCORD_GUILD_ID must be a numeric server id, not {guild!r}")
    return cast(str, settings.discord_token)


def adapter_of(runtime: Runtime) -> DiscordAdapter:
    """The Discord adapter registered on the core, registering one (and its closer) if needed."""
    configure_endpoints(runtime.settings)
    adapter = runtime.core.adapters.get(Platform.DISCORD)
    if not isinstance(adapter, DiscordAdapter):
        adapter = DiscordAdapter(settings=runtime.settings)
        runtime.core.adapters[Platform.DISCORD] = adapter
        runtime.closers.append(adapter.close)
    return adapter


@dataclass
class DiscordHandle:
    """A running Discord client thread; `stop()` closes the client and joins the thread."""

    adapter: DiscordAdapter
    thread: threading.Thread | None = None
    client: PaperClient | None = None
    loop: asyncio.AbstractEventLoop | None = None
    ready: threading.Event = field(default_factory=threading.Event)
    stopping: threading.Event = field(default_factory=threading.Event)
    crashes: int = 0
    error: BaseException | None = None

    @property
    def alive(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def wait_ready(self, timeout: float) -> bool:
        return self.ready.wait(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        client, loop = self.client, self.loop
        if client is not None and loop is not None and loop.is_running():
            future = asyncio.run_coroutine_threadsafe(client.close(), loop)
            try:
                future.result(timeout)
            except Exception as exc:
                log.warning("Discord client did not close cleanly: %s", exc)
        if self.thread is not None:
            self.thread.join(timeout)


ClientFactory = Callable[[DiscordCore, Settings], PaperClient]


def start_discord(
    runtime: Runtime,
    *,
    backoff: tuple[float, ...] = BACKOFF_SECONDS,
    client_factory: ClientFactory | None = None,
) -> DiscordHandle:
    """Start the Discord client in a daemon thread (once: the adapter keeps the handle).

    Raises ConfigError without DISCORD_TOKEN.
    """
    check_settings(runtime.settings, why="the Discord adapter")
    adapter = adapter_of(runtime)
    adapter.start(runtime.core, backoff=backoff, client_factory=client_factory)
    assert adapter.handle is not None
    return adapter.handle


def start_client(
    core: DiscordCore,
    settings: Settings,
    adapter: DiscordAdapter,
    *,
    backoff: tuple[float, ...] = BACKOFF_SECONDS,
    client_factory: ClientFactory | None = None,
) -> DiscordHandle:
    """Run a PaperClient for `core` in its own thread and loop, attached to `adapter`."""
    token = check_settings(settings, why="the Discord adapter")
    configure_endpoints(settings)
    handle = DiscordHandle(adapter=adapter)
    make = client_factory or (lambda c, s: PaperClient(c, s))

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        handle.loop = loop
        attempt = 0
        try:
            while not handle.stopping.is_set():
                client = make(core, settings)
                handle.client = client
                handle.adapter.attach(client, loop)
                try:
                    loop.run_until_complete(_run_client(client, token, handle.ready))
                    attempt = 0
                except FATAL as exc:
                    handle.error = exc
                    log.error("Discord client cannot start: %s (check DISCORD_TOKEN)", exc)
                    break
                except Exception as exc:
                    handle.error = exc
                    handle.crashes += 1
                    log.exception("Discord client crashed")
                finally:
                    handle.adapter.detach()
                    handle.ready.clear()
                    # idempotent; also lets a close() asked for by stop() finish on this loop
                    loop.run_until_complete(client.close())
                    _finish_pending(loop)
                if handle.stopping.is_set():
                    break
                delay = backoff[min(attempt, len(backoff) - 1)] if backoff else 0.0
                attempt += 1
                log.warning("restarting the Discord client in %.0fs", delay)
                handle.stopping.wait(delay)
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    handle.thread = threading.Thread(target=run, name="paperbot-discord", daemon=True)
    handle.thread.start()
    return handle


def _finish_pending(loop: asyncio.AbstractEventLoop) -> None:
    """Let tasks still scheduled on the loop (close(), stop()'s request) run to completion."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    if pending:
        loop.run_until_complete(asyncio.wait(pending, timeout=5))


async def _run_client(client: PaperClient, token: str, ready: threading.Event) -> None:
    async def watch() -> None:
        await client.wait_until_ready()
        ready.set()

    watcher = asyncio.create_task(watch())
    try:
        await client.start(token)
    finally:
        watcher.cancel()


@dataclass(frozen=True)
class SyncResult:
    commands: list[str]
    application_id: int | None
    invite_url: str | None


def sync_commands(runtime: Runtime, guild_id: str | None = None) -> SyncResult:
    """Sync the `/papers` commands globally (or to one guild) over REST; no gateway needed."""
    settings = runtime.settings
    token = check_settings(settings, why="paperbot discord-sync")
    if guild_id is not None and not guild_id.isdigit():
        raise ConfigError(f"--guild must be a numeric server id, not {guild_id!r}")
    configure_endpoints(settings)

    async def run() -> SyncResult:
        client = PaperClient(runtime.core, settings, sync_at_start=False)
        async with client:
            await client.login(token)
            if guild_id:
                names = await client.sync_guild(int(guild_id))
            else:
                names = [c.name for c in await client.tree.sync()]
            app_id = client.application_id
        return SyncResult(names, app_id, invite_url(app_id) if app_id else None)

    try:
        return asyncio.run(run())
    except discord.LoginFailure as exc:
        raise ConfigError(f"DISCORD_TOKEN was refused by Discord: {exc}") from exc
    except discord.HTTPException as exc:
        raise DeliveryError(f"Discord refused the command sync: {exc}") from exc
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:  # offline, DNS, refused
        raise DeliveryError(
            f"cannot reach Discord at {settings.discord_api_url}: {exc or type(exc).__name__}"
        ) from exc


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(application_id, permissions=BOT_PERMISSIONS, scopes=SCOPES)
