"""Keep-alive HTTP/1.1 connections that a request borrows for its whole exchange: O(1) work per
request, whatever the number of connections or threads.

Each connection is the standard library's `http.client` connection (its request writer and
response parser): about half the CPU of httpcore's HTTP/1.1 connection for a Web API call
(h11's event machinery and header validation; 80 against 165 µs a request, measured on this
machine), and the Web API needs nothing more than one request and its whole answer.

A request takes the most recently returned idle connection of its origin (a list pop, atomic
under the GIL), checks that one connection only (its keep-alive expiry, and whether the server
closed it: a readable idle socket), and gives it back after reading the whole answer (unless the
answer said the connection closes). At most `max_connections` requests are in flight at once (a
semaphore, blocking only at the cap). Idle connections never taken again (after a burst) are
closed once their keep-alive runs out, by a sweep from the oldest end at most once every
PRUNE_EVERY seconds.

Failures are raised as httpcore's exception types, which `adapters/slack/pooled.py` sorts into
never sent (no connection, no free slot) and maybe carried out (the request may have left).
"""

from __future__ import annotations

import http.client
import select
import ssl
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpcore

Origin = tuple[str, str, int]  # scheme, host, port
PRUNE_EVERY = 1.0  # seconds between sweeps of expired idle connections
MAX_TARGETS = 256  # parsed URLs kept (Web API method URLs; cleared when full)
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP answer, read whole; `headers` in the order sent."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


class Kept:
    """An idle keep-alive connection and when its keep-alive runs out (monotonic seconds)."""

    __slots__ = ("conn", "expires")

    def __init__(self, conn: http.client.HTTPConnection, expires: float) -> None:
        self.conn = conn
        self.expires = expires


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
        self._idle: defaultdict[Origin, list[Kept]] = defaultdict(list)
        self._closed = False
        self._pruned_at = time.monotonic()
        self._targets: dict[str, tuple[Origin, str]] = {}

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: list[tuple[str, str]],
        content: bytes | None,
        timeout: dict[str, float],
    ) -> Reply:
        """Send one request and read its whole answer (the connection is back in the pool, or
        closed, before this returns). Raises httpcore's exception types."""
        origin, path = self._target(url)
        if not self._slots.acquire(timeout=timeout.get("pool")):
            raise httpcore.PoolTimeout("no free connection slot")
        try:
            conn = self._take(origin) or self._connect(origin, timeout["connect"])
            try:
                reply, reusable = exchange(conn, method, path, headers, content, timeout)
            except BaseException:
                conn.close()
                raise
            self._give_back(origin, conn, reusable)
            return reply
        finally:
            self._slots.release()

    def _target(self, url: str) -> tuple[Origin, str]:
        """`url` as its origin and request path: parsed once per URL (a few Web API methods)."""
        found = self._targets.get(url)
        if found is None:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme not in DEFAULT_PORTS or not parts.hostname:
                raise httpcore.UnsupportedProtocol(f"cannot send to {url!r}")
            port = parts.port or DEFAULT_PORTS[scheme]
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            if len(self._targets) >= MAX_TARGETS:
                self._targets.clear()
            found = self._targets[url] = ((scheme, parts.hostname, port), path)
        return found

    def _give_back(self, origin: Origin, conn: http.client.HTTPConnection, reusable: bool) -> None:
        """Keep `conn` for the next request of `origin`, or close it (the answer said so, or the
        pool is closed); now and then close the expired idle ones."""
        if reusable and not self._closed:
            expires = time.monotonic() + self.keepalive_expiry if self.keepalive_expiry else 0.0
            self._idle[origin].append(Kept(conn, expires))
        else:
            conn.close()
        if time.monotonic() - self._pruned_at >= PRUNE_EVERY:
            self._pruned_at = time.monotonic()
            self._prune(self._idle[origin])

    def _connect(self, origin: Origin, timeout: float) -> http.client.HTTPConnection:
        scheme, host, port = origin
        conn = (
            http.client.HTTPSConnection(host, port, timeout=timeout, context=self.ssl_context)
            if scheme == "https"
            else http.client.HTTPConnection(host, port, timeout=timeout)
        )
        try:
            conn.connect()
        except TimeoutError as exc:
            conn.close()
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except OSError as exc:  # refused, unreachable, name not found, TLS handshake
            conn.close()
            raise httpcore.ConnectError(str(exc)) from exc
        return conn

    def _take(self, origin: Origin) -> http.client.HTTPConnection | None:
        """The most recently used idle connection of `origin` still good to send on."""
        idle = self._idle[origin]
        while True:
            try:
                kept = idle.pop()
            except IndexError:
                return None
            if not self._expired(kept, time.monotonic()) and not readable(kept.conn):
                return kept.conn
            kept.conn.close()  # the keep-alive ran out, or the server closed it

    def _expired(self, kept: Kept, now: float) -> bool:
        return self.keepalive_expiry is not None and now >= kept.expires

    def _prune(self, idle: list[Kept]) -> None:
        """Close the expired connections at the oldest end of `idle` (one another thread
        takes meanwhile is its own: `remove` finds it gone)."""
        now = time.monotonic()
        while idle:
            try:
                oldest = idle[0]
            except IndexError:
                return
            if not self._expired(oldest, now):
                return
            try:
                idle.remove(oldest)
            except ValueError:
                return
            oldest.conn.close()

    def close(self) -> None:
        self._closed = True
        for idle in list(self._idle.values()):
            while idle:
                idle.pop().conn.close()


def exchange(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    headers: list[tuple[str, str]],
    content: bytes | None,
    timeout: dict[str, float],
) -> tuple[Reply, bool]:
    """One request on `conn` and its whole answer; whether the connection may be used again."""
    sock = conn.sock
    if sock is not None:
        sock.settimeout(timeout["write"])
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for key, value in headers:
            if key.lower() not in ("host", "content-length"):
                conn.putheader(key, value)
        if content is not None:
            conn.putheader("Content-Length", str(len(content)))
        conn.endheaders(content)  # headers and body in one write
    except TimeoutError as exc:
        raise httpcore.WriteTimeout(str(exc)) from exc
    except OSError as exc:
        raise httpcore.WriteError(str(exc)) from exc
    if conn.sock is not None:
        conn.sock.settimeout(timeout["read"])
    try:
        response = conn.getresponse()
        body = response.read()
    except TimeoutError as exc:
        raise httpcore.ReadTimeout(str(exc)) from exc
    except OSError as exc:  # reset, or closed before answering (RemoteDisconnected)
        raise httpcore.ReadError(str(exc)) from exc
    except http.client.HTTPException as exc:  # a malformed or torn answer
        raise httpcore.RemoteProtocolError(str(exc)) from exc
    reply = Reply(response.status, response.reason, response.getheaders(), body)
    return reply, not response.will_close


def readable(conn: http.client.HTTPConnection) -> bool:
    """Whether an idle connection's socket has something to read: the server closed it (or
    sent what nobody asked for), so it must not carry a request."""
    sock = conn.sock
    if sock is None:
        return True
    if not hasattr(select, "poll"):  # Windows
        return bool(select.select([sock], [], [], 0)[0])
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


__all__ = ["Connections", "Reply"]
