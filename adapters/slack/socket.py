"""Slack Socket Mode for the worker: outbound websocket, no public URL needed."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt.adapter.socket_mode import SocketModeHandler

from adapters.slack.app import SlackCore, build_app


def socket_mode_handler(core: SlackCore) -> SocketModeHandler:
    """A handler for SLACK_APP_TOKEN + SLACK_BOT_TOKEN (ConfigError naming what is missing)."""
    settings = core.settings
    settings.require("slack_app_token", "slack_bot_token", why="Slack Socket Mode")
    app = build_app(core, settings, socket_mode=True)
    return SocketModeHandler(app, app_token=settings.slack_app_token)


def start_socket_mode(core: SlackCore) -> Callable[[], None]:
    """Connect in the background (returns at once); call the returned function to stop."""
    handler = socket_mode_handler(core)
    handler.connect()
    return handler.close
