"""The polite HTTP client: retries, Retry-After, timeouts, conditional GET, rate gates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.sources.http import HttpFailure, IntervalGate, PoliteClient, parse_retry_after

URL = "https://feeds.test/rss/cs.LG"


class FakeTime:
    """Wall clock and sleep for gates and retries: sleeping advances time, nothing waits."""

    def __init__(self) -> None:
        self.t = 1_000.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.t += seconds


def make_client(
    handler: Callable[[httpx.Request], httpx.Response],
    sleeps: list[float],
    **overrides: object,
) -> PoliteClient:
    settings = Settings(_env_file=None, http_backoff_seconds=1.0, **overrides)  # type: ignore[call-arg]
    clock = FixedClock(datetime(2026, 6, 12, 12, 0, tzinfo=UTC))
    return PoliteClient(
        settings, clock, transport=httpx.MockTransport(handler), sleep=sleeps.append
    )


def test_user_agent_and_success() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"<rss/>")

    client = make_client(handler, [], http_user_agent="PaperBotTest/1.0 (ops@example.org)")
    assert client.get(URL).body == b"<rss/>"
    assert seen[0].headers["user-agent"] == "PaperBotTest/1.0 (ops@example.org)"


def test_429_retry_after_is_honoured_without_real_sleeping() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "7"})
        return httpx.Response(200, content=b"ok")

    sleeps: list[float] = []
    assert make_client(handler, sleeps).get(URL).body == b"ok"
    assert sleeps == [7.0] and len(calls) == 2


def test_503_then_success_backs_off() -> None:
    responses = iter([httpx.Response(503), httpx.Response(503), httpx.Response(200, content=b"x")])
    sleeps: list[float] = []
    assert make_client(lambda r: next(responses), sleeps).get(URL).body == b"x"
    assert len(sleeps) == 2 and all(s > 0 for s in sleeps)


def test_500_gives_up_after_max_attempts() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(500)

    with pytest.raises(HttpFailure, match="HTTP 500") as info:
        make_client(handler, [], http_max_attempts=3).get(URL)
    assert info.value.status == 500 and len(calls) == 3


def test_404_is_not_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(404)

    with pytest.raises(HttpFailure, match="HTTP 404"):
        make_client(handler, []).get(URL)
    assert len(calls) == 1


def test_retry_after_beyond_the_cap_fails_at_once() -> None:
    sleeps: list[float] = []
    client = make_client(
        lambda r: httpx.Response(429, headers={"Retry-After": "3600"}),
        sleeps,
        http_max_retry_after_seconds=60,
    )
    with pytest.raises(HttpFailure, match="asked to wait 3600s"):
        client.get(URL)
    assert sleeps == []


def test_timeout_is_retried_then_reported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    sleeps: list[float] = []
    with pytest.raises(HttpFailure, match="timed out"):
        make_client(handler, sleeps, http_max_attempts=2).get(URL)
    assert len(sleeps) == 1


def test_oversized_response_is_refused() -> None:
    client = make_client(
        lambda r: httpx.Response(200, content=b"x" * 5000), [], http_max_bytes=1000
    )
    with pytest.raises(HttpFailure, match="larger than 1000 bytes"):
        client.get(URL)


def test_conditional_get_and_same_day_reuse() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304)
        return httpx.Response(200, content=b"body", headers={"ETag": '"v1"'})

    client = make_client(handler, [])
    first = client.get(URL)
    assert not client.cache.get_cached_response(first.key)  # nothing kept until it parsed well
    client.remember(first)
    second = client.get(URL)
    assert second.not_modified and second.body == b"body"
    assert seen[1].headers["if-none-match"] == '"v1"'
    fetched_at = client.clock.now()
    third = client.get(URL, fresh_since=fetched_at - timedelta(hours=1))
    assert third.from_cache and third.body == b"body" and len(seen) == 2


def test_parse_retry_after_http_date() -> None:
    now = datetime(2026, 6, 12, 12, 0, tzinfo=UTC)
    assert parse_retry_after("Fri, 12 Jun 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("soon", now) is None


def test_interval_gate_spaces_requests() -> None:
    fake = FakeTime()
    gate = IntervalGate(3.0, sleep=fake.sleep, now=fake.now)
    for _ in range(3):
        with gate.hold():
            fake.t += 0.5  # the request takes half a second
    assert fake.slept == [3.0, 3.0]  # counted from the end of the previous request


def test_lock_file_shares_the_limit_between_gates(tmp_path: Path) -> None:
    fake = FakeTime()
    lock = tmp_path / "arxiv.lock"
    one = IntervalGate(3.0, lock_path=lock, sleep=fake.sleep, now=fake.now)
    other = IntervalGate(3.0, lock_path=lock, sleep=fake.sleep, now=fake.now)  # another process
    with one.hold():
        pass
    fake.t += 1.0
    with other.hold():
        pass
    assert fake.slept == [2.0]
    assert float(lock.read_text()) == pytest.approx(fake.t)
