"""`paperbot serve` under junk: the real ASGI app under uvicorn on 127.0.0.1, real Slack
signatures. A bad or missing timestamp is a 401, a correctly signed body of a shape Slack never
sends is a 400, and no request ever gets a 500 or a traceback."""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.request_check import body_problem, signature_ok, timestamp_ok
from app.runtime import Runtime
from app.wiring.runtime import build_runtime
from bot.clock import FixedClock
from bot.config import Settings
from tests.adapters.slack.fake_slack import (
    FORM,
    JSON,
    SECRET,
    FakeSlack,
    command_body,
    reaction_body,
    serving,
)
from tests.conftest import make_paper


def sign(body: bytes, content_type: str, timestamp: str | None = None) -> dict[str, str]:
    """Slack's v0 signature over the raw bytes (what Slack computes, whatever they are)."""
    import hashlib
    import hmac

    ts = timestamp if timestamp is not None else str(int(time.time()))
    base = b"v0:" + ts.encode() + b":" + body
    digest = hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": f"v0={digest}",
    }


@pytest.fixture
def base_url(slack_settings: Settings, clock: FixedClock) -> Iterator[str]:
    rt: Runtime = build_runtime(slack_settings, clock=clock)
    rt.core.ingest([make_paper("2611.00001", "Tactile grasping")])
    assert rt.web_app is not None
    with serving(rt.web_app()) as base:
        yield f"{base}/slack/events"
    rt.close()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def no_traceback(r: httpx.Response) -> bool:
    return "Traceback" not in r.text and 'File "' not in r.text


def crashes(records: list[logging.LogRecord]) -> list[str]:
    return [r.getMessage() for r in records if r.levelno >= logging.ERROR or r.exc_info]


BAD_TIMESTAMPS = [None, "", "abc", "1.5", "-5", "1e9", "0x10", "12a", "1_700_000_000", "9" * 40]


