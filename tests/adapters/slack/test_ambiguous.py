"""Exactly-once posts after ambiguous failures: the real WebClient against the fake Web API,
which stores a message and then answers 500, resets the connection or stalls past the read
timeout. The bot must look the message up (its metadata marker) instead of posting it again."""

from __future__ import annotations

import socket
from collections import Counter
from urllib.error import URLError

import pytest
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web import SlackResponse

from adapters.slack.adapter import SlackAdapter
from adapters.slack.client import make_client, translate, transport_error
from bot.clock import FixedClock
from bot.config import Settings
from bot.errors import ChannelUnavailable, DeliveryError, DeliveryUncertain, RateLimited
from bot.models import ItemStatus
from bot.service import PaperBot
from storage.store import SqlStore
from tests.adapters.slack.conftest import robot_channel
from tests.adapters.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.faults import ACCEPT_500, ACCEPT_RESET, ACCEPT_STALL, AMBIGUOUS, REJECT_500

TIMEOUT = 0.3  # the client's read timeout; ACCEPT_STALL holds the answer back longer


def adapter_for(fake: FakeSlack) -> SlackAdapter:
    fake.stall_seconds = TIMEOUT + 0.4
    return SlackAdapter(
        lambda team: BOT_TOKEN, api_url=fake.base_url, pace_seconds=0, timeout=TIMEOUT
    )


def core_for(fake: FakeSlack, store: SqlStore, clock: FixedClock, settings: Settings) -> PaperBot:
    return PaperBot(store, clock, settings, {adapter_for(fake).platform: adapter_for(fake)})


def stored(fake: FakeSlack) -> Counter[str]:
    return Counter(what for what, _ts in fake.marked("C0PAPERS"))


@pytest.mark.parametrize("fault", [*AMBIGUOUS, REJECT_500])
@pytest.mark.parametrize("thread_mode", [False, True])
def test_a_paper_whose_post_failed_ambiguously_is_looked_up_not_posted_twice(
    fault: str,
    thread_mode: bool,
    fake: FakeSlack,
    slack_store: SqlStore,
    clock: FixedClock,
    slack_settings: Settings,
) -> None:
    channel = robot_channel(slack_store, clock, size=2, thread_mode=thread_mode)
    core = core_for(fake, slack_store, clock, slack_settings)
    fake.faults.script = [None, None, fault]  # header, 1st paper, then the 2nd paper fails

    _plan, first = core.run_digest(channel, run_key="k")
    (failed,) = first.failed
    assert first.posted and failed not in first.posted
    item = slack_store.find_item(channel.id, failed)
    assert item is not None and item.attempts == 1
    # maybe posted: it stays `sending`, so the next attempt looks first
    assert item.status is ItemStatus.SENDING
    assert len(fake.posts()) == 3  # the SDK did not re-send it by itself

    _plan, second = core.run_digest(channel, run_key="k")

    assert stored(fake) == {"header": 1, **{i.paper.id: 1 for i in second.digest.items}}  # type: ignore[union-attr]
    if fault == REJECT_500:
        assert second.posted == [failed] and not second.reconciled  # not there: posted again
    else:
        assert second.reconciled == [failed] and not second.posted  # found: not posted again
    digest = slack_store.find_digest(channel.id, "k")
    assert digest is not None and all(i.status is ItemStatus.POSTED for i in digest.items)
    ts = dict(fake.marked("C0PAPERS"))
    assert {i.paper.id: i.message_id for i in digest.items} == {
        i.paper.id: ts[i.paper.id] for i in digest.items
    }  # the recorded ids are the real ones, so reactions map to papers


@pytest.mark.parametrize("fault", AMBIGUOUS)
def test_a_header_whose_post_failed_ambiguously_is_found_not_posted_twice(
    fault: str,
    fake: FakeSlack,
    slack_store: SqlStore,
    clock: FixedClock,
    slack_settings: Settings,
) -> None:
    channel = robot_channel(slack_store, clock, size=2, thread_mode=True)
    core = core_for(fake, slack_store, clock, slack_settings)
    fake.faults.script = [fault]

    _plan, first = core.run_digest(channel, run_key="k")
    assert first.failed and not first.posted  # no paper goes out before its header
    _plan, second = core.run_digest(channel, run_key="k")

    assert stored(fake)["header"] == 1 and len(second.posted) == 2
    digest = second.digest
    assert (
        digest is not None and digest.header_message_id == dict(fake.marked("C0PAPERS"))["header"]
    )
    threads = {p.body.get("thread_ts") for p in fake.posts() if "item" in str(p.body)}
    assert threads == {digest.header_message_id}  # papers under the one header


