"""Questions in a paper's thread on Discord: gateway MESSAGE_CREATE payloads parsed purely, then
through the real discord.py client against the local fake: a reply to a paper, a thread started
from it (cached from THREAD_CREATE, or looked up over REST), help elsewhere, answered once."""

from __future__ import annotations

import asyncio

import pytest

from adapters.discord import inbound
from adapters.discord.client import PaperClient
from bot.answers import ThreadQuestions
from bot.models import Channel, ChannelRef, ChannelSettings, Interest, InterestKind, Platform
from bot.service import PaperBot
from tests.adapters.discordbot.conftest import NOW, until
from tests.adapters.discordbot.fake_discord import (
    BOT_ID,
    CHANNEL_ID,
    GUILD_ID,
    USER_ID,
    Call,
    FakeDiscord,
    thread_channel,
    user_message,
)
from tests.conftest import make_paper

HOSTILE = make_paper(
    "2606.00009",
    "Robot manipulation @everyone benchmark",
    "We release the **ManipSet** dataset of robot manipulation at [ManipSet](https://evil.example) "
    "for @everyone <@5000>.",
    categories=("cs.RO",),
)


def test_a_reply_mentioning_the_bot_is_a_question_about_the_replied_to_message() -> None:
    data = user_message(f"<@!{BOT_ID}> what   dataset?", reply_to=9001)
    question = inbound.mention_question(data, bot_user_id=BOT_ID)
    assert question is not None
    assert (question.workspace, question.channel, question.user_id) == (
        str(GUILD_ID),
        str(CHANNEL_ID),
        str(USER_ID),
    )
    assert question.text == "what dataset?" and question.message_ids == ("9001",)
    assert question.event_id == f"discord-message:{data['id']}"


def test_in_a_thread_the_paper_is_the_threads_starter_message_in_the_parent() -> None:
    data = user_message(f"<@{BOT_ID}> why?", channel_id=9001)
    question = inbound.mention_question(data, bot_user_id=BOT_ID, thread_parent_id=CHANNEL_ID)
    assert question is not None
    assert question.channel == str(CHANNEL_ID) and question.message_ids == ("9001",)


@pytest.mark.parametrize(
    "data",
    [
        user_message("what dataset?", mentions=()),  # not addressed to the bot
        user_message("<@5001> what dataset?", mentions=(5001,)),  # someone else
        user_message(f"<@{BOT_ID}> hi", author_id=7, bot=True),  # another bot
        {**user_message(f"<@{BOT_ID}> hi"), "guild_id": None},  # a DM
        {**user_message(f"<@{BOT_ID}> hi"), "webhook_id": "1"},
    ],
)
def test_messages_that_are_not_questions(data: dict) -> None:
    assert inbound.mention_question(data, bot_user_id=BOT_ID) is None


@pytest.fixture
def asking(core: PaperBot) -> PaperBot:
    settings = core.settings.model_copy(update={"answer_full_text": False})
    core.questions = ThreadQuestions.from_settings(core.store, core.clock, settings)  # type: ignore[arg-type]
    core.ingest([HOSTILE])
    return core


async def posted(core: PaperBot) -> dict[str, str]:
    """A digest for a robot-manipulation channel: paper id -> its message id."""
    ref = ChannelRef(Platform.DISCORD, str(GUILD_ID), str(CHANNEL_ID))
    channel: Channel = core.store.add_channel(
        ref, "papers", ChannelSettings(size=5), [Interest(InterestKind.TOPIC, "robot")], now=NOW
    )
    _, result = await asyncio.to_thread(core.run_digest, channel, run_key="2026-06-30")
    assert result.digest is not None
    return {i.paper.id: str(i.message_id) for i in result.digest.items}


def answers(fake: FakeDiscord, channel_id: int | str) -> list[Call]:
    return [p for p in fake.posts(channel_id) if p.body.get("message_reference")]


