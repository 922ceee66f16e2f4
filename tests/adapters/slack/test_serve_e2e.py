"""`paperbot serve` end to end: the runtime's web app under uvicorn on 127.0.0.1, real HTTP,
signed requests, the real command layer, and the fake Slack Web API."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from adapters.slack.app import WORKING
from app.runtime import Runtime
from app.wiring.runtime import build_runtime
from bot.clock import FixedClock
from bot.config import Settings
from bot.models import ReactionEvent
from tests.adapters.slack.conftest import NEXT_DAY, PAPERS, REF
from tests.adapters.slack.fake_slack import (
    FORM,
    JSON,
    FakeSlack,
    command_body,
    reaction_body,
    serving,
    signed_headers,
)


@pytest.fixture
def runtime(slack_settings: Settings, clock: FixedClock) -> Iterator[Runtime]:
    rt = build_runtime(slack_settings, clock=clock)
    rt.core.ingest(PAPERS)
    yield rt
    rt.close()


def post(http: httpx.Client, url: str, body: str, content_type: str) -> httpx.Response:
    return http.post(url, content=body, headers=signed_headers(body, content_type))


def test_subscribe_now_react_changes_the_next_ranking(
    runtime: Runtime, fake: FakeSlack, clock: FixedClock
) -> None:
    assert runtime.web_app is not None
    handled: list[bool] = []
    done = threading.Condition()
    on_reaction = runtime.core.on_reaction

    def recording(event: ReactionEvent) -> bool:
        result = on_reaction(event)
        with done:
            handled.append(result)
            done.notify_all()
        return result

    runtime.core.on_reaction = recording  # type: ignore[method-assign]
    with serving(runtime.web_app()) as base, httpx.Client(timeout=10) as http:
        events = f"{base}/slack/events"
        assert http.get(f"{base}/healthz").json() == {"status": "ok", "slack": True}

        r = post(http, events, command_body(fake, "subscribe robot"), FORM)
        assert r.status_code == 200 and "robot" in r.json()["text"]

        r = post(http, events, command_body(fake, "now"), FORM)
        assert r.status_code == 200 and r.json()["text"] == WORKING  # acked before the work
        fake.wait_for(lambda: len(fake.hits("/response_url/C0PAPERS")) == 1)
        assert "Posted 2 papers" in fake.hits("/response_url/C0PAPERS")[0].body["text"]
        posts = fake.posts()
        assert len(posts) == 3 and "2 papers for #papers" in posts[0].body["text"]
        assert len(fake.hits("/reactions.add")) == 4

        channel = runtime.store.find_channel(REF)
        assert channel is not None
        digest = runtime.store.recent_digests(channel.id)[0]
        ts = {item.paper.id: item.message_id or "" for item in digest.items}
        assert set(ts) == {"2611.00001", "2611.00002"}

        # tomorrow's papers arrive; without feedback neither is relevant enough to pick
        clock.advance(timedelta(days=1))
        runtime.core.ingest(NEXT_DAY)
        assert runtime.core.plan(channel).picks == ()

        # 👍 the grasping paper, 👎 the locomotion one (the first sent twice, as a Slack retry)
        like = reaction_body(ts["2611.00001"], emoji="+1", event_id="EvLike")
        assert post(http, events, like, JSON).status_code == 200
        headers = signed_headers(like, JSON) | {"x-slack-retry-num": "1"}
        assert http.post(events, content=like, headers=headers).status_code == 200
        dislike = reaction_body(ts["2611.00002"], emoji="-1", event_id="EvDislike")
        assert post(http, events, dislike, JSON).status_code == 200
        with done:
            done.wait_for(
                lambda: len(handled) == 3, timeout=10
            )  # bolt handles events after the ack
        assert sorted(handled) == [False, True, True]  # the retry changed nothing
        assert runtime.store.reaction_counts(channel.id) == (1, 1)

        picks = [scored.paper.id for scored, _ in runtime.core.plan(channel).picks]
        assert picks == ["2611.00003"]  # the grasping paper, not the locomotion one

        # an unsigned request is refused and changes nothing
        unsigned = command_body(fake, "unsubscribe robot")
        r = http.post(events, content=unsigned, headers={"content-type": FORM})
        assert r.status_code == 401
        assert runtime.store.get_channel(channel.id).interests == channel.interests


def test_serve_without_slack_serves_health_only(settings: Settings) -> None:
    rt = build_runtime(settings)
    try:
        assert rt.web_app is not None
        with serving(rt.web_app()) as base, httpx.Client(timeout=10) as http:
            assert http.get(f"{base}/healthz").status_code == 200
            assert http.post(f"{base}/slack/events", content="{}").status_code == 404
            assert http.get(f"{base}/slack/install").status_code == 404
    finally:
        rt.close()


def test_oversized_bodies_are_refused_before_verification(runtime: Runtime) -> None:
    assert runtime.web_app is not None
    with serving(runtime.web_app()) as base, httpx.Client(timeout=10) as http:
        r = http.post(f"{base}/slack/events", content=b"x" * 1_000_001)
        assert r.status_code == 413
