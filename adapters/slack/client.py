"""Slack Web API clients with bounded retries, and Slack errors translated into ours."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryHandler, RetryState
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse

from bot.errors import ChannelUnavailable, DeliveryError, RateLimited

log = logging.getLogger(__name__)

# Errors after which posting to the channel cannot succeed until a person acts: pause it.
UNAVAILABLE = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "channel_is_archived",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "team_access_revoked",
        "not_authed",
        "no_installation",
    }
)

HINTS = {
    "not_in_channel": "invite me with /invite @PaperBot, then /papers resume",
    "channel_not_found": "the channel is gone, or private and I was never invited",
    "is_archived": "the channel is archived; /papers resume after unarchiving it",
    "channel_is_archived": "the channel is archived; /papers resume after unarchiving it",
    "invalid_auth": "the bot token no longer works; reinstall the app",
    "account_inactive": "the app was uninstalled or its bot deactivated; reinstall it",
    "token_revoked": "the bot token was revoked; reinstall the app",
}
Sleep = Callable[[float], None]


def retry_after(response: HttpResponse | None) -> float:
    """Seconds from a `Retry-After` header (1 when absent or unreadable)."""
    if response is None:
        return 1.0
    for key, values in response.headers.items():
        if key.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0]))
            except ValueError:
                return 1.0
    return 1.0


class BoundedRateLimitRetry(RateLimitErrorRetryHandler):
    """slack-sdk's 429 handler, honouring `Retry-After` but never waiting longer than
    `max_wait` seconds per attempt (longer waits surface as RateLimited), with an injectable
    sleep so tests never wait on the wall clock."""

    def __init__(self, max_retry_count: int = 2, max_wait: float = 30.0, sleep: Sleep = time.sleep):
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait
        self.sleep = sleep

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return (
            response is not None
            and response.status_code == 429
            and retry_after(response) <= self.max_wait
        )

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        wait = retry_after(response)
        log.info("Slack rate limit: waiting %.1fs (attempt %d)", wait, state.current_attempt + 1)
        self.sleep(wait)
        state.increment_current_attempt()


def make_client(
    *,
    base_url: str,
    token: str | None = None,
    max_retries: int = 2,
    max_wait: float = 30.0,
    sleep: Sleep = time.sleep,
    timeout: int = 30,
) -> WebClient:
    """A WebClient for `base_url` (SLACK_API_URL) with bounded connection and 429 retries."""
    handlers: list[RetryHandler] = [
        ConnectionErrorRetryHandler(max_retry_count=1),
        BoundedRateLimitRetry(max_retry_count=max_retries, max_wait=max_wait, sleep=sleep),
    ]
    return WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=handlers)


def api_error_code(exc: SlackApiError) -> str:
    response = exc.response
    try:
        code = response.get("error") if response is not None else None
    except (AttributeError, TypeError, ValueError):
        code = None
    return str(code or "unknown_error")


def translate(exc: SlackApiError) -> DeliveryError:
    """A Slack API error as one of ours; the message names only Slack's error code."""
    code = api_error_code(exc)
    status = getattr(exc.response, "status_code", None)
    if status == 429 or code == "ratelimited":
        headers = getattr(exc.response, "headers", {}) or {}
        wait = 1.0
        for key, value in dict(headers).items():
            if key.lower() == "retry-after":
                try:
                    wait = float(value[0] if isinstance(value, list) else value)
                except (TypeError, ValueError):
                    wait = 1.0
        return RateLimited(wait, "Slack rate limit")
    if code in UNAVAILABLE:
        hint = HINTS.get(code)
        return ChannelUnavailable(f"Slack says {code}" + (f": {hint}" if hint else ""))
    return DeliveryError(f"Slack error: {code}")
