"""The real discord.py paths against the local fake: login, sync, posting, 429, reactions."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import discord
import pytest

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.client import PaperClient, minimal_intents
from bot.config import Settings
from bot.errors import ChannelUnavailable, DeliveryError, DeliveryUncertain, RateLimited
from bot.limits import SIZE_MAX, SIZE_MIN
from bot.models import (
    Channel,
    ChannelRef,
    ChannelSettings,
    Interest,
    InterestKind,
    MarkKind,
    OutboxMark,
    Platform,
    ReactionEvent,
)
from bot.service import PaperBot
from tests.adapters.discordbot.conftest import NOW, adapter_of, until
from tests.adapters.discordbot.fake_discord import (
    APP_ID,
    BOT_ID,
    CHANNEL_ID,
    GUILD_ID,
    OTHER_CHANNEL_ID,
    FakeDiscord,
    option,
    reaction_event,
    slash_interaction,
)

REF = ChannelRef(Platform.DISCORD, str(GUILD_ID), str(CHANNEL_ID))


def add_channel(
    core: PaperBot, channel_id: int = CHANNEL_ID, topic: str = "robot manipulation"
) -> Channel:
    ref = ChannelRef(Platform.DISCORD, str(GUILD_ID), str(channel_id))
    return core.store.add_channel(
        ref, "papers", ChannelSettings(size=3), [Interest(InterestKind.TOPIC, topic)], now=NOW
    )


async def run_digest(core: PaperBot, channel: Channel):  # type: ignore[no-untyped-def]
    """The core is synchronous: drive it from a worker thread, as the scheduler does."""
    return await asyncio.to_thread(core.run_digest, channel, run_key="2026-06-30")


async def test_login_uses_minimal_intents_and_syncs_the_guild(
    fake: FakeDiscord, client: PaperClient
) -> None:
    assert fake.identify is not None and fake.identify["token"] == "fake-token"
    intents = discord.Intents._from_value(fake.identify["intents"])
    assert intents == minimal_intents()
    assert not (intents.members or intents.presences or intents.message_content)
    assert intents.guilds and intents.guild_reactions
    sync = [c for c in fake.calls if c.method == "PUT" and c.path.endswith("/commands")]
    assert [c.path for c in sync] == [f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"]
    (group,) = sync[0].body
    assert group["name"] == "papers"
    subs = {o["name"]: o for o in group["options"]}
    assert set(subs) == {
        "help", "subscribe", "unsubscribe", "exclude", "include", "like", "unlike", "import", "forget",
        "topics", "schedule", "size", "threshold", "set", "pause", "resume", "now", "search", "why",
        "stats", "history", "managers", "web",
    }  # fmt: skip
    # one command open to all; who may change settings is checked per command at run time
    assert group.get("default_member_permissions") is None
    managers = subs["managers"]
    assert managers["type"] == 2  # a subcommand group: /papers managers list|add|remove
    actions = {o["name"]: o for o in managers["options"]}
    assert set(actions) == {"list", "add", "remove"}
    assert [(o["name"], o["type"]) for o in actions["add"]["options"]] == [("member", 6)]
    schedule = {o["name"]: o for o in subs["schedule"]["options"]}
    assert schedule["timezone"]["autocomplete"] is True and schedule["time"]["required"] is True
    assert subs["unsubscribe"]["options"][0]["autocomplete"] is True
    assert subs["unlike"]["options"][0]["autocomplete"] is True
    # /papers import file:<attachment> (option type 11), required
    assert [(o["name"], o["type"], o["required"]) for o in subs["import"]["options"]] == [
        ("file", 11, True)
    ]
    switch = {o["name"]: o for o in subs["set"]["options"]}
    assert [c["value"] for c in switch["option"]["choices"]] == ["authors", "threads", "empty"]
    assert [c["value"] for c in switch["value"]["choices"]] == ["on", "off"]
    assert not switch["option"].get("required") and not switch["value"].get("required")
    size = subs["size"]["options"][0]
    assert (size["type"], size["min_value"], size["max_value"]) == (4, SIZE_MIN, SIZE_MAX)
    when = schedule["time"]  # 9am fits, and so does a cron line
    assert when["min_length"] <= len("9am") and when["max_length"] >= len("0 9 * * mon-fri")
    assert [c["value"] for c in subs["threshold"]["options"][0]["choices"]] == [
        "low",
        "medium",
        "high",
    ]


async def test_digest_posts_header_and_one_embed_per_paper_with_feedback_reactions(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    channel = add_channel(core)
    _, result = await run_digest(core, channel)
    posts = fake.posts(CHANNEL_ID)
    assert len(posts) == 1 + len(result.posted) == 4
    assert posts[0].body["content"].startswith("📚 **3 papers for #papers**")
    assert posts[0].body["allowed_mentions"] == {"parse": []}
    embeds = [p.body["embeds"][0] for p in posts[1:]]
    assert all("robot manipulation" in e["title"].lower() for e in embeds)
    assert all(e["url"].startswith("https://arxiv.org/abs/2606.") for e in embeds)
    reactions = [c.path.split("/")[-2] for c in fake.reactions_added()]
    assert reactions == ["👍", "👎"] * 3
    digest = result.digest
    assert digest is not None and digest.header_message_id is not None
    assert all(i.message_id for i in digest.items)


async def test_429_is_waited_out_by_discord_py(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    channel = add_channel(core)
    fake.rate_limit_next_post = 1
    _, result = await run_digest(core, channel)
    assert len(result.posted) == 3 and not result.failed
    assert len(fake.posts(CHANNEL_ID)) == 1 + 1 + 3  # one 429, then header and papers


async def test_429_that_discord_py_does_not_retry_becomes_rate_limited(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    channel = add_channel(core)
    fake.rate_limit_next_post = 1
    fake.rate_limit_with_via = False  # a Cloudflare-style 429
    with pytest.raises(RateLimited) as info:
        await asyncio.to_thread(adapter_of(core).post_notice, channel, "hello")
    assert info.value.retry_after == 1.0
    assert len(fake.posts()) == 1  # no tight retry loop


@pytest.mark.parametrize("failure", ["forbidden_channels", "missing_channels"])
async def test_lost_access_pauses_the_channel_with_a_reason(
    fake: FakeDiscord, client: PaperClient, core: PaperBot, failure: str
) -> None:
    channel = add_channel(core)
    getattr(fake, failure).add(str(CHANNEL_ID))
    with pytest.raises(ChannelUnavailable):
        await run_digest(core, channel)
    paused = core.store.get_channel(channel.id).settings
    assert paused.paused is True
    assert (
        paused.paused_reason is not None and "Discord refused the channel" in paused.paused_reason
    )
    assert len(fake.posts()) == 1  # stopped at the first refusal


async def test_other_http_errors_are_delivery_errors(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    channel = add_channel(core)
    fake.fail_channels.add(str(CHANNEL_ID))
    with pytest.raises(DeliveryError) as info:
        await asyncio.to_thread(adapter_of(core).post_notice, channel, "hi")
    assert not isinstance(info.value, ChannelUnavailable | RateLimited)
    assert "400" in str(info.value)


async def test_adapter_without_a_running_client_says_so(core: PaperBot) -> None:
    channel = add_channel(core)
    with pytest.raises(DeliveryError, match="not running"):
        DiscordAdapter().post_notice(channel, "hi")


async def test_reactions_are_stored_undone_and_the_bots_own_are_ignored(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    channel = add_channel(core)
    _, result = await run_digest(core, channel)
    assert result.digest is not None
    first = result.digest.items[0]
    await fake.dispatch(
        "MESSAGE_REACTION_ADD", reaction_event(first.message_id or "", user_id=BOT_ID)
    )
    await fake.dispatch("MESSAGE_REACTION_ADD", reaction_event(first.message_id or "", "👍"))
    await until(lambda: core.store.feedback(channel.id))
    (fb,) = core.store.feedback(channel.id)
    assert (fb.paper_id, fb.user_id, fb.value) == (first.paper.id, "5000", 1)
    # the same event again (a gateway replay) changes nothing
    await fake.dispatch("MESSAGE_REACTION_ADD", reaction_event(first.message_id or "", "👍"))
    await fake.dispatch("MESSAGE_REACTION_REMOVE", reaction_event(first.message_id or "", "👍"))
    await until(lambda: not core.store.feedback(channel.id))
    assert core.store.reaction_counts(channel.id) == (0, 0)


async def test_reactions_keep_gateway_order_when_worker_threads_finish_out_of_order(
    fake: FakeDiscord, client: PaperClient, core: PaperBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Raw reaction events carry no time: the client stamps them in gateway order, so an add
    whose thread is held back behind its own removal still loses to it."""
    channel = add_channel(core)
    _, result = await run_digest(core, channel)
    assert result.digest is not None
    message_id = result.digest.items[0].message_id or ""
    removal_done, finished = threading.Event(), []
    on_reaction = core.on_reaction

    def add_after_the_removal(event: ReactionEvent) -> bool:
        if event.added:
            assert removal_done.wait(5)
        changed = on_reaction(event)
        removal_done.set()
        finished.append(event.added)
        return changed

    monkeypatch.setattr(core, "on_reaction", add_after_the_removal)
    await fake.dispatch("MESSAGE_REACTION_ADD", reaction_event(message_id, "👍"))
    await fake.dispatch("MESSAGE_REACTION_REMOVE", reaction_event(message_id, "👍"))
    await until(lambda: len(finished) == 2)
    assert finished == [False, True]  # the removal was recorded first
    assert core.store.feedback(channel.id) == []


