"""Slack adapter: Block Kit rendering, inbound payloads, Web API posting, bolt app, web app."""

from adapters.slack.adapter import SlackAdapter

__all__ = ["SlackAdapter"]
