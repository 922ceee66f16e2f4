"""Adding a `/papers` subcommand is one handler plus one declaration: a throwaway one shows up
in help, in Slack's dispatch (slow: acked first) and in Discord's options, with no other edit
(Discord's dispatch: `tests/adapters/discordbot/test_new_subcommand.py`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import discord
import pytest
from discord import app_commands
from slack_bolt import App, BoltRequest

from adapters.discord.commands import PapersGroup
from adapters.slack.app import WORKING
from adapters.slack.setup import setup_slack
from bot.clock import FixedClock
from bot.config import Settings
from bot.models import Interest, Platform
from bot.service import PaperBot
from storage.installations import SqlInstallations
from storage.store import SqlStore
from tests.adapters.echo_command import echo_declared
from tests.adapters.slack.fake_slack import FORM, FakeSlack, command_body, signed_headers


@pytest.fixture
def echo() -> Iterator[None]:
    with echo_declared():
        yield


@pytest.fixture
def app(slack_settings: Settings, slack_store: SqlStore, clock: FixedClock) -> App:
    setup = setup_slack(slack_settings, SqlInstallations(slack_store), clock, sleep=lambda _s: None)
    assert setup is not None
    core = PaperBot(slack_store, clock, slack_settings, {Platform.SLACK: setup.adapter})
    return setup.bolt_app(core, process_before_response=True)


def slack_command(app: App, fake: FakeSlack, text: str) -> dict[str, Any]:
    body = command_body(fake, text)
    resp = app.dispatch(BoltRequest(body=body, headers=signed_headers(body, FORM)))
    assert resp.status == 200
    return dict(json.loads(resp.body))


def test_a_declared_subcommand_is_in_help_and_dispatched_on_slack(
    echo: None, app: App, fake: FakeSlack
) -> None:
    listing = slack_command(app, fake, "help")["text"]
    assert "• /papers echo &lt;words&gt; [times] — Say the words back." in listing  # escaped
    assert "Say the words back." in slack_command(app, fake, "help say")["text"]
    # slow: acked at once, answered through response_url
    assert slack_command(app, fake, "say hello there") == {
        "text": WORKING,
        "response_type": "ephemeral",
    }
    (answer,) = fake.hits("/response_url/C0PAPERS")
    assert answer.body["text"] == "echo: hello there"
    assert answer.body["response_type"] == "in_channel"


class Host:
    async def answer(self, interaction: Any) -> None: ...
    async def channel_interests(self, interaction: Any, kinds: Any) -> list[Interest]:
        return []

    async def liked_papers(self, interaction: Any) -> list[tuple[str, str]]:
        return []


def test_a_declared_subcommand_is_a_discord_command_with_its_options(echo: None) -> None:
    group = PapersGroup(Host())
    assert group.option_order()["echo"] == ["words", "times", "file"]
    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    options = {o["name"]: o for o in group.to_dict(tree)["options"]}
    echo_options = options["echo"]["options"]
    assert options["echo"]["description"] == "Say the words back."
    assert [(o["name"], o["type"], o["required"]) for o in echo_options] == [
        ("words", 3, True),  # string
        ("times", 4, False),  # integer
        ("file", 11, False),  # attachment
    ]
    assert echo_options[0]["max_length"] == 100 and echo_options[1]["max_value"] == 3
    assert echo_options[0]["description"] == "what to say"


def test_without_the_declaration_it_is_unknown(app: App, fake: FakeSlack) -> None:
    assert "I don't know" in slack_command(app, fake, "echo hi")["text"]
    assert "echo" not in PapersGroup(Host()).option_order()
