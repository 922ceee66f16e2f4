"""`/papers import` on Discord end to end: a slash command with an attachment option through
discord.py -> the file read from the (fake) CDN -> the real command layer -> the answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.discord.client import PaperClient
from bot.config import Settings
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Platform
from bot.service import PaperBot
from tests.adapters.discordbot.conftest import NOW, until
from tests.adapters.discordbot.fake_discord import (
    CHANNEL_ID,
    GUILD_ID,
    MEMBER_PERMISSIONS,
    FakeDiscord,
    attachment_interaction,
)
from tests.adapters.hostile import assert_discord_markdown_safe
from tests.library_data import LIBRARY, fake_arxiv, stored_papers

REF = ChannelRef(Platform.DISCORD, str(GUILD_ID), str(CHANNEL_ID))
BIB = (LIBRARY / "zotero.bib").read_bytes()


@pytest.fixture
def library_core(core: PaperBot, discord_settings: Settings) -> Iterator[PaperBot]:
    core.ingest(stored_papers())
    with fake_arxiv(core, discord_settings):
        yield core


def answers(fake: FakeDiscord) -> list[dict[str, Any]]:
    """What the bot answered: interaction callbacks' data and follow-up messages."""
    found = [c.body["data"] for c in fake.callbacks() if c.body.get("data", {}).get("content")]
    return found + [c.body for c in fake.followups() if c.body.get("content")]


def cdn_reads(fake: FakeDiscord) -> list[str]:
    return [c.path for c in fake.calls if c.path.startswith("/attachments/")]


def seeds(core: PaperBot) -> list[str]:
    channel = core.store.find_channel(REF)
    return sorted(channel.interest_values(InterestKind.SEED)) if channel else []


async def test_import_an_attached_bibtex_export(
    fake: FakeDiscord, client: PaperClient, library_core: PaperBot
) -> None:
    attached = fake.upload("zotero.bib", BIB)
    await fake.dispatch("INTERACTION_CREATE", attachment_interaction("import", attached))
    await until(lambda: any("matched" in a["content"] for a in answers(fake)), timeout=15)
    (answer,) = [a for a in answers(fake) if "matched" in a["content"]]
    assert "5 matched, 1 unmatched" in answer["content"]
    assert "Deep learning" in answer["content"] and "10.1038/nature14539" in answer["content"]
    assert answer.get("flags", 0) & 64  # ephemeral
    assert cdn_reads(fake) == [f"/attachments/{CHANNEL_ID}/{attached['id']}/zotero.bib"]
    assert seeds(library_core) == [
        "2104.12255", "2503.12461", "2503.15457", "2503.15879", "2606.00011",
    ]  # fmt: skip
    # the attachment id is not text the command layer reads
    assert_discord_markdown_safe(answer["content"])


async def test_a_member_who_may_not_change_the_channel_is_refused_unread(
    fake: FakeDiscord, client: PaperClient, library_core: PaperBot
) -> None:
    library_core.store.add_channel(
        REF, "papers", ChannelSettings(), [Interest(InterestKind.TOPIC, "robots")], now=NOW
    )
    attached = fake.upload("zotero.bib", BIB)
    interaction = attachment_interaction("import", attached, permissions=MEMBER_PERMISSIONS)
    await fake.dispatch("INTERACTION_CREATE", interaction)
    await until(lambda: bool(answers(fake)))
    assert "Only" in answers(fake)[0]["content"]
    assert cdn_reads(fake) == [] and seeds(library_core) == []


async def test_an_unknown_file_gets_the_formats(
    fake: FakeDiscord, client: PaperClient, library_core: PaperBot
) -> None:
    attached = fake.upload("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    await fake.dispatch("INTERACTION_CREATE", attachment_interaction("import", attached))
    await until(lambda: bool(answers(fake)))
    assert "not a text file" in answers(fake)[0]["content"]
