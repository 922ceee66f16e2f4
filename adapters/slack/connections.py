"""Keep-alive HTTP/1.1 connections (httpcore's own) that a request borrows for its whole
exchange: O(1) work per request, whatever the number of connections or threads.

httpcore's ConnectionPool does, under one lock and for every request (twice: on sending and
on closing the answer), a sweep of all its connections, each idle one asking the kernel
whether its socket became readable (a `poll` per connection); with a connection per delivery
thread (hundreds) that sweep, and the threads queueing for its lock, cost more CPU than the
HTTP exchange. Here a request takes the most recently returned idle connection of its origin
(a list pop, atomic under the GIL), checks that one connection only (its keep-alive expiry
and whether the server closed it), and gives it back after reading the whole answer. At most
`max_connections` requests are in flight at once (a semaphore, blocking only at the cap).
Idle connections that are never taken again (after a burst) are closed once their keep-alive
runs out, by a sweep from the oldest end at most once every PRUNE_EVERY seconds.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections import defaultdict

import httpcore

Origin = tuple[bytes, bytes, int | None]  # scheme, host, port
PRUNE_EVERY = 1.0  # seconds between sweeps of expired idle connections
MAX_TARGETS = 256  # parsed URLs kept (Web API method URLs; cleared when full)


class Connections:
    """Idle keep-alive connections per origin; thread-safe, one request per connection."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext,
        max_connections: int,
        keepalive_expiry: float | None,
    ) -> None:
        self.ssl_context = ssl_context
        self.keepalive_expiry = keepalive_expiry
        self.max_connections = max_connections
        self._slots = threading.BoundedSemaphore(max_connections)
        self._idle: defaultdict[Origin, list[httpcore.HTTPConnection]] = defaultdict(list)
        self._closed = False
        self._pruned_at = time.monotonic()
        self._targets: dict[str, tuple[httpcore.URL, bytes]] = {}

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: list[tuple[str, str]],
        content: bytes | None,
        timeout: dict[str, float],
    ) -> httpcore.Response:
        """Send one request and read its whole answer (the connection is back in the pool, or
        closed, before this returns). Raises httpcore's exceptions, as its pool does."""
        target, host = self._target(url)
        fields = [(b"Host", host)] + [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in headers
            if k.lower() not in ("host", "content-length")
        ]
        if content is not None:
            fields.append((b"Content-Length", b"%d" % len(content)))
        request = httpcore.Request(
            method, target, headers=fields, content=content, extensions={"timeout": timeout}
        )
        if not self._slots.acquire(timeout=timeout.get("pool")):
            raise httpcore.PoolTimeout("no free connection slot")
        try:
            return self._exchange(request)
        finally:
            self._slots.release()

    def _target(self, url: str) -> tuple[httpcore.URL, bytes]:
        """`url` parsed, and its Host header: once per URL (a few Web API methods)."""
        found = self._targets.get(url)
        if found is None:
            if len(self._targets) >= MAX_TARGETS:
                self._targets.clear()
            target = httpcore.URL(url)
            found = self._targets[url] = (target, host_header(target))
        return found

    def _exchange(self, request: httpcore.Request) -> httpcore.Response:
        url = request.url
        origin: Origin = (url.scheme, url.host, url.port)
        connection = self._take(origin)
        if connection is None:
            connection = httpcore.HTTPConnection(
                origin=url.origin,
                ssl_context=self.ssl_context,
                keepalive_expiry=self.keepalive_expiry,
            )
        try:
            response = connection.handle_request(request)
            try:
                response.read()
            finally:
                response.close()
        except BaseException:
            connection.close()
            raise
        if connection.is_idle() and not self._closed:
            self._idle[origin].append(connection)
        else:
            connection.close()
        if time.monotonic() - self._pruned_at >= PRUNE_EVERY:
            self._pruned_at = time.monotonic()
            self._prune(self._idle[origin])
        return response

    def _take(self, origin: Origin) -> httpcore.HTTPConnection | None:
        """The most recently used idle connection of `origin` still good to send on."""
        idle = self._idle[origin]
        while True:
            try:
                connection = idle.pop()
            except IndexError:
                return None
            if connection.is_idle() and not connection.has_expired():
                return connection
            connection.close()  # the keep-alive ran out, or the server closed it

    @staticmethod
    def _prune(idle: list[httpcore.HTTPConnection]) -> None:
        """Close the expired connections at the oldest end of `idle` (one another thread
        takes meanwhile is its own: `remove` finds it gone)."""
        while idle:
            try:
                oldest = idle[0]
            except IndexError:
                return
            if not oldest.has_expired():
                return
            try:
                idle.remove(oldest)
            except ValueError:
                return
            oldest.close()

    def close(self) -> None:
        self._closed = True
        for idle in list(self._idle.values()):
            while idle:
                idle.pop().close()


def host_header(url: httpcore.URL) -> bytes:
    """The Host header of a request to `url` (its port only when not the scheme's own)."""
    default = {b"http": 80, b"https": 443}.get(url.scheme)
    if url.port is None or url.port == default:
        return url.host
    return b"%b:%d" % (url.host, url.port)


__all__ = ["Connections"]
