"""A local fake of an OpenAI-compatible chat-completions server (127.0.0.1, any free port)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeLLM:
    """`mode` decides the next answers: ok, hang, error500, junk_body, junk_text, empty, refusal.

    Records every request (path, headers, JSON body) in `requests`.
    """

    mode: str = "ok"
    reply: str = "FakeNet cuts training cost in half by pruning attention heads early."
    requests: list[dict[str, Any]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""
    # when set, the answer in "ok" mode is respond(request JSON) instead of `reply`
    respond: Callable[[dict[str, Any]], str] | None = None

    def completion(self, content: str | None) -> bytes:
        body = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "model": "fake-model",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
        }
        return json.dumps(body).encode()


def _handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(length) or b"{}")
            fake.requests.append(
                {"path": self.path, "headers": dict(self.headers), "json": payload}
            )
            mode = fake.mode
            if mode == "hang":
                fake.release.wait(10)  # the client's timeout fires long before this
                return self._send(200, fake.completion(fake.reply))
            if mode == "error500":
                return self._send(500, b'{"error": {"message": "internal"}}')
            if mode == "junk_body":
                return self._send(200, b"<html>not json</html>", "text/html")
            if mode == "junk_text":
                return self._send(200, fake.completion("}}{{ ### 0101 $$ ## ]]"))
            if mode == "empty":
                return self._send(200, fake.completion(""))
            if mode == "null":
                return self._send(200, fake.completion(None))
            if mode == "refusal":
                return self._send(200, fake.completion("I'm sorry, I cannot help with that."))
            answer = fake.respond(payload) if fake.respond is not None else fake.reply
            return self._send(200, fake.completion(answer))

        def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


@contextmanager
def fake_llm_server() -> Iterator[FakeLLM]:
    fake = FakeLLM()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
