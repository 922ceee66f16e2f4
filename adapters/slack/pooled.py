"""slack-sdk's WebClient over a shared keep-alive connection pool (httpx) instead of a new
connection per call; its retries, errors and responses stay slack-sdk's own.

Transport failures are raised as urllib would raise them, so `client.transport_error` and the
retry handlers see the same thing: a request that never left (no connection, pool full) as a
`URLError`, one that may have been carried out (reset, torn or timed-out answer) as the
`OSError` urllib lets through.
"""

from __future__ import annotations

import io
from http.client import HTTPMessage
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request

import httpx
from slack_sdk import WebClient

NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)


def make_pool(max_connections: int = 100, timeout: float = 30.0) -> httpx.Client:
    """One pool for every workspace's client (connections are per host, not per token)."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    return httpx.Client(limits=limits, timeout=timeout, follow_redirects=False)


def as_message(headers: httpx.Headers) -> HTTPMessage:
    message = HTTPMessage()
    for key, value in headers.multi_items():
        message[key] = value
    return message


class PooledWebClient(WebClient):
    """A WebClient whose requests share `pool`'s keep-alive connections."""

    def __init__(self, *args: Any, pool: httpx.Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pool = pool

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        try:
            response = self.pool.request(
                req.get_method(),
                url,
                content=req.data,  # type: ignore[arg-type]  # bytes, as slack-sdk builds it
                headers=dict(req.header_items()),
                timeout=self.timeout,
            )
        except NEVER_SENT as exc:
            raise URLError(f"{type(exc).__name__}: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise TimeoutError(str(exc)) from exc
        except httpx.TransportError as exc:  # reset, dropped, torn answer: maybe carried out
            raise ConnectionResetError(f"{type(exc).__name__}: {exc}") from exc
        headers = as_message(response.headers)
        if not 200 <= response.status_code < 300:  # as urllib: an HTTPError with the body
            raise HTTPError(
                url,
                response.status_code,
                response.reason_phrase,
                headers,
                io.BytesIO(response.content),
            )
        charset = headers.get_content_charset() or "utf-8"
        return {
            "status": response.status_code,
            "headers": headers,
            "body": response.content.decode(charset),
        }


__all__ = ["PooledWebClient", "make_pool"]
