"""Who may change a channel on Discord: the member's permissions in the interaction, checked at
run time through the real discord.py client against the fake gateway."""

from __future__ import annotations

import pytest

from adapters.discord.client import PaperClient
from adapters.discord.inbound import command_request, manages_channel
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Platform
from bot.service import PaperBot
from tests.adapters.discordbot.conftest import NOW, until
from tests.adapters.discordbot.fake_discord import (
    CHANNEL_ID,
    GUILD_ID,
    MANAGE_CHANNELS,
    MEMBER_ID,
    MEMBER_PERMISSIONS,
    FakeDiscord,
    managers_interaction,
    slash_interaction,
)

REF = ChannelRef(Platform.DISCORD, str(GUILD_ID), str(CHANNEL_ID))
EPHEMERAL = 64


def configured(core: PaperBot) -> None:
    core.store.add_channel(
        REF,
        "papers",
        ChannelSettings(size=3),
        [Interest(InterestKind.TOPIC, "robot manipulation")],
        now=NOW,
    )


async def answer(fake: FakeDiscord, payload: dict) -> dict:  # type: ignore[type-arg]
    seen = len(fake.callbacks())
    await fake.dispatch("INTERACTION_CREATE", payload)
    await until(lambda: len(fake.callbacks()) > seen)
    data: dict = fake.callbacks()[seen].body["data"]  # type: ignore[type-arg]
    return data


async def test_a_member_without_manage_channels_is_refused_and_nothing_changes(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    configured(core)
    before = core.store.find_channel(REF)
    for sub in ("pause", "forget", "now"):
        reply = await answer(
            fake,
            slash_interaction(sub, user_id=MEMBER_ID, permissions=MEMBER_PERMISSIONS),
        )
        assert reply["flags"] == EPHEMERAL
        assert reply["content"].startswith("Only members with Manage Channels")
        assert "`/papers managers add @you`" in reply["content"]
    assert core.store.find_channel(REF) == before
    assert fake.posts(CHANNEL_ID) == []  # `now` posted nothing
    # reading stays open to everyone
    topics = await answer(
        fake, slash_interaction("topics", user_id=MEMBER_ID, permissions=MEMBER_PERMISSIONS)
    )
    assert topics["content"].startswith("**Profile of #papers**")


@pytest.mark.parametrize(
    "permissions",
    [MANAGE_CHANNELS, 1 << 5, 1 << 3],
    ids=["manage-channels", "manage-guild", "admin"],
)
async def test_manage_channels_manage_server_or_administrator_may_change_settings(
    fake: FakeDiscord, client: PaperClient, core: PaperBot, permissions: int
) -> None:
    configured(core)
    bits = str(int(MEMBER_PERMISSIONS) | permissions)
    reply = await answer(fake, slash_interaction("pause", user_id=MEMBER_ID, permissions=bits))
    assert reply["content"].startswith("Paused scheduled digests")
    channel = core.store.find_channel(REF)
    assert channel is not None and channel.settings.paused


async def test_an_admin_adds_a_manager_who_may_then_change_settings(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    configured(core)
    added = await answer(fake, managers_interaction("add", MEMBER_ID))
    assert f"<@{MEMBER_ID}> now manages this channel" in added["content"]
    channel = core.store.find_channel(REF)
    assert channel is not None and core.store.channel_managers(channel.id) == [str(MEMBER_ID)]
    plain = {"user_id": MEMBER_ID, "permissions": MEMBER_PERMISSIONS}
    paused = await answer(fake, slash_interaction("pause", **plain))  # type: ignore[arg-type]
    assert paused["content"].startswith("Paused")
    # a manager changes settings, not who manages: that stays with admins
    refused = await answer(fake, managers_interaction("remove", MEMBER_ID, **plain))
    assert refused["flags"] == EPHEMERAL and "change who manages" in refused["content"]
    listing = await answer(fake, managers_interaction("list", **plain))
    assert f"Managers: <@{MEMBER_ID}>" in listing["content"]
    assert core.store.channel_managers(channel.id) == [str(MEMBER_ID)]


def test_inbound_reads_the_members_permissions_from_a_recorded_interaction() -> None:
    member = slash_interaction("pause", user_id=MEMBER_ID, permissions=MEMBER_PERMISSIONS)
    manager = slash_interaction("pause", permissions=str(MANAGE_CHANNELS))
    assert not manages_channel(member) and manages_channel(manager)
    req = command_request(manager)
    assert req is not None and req.caller_admin is True
    broken = dict(member, member={"user": member["member"]["user"], "permissions": "x"})
    missing = dict(member, member={"user": member["member"]["user"]})
    assert not manages_channel(broken) and not manages_channel(missing)  # fail closed
    text = command_request(managers_interaction("add", MEMBER_ID))
    assert text is not None and text.text == f"managers add {MEMBER_ID}"
