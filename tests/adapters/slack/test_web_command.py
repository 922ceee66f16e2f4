"""`/papers web` on Slack, end to end: a signed slash command to `paperbot serve` under uvicorn
(fake Slack Web API), the ephemeral answer with the link, and the page at that link served by
the same process; without PUBLIC_URL the answer names the setting."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.runtime import Runtime
from app.wiring.runtime import build_runtime
from bot.clock import FixedClock
from bot.config import Settings
from tests.adapters.slack.conftest import PAPERS
from tests.adapters.slack.fake_slack import (
    FORM,
    MEMBER,
    FakeSlack,
    command_body,
    serving,
    signed_headers,
)

PUBLIC = "https://papers.example.org"


def _runtime(settings: Settings, clock: FixedClock) -> Runtime:
    rt = build_runtime(settings, clock=clock)
    rt.core.ingest(PAPERS)
    return rt


@pytest.fixture
def runtime(slack_settings: Settings, clock: FixedClock) -> Iterator[Runtime]:
    rt = _runtime(slack_settings.model_copy(update={"public_url": PUBLIC}), clock)
    yield rt
    rt.close()


def _command(http: httpx.Client, base: str, body: str) -> dict[str, Any]:
    r = http.post(f"{base}/slack/events", content=body, headers=signed_headers(body, FORM))
    assert r.status_code == 200
    return dict(r.json())  # type: ignore[no-any-return]


def test_web_answers_privately_with_a_link_that_opens_the_page(
    runtime: Runtime, fake: FakeSlack
) -> None:
    assert runtime.web_app is not None
    with serving(runtime.web_app()) as base, httpx.Client(timeout=10) as http:
        _command(http, base, command_body(fake, "subscribe robot"))
        reply = _command(http, base, command_body(fake, "web", user=MEMBER))  # anyone may
        assert reply["response_type"] == "ephemeral"
        mrkdwn = " ".join(block["text"]["text"] for block in reply["blocks"])  # type: ignore[index]
        found = re.search(rf"<({re.escape(PUBLIC)}/c/[\w.\-]+)\|This channel's page>", mrkdwn)
        assert found is not None, mrkdwn  # a Slack link: <url|label>
        page = http.get(base + found.group(1).removeprefix(PUBLIC))
        assert page.status_code == 200
        assert "#papers" in page.text and "robot" in page.text
        assert fake.posts() == []  # nothing was posted in the channel


def test_without_public_url_the_answer_names_the_setting(
    slack_settings: Settings, fake: FakeSlack, clock: FixedClock
) -> None:
    rt = _runtime(slack_settings, clock)
    try:
        assert rt.web_app is not None
        with serving(rt.web_app()) as base, httpx.Client(timeout=10) as http:
            reply = _command(http, base, command_body(fake, "web"))
        assert reply["response_type"] == "ephemeral"
        assert "PUBLIC_URL" in reply["text"] and "/c/" not in reply["text"]
    finally:
        rt.close()
