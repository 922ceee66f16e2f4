"""Who may change a channel on Slack: signed `/papers` requests through bolt, and whether the
caller is a workspace admin from `users.info` through the real slack_sdk client against the
fake Web API."""

from __future__ import annotations

import json

import pytest
from slack_bolt import App, BoltRequest

from adapters.slack.admins import SlackAdmins
from adapters.slack.setup import setup_slack
from bot.clock import FixedClock
from bot.config import Settings
from bot.models import Channel, Platform
from bot.service import PaperBot
from storage.installations import SqlInstallations
from storage.store import SqlStore
from tests.adapters.slack.conftest import REF, robot_channel
from tests.adapters.slack.fake_slack import (
    ADMIN,
    FORM,
    MEMBER,
    OWNER,
    FakeSlack,
    command_body,
    signed_headers,
    slack_user,
)

REFUSED = (
    "Only workspace admins and this channel's managers can change its settings. "
    "Ask one of them, or an admin can run `/papers managers add @you`."
)


class Timer:
    """A monotonic clock the test moves (the users.info cache's TTL)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def timer() -> Timer:
    return Timer()


@pytest.fixture
def core(slack_settings: Settings, slack_store: SqlStore, clock: FixedClock) -> PaperBot:
    setup = setup_slack(slack_settings, SqlInstallations(slack_store), clock, sleep=lambda _s: None)
    assert setup is not None
    return PaperBot(slack_store, clock, slack_settings, {Platform.SLACK: setup.adapter})


@pytest.fixture
def app(
    core: PaperBot, slack_settings: Settings, slack_store: SqlStore, clock: FixedClock, timer: Timer
) -> App:
    setup = setup_slack(slack_settings, SqlInstallations(slack_store), clock)
    assert setup is not None
    return setup.bolt_app(core, process_before_response=True, admins=SlackAdmins(timer=timer))


def command(app: App, fake: FakeSlack, text: str, user: str) -> dict:  # type: ignore[type-arg]
    body = command_body(fake, text, user=user)
    resp = app.dispatch(BoltRequest(body=body, headers=signed_headers(body, FORM)))
    assert resp.status == 200
    answer: dict = json.loads(resp.body)  # type: ignore[type-arg]
    return shown(answer)


def shown(answer: dict) -> dict:  # type: ignore[type-arg]
    """A reply as people see it: its mrkdwn sections' text (the fallback drops the markup)."""
    sections = [b["text"]["text"] for b in answer.get("blocks", [])]
    return {"text": "\n".join(sections), "response_type": answer["response_type"]}


def lookups(fake: FakeSlack) -> list[str]:
    return [c.body["user"] for c in fake.hits("/users.info")]


def unchanged(store: SqlStore, before: Channel) -> bool:
    after = store.find_channel(REF)
    return after == before and store.channel_managers(before.id) == []


@pytest.mark.parametrize("user", [ADMIN, OWNER], ids=["admin", "owner"])
def test_a_workspace_admin_or_owner_may_change_a_channel(
    app: App, fake: FakeSlack, slack_store: SqlStore, clock: FixedClock, user: str
) -> None:
    robot_channel(slack_store, clock)
    reply = command(app, fake, "pause", user)
    assert reply["response_type"] == "in_channel" and reply["text"].startswith("Paused")
    channel = slack_store.find_channel(REF)
    assert channel is not None and channel.settings.paused
    assert lookups(fake) == [user]
    (call,) = fake.hits("/users.info")
    assert call.auth == "Bearer xoxb-test-token"  # the workspace's bot token


def test_a_plain_member_is_refused_privately_and_nothing_changes(
    app: App, fake: FakeSlack, slack_store: SqlStore, clock: FixedClock
) -> None:
    before = robot_channel(slack_store, clock)
    for text in ("pause", "unsubscribe robot", "forget", "size 3", "set threads on"):
        reply = command(app, fake, text, MEMBER)
        assert reply == {"text": REFUSED, "response_type": "ephemeral"}, text
    command(app, fake, "now", MEMBER)  # acked at once, answered through response_url
    (answer,) = fake.hits("/response_url/C0PAPERS")
    assert shown(answer.body) == {"text": REFUSED, "response_type": "ephemeral"}
    assert unchanged(slack_store, before)
    assert fake.posts() == []  # `now` posted nothing
    assert lookups(fake) == [MEMBER]  # asked once, then cached
    refused = command(app, fake, "managers add <@U0BOB|bob>", MEMBER)
    assert refused["text"].startswith("Only workspace admins can change who manages")
    # reading stays open, and asks Slack nothing
    for text in ("topics", "set", "stats", "history", "managers", "help"):
        assert command(app, fake, text, MEMBER)["response_type"] == "ephemeral"
    assert lookups(fake) == [MEMBER]
    assert unchanged(slack_store, before)


