"""slack-sdk's WebClient over a shared keep-alive connection pool (httpx) instead of a new
connection per call; its retries, errors and responses stay slack-sdk's own.

Transport failures are raised as urllib would raise them, so `client.transport_error` and the
retry handlers see the same thing: a request that never left (no connection, pool full) as a
`URLError`, one that may have been carried out (reset, torn or timed-out answer) as the
`OSError` urllib lets through.

A call goes straight to the pool's keep-alive connections (`Pool.send_direct`, httpcore, the
connection pool under httpx's transport): the Web API needs none of httpx.Client's
per-request work (cookie jar, auth, redirects, URL merging, event hooks, its request and
response models), which cost more CPU than the HTTP exchange itself. With a proxy configured
in the environment the calls go through the client as before.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from http.client import HTTPMessage
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request, getproxies

import httpcore
import httpx
from slack_sdk import WebClient

NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpcore.ConnectError,
    httpcore.ConnectTimeout,
    httpcore.PoolTimeout,
    httpcore.UnsupportedProtocol,
)
TIMED_OUT = (httpx.TimeoutException, httpcore.TimeoutException)
MAYBE_SENT = (httpx.TransportError, httpcore.NetworkError, httpcore.ProtocolError)


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    headers: HTTPMessage
    body: bytes


class Pool(httpx.Client):
    """An httpx.Client (for anything else, and behind a proxy) and, for the Web API calls, the
    same kind of keep-alive connection pool without the client's layers (`send_direct`)."""

    def __init__(self, *, limits: httpx.Limits, timeout: float) -> None:
        super().__init__(limits=limits, timeout=timeout, follow_redirects=False)
        self.direct = not getproxies()  # a proxy from the environment: the client's path
        self.connections = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),  # httpx's CA bundle, SSL_CERT_FILE
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
        )
        self._timeouts: dict[float, dict[str, float]] = {}

    def send_direct(
        self, method: str, url: str, content: bytes | None, headers: dict[str, str], timeout: float
    ) -> Answer:
        """One request on a pooled connection, its whole answer read."""
        limits = self._timeouts.get(timeout)
        if limits is None:
            limits = self._timeouts[timeout] = dict.fromkeys(
                ("connect", "read", "write", "pool"), timeout
            )
        response = self.connections.request(
            method,
            url,
            headers=list(headers.items()),
            content=content,
            extensions={"timeout": limits},
        )
        reason = response.extensions.get("reason_phrase", b"")
        message = HTTPMessage()
        for key, value in response.headers:
            message[key.decode("latin-1")] = value.decode("latin-1")
        return Answer(response.status, reason.decode("latin-1"), message, response.content)

    def close(self) -> None:
        self.connections.close()
        super().close()


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

    def _send(self, url: str, req: Request) -> Answer:
        content: bytes | None = req.data  # type: ignore[assignment]  # bytes, as slack-sdk builds it
        headers = dict(req.header_items())
        if isinstance(self.pool, Pool) and self.pool.direct:
            return self.pool.send_direct(req.get_method(), url, content, headers, self.timeout)
        response = self.pool.request(
            req.get_method(), url, content=content, headers=headers, timeout=self.timeout
        )
        return Answer(
            response.status_code,
            response.reason_phrase,
            as_message(response.headers),
            response.content,
        )

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        try:
            answer = self._send(url, req)
        except NEVER_SENT as exc:
            raise URLError(f"{type(exc).__name__}: {exc}") from exc
        except TIMED_OUT as exc:
            raise TimeoutError(str(exc)) from exc
        except MAYBE_SENT as exc:  # reset, dropped, torn answer: maybe carried out
            raise ConnectionResetError(f"{type(exc).__name__}: {exc}") from exc
        headers = answer.headers
        if not 200 <= answer.status < 300:  # as urllib: an HTTPError with the body
            raise HTTPError(url, answer.status, answer.reason, headers, io.BytesIO(answer.body))
        charset = headers.get_content_charset() or "utf-8"
        return {"status": answer.status, "headers": headers, "body": answer.body.decode(charset)}


def quiet_logger() -> logging.Logger:
    """slack-sdk's logger at the level its hierarchy has now. slack-sdk checks the logger's own
    level (NOTSET by default) before formatting a debug line of every request, body included,
    that logging then drops."""
    logger = logging.getLogger("slack_sdk.web.pooled")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.getLogger("slack_sdk.web").getEffectiveLevel())
    return logger


__all__ = ["Pool", "PooledWebClient", "make_pool"]
