"""End to end through the real worker path: `/papers subscribe`, `/papers now`, a reaction.

The Discord client runs in its own thread (as in `paperbot run`); the fake Discord runs on
this test's loop; the runtime is the real composition root on SQLite.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest

from adapters.discord.client import PaperClient
from adapters.discord.runner import start_discord
from app.runtime import Runtime
from app.wiring.runtime import build_runtime
from bot.clock import FixedClock
from bot.config import Settings
from bot.models import Channel, ChannelRef, Platform
from tests.adapters.discordbot.conftest import NOW, PAPERS, until
from tests.adapters.discordbot.fake_discord import (
    CHANNEL_ID,
    GUILD_ID,
    FakeDiscord,
    option,
    reaction_event,
    slash_interaction,
)
from tests.conftest import make_paper

REF = ChannelRef(Platform.DISCORD, str(GUILD_ID), str(CHANNEL_ID))
LIKED = "2606.00001"  # "Robot manipulation with diffusion policies", cs.RO
LATER = [
    make_paper(
        "2606.00101",
        "Diffusion policies for legged locomotion",
        "We study diffusion policies: legged locomotion with diffusion policies.",
        categories=("cs.LG",),  # not where the typed topic points: only the 👍 lifts it
    ),
    make_paper(
        "2606.00102",
        "Benchmarking manipulation of deformable objects",
        "A benchmark of deformable objects.",
        categories=("cs.CV",),
    ),
    make_paper("2606.00103", "Protein design with diffusion models", categories=("q-bio.BM",)),
]


@pytest.fixture
def runtime(discord_settings: Settings) -> Iterator[Runtime]:
    clock = FixedClock(NOW)
    rt = build_runtime(discord_settings, clock=clock)
    rt.core.ingest(PAPERS)
    yield rt
    rt.close()


def ranking(rt: Runtime, channel: Channel) -> list[tuple[str, float]]:
    """The channel's next ranking over the papers it has not been shown."""
    channel = rt.store.get_channel(channel.id)
    papers, _ = rt.core.candidates(channel)
    scored = rt.core.ranker.rank(rt.core.profile_for(channel), papers)
    return [(s.paper.id, round(s.score, 6)) for s in scored]


async def test_subscribe_now_react_and_undo(fake: FakeDiscord, runtime: Runtime) -> None:
    handle = start_discord(
        runtime,
        client_factory=lambda core, s: PaperClient(core, s, guild_ready_timeout=0.05),
    )
    try:
        assert await asyncio.to_thread(handle.wait_ready, 5)
        await e2e(fake, runtime)
    finally:
        await asyncio.to_thread(handle.stop)


async def e2e(fake: FakeDiscord, rt: Runtime) -> None:
    # /papers subscribe robot manipulation -> an ephemeral confirmation, channel created
    await fake.dispatch(
        "INTERACTION_CREATE",
        slash_interaction("subscribe", [option("topic", "robot manipulation")]),
    )
    await until(lambda: len(fake.callbacks()) == 1)
    reply = fake.callbacks()[0].body["data"]
    assert "robot manipulation" in reply["content"]
    channel = rt.store.find_channel(REF)
    assert channel is not None

    # /papers now -> a header and one embed message per paper, in this channel
    await fake.dispatch("INTERACTION_CREATE", slash_interaction("now"))
    await until(lambda: len(fake.callbacks()) == 2)
    await until(lambda: bool(rt.store.recent_digests(channel.id)))
    digest = rt.store.recent_digests(channel.id)[0]
    posts = fake.posts(CHANNEL_ID)
    assert len(posts) == 1 + len(digest.items) >= 3
    assert "papers for #papers" in posts[0].body["content"]
    titles = [p.body["embeds"][0]["title"] for p in posts[1:]]
    assert all("manipulation" in t.lower() for t in titles[:3])
    liked = next(i for i in digest.items if i.paper.id == LIKED)
    assert liked.message_id is not None

    # new papers arrive; the next ranking before any reaction
    rt.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    rt.core.ingest(LATER)
    before = ranking(rt, channel)
    assert {pid for pid, _ in before} == {p.id for p in LATER}  # new since the digest

    # a person's 👍 on the paper message is stored and moves the next ranking
    await fake.dispatch("MESSAGE_REACTION_ADD", reaction_event(liked.message_id, "👍"))
    await until(lambda: bool(rt.store.feedback(channel.id)))
    (fb,) = rt.store.feedback(channel.id)
    assert (fb.paper_id, fb.value) == (LIKED, 1)
    after = ranking(rt, channel)
    assert after != before
    assert before[0][0] == "2606.00102"
    assert after[0][0] == "2606.00101"  # the diffusion-policy robotics paper now leads
    assert dict(after)["2606.00101"] > dict(before)["2606.00101"]

    # removing the reaction undoes it
    await fake.dispatch("MESSAGE_REACTION_REMOVE", reaction_event(liked.message_id, "👍"))
    await until(lambda: not rt.store.feedback(channel.id))
    assert ranking(rt, channel) == before
