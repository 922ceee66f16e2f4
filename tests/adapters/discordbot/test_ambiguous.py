"""Exactly-once posts on Discord after ambiguous failures: discord.py against the fake, which
stores a message and then answers 500, resets the connection or stalls past our timeout, and
which dedupes creates by nonce (enforce_nonce) within its window, as Discord does."""

from __future__ import annotations

from collections import Counter
from unittest.mock import MagicMock

import aiohttp
import discord
import pytest

from adapters.discord.adapter import translate
from adapters.discord.client import PaperClient
from bot.errors import DeliveryError, DeliveryUncertain
from bot.models import ItemStatus
from bot.service import PaperBot
from tests.adapters.discordbot.conftest import adapter_of
from tests.adapters.discordbot.fake_discord import CHANNEL_ID, FakeDiscord
from tests.adapters.discordbot.test_client import add_channel, run_digest
from tests.faults import ACCEPT_500, ACCEPT_RESET, ACCEPT_STALL, REJECT_500

TIMEOUT = 0.4  # the adapter's call timeout; ACCEPT_STALL holds the answer back longer


def stored(fake: FakeDiscord) -> Counter[str]:
    return Counter(what for what, _id in fake.marked(CHANNEL_ID))


def recorded_ids_are_the_real_ones(core: PaperBot, fake: FakeDiscord, channel_id: int) -> None:
    digest = core.store.find_digest(channel_id, "2026-06-30")
    assert digest is not None and all(i.status is ItemStatus.POSTED for i in digest.items)
    real = dict(fake.marked(CHANNEL_ID))
    assert {i.paper.id: i.message_id for i in digest.items} == {
        i.paper.id: real[i.paper.id] for i in digest.items
    }
    assert digest.header_message_id == real["header"]


@pytest.mark.parametrize("fault", [ACCEPT_500, ACCEPT_RESET, ACCEPT_STALL, REJECT_500])
async def test_no_duplicate_after_an_ambiguous_create(
    fault: str, fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    channel = add_channel(core)
    adapter_of(core).call_timeout = TIMEOUT
    fake.stall_seconds = TIMEOUT + 0.4
    fake.faults.script = [None, None, fault]  # the 2nd paper's create fails

    _, first = await run_digest(core, channel)
    if first.failed:  # maybe posted: looked up on the next run
        _, second = await run_digest(core, channel)
        assert not second.failed
        if fault == REJECT_500:  # not there: posted again
            assert len(second.posted) == 1 and not second.reconciled
        else:
            assert not second.posted and len(second.reconciled) == 1
    # (with a call timeout above discord.py's retry pause, a 500 is re-sent by discord.py
    # itself with the same nonce, and Discord answers with the message it already made)

    assert stored(fake) == {"header": 1, **{pid: 1 for pid in stored(fake) if pid != "header"}}
    assert len(stored(fake)) == 1 + 3
    recorded_ids_are_the_real_ones(core, fake, channel.id)


async def test_beyond_the_nonce_window_the_lookup_finds_the_paper_and_the_header(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    channel = add_channel(core)
    fake.nonce_window = 0.0  # Discord has forgotten the nonce by the time we try again
    fake.faults.script = [ACCEPT_RESET]  # the header
    _, first = await run_digest(core, channel)
    assert first.failed and not first.posted
    fake.faults.script = [None, ACCEPT_RESET]  # the 2nd paper
    _, second = await run_digest(core, channel)
    assert len(second.failed) == 1
    _, third = await run_digest(core, channel)
    assert len(third.reconciled) == 1 and not third.failed
    assert set(stored(fake).values()) == {1} and len(stored(fake)) == 1 + 3
    recorded_ids_are_the_real_ones(core, fake, channel.id)


async def test_without_history_access_the_nonce_still_prevents_the_duplicate(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    """The lookup cannot tell (no Read Message History), so DELIVERY_UNCERTAIN=repost posts
    again: with the same nonce, inside the window, and Discord hands back the first one."""
    channel = add_channel(core)
    fake.history_forbidden = True
    fake.faults.script = [None, None, ACCEPT_RESET]
    _, first = await run_digest(core, channel)
    assert len(first.failed) == 1
    _, second = await run_digest(core, channel)
    assert second.posted and not second.failed
    assert set(stored(fake).values()) == {1} and len(stored(fake)) == 1 + 3
    creates = fake.posts(CHANNEL_ID)
    assert len(creates) == 1 + 3 + 1  # the re-post was sent, and deduplicated by Discord
    assert creates[2].body["nonce"] == creates[4].body["nonce"]
    assert creates[2].body["enforce_nonce"] is True
    recorded_ids_are_the_real_ones(core, fake, channel.id)


async def test_discord_py_resends_a_500_with_the_same_nonce_and_gets_the_first_message(
    fake: FakeDiscord, client: PaperClient, core: PaperBot
) -> None:
    channel = add_channel(core)
    fake.faults.script = [None, None, ACCEPT_500]  # stored, then 500; discord.py re-sends
    _, first = await run_digest(core, channel)
    assert not first.failed and len(first.posted) == 3
    creates = fake.posts(CHANNEL_ID)
    assert len(creates) == 1 + 3 + 1 and creates[2].body == creates[3].body
    assert set(stored(fake).values()) == {1} and len(stored(fake)) == 1 + 3
    recorded_ids_are_the_real_ones(core, fake, channel.id)


def http_error(status: int) -> discord.HTTPException:
    response = MagicMock(spec=aiohttp.ClientResponse)
    response.status, response.reason = status, "x"
    return discord.HTTPException(response, {"message": "x", "code": 0})


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (http_error(500), DeliveryUncertain),
        (http_error(503), DeliveryUncertain),
        (http_error(400), DeliveryError),
        (aiohttp.ServerDisconnectedError(), DeliveryUncertain),
        (aiohttp.ClientOSError(104, "Connection reset by peer"), DeliveryUncertain),
        (TimeoutError(), DeliveryUncertain),
        (
            aiohttp.ClientConnectorError(MagicMock(), ConnectionRefusedError(111, "refused")),
            DeliveryError,  # never connected: nothing was sent
        ),
    ],
)
def test_discord_failures_are_definite_or_ambiguous(exc: BaseException, kind: type) -> None:
    assert type(translate(exc)) is kind
