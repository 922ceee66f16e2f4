"""How long a service asked us to wait: the one reading of a `Retry-After` header.

Sources (bot/sources/http.py), Slack and Discord all call `retry_after_seconds`; a header
is delta-seconds (`"30"`, `"1.5"`) or an HTTP date (RFC 9110 §10.2.3).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait, or None when the header is absent or unreadable (a date needs `now`)."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        return _until_date(value, now)
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _until_date(value: str, now: datetime | None) -> float | None:
    if now is None:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def retry_after_seconds(
    headers: Iterable[tuple[str, object]], default: float, now: datetime | None = None
) -> float:
    """The wait a response's headers ask for (any case; a value or a list of values), else
    `default`."""
    for key, value in headers:
        if key.lower() != "retry-after":
            continue
        first = value[0] if isinstance(value, list | tuple) and value else value
        found = parse_retry_after(first if isinstance(first, str) else None, now)
        return default if found is None else found
    return default
