"""Hostile text end to end on Discord: slash commands and a digest through the fake Discord.

Every message and interaction answer carries `allowed_mentions: {"parse": []}` (nothing pings
whatever the text), and what people typed or feeds sent is escaped so it is neither a link nor
a mention.
"""

from __future__ import annotations

from typing import Any

from adapters.discord.client import PaperClient
from bot.content.links import paper_links
from bot.models import ChannelRef, InterestKind, Platform
from bot.service import PaperBot
from tests.adapters.discordbot.conftest import NOW, PAPERS, until
from tests.adapters.discordbot.fake_discord import (
    CHANNEL_ID,
    GUILD_ID,
    FakeDiscord,
    option,
    slash_interaction,
)
from tests.adapters.hostile import assert_discord_markdown_safe, discord_embed_texts
from tests.conftest import make_paper

REF = ChannelRef(Platform.DISCORD, str(GUILD_ID), str(CHANNEL_ID))
NO_PINGS = {"parse": []}
TYPED = (
    "[click me](https://evil.example) [b](http://y.example) <https://evil.example> "
    "@everyone <@5000> <@&3000> <#4000>"
)
EVIL = make_paper(
    "2606.00099",
    "Robot manipulation [a](http://x.example) [b](http://y.example) @everyone",
    "Robot manipulation. <@5000> see <https://evil.example> and https://evil.example/raw",
    authors=("@here", "[Ada](https://evil.example/ada)"),
    categories=("cs.RO",),
)
ALLOWED = [url for p in [*PAPERS, EVIL] for _, url in paper_links(p)]


def answer(call_body: dict[str, Any]) -> dict[str, Any]:
    """The message part of an interaction callback (`data`) or a follow-up (the body)."""
    return dict(call_body.get("data") or call_body)


def assert_quiet_and_inert(message: dict[str, Any]) -> None:
    assert message.get("allowed_mentions") == NO_PINGS, message
    assert_discord_markdown_safe(message.get("content") or "", ALLOWED)
    for embed in message.get("embeds") or []:
        for text in discord_embed_texts(embed):
            assert_discord_markdown_safe(text, ALLOWED)


async def test_a_hostile_subscribe_is_answered_inert_and_without_pings(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    await fake.dispatch(
        "INTERACTION_CREATE", slash_interaction("subscribe", [option("topic", TYPED)])
    )
    await until(fake.callbacks)
    reply = answer(fake.callbacks()[0].body)
    assert "flags" not in reply  # shown to the whole channel
    assert_quiet_and_inert(reply)
    assert r"\[click me\](https\://evil.example) \[b\](http\://y.example)" in reply["content"]
    channel = core.store.find_channel(REF)
    assert channel is not None and channel.interest_values(InterestKind.TOPIC) == (TYPED,)

    await fake.dispatch("INTERACTION_CREATE", slash_interaction("why", [option("paper", TYPED)]))
    await until(lambda: len(fake.callbacks()) == 2)
    error = answer(fake.callbacks()[1].body)
    assert error["flags"] == 64
    assert_quiet_and_inert(error)


async def test_a_hostile_feed_title_is_posted_inert_and_without_pings(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    core.store.upsert_papers([EVIL], NOW)
    client.defer_after = 0.0  # answered by follow-ups: they must be quiet too
    await fake.dispatch(
        "INTERACTION_CREATE",
        slash_interaction("subscribe", [option("topic", "robot manipulation")]),
    )
    await until(lambda: len(fake.followups()) == 2)
    await fake.dispatch("INTERACTION_CREATE", slash_interaction("now"))
    await until(lambda: len(fake.followups()) == 3)
    posts = fake.posts(CHANNEL_ID)
    titles = [p.body["embeds"][0]["title"] for p in posts[1:]]
    assert any("Robot manipulation \\[a\\](http\\://x.example)" in t for t in titles), titles
    for post in posts:
        assert_quiet_and_inert(post.body)
    for followup in fake.followups():
        assert_quiet_and_inert(followup.body)
    await fake.dispatch("INTERACTION_CREATE", slash_interaction("why", [option("paper", EVIL.id)]))
    await until(lambda: len(fake.followups()) == 4)
    why = fake.followups()[-1].body
    assert "Robot manipulation" in why["content"]
    assert_quiet_and_inert(why)
