"""A throwaway subcommand, declared once in the core, is dispatched by the Discord client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.discord.client import PaperClient
from tests.adapters.discordbot.conftest import until
from tests.adapters.discordbot.fake_discord import FakeDiscord, option, slash_interaction
from tests.adapters.echo_command import echo_declared


@pytest.fixture
def echo() -> Iterator[None]:
    with echo_declared():
        yield


async def test_a_declared_subcommand_is_answered_on_discord(
    echo: None, fake: FakeDiscord, client: PaperClient
) -> None:
    assert client.option_order["echo"] == ["words", "times", "file"]
    # options filled in any order reach the core in the declared order
    options = [option("times", 2, type_=4), option("words", "hello there")]
    await fake.dispatch("INTERACTION_CREATE", slash_interaction("echo", options))
    await until(lambda: len(fake.callbacks()) == 1)
    assert fake.callbacks()[0].body["data"]["content"] == "echo: hello there 2"
