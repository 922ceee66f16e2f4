"""The bolt app end to end in-process: signed requests -> real command layer -> fake Web API."""

from __future__ import annotations

import json
import threading
import urllib.parse

import pytest
from slack_bolt import App, BoltRequest

from adapters.slack.app import WORKING
from adapters.slack.setup import setup_slack
from bot.clock import FixedClock
from bot.config import Settings
from bot.errors import ConfigError
from bot.models import CommandRequest, InterestKind, Platform, Reply
from bot.service import PaperBot
from storage.installations import SqlInstallations
from storage.store import SqlStore
from tests.adapters.slack.conftest import REF
from tests.adapters.slack.fake_slack import (
    BOT_USER,
    FORM,
    JSON,
    FakeSlack,
    command_body,
    reaction_body,
    signed_headers,
)


@pytest.fixture
def core(slack_settings: Settings, slack_store: SqlStore, clock: FixedClock) -> PaperBot:
    setup = setup_slack(slack_settings, SqlInstallations(slack_store), clock, sleep=lambda _s: None)
    assert setup is not None
    return PaperBot(slack_store, clock, slack_settings, {Platform.SLACK: setup.adapter})


@pytest.fixture
def app(core: PaperBot, slack_settings: Settings, slack_store: SqlStore, clock: FixedClock) -> App:
    setup = setup_slack(slack_settings, SqlInstallations(slack_store), clock)
    assert setup is not None
    return setup.bolt_app(core, process_before_response=True)  # listeners finish in dispatch


def send(app: App, body: str, content_type: str, **headers: str) -> tuple[int, str]:
    h = signed_headers(body, content_type)
    h.update(headers)
    resp = app.dispatch(BoltRequest(body=body, headers=h))
    return resp.status, resp.body


def command(app: App, fake: FakeSlack, text: str) -> dict:
    status, body = send(app, command_body(fake, text), FORM)
    assert status == 200
    return json.loads(body)


def test_auth_test_answered_at_start(app: App, fake: FakeSlack) -> None:
    assert [c.path for c in fake.calls] == ["/auth.test"]


def test_subscribe_replies_privately_and_creates_the_channel(
    app: App, fake: FakeSlack, slack_store: SqlStore
) -> None:
    reply = command(app, fake, "subscribe robot manipulation")
    # the core decides: a profile change is announced to the channel
    assert reply["response_type"] == "in_channel" and "robot manipulation" in reply["text"]
    channel = slack_store.find_channel(REF)
    assert channel is not None and channel.name == "papers"
    assert channel.interest_values(InterestKind.TOPIC) == ("robot manipulation",)


def test_unknown_subcommand_gets_usage_and_changes_nothing(
    app: App, fake: FakeSlack, slack_store: SqlStore
) -> None:
    reply = command(app, fake, "subscrbe robots")
    assert reply["response_type"] == "ephemeral" and "/papers" in reply["text"]
    channel = slack_store.find_channel(REF)
    assert channel is None or channel.interests == ()


@pytest.mark.parametrize("tamper", ["signature", "stale", "unsigned"])
def test_bad_requests_are_401_and_change_nothing(
    tamper: str, app: App, fake: FakeSlack, slack_store: SqlStore
) -> None:
    body = command_body(fake, "subscribe robot")
    if tamper == "signature":
        headers = signed_headers(body, FORM)
        headers["x-slack-signature"] = "v0=" + "0" * 64
    elif tamper == "stale":
        headers = signed_headers(body, FORM, age_seconds=6 * 60)
    else:
        headers = {"content-type": FORM}
    assert app.dispatch(BoltRequest(body=body, headers=headers)).status == 401
    assert slack_store.find_channel(REF) is None
    assert [c.path for c in fake.calls] == ["/auth.test"]


def test_now_acks_at_once_then_posts_and_answers_via_response_url(
    app: App, fake: FakeSlack
) -> None:
    command(app, fake, "subscribe robot")
    ack = command(app, fake, "now")
    assert ack == {"text": WORKING, "response_type": "ephemeral"}
    posts = fake.posts()
    assert len(posts) == 3  # header + 2 robot papers
    answers = fake.hits("/response_url/C0PAPERS")
    assert len(answers) == 1 and "Posted 2 papers" in answers[0].body["text"]
    assert answers[0].auth is None  # response_url needs no token


