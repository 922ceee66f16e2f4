"""Build a `Runtime`: open the store (migrating it), pick the clock, register the adapters."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from adapters.console import ConsoleAdapter
from app.runtime import Runtime
from bot.answers import ThreadQuestions
from bot.clock import SystemClock
from bot.config import Settings
from bot.content.channel_page import LinkedPage, page_of_link
from bot.content.llm import ChatClient, LLMSummarizer
from bot.content.signed_links import LinkKey
from bot.digest.schedule import channel_next_run
from bot.errors import LinkInvalid
from bot.models import Platform
from bot.ports import ChatAdapter, ChatService, Clock
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
    console = ConsoleAdapter(out or sys.stdout, settings.console_outbox)
    adapters: dict[Platform, ChatAdapter] = {Platform.CONSOLE: console}
    services: list[ChatService] = [console]
    link_key = LinkKey(settings.link_signing_key, store, clock.now)
    try:
        slack = _slack(settings, installations, clock, adapters)
        _email(settings, link_key, clock, adapters, services)
    except Exception:
        store.close()
        raise
    closers: list[Callable[[], None]] = [store.close]
    client = _llm_client(settings, closers)
    summarizer = (
        LLMSummarizer(client, store, clock, daily_budget=settings.llm_daily_budget)
        if client is not None
        else None
    )
    core = PaperBot(
        store, clock, settings, adapters, summarizer=summarizer, next_run=channel_next_run
    )
    _attach_features(core, store, settings, client, link_key)
    rt = Runtime(
        settings=settings,
        store=store,
        clock=clock,
        core=core,
        closers=closers,
        installations=installations,
        services=services,
    )
    rt.extras["link_key"] = link_key
    wire_web(rt, slack)
    _register_discord(rt)
    return rt


def _slack(
    settings: Settings,
    installations: SqlInstallations,
    clock: Clock,
    adapters: dict[Platform, ChatAdapter],
) -> SlackSetup | None:
    """Slack's adapter when Slack is configured (its SDKs are imported only then)."""
    if not settings.slack_requested:
        return None
    from adapters.slack.setup import setup_slack

    slack = setup_slack(settings, installations, clock)
    if slack is not None:
        adapters[Platform.SLACK] = slack.adapter
    return slack


def _email(
    settings: Settings,
    link_key: LinkKey,
    clock: Clock,
    adapters: dict[Platform, ChatAdapter],
    services: list[ChatService],
) -> None:
    """With SMTP_HOST set, email channels get their digests (an adapter and a service)."""
    if not settings.email_requested:
        return
    from adapters.email.setup import setup_email

    email = setup_email(settings, link_key, clock)
    adapters[Platform.EMAIL] = email
    services.append(email)


def _llm_client(settings: Settings, closers: list[Callable[[], None]]) -> ChatClient | None:
    """The LLM endpoint's client (TL;DRs, answers) when LLM_BASE_URL is set."""
    if not settings.llm_base_url:
        return None
    client = ChatClient.connect(
        settings.llm_base_url,
        settings.llm_model,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout_seconds,
    )
    closers.append(client.close)
    return client


def _attach_features(
    core: PaperBot,
    store: SqlStore,
    settings: Settings,
    client: ChatClient | None,
    link_key: LinkKey,
) -> None:
    """Questions in threads, arXiv look-ups for `/papers like|import`, web-link signing."""
    core.questions = ThreadQuestions.from_settings(store, core.clock, settings, llm=client)
    core.paper_lookup = lambda paper_id: lookup_papers(core, settings, [paper_id]).get(paper_id)
    core.papers_lookup = lambda ids: lookup_papers(core, settings, ids)
    core.link_key = link_key  # signs `/papers web` links (LINK_SIGNING_KEY, else the database)


def wire_web(rt: Runtime, slack: SlackSetup | None) -> None:
    """Give the runtime its web app factory (Slack's routes, the emailed feedback links and the
    channel pages) and, with SLACK_APP_TOKEN, the Socket Mode service."""

    def web_app() -> object:
        from adapters.slack.web import create_web_app
        from adapters.web.channel_page import channel_page_routes
        from adapters.web.feedback_routes import FeedbackLinks, feedback_routes

        bolt = slack.bolt_app(rt.core) if slack is not None else None
        links = FeedbackLinks(rt.core, rt.extras["link_key"], rt.clock.now)
        return create_web_app(
            bolt,
            health=lambda: rt.store.count_papers() >= 0,
            signing_secret=rt.settings.slack_signing_secret or "",
            extra_routes=[
                *feedback_routes(links),
                *channel_page_routes(lambda token: _page(rt, token)),
            ],
        )

    rt.web_app = web_app
    if rt.settings.slack_app_token:
        from adapters.slack.socket import SocketModeService

        rt.services.append(SocketModeService(rt.core))


def _page(rt: Runtime, token: str) -> LinkedPage:
    """The channel page a signed link opens (`/papers web`)."""
    key = rt.core.link_key
    if key is None:
        raise LinkInvalid("links are not signed in this process")
    return page_of_link(rt.core, key(), token)


def _register_discord(rt: Runtime) -> None:
    """`rt.extras["discord_sync"](guild_id | None)` syncs the app commands over REST; with a
    DISCORD_* setting, the Discord adapter on the core and its gateway client as a service."""

    def sync(guild_id: str | None = None) -> Any:
        from adapters.discord.runner import sync_commands

        return sync_commands(rt.core, rt.settings, guild_id)

    rt.extras["discord_sync"] = sync
    settings = rt.settings
    if not (settings.discord_token or settings.discord_guild_id or settings.discord_gateway_url):
        return
    # asked for: it must be complete (DISCORD_TOKEN, a numeric DISCORD_GUILD_ID)
    from adapters.discord.adapter import DiscordAdapter
    from adapters.discord.client import configure_endpoints
    from adapters.discord.runner import DiscordService, check_settings

    try:
        check_settings(settings, why="Discord (a DISCORD_* setting is set)")
    except Exception:
        rt.close()
        raise
    configure_endpoints(settings)
    adapter = DiscordAdapter(settings=settings)
    rt.core.adapters[Platform.DISCORD] = adapter
    rt.closers.append(adapter.close)
    rt.services.append(DiscordService(rt.core, settings, adapter))