async def test_a_reply_to_a_paper_is_answered_as_a_reply_once(
    fake: FakeDiscord, client: PaperClient, asking: PaperBot
) -> None:
    paper_message = (await posted(asking))["2606.00001"]
    question = user_message(f"<@{BOT_ID}> do they use diffusion policies?", reply_to=paper_message)
    await fake.dispatch("MESSAGE_CREATE", question)
    await until(lambda: len(answers(fake, CHANNEL_ID)) == 1)
    body = answers(fake, CHANNEL_ID)[0].body
    assert str(body["message_reference"]["message_id"]) == question["id"]
    assert body["allowed_mentions"]["parse"] == []
    assert "“We study robot manipulation with diffusion policies.” (abstract)" in body["content"]
    # a re-delivered event (same message id) is not answered again; the next question is
    await fake.dispatch("MESSAGE_CREATE", question)
    other = user_message(f"<@{BOT_ID}> what GPU?", reply_to=paper_message)
    await fake.dispatch("MESSAGE_CREATE", other)
    await until(lambda: len(answers(fake, CHANNEL_ID)) == 2)
    await asyncio.sleep(0.2)
    assert len(answers(fake, CHANNEL_ID)) == 2
    assert "does not say" in answers(fake, CHANNEL_ID)[1].body["content"]


async def test_a_question_in_a_thread_started_from_a_paper_is_answered_in_the_thread(
    fake: FakeDiscord, client: PaperClient, asking: PaperBot
) -> None:
    paper_message = (await posted(asking))["2606.00002"]
    await fake.dispatch("THREAD_CREATE", {**thread_channel(paper_message), "newly_created": True})
    question = user_message(f"<@{BOT_ID}> do they use video?", channel_id=paper_message)
    await fake.dispatch("MESSAGE_CREATE", question)
    await until(lambda: len(answers(fake, paper_message)) == 1)
    content = answers(fake, paper_message)[0].body["content"]
    assert "“We study dexterous robot manipulation from video.”" in content


async def test_a_thread_the_client_never_saw_is_looked_up(
    fake: FakeDiscord, client: PaperClient, asking: PaperBot
) -> None:
    paper_message = (await posted(asking))["2606.00002"]
    fake.threads[paper_message] = thread_channel(paper_message)
    question = user_message(f"<@{BOT_ID}> do they use video?", channel_id=paper_message)
    await fake.dispatch("MESSAGE_CREATE", question)
    await until(lambda: len(answers(fake, paper_message)) == 1)
    assert any(c.method == "GET" and c.path == f"/channels/{paper_message}" for c in fake.calls)
    assert "from video" in answers(fake, paper_message)[0].body["content"]


async def test_a_mention_elsewhere_gets_help_and_other_messages_nothing(
    fake: FakeDiscord, client: PaperClient, asking: PaperBot
) -> None:
    await posted(asking)
    await fake.dispatch("MESSAGE_CREATE", user_message("hello everyone", mentions=()))
    await fake.dispatch("MESSAGE_CREATE", user_message(f"<@{BOT_ID}> what can you do?"))
    await until(lambda: len(answers(fake, CHANNEL_ID)) == 1)
    assert "reply to a paper I posted" in answers(fake, CHANNEL_ID)[0].body["content"]


async def test_quotes_from_a_hostile_abstract_stay_text(
    fake: FakeDiscord, client: PaperClient, asking: PaperBot
) -> None:
    paper_message = (await posted(asking))[HOSTILE.id]
    question = user_message(f"<@{BOT_ID}> which dataset @here?", reply_to=paper_message)
    await fake.dispatch("MESSAGE_CREATE", question)
    await until(lambda: len(answers(fake, CHANNEL_ID)) == 1)
    body = answers(fake, CHANNEL_ID)[0].body
    content = body["content"]
    assert "ManipSet" in content and "@here" not in content
    assert "](https://evil" not in content and "**ManipSet**" not in content
    assert "@everyone" not in content.replace("@\u200beveryone", "")
    assert body["allowed_mentions"] == {"parse": [], "replied_user": False}
