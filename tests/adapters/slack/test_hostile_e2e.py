"""Hostile text end to end on Slack: signed slash commands and a digest through the fake Web API.

What people type reaches the core decoded (Slack sends `&`, `<`, `>` as entities) and comes
back escaped; a hostile feed title is posted as text, never as a link or a mention.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_bolt import App, BoltRequest

from adapters.slack.setup import setup_slack
from bot.clock import FixedClock
from bot.config import Settings
from bot.content.links import paper_links
from bot.models import InterestKind, Platform
from bot.service import PaperBot
from storage.installations import SqlInstallations
from storage.store import SqlStore
from tests.adapters.hostile import assert_slack_payload_safe
from tests.adapters.slack.conftest import PAPERS, REF
from tests.adapters.slack.fake_slack import FORM, FakeSlack, command_body, signed_headers
from tests.conftest import make_paper

# As Slack delivers `/papers subscribe [click me](https://evil.example) <!channel> <https://…|x>
# @here`: the three control characters arrive as entities.
TYPED = "[click me](https://evil.example) <!channel> <https://evil.example|x> @here"
SENT = TYPED.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
EVIL = make_paper(
    "2611.00009",
    "Robot <!channel> [click me](https://evil.example) <https://evil.example|x>",
    "Robot grasping. <@U123> see https://evil.example/abstract @everyone",
    authors=("<!subteam^S1>", "[Ada](https://evil.example/ada)"),
    categories=("cs.RO",),
)


@pytest.fixture
def app(slack_settings: Settings, slack_store: SqlStore, clock: FixedClock) -> App:
    setup = setup_slack(slack_settings, SqlInstallations(slack_store), clock, sleep=lambda _s: None)
    assert setup is not None
    core = PaperBot(slack_store, clock, slack_settings, {Platform.SLACK: setup.adapter})
    return setup.bolt_app(core, process_before_response=True)


def command(app: App, fake: FakeSlack, text: str) -> dict[str, Any]:
    body = command_body(fake, text)
    response = app.dispatch(BoltRequest(body=body, headers=signed_headers(body, FORM)))
    assert response.status == 200
    return dict(json.loads(response.body))


def posted(fake: FakeSlack) -> list[dict[str, Any]]:
    """chat.postMessage bodies, with `blocks` as JSON whether sent as JSON or as a form."""
    out = []
    for call in fake.posts():
        body = dict(call.body)
        if isinstance(body.get("blocks"), str):
            body["blocks"] = json.loads(body["blocks"])
        out.append(body)
    return out


def test_a_hostile_subscribe_is_stored_as_typed_and_answered_as_text(
    app: App, fake: FakeSlack, slack_store: SqlStore
) -> None:
    reply = command(app, fake, f"subscribe {SENT}")
    assert reply["response_type"] == "in_channel"  # a public reply: the case that matters
    assert_slack_payload_safe(reply)
    shown = reply["blocks"][0]["text"]["text"]
    assert "&lt;!channel&gt; &lt;https:\u2060//evil.example|x&gt; @\u2060here" in shown
    channel = slack_store.find_channel(REF)
    assert channel is not None and channel.interest_values(InterestKind.TOPIC) == (TYPED,)

    topics = command(app, fake, "topics")
    assert_slack_payload_safe(topics)
    assert "&lt;!channel&gt;" in topics["blocks"][0]["text"]["text"]


def test_typed_ampersands_and_brackets_are_decoded_before_the_core_sees_them(
    app: App, fake: FakeSlack, slack_store: SqlStore
) -> None:
    reply = command(app, fake, "exclude a&amp;b &lt;c&gt;")
    assert_slack_payload_safe(reply)
    assert "`a&amp;b &lt;c&gt;`" in reply["blocks"][0]["text"]["text"]
    channel = slack_store.find_channel(REF)
    assert channel is not None and channel.interest_values(InterestKind.EXCLUDE) == ("a&b <c>",)
    again = command(app, fake, "include a&amp;b &lt;c&gt;")  # the same keyword, found again
    assert again["response_type"] == "in_channel"


def test_a_hostile_feed_title_is_posted_as_text(
    app: App, fake: FakeSlack, slack_store: SqlStore, clock: FixedClock
) -> None:
    slack_store.upsert_papers([EVIL], clock.now())
    command(app, fake, "subscribe robot")
    command(app, fake, "now")
    bodies = posted(fake)
    evil = [b for b in bodies if "evil" in json.dumps(b)]
    assert len(evil) == 1  # the hostile paper was picked, and posted once
    allowed = [url for p in [*PAPERS, EVIL] for _, url in paper_links(p)]
    for body in bodies:
        assert_slack_payload_safe(body, allowed)
    title = evil[0]["blocks"][0]["text"]["text"]
    assert title.startswith("*<https://arxiv.org/abs/2611.00009|")
    assert "Robot &lt;!channel&gt; [click me](https:\u2060//evil.example) &lt;https:" in title
    (answer,) = fake.hits("/response_url/C0PAPERS")
    assert_slack_payload_safe(answer.body)
    why = command(app, fake, "why 2611.00009")
    assert_slack_payload_safe(why, allowed)
    history = command(app, fake, "history")
    assert_slack_payload_safe(history, allowed)
