"""Questions in a paper's thread on Slack: recorded `app_mention` payloads parsed purely, then
signed events through the bolt app -> the core -> `chat.postMessage` in the thread (fake Web API).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App

from adapters.slack import inbound
from adapters.slack.setup import setup_slack
from bot.answers import ThreadQuestions
from bot.clock import FixedClock
from bot.config import Settings
from bot.models import Platform
from bot.service import PaperBot
from storage.installations import SqlInstallations
from storage.store import SqlStore
from tests.adapters.slack.conftest import REF
from tests.adapters.slack.fake_slack import BOT_USER, JSON, FakeSlack
from tests.adapters.slack.test_app import command, send
from tests.conftest import make_paper

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "slack"
HOSTILE = make_paper(
    "2611.00009",
    "Robot grasping <!channel> benchmark",
    "Robot grasping is hard. We collect the <!channel> *GraspSet* dataset from "
    "<https://evil.example|the web> and @here.",
    categories=("cs.RO",),
)


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_a_mention_in_a_thread_is_a_question_about_the_thread_parent() -> None:
    question = inbound.mention_question(fixture("app_mention_in_thread.json"), bot_user_id=BOT_USER)
    assert question is not None
    assert (question.platform, question.workspace, question.channel) == (
        Platform.SLACK,
        "T0LAB",
        "C0PAPERS",
    )
    assert question.message_ids == ("1764230400.000200",)
    assert question.event_id == "Ev0MENTION1" and question.user_id == "U0ADA"
    # the bot's mention removed, Slack's escaping undone, other mentions and links as typed
    assert question.text == "what dataset do they use & is it <public>? cc <@U0BOB> example.org"
    assert inbound.reply_thread(fixture("app_mention_in_thread.json")) == "1764230400.000200"


def test_a_mention_outside_a_thread_has_no_paper_and_is_answered_under_itself() -> None:
    body = fixture("app_mention_top_level.json")
    question = inbound.mention_question(body, bot_user_id=None)
    assert question is not None and question.message_ids == ()
    assert question.text == "what is this bot?"
    assert inbound.reply_thread(body) == "1764232100.000500"


@pytest.mark.parametrize(
    "change",
    [
        {"type": "message"},
        {"user": BOT_USER},
        {"bot_id": "B0OTHER"},
        {"channel": None},
        {"ts": ""},
    ],
)
def test_other_events_bots_and_incomplete_mentions_are_no_questions(change: dict) -> None:
    body = fixture("app_mention_in_thread.json")
    body["event"].update(change)
    assert inbound.mention_question(body, bot_user_id=BOT_USER) is None


@pytest.fixture
def core(slack_settings: Settings, slack_store: SqlStore, clock: FixedClock) -> PaperBot:
    settings = slack_settings.model_copy(update={"answer_full_text": False})
    setup = setup_slack(settings, SqlInstallations(slack_store), clock, sleep=lambda _s: None)
    assert setup is not None
    bot = PaperBot(slack_store, clock, settings, {Platform.SLACK: setup.adapter})
    bot.questions = ThreadQuestions.from_settings(slack_store, clock, settings)
    slack_store.upsert_papers([HOSTILE], clock.now())
    return bot


@pytest.fixture
def app(core: PaperBot, slack_store: SqlStore, clock: FixedClock) -> App:
    setup = setup_slack(core.settings, SqlInstallations(slack_store), clock)
    assert setup is not None
    return setup.bolt_app(core, process_before_response=True)  # listeners finish in dispatch


def mention(text: str, *, thread_ts: str | None, event_id: str) -> str:
    body = fixture("app_mention_in_thread.json")
    body["event_id"] = event_id
    body["event"]["text"] = f"<@{BOT_USER}> {text}"
    if thread_ts is None:
        del body["event"]["thread_ts"]
    else:
        body["event"]["thread_ts"] = thread_ts
    return json.dumps(body)


def posted_papers(app: App, fake: FakeSlack, store: SqlStore) -> dict[str, str]:
    """`/papers subscribe robot` and `/papers now`: paper id -> its message ts."""
    command(app, fake, "subscribe robot")
    command(app, fake, "now")
    channel = store.find_channel(REF)
    assert channel is not None
    items = store.recent_digests(channel.id)[0].items
    return {i.paper.id: i.message_id or "" for i in items}


def answers(fake: FakeSlack, thread_ts: str) -> list[dict[str, Any]]:
    return [c.body for c in fake.posts() if c.body.get("thread_ts") == thread_ts]


def test_a_question_in_a_papers_thread_is_answered_there_once(
    app: App, fake: FakeSlack, slack_store: SqlStore
) -> None:
    ts = posted_papers(app, fake, slack_store)["2611.00001"]
    body = mention("which objects do they grasp?", thread_ts=ts, event_id="EvQ1")
    assert send(app, body, JSON)[0] == 200
    (answer,) = answers(fake, ts)
    assert answer["channel"] == "C0PAPERS" and answer["unfurl_links"] is False
    assert (
        "“Robot manipulation with tactile grasping of unseen objects.” (abstract)"
        in (answer["text"])
    )
    section = answer["blocks"][0]["text"]
    assert section["verbatim"] is True and section["text"].startswith(
        "*From the abstract* of <https://arxiv.org/abs/2611.00001|Tactile grasping"
    )
    # Slack re-delivers the same event (a retry): nothing more is posted
    retry = {"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"}
    assert send(app, body, JSON, **retry)[0] == 200
    assert len(answers(fake, ts)) == 1


def test_the_abstract_not_saying_is_said_plainly(
    app: App, fake: FakeSlack, slack_store: SqlStore
) -> None:
    ts = posted_papers(app, fake, slack_store)["2611.00001"]
    send(app, mention("what GPU did they train on?", thread_ts=ts, event_id="EvQ2"), JSON)
    (answer,) = answers(fake, ts)
    assert "does not say" in answer["text"] and "“" not in answer["text"]


def test_a_mention_outside_a_papers_thread_gets_help_under_it(
    app: App, fake: FakeSlack, slack_store: SqlStore
) -> None:
    posted_papers(app, fake, slack_store)
    send(app, json.dumps(fixture("app_mention_top_level.json")), JSON)
    (answer,) = answers(fake, "1764232100.000500")
    assert "reply to a paper I posted" in answer["text"]


def test_quoted_text_from_a_hostile_abstract_stays_text(
    app: App, fake: FakeSlack, slack_store: SqlStore
) -> None:
    ts = posted_papers(app, fake, slack_store)[HOSTILE.id]
    send(app, mention("which dataset <!here>?", thread_ts=ts, event_id="EvQ3"), JSON)
    (answer,) = answers(fake, ts)
    shown = answer["blocks"][0]["text"]["text"] + answer["blocks"][-1]["text"]["text"]
    for live in ("<!channel>", "<!here>", "<https://evil", "@here"):
        assert live not in shown and live not in answer["text"]
    assert "&lt;!channel&gt;" in shown and "dataset" in shown


def test_a_crash_in_the_core_is_a_short_reply_in_the_thread(
    app: App,
    fake: FakeSlack,
    slack_store: SqlStore,
    core: PaperBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ts = posted_papers(app, fake, slack_store)["2611.00001"]

    def boom(_question: object) -> None:
        raise RuntimeError("xoxb-secret")

    monkeypatch.setattr(core, "on_question", boom)
    send(app, mention("which objects?", thread_ts=ts, event_id="EvQ4"), JSON)
    (answer,) = answers(fake, ts)
    assert "went wrong" in answer["text"] and "xoxb" not in answer["text"]
