"""Build a `Runtime`: open the store (migrating it), pick the clock, register the adapters."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from adapters.console import ConsoleAdapter
from app.runtime import Runtime
from bot.clock import SystemClock
from bot.config import Settings
from bot.content.llm import ChatClient, LLMSummarizer
from bot.content.summarize import Summarizer
from bot.digest.schedule import channel_next_run
from bot.models import Platform
from bot.ports import ChatAdapter, Clock
from bot.service import PaperBot
from bot.sources.fetcher import lookup_papers
from storage.installations import SqlInstallations
from storage.store import SqlStore
from storage.token_cipher import TokenCipher

if TYPE_CHECKING:
    from adapters.slack.setup import SlackSetup


def build_runtime(
    settings: Settings, *, out: TextIO | None = None, clock: Clock | None = None
) -> Runtime:
    cipher = TokenCipher.from_setting(settings.token_encryption_key)  # a bad key fails first
    store = SqlStore.open(settings.resolved_database_url())
    installations = SqlInstallations(store, cipher)
    clock = clock or SystemClock()
    adapters: dict[Platform, ChatAdapter] = {
        Platform.CONSOLE: ConsoleAdapter(out or sys.stdout, settings.console_outbox),
    }
    slack: SlackSetup | None = None
    if settings.slack_requested:  # the Slack SDKs are imported only when Slack is configured
        from adapters.slack.setup import setup_slack

        try:
            slack = setup_slack(settings, installations, clock)
        except Exception:
            store.close()
            raise
    if slack is not None:
        adapters[Platform.SLACK] = slack.adapter
    closers: list[Callable[[], None]] = [store.close]
    summarizer: Summarizer | None = None
    if settings.llm_base_url:
        client = ChatClient.connect(
            settings.llm_base_url,
            settings.llm_model,
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout_seconds,
        )
        closers.append(client.close)
        summarizer = LLMSummarizer(client, store, clock, daily_budget=settings.llm_daily_budget)
    core = PaperBot(
        store, clock, settings, adapters, summarizer=summarizer, next_run=channel_next_run
    )
    core.paper_lookup = lambda paper_id: lookup_papers(core, settings, [paper_id]).get(paper_id)
    rt = Runtime(
        settings=settings,
        store=store,
        clock=clock,
        core=core,
        closers=closers,
        installations=installations,
    )
    wire_web(rt, slack)
    _register_discord(rt)
    return rt


def wire_web(rt: Runtime, slack: SlackSetup | None) -> None:
    """Give the runtime its web app factory and, with SLACK_APP_TOKEN, its Socket Mode starter."""

    def web_app() -> object:
        from adapters.slack.web import create_web_app

        bolt = slack.bolt_app(rt.core) if slack is not None else None
        return create_web_app(
            bolt,
            health=lambda: rt.store.count_papers() >= 0,
            signing_secret=rt.settings.slack_signing_secret or "",
        )

    rt.web_app = web_app
    if rt.settings.slack_app_token:
        from adapters.slack.socket import start_socket_mode

        rt.socket_mode = lambda: start_socket_mode(rt.core)


def _register_discord(rt: Runtime) -> None:
    """With DISCORD_TOKEN set: the Discord adapter on the core, and its start and sync hooks.

    `rt.extras["start_discord"]()` runs the client in its own thread and returns a handle with
    `stop()`; `rt.extras["discord_sync"](guild_id | None)` syncs the app commands over REST.
    """

    def start() -> Any:
        from adapters.discord.runner import start_discord

        return start_discord(rt)

    def sync(guild_id: str | None = None) -> Any:
        from adapters.discord.runner import sync_commands

        return sync_commands(rt, guild_id)

    rt.extras["start_discord"] = start
    rt.extras["discord_sync"] = sync
    settings = rt.settings
    if settings.discord_token or settings.discord_guild_id or settings.discord_gateway_url:
        # asked for: it must be complete (DISCORD_TOKEN, a numeric DISCORD_GUILD_ID)
        from adapters.discord.runner import adapter_of, check_settings

        try:
            check_settings(settings, why="Discord (a DISCORD_* setting is set)")
        except Exception:
            rt.close()
            raise
        adapter_of(rt)
