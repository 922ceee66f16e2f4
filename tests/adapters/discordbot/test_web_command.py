"""`/papers web` on Discord, through the real client (own thread) and the fake Discord: an
ephemeral answer with a masked link to the channel's page, which the web app then serves."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import httpx
import pytest

from adapters.discord.client import PaperClient
from app.runtime import Runtime
from app.wiring.runtime import build_runtime
from bot.clock import FixedClock
from bot.config import Settings
from tests.adapters.discordbot.conftest import NOW, PAPERS, start_discord, until
from tests.adapters.discordbot.fake_discord import FakeDiscord, option, slash_interaction

EPHEMERAL = 64
PUBLIC = "https://papers.example.org"


@pytest.fixture
def runtime(discord_settings: Settings) -> Iterator[Runtime]:
    settings = discord_settings.model_copy(update={"public_url": PUBLIC})
    rt = build_runtime(settings, clock=FixedClock(NOW))
    rt.core.ingest(PAPERS)
    yield rt
    rt.close()


async def test_web_is_ephemeral_and_its_link_opens_the_page(
    fake: FakeDiscord, runtime: Runtime
) -> None:
    handle = start_discord(
        runtime, client_factory=lambda core, s: PaperClient(core, s, guild_ready_timeout=0.05)
    )
    try:
        assert await asyncio.to_thread(handle.wait_ready, 5)
        await fake.dispatch(
            "INTERACTION_CREATE", slash_interaction("subscribe", [option("topic", "robot")])
        )
        await until(lambda: len(fake.callbacks()) == 1)
        await fake.dispatch("INTERACTION_CREATE", slash_interaction("web"))
        await until(lambda: len(fake.callbacks()) == 2)
    finally:
        await asyncio.to_thread(handle.stop)
    reply = fake.callbacks()[1].body["data"]
    assert reply["flags"] == EPHEMERAL
    found = re.search(
        rf"\[This channel's page\]\(<({re.escape(PUBLIC)}/c/[\w.\-]+)>\)", reply["content"]
    )
    assert found is not None, reply["content"]
    assert runtime.web_app is not None
    transport = httpx.ASGITransport(app=runtime.web_app())  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        page = await client.get(found.group(1).removeprefix(PUBLIC))
    assert page.status_code == 200 and "#papers" in page.text and "robot" in page.text
