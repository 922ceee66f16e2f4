"""The Socket Mode manifest asks for what the HTTP one does, with no request URL at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from adapters.slack.app import BOT_SCOPES
from bot.config import Settings

FOLDER = Path(__file__).resolve().parents[3] / "adapters" / "slack"


def load(name: str) -> dict[str, Any]:
    manifest: dict[str, Any] = yaml.safe_load((FOLDER / name).read_text(encoding="utf-8"))
    return manifest


def urls(node: object) -> list[str]:
    """Every string value anywhere in the manifest that is a URL."""
    if isinstance(node, dict):
        return [u for value in node.values() for u in urls(value)]
    if isinstance(node, list):
        return [u for value in node for u in urls(value)]
    return [node] if isinstance(node, str) and "://" in node else []


def test_socket_manifest_matches_the_app_without_urls() -> None:
    manifest = load("manifest.socket.yaml")
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert urls(manifest) == []
    assert tuple(manifest["oauth_config"]["scopes"]["bot"]) == BOT_SCOPES
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == Settings(_env_file=None).slack_command  # type: ignore[call-arg]
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"reaction_added", "reaction_removed"} <= events
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_the_two_manifests_differ_only_in_how_slack_reaches_the_app() -> None:
    http, socket = load("manifest.yaml"), load("manifest.socket.yaml")
    assert http["settings"]["socket_mode_enabled"] is False and urls(http)
    for manifest in (http, socket):
        manifest["settings"].pop("socket_mode_enabled")
        manifest["oauth_config"].pop("redirect_urls", None)
        manifest["settings"]["event_subscriptions"].pop("request_url", None)
        manifest["settings"]["interactivity"].pop("request_url", None)
        for command in manifest["features"]["slash_commands"]:
            command.pop("url", None)
    assert http == socket