async def test_gateway_reconnect_resumes_and_keeps_feedback_flowing(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    channel = add_channel(core)
    _, result = await run_digest(core, channel)
    assert result.digest is not None
    message_id = result.digest.items[1].message_id or ""
    await fake.drop_connection(4000)  # "unknown error": discord.py resumes
    await asyncio.wait_for(fake.connected.wait(), 10)
    assert fake.resumes == 1 and fake.identifies == 1
    await fake.dispatch("MESSAGE_REACTION_ADD", reaction_event(message_id, "👎"))
    await until(lambda: core.store.reaction_counts(channel.id) == (0, 1))


async def test_slash_commands_create_the_channel_and_answer_publicly_or_privately(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    await fake.dispatch(
        "INTERACTION_CREATE",
        slash_interaction(
            "subscribe",
            [option("topic", "robot manipulation")],
            channel_id=OTHER_CHANNEL_ID,
            channel_name="robots",
        ),
    )
    await until(fake.callbacks)
    (callback,) = fake.callbacks()
    assert callback.body["type"] == 4
    assert "flags" not in callback.body["data"]  # a profile change is shown to the channel
    assert "robot manipulation" in callback.body["data"]["content"]
    created = core.store.find_channel(
        ChannelRef(Platform.DISCORD, str(GUILD_ID), str(OTHER_CHANNEL_ID))
    )
    assert created is not None and created.name == "robots"
    assert created.interest_values(InterestKind.TOPIC) == ("robot manipulation",)

    await fake.dispatch(
        "INTERACTION_CREATE", slash_interaction("topics", channel_id=OTHER_CHANNEL_ID)
    )
    await until(lambda: len(fake.callbacks()) == 2)
    topics = fake.callbacks()[1].body["data"]
    assert topics["flags"] == 64  # only the caller sees it
    assert topics["content"].startswith("**Profile of #robots**")  # *bold* -> **bold**

    await fake.dispatch("INTERACTION_CREATE", slash_interaction("why", [option("paper", "nope")]))
    await until(lambda: len(fake.callbacks()) == 3)
    error = fake.callbacks()[2].body["data"]
    assert error["flags"] == 64 and "is not an arXiv id" in error["content"]


async def test_slow_commands_are_deferred_then_followed_up(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    add_channel(core)
    client.defer_after = 0.0  # anything slower than nothing is deferred
    await fake.dispatch("INTERACTION_CREATE", slash_interaction("now"))
    await until(fake.followups)
    (callback,) = fake.callbacks()
    assert (
        callback.body["type"] == 5 and callback.body["data"]["flags"] == 64
    )  # deferred, ephemeral
    (followup,) = fake.followups()
    assert followup.body["content"] == "Posted 3 papers."
    assert len(fake.posts(CHANNEL_ID)) == 4  # the digest went to the channel it was asked in
    assert followup.body["flags"] == 64


async def test_autocomplete_offers_timezones_and_the_channels_own_topics(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    add_channel(core, topic="robot manipulation")
    core.store.add_interest(
        core.store.find_channel(REF).id, Interest(InterestKind.CATEGORY, "cs.RO"), now=NOW
    )  # type: ignore[union-attr]
    tz = slash_interaction(
        "schedule", [option("time", "09:00"), option("timezone", "berl", focused=True)], kind=4
    )
    await fake.dispatch("INTERACTION_CREATE", tz)
    await until(fake.callbacks)
    answer = fake.callbacks()[0].body
    assert answer["type"] == 8
    assert [c["value"] for c in answer["data"]["choices"]] == ["Europe/Berlin"]
    topic = slash_interaction("unsubscribe", [option("topic", "", focused=True)], kind=4)
    await fake.dispatch("INTERACTION_CREATE", topic)
    await until(lambda: len(fake.callbacks()) == 2)
    choices = {c["name"]: c["value"] for c in fake.callbacks()[1].body["data"]["choices"]}
    # values in the syntax `/papers unsubscribe` parses
    assert choices == {"robot manipulation": "robot manipulation", "cs.RO (category)": "cat:cs.RO"}
    liked = next(iter(core.store.papers_seen_since(NOW - timedelta(days=30))))
    core.store.add_interest(
        core.store.find_channel(REF).id, Interest(InterestKind.SEED, liked.id), now=NOW
    )  # type: ignore[union-attr]
    unlike = slash_interaction("unlike", [option("paper", "", focused=True)], kind=4)
    await fake.dispatch("INTERACTION_CREATE", unlike)
    await until(lambda: len(fake.callbacks()) == 3)
    (choice,) = fake.callbacks()[2].body["data"]["choices"]
    assert choice["value"] == liked.id and choice["name"].endswith(f"({liked.id})")
    assert liked.title[:20] in choice["name"] and len(choice["name"]) <= 100


async def test_removed_from_guild_pauses_its_channels(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    channel = add_channel(core)
    await fake.dispatch("GUILD_DELETE", {"id": str(GUILD_ID)})
    await until(lambda: core.store.get_channel(channel.id).settings.paused)
    assert (
        core.store.get_channel(channel.id).settings.paused_reason
        == "the bot was removed from the server"
    )


async def test_a_deleted_channel_is_paused(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    channel = add_channel(core)
    other = add_channel(core, OTHER_CHANNEL_ID)
    await fake.dispatch(
        "CHANNEL_DELETE",
        {"id": str(CHANNEL_ID), "type": 0, "guild_id": str(GUILD_ID), "name": "papers",
         "position": 0, "permission_overwrites": []},
    )  # fmt: skip
    await until(lambda: core.store.get_channel(channel.id).settings.paused)
    assert (
        core.store.get_channel(channel.id).settings.paused_reason
        == "the Discord channel was deleted"
    )
    assert not core.store.get_channel(other.id).settings.paused


def test_long_rate_limit_waits_surface_as_rate_limited() -> None:
    from adapters.discord.adapter import translate

    error = translate(discord.RateLimited(90.0))
    assert isinstance(error, RateLimited) and error.retry_after == 90.0
    # a reset may come after Discord created the message: maybe posted, looked up first
    assert type(translate(ConnectionResetError("reset"))) is DeliveryUncertain


async def test_a_failed_start_up_sync_does_not_stop_the_client(
    fake: FakeDiscord, core: PaperBot, discord_settings: Settings
) -> None:
    from adapters.discord.client import configure_endpoints

    configure_endpoints(discord_settings)
    settings = discord_settings.model_copy(update={"discord_guild_id": "999"})  # not a member
    bot = PaperClient(core, settings, guild_ready_timeout=0.05)
    task = asyncio.create_task(bot.start("fake-token"))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 5)
        assert any(c.path.endswith("/guilds/999/commands") for c in fake.calls)
    finally:
        await bot.close()
        await asyncio.wait_for(task, 5)


async def test_joining_a_guild_syncs_the_commands_there(
    fake: FakeDiscord, client: PaperClient
) -> None:
    from tests.adapters.discordbot.fake_discord import guild_payload

    fake.member_guilds.add("3001")
    joined = guild_payload(3001)
    del joined["unavailable"]  # a join, not a guild coming back from an outage
    await fake.dispatch("GUILD_CREATE", joined)
    await until(lambda: any(c.path.endswith("/guilds/3001/commands") for c in fake.calls))
    (sync,) = [c for c in fake.calls if c.path.endswith("/guilds/3001/commands")]
    assert sync.method == "PUT" and sync.body[0]["name"] == "papers"


async def test_a_deferred_public_reply_is_still_posted_publicly(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    add_channel(core)
    client.defer_after = 0.0
    await fake.dispatch(
        "INTERACTION_CREATE", slash_interaction("like", [option("paper", "2606.00001")])
    )
    await until(lambda: len(fake.followups()) == 2)
    (callback,) = fake.callbacks()
    assert callback.body["type"] == 5 and callback.body["data"]["flags"] == 64
    private, public = fake.followups()
    assert private.body["flags"] == 64 and private.body["content"].startswith("Done")
    assert "flags" not in public.body or public.body["flags"] == 0
    assert public.body["content"].startswith("Noted: this channel likes")


async def test_schedule_options_in_any_order_reach_the_core_in_its_order(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    assert client.option_order["schedule"] == ["time", "timezone", "days"]
    channel = add_channel(core)
    options = [option("days", "mon,wed"), option("time", "07:30"), option("timezone", "Asia/Tokyo")]
    await fake.dispatch("INTERACTION_CREATE", slash_interaction("schedule", options))
    await until(fake.callbacks)
    schedule = core.store.get_channel(channel.id).settings.schedule
    assert (schedule.time, schedule.timezone, schedule.days) == ("07:30", "Asia/Tokyo", (0, 2))


async def test_set_switches_an_option_and_refuses_slack_only_threads(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    assert client.option_order["set"] == ["option", "value"]
    channel = add_channel(core)
    options = [option("value", "off"), option("option", "authors")]  # out of order
    await fake.dispatch("INTERACTION_CREATE", slash_interaction("set", options))
    await until(fake.callbacks)
    assert core.store.get_channel(channel.id).settings.follow_authors is False
    await fake.dispatch(
        "INTERACTION_CREATE",
        slash_interaction("set", [option("option", "threads"), option("value", "on")]),
    )
    await until(lambda: len(fake.callbacks()) == 2)
    refused = fake.callbacks()[-1].body
    assert refused["data"]["flags"] == 64 and "Slack only" in refused["data"]["content"]
    assert core.store.get_channel(channel.id).settings.thread_mode is False


async def test_missing_add_reactions_permission_still_posts_the_paper(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    channel = add_channel(core)
    fake.forbid_reactions = True
    _, result = await run_digest(core, channel)
    assert len(result.posted) == 3 and not result.failed
    assert not core.store.get_channel(channel.id).settings.paused
    assert len(fake.reactions_added()) == 3  # one refused try per paper, then it gives up


class _Crash(Exception):
    pass


async def test_crash_after_post_before_recording_finds_the_message_instead_of_reposting(
    fake: FakeDiscord, client: PaperClient, core: PaperBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = add_channel(core)
    store = core.store
    record = store.apply_marks
    recorded: list[str] = []

    def crash_on_second(digest_id: int, marks: list[OutboxMark], **kw: object) -> bool:
        posted = [m.paper_id for m in marks if m.kind is MarkKind.POSTED]
        if posted and recorded:
            raise _Crash  # the 2nd paper is posted; the process dies before recording it
        recorded.extend(posted)
        return record(digest_id, marks, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "apply_marks", crash_on_second)
    with pytest.raises(_Crash):
        await run_digest(core, channel)
    monkeypatch.setattr(store, "apply_marks", record)
    assert len(fake.posts(CHANNEL_ID)) == 1 + 2

    _, result = await run_digest(core, channel)  # resumed: same run key

    posts = fake.posts(CHANNEL_ID)
    assert len(posts) == 1 + 3  # the second paper was found, not posted again
    assert len(result.reconciled) == 1
    digest = core.store.find_digest(channel.id, "2026-06-30")
    assert digest is not None
    second = next(i for i in digest.items if i.paper.id == result.reconciled[0])
    assert second.message_id == fake.posted[str(CHANNEL_ID)][2]["id"]
    assert any(c.method == "GET" and c.path.endswith("/messages") for c in fake.calls)


async def test_find_item_message_without_history_access_cannot_tell(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    channel = add_channel(core)
    _, result = await run_digest(core, channel)
    digest = result.digest
    assert digest is not None
    adapter = adapter_of(core)
    item = digest.items[0]
    found = await asyncio.to_thread(adapter.find_item_message, channel, digest, item)
    assert found == item.message_id
    fake.history_forbidden = True
    assert await asyncio.to_thread(adapter.find_item_message, channel, digest, item) is None
