"""A local HTTP server on 127.0.0.1 standing in for rss.arxiv.org, export.arxiv.org, Hugging Face
and RSS feeds: real HTTP over a real socket, with routes that can fail, send garbage or drip.

    with FakeSources() as web:
        web.route("/rss/", body=feed_bytes)
        web.route("/slow.xml", body=feed_bytes, drip=0.2)  # one byte every 0.2 s
        settings = Settings(arxiv_feed_url=web.url + "/rss", ...)
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

Query = dict[str, str]


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/xml"
    drip: float | None = None  # seconds between single bytes of the body
    headers: dict[str, str] = field(default_factory=dict)


Route = Answer | Callable[[Query], Answer]


class FakeSources:
    """Routes by path prefix (longest first); records every path asked, with its query."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[tuple[str, Query]] = []
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def route(self, prefix: str, answer: Route | None = None, **fields: object) -> None:
        self.routes[prefix] = answer if answer is not None else Answer(**fields)  # type: ignore[arg-type]

    def paths(self, prefix: str = "/") -> list[str]:
        return [path for path, _ in self.hits if path.startswith(prefix)]

    def __enter__(self) -> FakeSources:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def answer(self, path: str, query: Query) -> Answer:
        self.hits.append((path, query))
        for prefix in sorted(self.routes, key=len, reverse=True):
            if path.startswith(prefix):
                route = self.routes[prefix]
                return route(query) if callable(route) else route
        return Answer(404, b"not found", "text/plain")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                answer = fake.answer(parts.path, query)
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._write(answer)  # a client giving up is what a drip test wants

            def _write(self, answer: Answer) -> None:
                if answer.drip is None:
                    self.wfile.write(answer.body)
                    return
                for i in range(len(answer.body)):
                    if fake._stop.wait(answer.drip):
                        return
                    self.wfile.write(answer.body[i : i + 1])
                    self.wfile.flush()

            def log_message(self, *args: object) -> None:
                pass

        return Handler
