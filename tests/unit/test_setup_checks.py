"""Settings that contradict each other are found before anything starts, one line each."""

from __future__ import annotations

import logging

import pytest

from app.setup_checks import Check, settings_checks, warn_at_start
from bot.config import Settings


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, database_url="sqlite:///x.db", **values)  # type: ignore[arg-type]


def only(checks: list[Check], name: str) -> Check:
    (found,) = [c for c in checks if c.name == name]
    return found


def test_no_chat_settings_is_a_warning_not_an_error() -> None:
    checks = settings_checks(settings())
    assert [(c.name, c.status) for c in checks] == [("chat platforms", "warn")]


@pytest.mark.parametrize(
    ("values", "status", "says"),
    [
        ({"slack_bot_token": "xoxb-1"}, "error", "never hears /papers or reactions"),
        ({"slack_bot_token": "xoxb-1", "slack_app_token": "xapp-1"}, "ok", "Socket Mode"),
        ({"slack_bot_token": "xoxb-1", "slack_signing_secret": "s"}, "ok", "paperbot serve"),
        (
            {"slack_bot_token": "xoxb-1", "slack_app_token": "xapp-1", "slack_signing_secret": "s"},
            "warn",
            "both SLACK_APP_TOKEN and SLACK_SIGNING_SECRET",
        ),
        ({"slack_app_token": "xapp-1"}, "error", "without SLACK_BOT_TOKEN"),
        ({"slack_bot_token": "xoxp-1", "slack_app_token": "xapp-1"}, "error", "bot token (xoxb-"),
        ({"slack_bot_token": "xoxb-1", "slack_app_token": "xoxb-2"}, "error", "app-level token"),
        ({"slack_client_id": "1.2", "slack_client_secret": "c"}, "error", "SLACK_SIGNING_SECRET"),
        (
            {"slack_client_id": "1.2", "slack_client_secret": "c", "slack_signing_secret": "s"},
            "warn",
            "TOKEN_ENCRYPTION_KEY",
        ),
    ],
)
def test_slack_settings(values: dict[str, str], status: str, says: str) -> None:
    check = only(settings_checks(settings(**values)), "slack settings")
    assert check.status == status and says in check.message


@pytest.mark.parametrize(
    ("values", "status", "says"),
    [
        ({"discord_token": "t"}, "ok", "global commands"),
        ({"discord_token": "t", "discord_guild_id": "123"}, "ok", "server 123"),
        ({"discord_token": "t", "discord_guild_id": "lab"}, "error", "numeric server id"),
        ({"discord_guild_id": "123"}, "error", "without DISCORD_TOKEN"),
    ],
)
def test_discord_settings(values: dict[str, str], status: str, says: str) -> None:
    check = only(settings_checks(settings(**values)), "discord settings")
    assert check.status == status and says in check.message


def test_a_bad_holiday_list_is_an_error() -> None:
    check = only(settings_checks(settings(arxiv_holidays="easter")), "arxiv calendar")
    assert check.status == "error" and "thanksgiving" in check.message


def test_warn_at_start_logs_each_problem(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("paperbot.test")
    with caplog.at_level(logging.WARNING, logger="paperbot.test"):
        assert warn_at_start(settings(slack_bot_token="xoxb-1"), log, "the worker") == 1
        assert warn_at_start(settings(discord_token="t"), log, "the worker") == 0
    lines = [r.getMessage() for r in caplog.records]
    assert "SLACK_BOT_TOKEN alone" in lines[0] and "the worker starts anyway" in lines[1]
    assert len(lines) == 2
