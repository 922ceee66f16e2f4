"""A polite HTTP client for sources: User-Agent, retries honouring Retry-After, rate gates, cache.

Errors come out as `HttpFailure` (a `SourceError`). Time (sleep, wall clock) is injected so
tests never wait. `RateGate` and `ResponseCache` are small ports: the store can provide
shared implementations (one limit and one cache for every worker), and `IntervalGate` /
`MemoryCache` are the in-process ones.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import urlencode

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_exponential

from bot.config import Settings
from bot.errors import SourceError
from bot.ports import Clock
from bot.retry_after import parse_retry_after

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
Sleep = Callable[[float], None]


class HttpFailure(SourceError):
    """A request failed after its retries; `status` is None for transport errors."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


class DeadlineExceeded(SourceError):
    """A source's fetch ran past its total deadline (SOURCE_FETCH_DEADLINE_SECONDS)."""


class Deadline:
    """A total time budget on a monotonic clock: one source's whole fetch, retries included."""

    def __init__(self, seconds: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._monotonic = monotonic
        self.ends_at = monotonic() + seconds

    def remaining(self) -> float:
        return self.ends_at - self._monotonic()

    def check(self, url: str) -> None:
        if self.remaining() <= 0:
            raise self.exceeded(url)

    def exceeded(self, url: str) -> DeadlineExceeded:
        where = httpx.URL(url).copy_with(query=None)
        return DeadlineExceeded(
            f"gave up on {where}: over the {self.seconds:g}s deadline for this source "
            "(SOURCE_FETCH_DEADLINE_SECONDS)"
        )


@dataclass(frozen=True, slots=True)
class CachedResponse:
    key: str
    url: str
    body: bytes
    fetched_at: datetime
    etag: str | None = None
    last_modified: str | None = None


@runtime_checkable
class ResponseCache(Protocol):
    """Where the last good response per request is kept (`SqlStore` implements it)."""

    def get_cached_response(self, key: str) -> CachedResponse | None: ...
    def put_cached_response(self, entry: CachedResponse) -> None: ...


class MemoryCache:
    """A process-local ResponseCache."""

    def __init__(self) -> None:
        self.entries: dict[str, CachedResponse] = {}

    def get_cached_response(self, key: str) -> CachedResponse | None:
        return self.entries.get(key)

    def put_cached_response(self, entry: CachedResponse) -> None:
        self.entries[entry.key] = entry


class RateGate(Protocol):
    """Held around one request: waits its turn, allows one connection at a time."""

    def hold(self) -> AbstractContextManager[None]: ...


class IntervalGate:
    """One request at a time, `min_interval` seconds after the previous one ended.

    Within a process a lock serialises requests; with `lock_path` an exclusive `flock` on that
    file (holding the last request's wall-clock time) shares the limit with other processes on
    the host. Across hosts use the store's gate (PostgreSQL row lock).
    """

    def __init__(
        self,
        min_interval: float,
        *,
        lock_path: Path | None = None,
        sleep: Sleep = time.sleep,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.min_interval = min_interval
        self.lock_path = lock_path
        self._sleep = sleep
        self._now = now
        self._lock = threading.Lock()
        self._last: float | None = None

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        with self._lock, self._file_lock() as fh:
            last = self._last
            if fh is not None:
                fh.seek(0)
                text = fh.read().strip()
                with contextlib.suppress(ValueError):
                    last = max(last or 0.0, float(text)) if text else last
            if last is not None:
                wait = last + self.min_interval - self._now()
                if wait > 0:
                    self._sleep(wait)
            try:
                yield
            finally:
                self._last = self._now()
                if fh is not None:
                    fh.seek(0)
                    fh.truncate()
                    fh.write(f"{self._last:.3f}")
                    fh.flush()

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[_TextFile | None]:
        if self.lock_path is None:
            yield None
            return
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: in-process only
            yield None
            return
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock_path.open("a+", encoding="ascii") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield fh
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class _TextFile(Protocol):
    def seek(self, offset: int, /) -> int: ...
    def read(self) -> str: ...
    def truncate(self) -> int: ...
    def write(self, text: str, /) -> int: ...
    def flush(self) -> None: ...


class NoGate:
    """A gate that never waits (sources without a published rate limit)."""

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        yield


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response body, from the network or from the cache."""

    key: str
    url: str
    body: bytes
    content_type: str = ""
    from_cache: bool = False  # no request was made (fresh enough)
    not_modified: bool = False  # the server answered 304
    etag: str | None = None
    last_modified: str | None = None


def request_key(url: str, params: Mapping[str, str | int] | None = None) -> str:
    full = f"{url}?{urlencode(sorted((params or {}).items()))}" if params else url
    return hashlib.sha256(full.encode()).hexdigest()[:40]


class PoliteClient:
    """GET with a descriptive User-Agent, a size cap, retries with backoff and conditional GET.

    Inside `within(seconds)` every request, read and retry wait shares one total deadline: a
    server that drips a byte at a time is given up on when the time is spent, not when its
    last byte arrives (a silent connection at most HTTP_TIMEOUT_SECONDS later).
    """

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        *,
        transport: httpx.BaseTransport | None = None,
        cache: ResponseCache | None = None,
        sleep: Sleep = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.cache: ResponseCache = cache if cache is not None else MemoryCache()
        self.sleep = sleep
        self.monotonic = monotonic
        self.deadline: Deadline | None = None
        self.requests = 0
        self._client = httpx.Client(
            headers={"User-Agent": settings.http_user_agent},
            timeout=settings.http_timeout_seconds,
            follow_redirects=True,
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def within(self, seconds: float) -> Iterator[Deadline]:
        """Requests made inside share a total deadline of `seconds` (an outer one still holds)."""
        outer = self.deadline
        deadline = Deadline(seconds, self.monotonic)
        if outer is not None and outer.ends_at < deadline.ends_at:
            deadline = outer
        self.deadline = deadline
        try:
            yield deadline
        finally:
            self.deadline = outer

    def get(
        self,
        url: str,
        params: Mapping[str, str | int] | None = None,
        *,
        gate: RateGate | None = None,
        fresh_since: datetime | None = None,
    ) -> Fetched:
        """Fetch `url`; a cached copy fetched at or after `fresh_since` is reused without asking."""
        key = request_key(url, params)
        cached = self.cache.get_cached_response(key)
        if cached is not None and fresh_since is not None and cached.fetched_at >= fresh_since:
            return Fetched(key, url, cached.body, from_cache=True, etag=cached.etag)
        headers: dict[str, str] = {}
        if cached is not None and cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached is not None and cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.http_max_attempts),
            wait=self._wait,
            retry=retry_if_exception(lambda e: isinstance(e, HttpFailure) and e.retryable),
            sleep=lambda seconds: self._sleep(seconds, url),
            reraise=True,
            before_sleep=lambda state: log.warning(
                "retrying %s after: %s", url, state.outcome.exception() if state.outcome else "?"
            ),
        )
        response: Fetched = retrying(self._once, url, params, headers, gate or NoGate(), key)
        if response.not_modified and cached is not None:
            return Fetched(
                key,
                url,
                cached.body,
                not_modified=True,
                etag=cached.etag,
                last_modified=cached.last_modified,
            )
        return response

    def remember(self, fetched: Fetched) -> None:
        """Keep a response that parsed well, so the next run can skip or revalidate it."""
        if fetched.from_cache:
            return
        self.cache.put_cached_response(
            CachedResponse(
                key=fetched.key,
                url=fetched.url,
                body=fetched.body,
                fetched_at=self.clock.now(),
                etag=fetched.etag,
                last_modified=fetched.last_modified,
            )
        )

    def _sleep(self, seconds: float, url: str) -> None:
        """Wait before a retry, unless the wait would end past the deadline."""
        if self.deadline is not None and seconds >= self.deadline.remaining():
            raise self.deadline.exceeded(url)
        self.sleep(seconds)

    def _timeout(self) -> httpx.Timeout:
        """HTTP_TIMEOUT_SECONDS per connect/read, never past the deadline."""
        seconds = self.settings.http_timeout_seconds
        if self.deadline is not None:
            seconds = max(0.001, min(seconds, self.deadline.remaining()))
        return httpx.Timeout(seconds)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, HttpFailure) and exc.retry_after is not None:
            return exc.retry_after
        backoff = wait_exponential(multiplier=self.settings.http_backoff_seconds, max=60)
        return float(backoff(state))

    def _once(
        self,
        url: str,
        params: Mapping[str, str | int] | None,
        headers: dict[str, str],
        gate: RateGate,
        key: str,
    ) -> Fetched:
        deadline = self.deadline
        with gate.hold():
            if deadline is not None:
                deadline.check(url)  # the gate may have waited
            self.requests += 1
            try:
                with self._client.stream(
                    "GET", url, params=params, headers=headers, timeout=self._timeout()
                ) as resp:
                    if resp.status_code == 304:
                        return Fetched(key, url, b"", not_modified=True)
                    if resp.status_code != 200:
                        raise self._status_failure(resp)
                    return self._read(resp, key, url)
            except httpx.TimeoutException as exc:
                if deadline is not None and deadline.remaining() <= 0:
                    raise deadline.exceeded(url) from exc
                raise HttpFailure(f"timed out fetching {url}", retryable=True) from exc
            except httpx.TransportError as exc:
                raise HttpFailure(f"cannot reach {url}: {exc}", retryable=True) from exc

    def _read(self, resp: httpx.Response, key: str, url: str) -> Fetched:
        """The body, within the size cap and the deadline."""
        limit = self.settings.http_max_bytes
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise HttpFailure(f"response larger than {limit} bytes from {url}")
            chunks.append(chunk)
            if self.deadline is not None:
                self.deadline.check(url)
        return Fetched(
            key,
            str(resp.url),
            b"".join(chunks),
            content_type=resp.headers.get("content-type", ""),
            etag=resp.headers.get("etag"),
            last_modified=resp.headers.get("last-modified"),
        )

    def _status_failure(self, resp: httpx.Response) -> HttpFailure:
        status = resp.status_code
        retry_after = parse_retry_after(resp.headers.get("retry-after"), self.clock.now())
        cap = self.settings.http_max_retry_after_seconds
        message = f"HTTP {status} from {resp.url.copy_with(query=None)}"
        if retry_after is not None and retry_after > cap:
            return HttpFailure(
                f"{message}: asked to wait {retry_after:.0f}s, more than "
                f"HTTP_MAX_RETRY_AFTER_SECONDS={cap:.0f}; try again later",
                status=status,
            )
        return HttpFailure(
            message, status=status, retryable=status in RETRYABLE_STATUS, retry_after=retry_after
        )
