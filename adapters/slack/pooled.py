"""slack-sdk's WebClient over a shared keep-alive connection pool (httpx) instead of a new
connection per call; its retries, errors and responses stay slack-sdk's own.

Transport failures are raised as urllib would raise them, so `client.transport_error` and the
retry handlers see the same thing: a request that never left (no connection, pool full) as a
`URLError`, one that may have been carried out (reset, torn or timed-out answer) as the
`OSError` urllib lets through.

A call goes straight to the pool's keep-alive connections (`Pool.send_direct`: http.client
connections borrowed from `Connections` in O(1), rather than through httpcore's pool, whose
per-request sweep of every connection under one lock cost more than the exchange, and whose
HTTP/1.1 connection costs twice http.client's CPU a request): the Web API needs none of httpx.Client's per-request work (cookie jar, auth,
redirects, URL merging, event hooks, its request and response models), which cost more CPU
than the HTTP exchange itself. With a proxy configured in the environment the calls go
through the client as before.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from http.client import HTTPMessage
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request, getproxies

import httpcore
import httpx
from slack_sdk import WebClient

from adapters.slack.connections import Connections

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
    """An HTTP answer; `headers` as sent (the first value of a repeated name)."""

    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes

    def message(self) -> HTTPMessage:
        """The headers as urllib hands them to an HTTPError."""
        message = HTTPMessage()
        for key, value in self.headers.items():
            message[key] = value
        return message

    def charset(self) -> str:
        """The charset its Content-Type names (utf-8 when none)."""
        for key, value in self.headers.items():
            if key.lower() == "content-type":
                for param in value.split(";")[1:]:
                    name, _, charset = param.partition("=")
                    if name.strip().lower() == "charset" and charset.strip(' "'):
                        return charset.strip(' "')
                break
        return "utf-8"


class Pool(httpx.Client):
    """An httpx.Client (for anything else, and behind a proxy) and, for the Web API calls, the
    same kind of keep-alive connection pool without the client's layers (`send_direct`)."""

    def __init__(self, *, limits: httpx.Limits, timeout: float) -> None:
        super().__init__(limits=limits, timeout=timeout, follow_redirects=False)
        self.direct = not getproxies()  # a proxy from the environment: the client's path
        self.connections = Connections(
            ssl_context=httpx.create_ssl_context(),  # httpx's CA bundle, SSL_CERT_FILE
            max_connections=limits.max_connections or 100,
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
        reply = self.connections.request(
            method, url, headers=list(headers.items()), content=content, timeout=limits
        )
        answer: dict[str, str] = {}
        for key, value in reply.headers:
            answer.setdefault(key, value)
        return Answer(reply.status, reply.reason, answer, reply.body)

    def close(self) -> None:
        self.connections.close()
        super().close()


def make_pool(max_connections: int = 100, timeout: float = 30.0) -> Pool:
    """One pool for every workspace's client (connections are per host, not per token)."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    return Pool(limits=limits, timeout=timeout)


def first_values(headers: httpx.Headers) -> dict[str, str]:
    """Each header name with its first value (as `dict(HTTPMessage)` has them)."""
    answer: dict[str, str] = {}
    for key, value in headers.multi_items():
        answer.setdefault(key, value)
    return answer


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
            first_values(response.headers),
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
        if not 200 <= answer.status < 300:  # as urllib: an HTTPError with the body
            message = answer.message()
            raise HTTPError(url, answer.status, answer.reason, message, io.BytesIO(answer.body))
        body = answer.body.decode(answer.charset())
        return {"status": answer.status, "headers": answer.headers, "body": body}


def quiet_logger() -> logging.Logger:
    """slack-sdk's logger at the level its hierarchy has now. slack-sdk checks the logger's own
    level (NOTSET by default) before formatting a debug line of every request, body included,
    that logging then drops."""
    logger = logging.getLogger("slack_sdk.web.pooled")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.getLogger("slack_sdk.web").getEffectiveLevel())
    return logger


__all__ = ["Pool", "PooledWebClient", "make_pool"]
