"""Slack Web API clients with bounded retries, and Slack errors translated into ours.

A post that may have reached Slack is never re-sent blindly: connection errors are retried
only for methods that create nothing (`NOT_IDEMPOTENT` is never retried), and an ambiguous
failure (a 5xx, `internal_error`/`fatal_error`, a reset connection, a read timeout) becomes
`DeliveryUncertain`, which the core answers by looking the message up before posting again.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.error import URLError
from urllib.parse import urlparse

import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import RetryHandler, RetryState
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse

from adapters.slack.pooled import PooledWebClient
from bot.errors import ChannelUnavailable, DeliveryError, DeliveryUncertain, RateLimited
from bot.retry_after import retry_after_seconds

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
# Slack's own words for these: "it's possible some aspect of the operation succeeded".
AMBIGUOUS = frozenset({"internal_error", "fatal_error", "service_unavailable"})
# Methods that create something each time they are called: never re-sent automatically.
NOT_IDEMPOTENT = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage", "chat.meMessage"}
)
Sleep = Callable[[float], None]


def api_method(request: HttpRequest) -> str:
    """`chat.postMessage` for `https://slack.com/api/chat.postMessage?...`."""
    return urlparse(request.url).path.rsplit("/", 1)[-1]


class SafeConnectionRetry(ConnectionErrorRetryHandler):
    """slack-sdk's connection-error retry (one retry of a reset or dropped connection), but
    never for a method in NOT_IDEMPOTENT: the first request may have been carried out."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if error is None:  # an answer came back: nothing for this handler (and no URL parse)
            return False
        if api_method(request) in NOT_IDEMPOTENT:
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def retry_after(response: HttpResponse | None) -> float:
    """Seconds from a `Retry-After` header (1 when absent or unreadable)."""
    if response is None:
        return 1.0
    return retry_after_seconds(response.headers.items(), default=1.0)


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
    timeout: float = 30,
    pool: httpx.Client | None = None,
) -> WebClient:
    """A WebClient for `base_url` (SLACK_API_URL) with bounded 429 retries and connection
    retries for the methods that create nothing; `timeout` is the read timeout in seconds.
    With `pool`, its requests share that pool's keep-alive connections."""
    handlers: list[RetryHandler] = [
        SafeConnectionRetry(max_retry_count=1),
        BoundedRateLimitRetry(max_retry_count=max_retries, max_wait=max_wait, sleep=sleep),
    ]
    options: dict[str, Any] = {"token": token, "base_url": base_url, "timeout": timeout}
    if pool is not None:
        return PooledWebClient(pool=pool, retry_handlers=handlers, **options)
    return WebClient(retry_handlers=handlers, **options)


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
        return RateLimited(retry_after_seconds(dict(headers).items(), 1.0), "Slack rate limit")
    if code in UNAVAILABLE:
        hint = HINTS.get(code)
        return ChannelUnavailable(f"Slack says {code}" + (f": {hint}" if hint else ""))
    if (isinstance(status, int) and status >= 500) or code in AMBIGUOUS:
        return DeliveryUncertain(f"Slack answered HTTP {status} {code[:80]}: maybe carried out")
    return DeliveryError(f"Slack error: {code}")


def transport_error(exc: Exception) -> DeliveryError:
    """A failure without a Slack answer. Definite when the request cannot have left (refused
    connection, unknown host, a bad URL or request); anything else (reset, dropped, timed out,
    a torn response) maybe carried out.
    """
    reason = exc.reason if isinstance(exc, URLError) else exc
    never_sent = isinstance(reason, ConnectionRefusedError | socket.gaierror)
    if never_sent or isinstance(exc, SlackClientError) or isinstance(reason, str):
        return DeliveryError(f"Slack unreachable: {type(reason).__name__}")
    return DeliveryUncertain(f"no answer from Slack: {type(reason).__name__}: maybe carried out")