def test_a_manager_an_admin_added_may_change_settings_but_not_managers(
    app: App, fake: FakeSlack, slack_store: SqlStore, clock: FixedClock
) -> None:
    channel = robot_channel(slack_store, clock)
    added = command(app, fake, "managers add <@U0BOB|bob>", ADMIN)
    assert added["response_type"] == "in_channel"
    assert added["text"].startswith("<@U0BOB> now manages this channel")
    assert slack_store.channel_managers(channel.id) == [MEMBER]
    assert command(app, fake, "size 3", MEMBER)["text"].startswith("Digests here will show")
    assert command(app, fake, "managers remove <@U0BOB>", MEMBER)["response_type"] == "ephemeral"
    assert lookups(fake) == [ADMIN, MEMBER]  # bob's settings change needed no look-up
    assert slack_store.channel_managers(channel.id) == [MEMBER]
    listing = command(app, fake, "managers", MEMBER)["text"]
    assert "• Workspace admins" in listing and "• Managers: <@U0BOB>" in listing
    removed = command(app, fake, "managers remove <@U0BOB|bob>", ADMIN)
    assert removed["text"] == "<@U0BOB> is no longer a manager of this channel."
    assert command(app, fake, "size 4", MEMBER)["text"] == REFUSED


@pytest.mark.parametrize(
    ("error", "fix"),
    [
        ("missing_scope", "lacks the `users:read` scope"),
        ("fatal_error", "Slack answered `fatal_error`"),
    ],
)
def test_users_info_failing_refuses_with_what_to_fix(
    app: App,
    fake: FakeSlack,
    slack_store: SqlStore,
    clock: FixedClock,
    error: str,
    fix: str,
) -> None:
    before = robot_channel(slack_store, clock)
    fake.users_info_error = error
    reply = command(app, fake, "pause", ADMIN)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("I could not check whether you may change this channel")
    assert fix in reply["text"]
    assert unchanged(slack_store, before)
    fake.users_info_error = None  # failures are not cached: fixed, it works at once
    assert command(app, fake, "pause", ADMIN)["text"].startswith("Paused")


def test_admin_answers_are_cached_for_a_few_minutes(
    app: App, fake: FakeSlack, slack_store: SqlStore, clock: FixedClock, timer: Timer
) -> None:
    robot_channel(slack_store, clock)
    assert command(app, fake, "size 3", ADMIN)["text"].startswith("Digests")
    fake.users[ADMIN] = slack_user(ADMIN, "ada")  # ada is no longer an admin
    timer.now = 299.0
    assert command(app, fake, "size 4", ADMIN)["text"].startswith("Digests")
    timer.now = 301.0
    assert command(app, fake, "size 5", ADMIN)["text"] == REFUSED
    assert lookups(fake) == [ADMIN, ADMIN]


def test_the_first_member_to_configure_a_new_channel_sets_it_up(
    app: App, fake: FakeSlack, slack_store: SqlStore
) -> None:
    fake.users["U0EVE"] = slack_user("U0EVE", "eve")
    reply = command(app, fake, "subscribe robot manipulation", MEMBER)
    assert reply["response_type"] == "in_channel"
    channel = slack_store.find_channel(REF)
    assert channel is not None and channel.set_up_by == MEMBER
    assert command(app, fake, "pause", MEMBER)["text"].startswith("Paused")
    refused = command(app, fake, "resume", "U0EVE")["text"]
    assert refused.startswith("Only workspace admins, <@U0BOB> (who set it up) and this")
    assert command(app, fake, "managers add <@U0EVE|eve>", MEMBER)["response_type"] == "in_channel"
    assert command(app, fake, "resume", "U0EVE")["text"].startswith("Resumed")
    assert lookups(fake) == ["U0EVE"]