def test_reaction_is_stored_once_despite_slack_retries(
    app: App, fake: FakeSlack, slack_store: SqlStore
) -> None:
    command(app, fake, "subscribe robot")
    command(app, fake, "now")
    channel = slack_store.find_channel(REF)
    assert channel is not None
    digest = slack_store.recent_digests(channel.id)[0]
    paper_ts = digest.items[0].message_id
    assert paper_ts is not None
    body = reaction_body(paper_ts, emoji="+1", event_id="EvA")
    assert send(app, body, JSON)[0] == 200
    assert (
        send(app, body, JSON, **{"x-slack-retry-num": "1", "x-slack-retry-reason": "timeout"})[0]
        == 200
    )
    assert slack_store.reaction_counts(channel.id) == (1, 0)
    # another person is another signal; the same person flipping counts as their latest opinion
    send(app, reaction_body(paper_ts, emoji="heart", user="U0BOB", event_id="EvB"), JSON)
    send(app, reaction_body(paper_ts, emoji="+1", added=False, event_id="EvC"), JSON)
    send(app, reaction_body(paper_ts, emoji="-1", event_id="EvD"), JSON)
    opinions = {f.user_id: f.value for f in slack_store.feedback(channel.id)}
    assert opinions == {"U0ADA": -1, "U0BOB": 1}


def test_a_late_older_reaction_added_after_its_removal_leaves_it_removed(
    app: App, fake: FakeSlack, slack_store: SqlStore
) -> None:
    command(app, fake, "subscribe robot")
    command(app, fake, "now")
    channel = slack_store.find_channel(REF)
    assert channel is not None
    ts = slack_store.recent_digests(channel.id)[0].items[0].message_id or ""
    add = reaction_body(ts, event_id="EvAdd", event_ts="1764231000.000100")
    remove = reaction_body(ts, added=False, event_id="EvRemove", event_ts="1764231000.000200")
    retry = {"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"}
    assert send(app, remove, JSON)[0] == 200
    assert send(app, add, JSON, **retry)[0] == 200  # its first attempt never reached us
    assert slack_store.feedback(channel.id) == []
    # the other way round: the add lands, then its removal within the same second
    assert send(app, add.replace("EvAdd", "EvAdd2"), JSON)[0] == 200
    assert send(app, remove.replace("EvRemove", "EvRemove2"), JSON)[0] == 200
    assert slack_store.feedback(channel.id) == []
    # a later add (a person re-reacting) counts again
    again = reaction_body(ts, event_id="EvAgain", event_ts="1764231001.000000")
    assert send(app, again, JSON)[0] == 200
    assert [(f.user_id, f.value) for f in slack_store.feedback(channel.id)] == [("U0ADA", 1)]


def test_ignored_reactions(app: App, fake: FakeSlack, slack_store: SqlStore) -> None:
    command(app, fake, "subscribe robot")
    command(app, fake, "now")
    channel = slack_store.find_channel(REF)
    assert channel is not None
    digest = slack_store.recent_digests(channel.id)[0]
    paper_ts = digest.items[0].message_id or ""
    for body in (
        reaction_body(paper_ts, user=BOT_USER, event_id="E1"),  # the bot's own 👍
        reaction_body(paper_ts, emoji="grinning", event_id="E2"),  # no opinion
        reaction_body(digest.header_message_id or "", event_id="E3"),  # the header
        reaction_body("1.000001", event_id="E4"),  # some other message
        reaction_body(paper_ts, channel="C0OTHER", event_id="E5"),  # another channel
        reaction_body(paper_ts, team="T0EVIL", event_id="E6"),  # another workspace
    ):
        assert send(app, body, JSON)[0] == 200
    assert slack_store.feedback(channel.id) == []


