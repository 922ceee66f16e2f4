"""Settings that contradict each other, found before anything starts (no I/O).

`paperbot doctor` prints these with its network checks; `paperbot run` and `paperbot serve` log
the ones that are not ok as warnings when they start.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Literal

from bot.config import Settings
from bot.digest.schedule import ArxivCalendar
from bot.errors import InvalidInput

Status = Literal["ok", "warn", "error"]


@dataclass(frozen=True)
class Check:
    """One finding: what was checked, how it went, and what to do about it."""

    name: str
    status: Status
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


SOCKET_HINT = "SLACK_APP_TOKEN (Socket Mode in `paperbot run`, adapters/slack/manifest.socket.yaml)"
HTTP_HINT = "SLACK_SIGNING_SECRET (HTTP in `paperbot serve`, adapters/slack/manifest.yaml)"


def slack_oauth_check(s: Settings) -> Check:
    """Multi-workspace installs: both client credentials and the signing secret."""
    missing = [
        name
        for name, value in (
            ("SLACK_CLIENT_ID", s.slack_client_id),
            ("SLACK_CLIENT_SECRET", s.slack_client_secret),
            ("SLACK_SIGNING_SECRET", s.slack_signing_secret),
        )
        if not value
    ]
    if missing:
        return Check(
            "slack settings",
            "error",
            f"multi-workspace installs (OAuth) need {', '.join(missing)}: set it, or remove "
            "SLACK_CLIENT_ID/SLACK_CLIENT_SECRET for a single workspace",
        )
    if not s.token_encryption_key:
        return Check(
            "slack settings",
            "warn",
            "OAuth installs are stored unencrypted: set TOKEN_ENCRYPTION_KEY (see .env.example)",
        )
    return Check("slack settings", "ok", "multi-workspace installs over HTTP (`paperbot serve`)")


def slack_token_check(s: Settings) -> Check | None:
    """Tokens of the wrong kind, pasted in the wrong variable."""
    for var, value, prefix, kind in (
        ("SLACK_BOT_TOKEN", s.slack_bot_token, "xoxb-", "bot token"),
        ("SLACK_APP_TOKEN", s.slack_app_token, "xapp-", "app-level token"),
    ):
        if value and not value.startswith(prefix):
            return Check(
                "slack settings",
                "error",
                f"{var} must be a {kind} ({prefix}...), not {value[:5]}...: copy it again "
                "from your app's page on api.slack.com",
            )
    return None


def slack_mode_check(s: Settings) -> Check:
    """Single workspace: the bot token and one way to receive events (socket or HTTP)."""
    if not s.slack_bot_token:
        return Check(
            "slack settings",
            "error",
            "SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set without SLACK_BOT_TOKEN: set the bot "
            "token (xoxb-...) from OAuth & Permissions",
        )
    if s.slack_app_token and s.slack_signing_secret:
        return Check(
            "slack settings",
            "warn",
            "both SLACK_APP_TOKEN and SLACK_SIGNING_SECRET are set: Slack sends events over "
            "Socket Mode when the app has it enabled, and then `paperbot serve` receives none; "
            "keep the one that matches your app's manifest",
        )
    if s.slack_app_token:
        return Check("slack settings", "ok", "Socket Mode: `paperbot run` connects to Slack")
    if s.slack_signing_secret:
        return Check("slack settings", "ok", "HTTP: Slack calls `paperbot serve` /slack/events")
    return Check(
        "slack settings",
        "error",
        "SLACK_BOT_TOKEN alone can post digests but never hears /papers or reactions: set "
        f"{SOCKET_HINT} or {HTTP_HINT}",
    )


def slack_checks(s: Settings) -> list[Check]:
    if not s.slack_requested:
        return []
    wrong_kind = slack_token_check(s)
    if wrong_kind is not None:
        return [wrong_kind]
    if s.slack_client_id or s.slack_client_secret:
        return [slack_oauth_check(s)]
    return [slack_mode_check(s)]


def discord_checks(s: Settings) -> list[Check]:
    if not (s.discord_token or s.discord_guild_id or s.discord_gateway_url):
        return []
    if not s.discord_token:
        return [
            Check(
                "discord settings",
                "error",
                "DISCORD_GUILD_ID or DISCORD_GATEWAY_URL is set without DISCORD_TOKEN: copy the "
                "bot token from the Developer Portal (your application > Bot)",
            )
        ]
    guild = (s.discord_guild_id or "").strip()
    if guild and not guild.isdigit():
        return [
            Check(
                "discord settings",
                "error",
                f"DISCORD_GUILD_ID must be a numeric server id, not {guild!r} (Developer Mode, "
                "then right-click the server > Copy Server ID)",
            )
        ]
    where = f"commands synced to server {guild}" if guild else "global commands"
    return [Check("discord settings", "ok", f"`paperbot run` connects to Discord ({where})")]


def chat_check(s: Settings) -> list[Check]:
    if s.slack_requested or s.discord_token:
        return []
    return [
        Check(
            "chat platforms",
            "warn",
            "no Slack or Discord settings: digests go to the console only (see README, Deploy)",
        )
    ]


def calendar_check(s: Settings) -> list[Check]:
    try:
        ArxivCalendar.from_setting(s.arxiv_holidays)
    except InvalidInput as exc:
        return [Check("arxiv calendar", "error", str(exc))]
    return []


def settings_checks(settings: Settings) -> list[Check]:
    """Every settings finding, in a stable order; no network, no database."""
    return [
        *chat_check(settings),
        *slack_checks(settings),
        *discord_checks(settings),
        *calendar_check(settings),
    ]


def warn_at_start(settings: Settings, log: logging.Logger, process: str) -> int:
    """Log each settings finding that is not ok; returns how many were logged."""
    found = [c for c in settings_checks(settings) if c.status != "ok"]
    for check in found:
        log.warning("%s: %s (`paperbot doctor` checks everything)", check.name, check.message)
    if found:
        log.warning("%s starts anyway with %d settings problem(s) above", process, len(found))
    return len(found)
