"""slack-sdk's WebClient over a shared keep-alive connection pool (httpx) instead of a new
connection per call; its retries, errors and responses stay slack-sdk's own.

Transport failures are raised as urllib would raise them, so `client.transport_error` and the
retry handlers see the same thing: a request that never left (no connection, pool full) as a
`URLError`, one that may have been carried out (reset, torn or timed-out answer) as the
`OSError` urllib lets through.

A call goes straight to the pool's keep-alive transport (`Pool.send_direct`): the Web API
needs none of httpx.Client's per-request work (cookie jar, auth, redirects, URL merging,
event hooks), which cost more CPU than the HTTP exchange itself. With a proxy configured in
the environment the calls go through the client as before.
"""

from __future__ import annotations

import io
import logging
from http.client import HTTPMessage
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request, getproxies

import httpx
from slack_sdk import WebClient

NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)


class Pool(httpx.Client):
    """An httpx.Client whose transport is its own: `send_direct` skips the client's layers."""

    def __init__(self, *, limits: httpx.Limits, timeout: float) -> None:
        self.transport = httpx.HTTPTransport(limits=limits)
        super().__init__(transport=self.transport, timeout=timeout, follow_redirects=False)
        self.direct = not getproxies()  # a proxy from the environment: the client's path
        self._timeouts: dict[float | None, dict[str, float | None]] = {}

    def send_direct(
        self, method: str, url: str, content: bytes | None, headers: dict[str, str], timeout: float
    ) -> httpx.Response:
        """One request on the transport, its body read (the connection back in the pool)."""
        limits = self._timeouts.get(timeout)
        if limits is None:
            limits = self._timeouts[timeout] = httpx.Timeout(timeout).as_dict()
        request = httpx.Request(
            method, url, content=content, headers=headers, extensions={"timeout": limits}
        )
        response = self.transport.handle_request(request)
        try:
            response.read()
        finally:
            response.close()
        return response


def make_pool(max_connections: int = 100, timeout: float = 30.0) -> Pool:
    """One pool for every workspace's client (connections are per host, not per token)."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    return Pool(limits=limits, timeout=timeout)


def as_message(headers: httpx.Headers) -> HTTPMessage:
    message = HTTPMessage()
    for key, value in headers.multi_items():
        message[key] = value
    return message


class PooledWebClient(WebClient):
    """A WebClient whose requests share `pool`'s keep-alive connections."""

    def __init__(self, *args: Any, pool: httpx.Client, **kwargs: Any) -> None:
        kwargs.setdefault("logger", quiet_logger())
        super().__init__(*args, **kwargs)
        self.pool = pool

    def _send(self, url: str, req: Request) -> httpx.Response:
        content: bytes | None = req.data  # type: ignore[assignment]  # bytes, as slack-sdk builds it
        headers = dict(req.header_items())
        if isinstance(self.pool, Pool) and self.pool.direct:
            return self.pool.send_direct(req.get_method(), url, content, headers, self.timeout)
        return self.pool.request(
            req.get_method(), url, content=content, headers=headers, timeout=self.timeout
        )

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        try:
            response = self._send(url, req)
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


def quiet_logger() -> logging.Logger:
    """slack-sdk's logger at the level its hierarchy has now. slack-sdk checks the logger's own
    level (NOTSET by default) before formatting a debug line of every request, body included,
    that logging then drops."""
    logger = logging.getLogger("slack_sdk.web.pooled")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.getLogger("slack_sdk.web").getEffectiveLevel())
    return logger


__all__ = ["Pool", "PooledWebClient", "make_pool"]