def test_a_crashing_command_is_a_kind_private_reply(
    app: App, fake: FakeSlack, core: PaperBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(_req: object) -> None:
        raise RuntimeError("xoxb-secret-in-a-traceback")

    monkeypatch.setattr(core, "on_command", boom)
    reply = command(app, fake, "topics")
    assert reply["response_type"] == "ephemeral" and "went wrong" in reply["text"]
    assert "xoxb" not in reply["text"]


def test_socket_mode_dispatch_runs_the_same_listeners(
    core: PaperBot, slack_settings: Settings, slack_store: SqlStore, fake: FakeSlack
) -> None:
    from adapters.slack.app import build_app

    core.settings = slack_settings.model_copy(update={"slack_app_token": "xapp-test"})
    app = build_app(core, core.settings, socket_mode=True, process_before_response=True)
    form = urllib.parse.parse_qs(command_body(fake, "subscribe cat:cs.RO"))
    body = {k: v[0] for k, v in form.items()}  # Socket Mode hands bolt a parsed, unsigned body
    resp = app.dispatch(BoltRequest(body=body, mode="socket_mode"))
    assert resp.status == 200
    channel = slack_store.find_channel(REF)
    assert channel is not None and channel.interest_values(InterestKind.CATEGORY) == ("cs.RO",)


@pytest.mark.parametrize(
    ("values", "missing"),
    [
        ({"slack_bot_token": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"slack_signing_secret": "s"}, "SLACK_BOT_TOKEN"),
        ({"slack_client_id": "1.2", "slack_signing_secret": "s"}, "SLACK_CLIENT_SECRET"),
    ],
)
def test_incomplete_slack_settings_name_the_missing_variable(
    values: dict, missing: str, slack_store: SqlStore, clock: FixedClock, core: PaperBot
) -> None:
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match=missing):
        setup = setup_slack(settings, SqlInstallations(slack_store), clock)
        assert setup is not None
        setup.bolt_app(core)


def test_socket_mode_needs_the_app_token(core: PaperBot) -> None:
    from adapters.slack.socket import socket_mode_handler

    core.settings = core.settings.model_copy(update={"slack_app_token": None})
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
        socket_mode_handler(core)


def test_an_unexpectedly_slow_command_is_acked_then_answered(
    core: PaperBot,
    slack_settings: Settings,
    slack_store: SqlStore,
    fake: FakeSlack,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gate = threading.Event()
    real = core.on_command

    def slow(req: CommandRequest) -> Reply:
        gate.wait(timeout=10)  # e.g. `like <id>` waiting for the arXiv API
        return real(req)

    monkeypatch.setattr(core, "on_command", slow)
    setup = setup_slack(slack_settings, SqlInstallations(slack_store), clock)
    assert setup is not None
    app = setup.bolt_app(core, ack_budget=0.05)  # HTTP default: the response is the ack
    status, body = send(app, command_body(fake, "subscribe robot"), FORM)
    assert status == 200 and json.loads(body)["text"] == WORKING
    gate.set()
    fake.wait_for(lambda: len(fake.hits("/response_url/C0PAPERS")) == 1)
    assert "robot" in fake.hits("/response_url/C0PAPERS")[0].body["text"]


def test_a_rejected_token_fails_fast_without_showing_it(
    core: PaperBot, slack_settings: Settings
) -> None:
    from adapters.slack.app import build_app

    settings = slack_settings.model_copy(update={"slack_bot_token": "bad-token-value"})
    with pytest.raises(ConfigError, match="invalid_auth") as info:
        build_app(core, settings)
    assert "bad-token-value" not in str(info.value)


def test_socket_mode_handler_uses_the_app_token_and_api_url(
    core: PaperBot, slack_settings: Settings, fake: FakeSlack
) -> None:
    from adapters.slack.socket import socket_mode_handler

    core.settings = slack_settings.model_copy(update={"slack_app_token": "xapp-test"})
    handler = socket_mode_handler(core)
    assert handler.app_token == "xapp-test"
    assert handler.client.web_client.base_url == fake.base_url


def test_url_verification_and_interactivity_are_answered(app: App, fake: FakeSlack) -> None:
    challenge = json.dumps({"token": "t", "challenge": "c-123", "type": "url_verification"})
    status, body = send(app, challenge, JSON)
    assert status == 200 and "c-123" in body
    click = {
        "type": "block_actions",
        "team": {"id": "T0LAB"},
        "user": {"id": "U0ADA"},
        "api_app_id": "A0PAPERBOT",
        "channel": {"id": "C0PAPERS"},
        "actions": [{"action_id": "open-pdf", "type": "button", "value": "x"}],
        "response_url": f"{fake.base_url}response_url/C0PAPERS",
        "trigger_id": "1.2",
    }
    form = urllib.parse.urlencode({"payload": json.dumps(click)})
    assert send(app, form, FORM)[0] == 200


def test_a_command_changes_only_its_own_channel(
    app: App, fake: FakeSlack, slack_store: SqlStore
) -> None:
    command(app, fake, "subscribe robot")
    status, _ = send(app, command_body(fake, "size 2", channel="C0OTHER"), FORM)
    assert status == 200
    send(app, command_body(fake, "unsubscribe robot", channel="C0OTHER"), FORM)
    mine = slack_store.find_channel(REF)
    assert mine is not None and mine.interest_values(InterestKind.TOPIC) == ("robot",)
    assert mine.settings.size == 5