def test_a_failing_lookup_posts_nothing_and_is_tried_again(
    fake: FakeSlack, slack_store: SqlStore, clock: FixedClock, slack_settings: Settings
) -> None:
    channel = robot_channel(slack_store, clock, size=1)
    core = core_for(fake, slack_store, clock, slack_settings)
    fake.faults.script = [None, ACCEPT_500]
    core.run_digest(channel, run_key="k")
    fake.history_faults.script = [ACCEPT_500]  # Slack cannot tell us right now
    _plan, second = core.run_digest(channel, run_key="k")
    assert second.failed and not second.posted and len(fake.posts()) == 2
    _plan, third = core.run_digest(channel, run_key="k")
    assert len(third.reconciled) == 1 and len(fake.posts()) == 2


def test_connection_retry_is_kept_for_lookups_only(
    fake: FakeSlack, slack_store: SqlStore, clock: FixedClock
) -> None:
    channel = robot_channel(slack_store, clock)
    adapter = adapter_for(fake)
    fake.faults.script = [ACCEPT_RESET]
    with pytest.raises(DeliveryUncertain):
        adapter.post_notice(channel, "hello")
    assert len(fake.posts()) == 1  # slack-sdk's ConnectionErrorRetryHandler would re-send it
    fake.history_faults.script = [ACCEPT_RESET]
    client = adapter.client_for("T0LAB")
    assert client.conversations_history(channel="C0PAPERS")["ok"]  # retried once: safe
    assert len(fake.hits("/conversations.history")) == 2


def test_a_read_timeout_is_ambiguous(
    fake: FakeSlack, slack_store: SqlStore, clock: FixedClock
) -> None:
    channel = robot_channel(slack_store, clock)
    fake.faults.script = [ACCEPT_STALL]
    with pytest.raises(DeliveryUncertain, match="TimeoutError"):
        adapter_for(fake).post_notice(channel, "hello")
    assert len(fake.posts()) == 1 and len(fake.messages["C0PAPERS"]) == 1


def api_error(status: int, body: dict[str, object]) -> SlackApiError:
    client = make_client(base_url="http://127.0.0.1:9/")
    response = SlackResponse(
        client=client,
        http_verb="POST",
        api_url="http://127.0.0.1:9/chat.postMessage",
        req_args={},
        data=body,
        headers={"Retry-After": "7"},
        status_code=status,
    )
    return SlackApiError("failed", response)


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (500, "internal_error", DeliveryUncertain),
        (503, "Received a response in a non-JSON format: <html>", DeliveryUncertain),
        (200, "internal_error", DeliveryUncertain),  # "some aspect may have succeeded"
        (200, "fatal_error", DeliveryUncertain),
        (200, "channel_not_found", ChannelUnavailable),
        (200, "msg_too_long", DeliveryError),
        (429, "ratelimited", RateLimited),
    ],
)
def test_slack_answers_are_definite_or_ambiguous(status: int, code: str, kind: type) -> None:
    error = translate(api_error(status, {"ok": False, "error": code}))
    assert type(error) is kind


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (URLError(ConnectionRefusedError(111, "refused")), DeliveryError),  # never left
        (URLError(socket.gaierror(-2, "unknown host")), DeliveryError),
        (SlackRequestError("Invalid URL detected"), DeliveryError),
        (ConnectionResetError(104, "reset"), DeliveryUncertain),
        (TimeoutError("timed out"), DeliveryUncertain),
        (URLError(TimeoutError("timed out")), DeliveryUncertain),  # while sending the body
    ],
)
def test_transport_failures_are_definite_only_when_nothing_left(exc: Exception, kind: type) -> None:
    assert type(transport_error(exc)) is kind
