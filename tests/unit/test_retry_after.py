"""One reading of Retry-After for sources, Slack and Discord."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.retry_after import parse_retry_after, retry_after_seconds

NOW = datetime(2026, 6, 12, 12, 0, tzinfo=UTC)


def test_delta_seconds_dates_and_junk() -> None:
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after("nan") is None
    assert parse_retry_after("Fri, 12 Jun 2026 12:00:30 GMT", NOW) == 30.0
    assert parse_retry_after("Fri, 12 Jun 2026 11:00:00 GMT", NOW) == 0.0  # already past
    assert parse_retry_after("Fri, 12 Jun 2026 12:00:30 GMT") is None  # a date needs `now`
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after("") is None and parse_retry_after(None) is None


def test_headers_of_every_shape() -> None:
    assert retry_after_seconds({"Retry-After": "7"}.items(), default=1.0) == 7.0
    assert retry_after_seconds([("retry-after", ["2"])], default=1.0) == 2.0  # slack-sdk lists
    assert retry_after_seconds([("RETRY-AFTER", "0")], default=1.0) == 0.0  # zero is a wait
    assert retry_after_seconds([("Retry-After", "later")], default=60.0) == 60.0
    assert retry_after_seconds([("Content-Type", "text/plain")], default=1.0) == 1.0
    assert retry_after_seconds((), default=5.0) == 5.0
