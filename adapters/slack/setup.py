"""Assemble the Slack pieces from settings: adapter, installation stores, bolt app factory."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from slack_bolt import App

from adapters.slack.adapter import SlackAdapter
from adapters.slack.app import SlackCore, build_app
from adapters.slack.client import Sleep
from adapters.slack.installations import RepositoryInstallationStore, RepositoryOAuthStateStore
from adapters.slack.pooled import make_pool
from bot.config import Settings
from bot.ports import Clock, InstallationRepository


def oauth_requested(settings: Settings) -> bool:
    return bool(settings.slack_client_id or settings.slack_client_secret)


@dataclass
class SlackSetup:
    settings: Settings
    adapter: SlackAdapter
    installation_store: RepositoryInstallationStore | None = None
    state_store: RepositoryOAuthStateStore | None = None

    def bolt_app(self, core: SlackCore, **kwargs: Any) -> App:
        return build_app(
            core,
            self.settings,
            installation_store=self.installation_store,
            state_store=self.state_store,
            **kwargs,
        )


def setup_slack(
    settings: Settings,
    installations: InstallationRepository,
    clock: Clock,
    *,
    sleep: Sleep = time.sleep,
) -> SlackSetup | None:
    """None when Slack is not configured at all; ConfigError when it is, but incompletely."""
    if not settings.slack_requested:
        return None
    installation_store = state_store = None
    if oauth_requested(settings):
        settings.require(
            "slack_client_id", "slack_client_secret", why="Slack multi-workspace install (OAuth)"
        )
        installation_store = RepositoryInstallationStore(installations)
        state_store = RepositoryOAuthStateStore(installations, clock)
        store = installation_store
        fallback = settings.slack_bot_token

        def token_for(team: str) -> str | None:
            return store.bot_token(team) or fallback

    else:
        settings.require("slack_bot_token", why="Slack")
        token = settings.slack_bot_token

        def token_for(team: str) -> str | None:
            return token

    adapter = SlackAdapter(
        token_for,
        api_url=settings.slack_api_url,
        pace_seconds=settings.slack_pace_seconds,
        max_retries=settings.slack_max_retries,
        max_retry_wait=settings.slack_max_retry_wait,
        sleep=sleep,
        workspace_posts_per_second=settings.slack_workspace_posts_per_second,
        reactions_per_minute=settings.slack_reactions_per_minute,
        pool=make_pool(settings.delivery_concurrency + 8),
    )
    return SlackSetup(settings, adapter, installation_store, state_store)
