"""The shipped app manifest asks for exactly what the app uses."""

from __future__ import annotations

from pathlib import Path

import yaml

from adapters.slack.app import BOT_SCOPES, EVENTS_PATH, REDIRECT_PATH
from bot.config import Settings

MANIFEST = Path(__file__).resolve().parents[3] / "adapters" / "slack" / "manifest.yaml"


def test_manifest_matches_the_app() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert tuple(manifest["oauth_config"]["scopes"]["bot"]) == BOT_SCOPES
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == Settings(_env_file=None).slack_command  # type: ignore[call-arg]
    urls = [
        command["url"],
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
    ]
    assert all(url.endswith(EVENTS_PATH) for url in urls)
    assert manifest["oauth_config"]["redirect_urls"][0].endswith(REDIRECT_PATH)
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"reaction_added", "reaction_removed"} <= events
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
