"""Slack Socket Mode for the worker: outbound websocket, no public URL needed."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode import SocketModeHandler

from adapters.slack.app import SlackCore, build_app


def socket_mode_handler(core: SlackCore) -> SocketModeHandler:
    """A handler for SLACK_APP_TOKEN + SLACK_BOT_TOKEN (ConfigError naming what is missing)."""
    settings = core.settings
    settings.require("slack_app_token", "slack_bot_token", why="Slack Socket Mode")
    app = build_app(core, settings, socket_mode=True)
    return SocketModeHandler(app, app_token=settings.slack_app_token)


class SocketModeService:
    """Slack Socket Mode as a chat service: `start()` connects in the background (returns at
    once; the SDK's threads do the rest), `stop()` closes the connection."""

    name = "slack-socket-mode"

    def __init__(self, core: SlackCore) -> None:
        self.core = core
        self.handler: SocketModeHandler | None = None

    def start(self) -> None:
        if self.handler is None:
            handler = socket_mode_handler(self.core)
            handler.connect()
            self.handler = handler

    def stop(self) -> None:
        handler, self.handler = self.handler, None
        if handler is not None:
            handler.close()
