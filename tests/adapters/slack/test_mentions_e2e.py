"""A question in a paper's thread end to end: the runtime's web app under uvicorn, a signed
`app_mention`, the full text from a fake arXiv HTML server, the answer from a fake LLM, posted in
the thread through the fake Slack Web API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.runtime import Runtime
from app.wiring.runtime import build_runtime
from bot.clock import FixedClock
from bot.config import Settings
from tests.adapters.slack.conftest import PAPERS, REF
from tests.adapters.slack.fake_slack import (
    BOT_USER,
    FORM,
    JSON,
    FakeSlack,
    command_body,
    serving,
    signed_headers,
)
from tests.fake_llm import FakeLLM, fake_llm_server
from tests.fake_sources import FakeSources

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PAGE = (FIXTURES / "arxiv_html" / "2606.00001v1.html").read_bytes()


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with fake_llm_server() as fake:
        yield fake


@pytest.fixture
def arxiv() -> Iterator[FakeSources]:
    with FakeSources() as web:
        web.route("/html/2611.00001", body=PAGE, content_type="text/html; charset=utf-8")
        yield web


@pytest.fixture
def runtime(
    slack_settings: Settings, clock: FixedClock, llm: FakeLLM, arxiv: FakeSources
) -> Iterator[Runtime]:
    settings = slack_settings.model_copy(
        update={"llm_base_url": llm.url, "arxiv_html_url": arxiv.url + "/html"}
    )
    rt = build_runtime(settings, clock=clock)
    rt.core.ingest(PAPERS)
    yield rt
    rt.close()


def post(http: httpx.Client, url: str, body: str, content_type: str) -> httpx.Response:
    return http.post(url, content=body, headers=signed_headers(body, content_type))


def mention(text: str, thread_ts: str) -> str:
    body: dict[str, Any] = json.loads(
        (FIXTURES / "slack" / "app_mention_in_thread.json").read_text(encoding="utf-8")
    )
    body["event"].update(text=f"<@{BOT_USER}> {text}", thread_ts=thread_ts)
    return json.dumps(body)


def test_a_question_is_answered_in_the_thread_from_the_full_text_by_the_llm(
    runtime: Runtime, fake: FakeSlack, llm: FakeLLM, arxiv: FakeSources
) -> None:
    def respond(request: dict[str, Any]) -> str:
        if "Excerpts:" not in request["messages"][1]["content"]:
            return "A TL;DR sentence for the digest, written by the fake model."
        excerpts = request["messages"][1]["content"].splitlines()
        cited = next(line for line in excerpts if "ImageNet-1k dataset" in line).split()[0]
        return f"They train on ImageNet-1k and fine-tune on COCO {cited}."

    llm.respond = respond
    assert runtime.web_app is not None
    with serving(runtime.web_app()) as base, httpx.Client(timeout=10) as http:
        events = f"{base}/slack/events"
        post(http, events, command_body(fake, "subscribe robot"), FORM)
        post(http, events, command_body(fake, "now"), FORM)
        fake.wait_for(lambda: len(fake.hits("/response_url/C0PAPERS")) == 1)
        channel = runtime.store.find_channel(REF)
        assert channel is not None
        items = runtime.store.recent_digests(channel.id)[0].items
        ts = next(i.message_id for i in items if i.paper.id == "2611.00001")
        assert ts is not None

        r = post(http, events, mention("what dataset do they use?", ts), JSON)
        assert r.status_code == 200  # acked at once; answered after
        fake.wait_for(lambda: any(c.body.get("thread_ts") == ts for c in fake.posts()))
    (answer,) = [c.body for c in fake.posts() if c.body.get("thread_ts") == ts]
    assert answer["text"].startswith("Answer (from Tactile grasping for robot manipulation)")
    assert "They train on ImageNet-1k and fine-tune on COCO [1]." in answer["text"]
    assert "[1] “We train on the ImageNet-1k dataset" in answer["text"]
    assert "(4.1 Datasets)" in answer["text"]
    assert arxiv.paths("/html/") == ["/html/2611.00001"]
    asked = [r for r in llm.requests if "Excerpts:" in str(r["json"]["messages"])]
    assert len(asked) == 1