def test_a_missing_or_non_numeric_timestamp_is_401(
    base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = reaction_body("1.000001").encode()
    with httpx.Client(timeout=10) as http:
        for timestamp in BAD_TIMESTAMPS:
            headers = sign(body, JSON, timestamp or "0")  # signed with that very timestamp
            if timestamp is None:
                del headers["x-slack-request-timestamp"]
            r = http.post(base_url, content=body, headers=headers)
            assert r.status_code == 401 and no_traceback(r), timestamp
    assert crashes(caplog.records) == []


JUNK = [
    (b"not json at all", JSON),
    (b"[1, 2, 3]", JSON),
    (b'"just a string"', JSON),
    (b"null", JSON),
    (b"", JSON),
    (b"{", FORM),  # bolt reads anything starting with { as JSON
    (b"\xff\xfe\x00junk", JSON),  # not UTF-8
    (b"\xff\xfe\x00junk", FORM),
    (b"%%%&&&==", FORM),
    (b"hello=world", FORM),
    (b"plain text", "text/plain"),
    (b'{"event": {"type": "reaction_added"}}', JSON),  # no type
    (b'{"type": "event_callback"}', JSON),
    (b'{"type": "event_callback", "event": "reaction_added"}', JSON),
    (b'{"type": "event_callback", "event": {"type": 7}}', JSON),
    (b'{"type": "event_callback", "event": {"type": "x"}, "authorizations": "T1"}', JSON),
    (b'{"type": "event_callback", "event": {"type": "x"}, "authorizations": [1]}', JSON),
    (b'{"type": "event_callback", "event": {"type": "x", "user": ["U1"]}}', JSON),
    (b'{"type": "event_callback", "event": {"type": "x", "item": {"channel": 5}}}', JSON),
    (b'{"type": "event_callback", "event": {"type": "x"}, "team": 12}', JSON),
    (b"[" * 50_000 + b"]" * 50_000, JSON),  # nested deeper than the JSON decoder goes
    (b'{"type": "x", "event": ' * 3000 + b"1" + b"}" * 3000, JSON),
    (b"payload=not-json", FORM),
    (b"payload=%5B1%5D", FORM),
    (b"payload=%7B%22type%22%3A%22block_actions%22%7D", FORM),  # no actions
    (b"payload=%7B%22type%22%3A%22block_actions%22%2C%22actions%22%3A%5B1%5D%7D", FORM),
    (b"payload=%7B%22type%22%3A%22shortcut%22%7D", FORM),  # no callback_id
]


def test_a_correctly_signed_junk_body_is_400(
    base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with httpx.Client(timeout=10) as http:
        for body, content_type in JUNK:
            r = http.post(base_url, content=body, headers=sign(body, content_type))
            assert r.status_code == 400, (body, r.status_code, r.text)
            assert r.json()["error"] == "bad request" and no_traceback(r)
    assert crashes(caplog.records) == []


def test_a_command_mentioning_payload_is_still_a_command(base_url: str) -> None:
    """bolt alone reads any form containing "payload" as an (empty) interactivity payload."""
    body = command_body(FakeSlack(), "subscribe payload delivery").encode()
    with httpx.Client(timeout=10) as http:
        r = http.post(base_url, content=body, headers=sign(body, FORM))
    assert r.status_code == 200 and "payload delivery" in r.json()["text"]


def test_unsigned_junk_is_401_not_400(base_url: str) -> None:
    body = b"not json at all"
    headers = sign(body, JSON)
    headers["x-slack-signature"] = "v0=" + "0" * 64
    with httpx.Client(timeout=10) as http:
        assert http.post(base_url, content=body, headers=headers).status_code == 401
        stale = sign(body, JSON, str(int(time.time()) - 6 * 60))
        assert http.post(base_url, content=body, headers=stale).status_code == 401


# ----------------------------------------------------- anything Slack-shaped, fuzzed
TYPES = [
    "event_callback",
    "url_verification",
    "app_rate_limited",
    "block_actions",
    "interactive_message",
    "dialog_submission",
    "shortcut",
    "message_action",
    "view_submission",
    "block_suggestion",
    "reaction_added",
    "reaction_removed",
    "app_uninstalled",
    "tokens_revoked",
]
KEYS = [
    "type",
    "event",
    "team",
    "team_id",
    "user",
    "user_id",
    "channel",
    "enterprise",
    "enterprise_id",
    "authorizations",
    "actions",
    "action_id",
    "callback_id",
    "item",
    "message",
    "view",
    "response_url",
    "response_urls",
    "is_ext_shared_channel",
    "event_id",
    "event_time",
    "event_ts",
    "reaction",
    "challenge",
    "thread_ts",
    "function_execution_id",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from(["", "T0LAB", "U0ADA", "C0PAPERS", "E1", *TYPES])
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=12,
)
slack_objects = st.fixed_dictionaries(
    {"type": st.sampled_from(TYPES) | scalars},
    optional={k: values for k in KEYS if k != "type"},
)


def encode(obj: dict[str, Any], how: str) -> tuple[bytes, str]:
    if how == "json":
        return json.dumps(obj).encode(), JSON
    return urllib.parse.urlencode({"payload": json.dumps(obj)}).encode(), FORM


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(obj=slack_objects, how=st.sampled_from(["json", "payload"]))
def test_no_signed_slack_shaped_body_gets_a_500(
    base_url: str, http: httpx.Client, obj: dict[str, Any], how: str
) -> None:
    body, content_type = encode(obj, how)
    r = http.post(base_url, content=body, headers=sign(body, content_type))
    assert r.status_code in (200, 400, 404), (r.status_code, body)
    assert no_traceback(r)


def test_the_checks_as_pure_functions() -> None:
    assert timestamp_ok("1764231000") and not timestamp_ok("1764231000.5")
    assert not timestamp_ok(None) and not timestamp_ok("")
    now = 1764231000.0
    good = sign(b"x=1", FORM, "1764231000")["x-slack-signature"]
    assert signature_ok(SECRET, b"x=1", "1764231000", good, now=now)
    assert not signature_ok(SECRET, b"x=2", "1764231000", good, now=now)
    assert not signature_ok(SECRET, b"x=1", "1764231000", good, now=now + 301)
    assert not signature_ok(SECRET, b"x=1", "1764231000", None, now=now)
    assert body_problem(b"command=%2Fpapers&text=help", FORM) is None
    assert body_problem(b"ssl_check=1&token=x", FORM) is None
    assert body_problem(reaction_body("1.000001").encode(), JSON) is None
