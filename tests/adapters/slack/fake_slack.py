"""A fake Slack Web API on 127.0.0.1 that records calls, plus signed-request helpers.

Faults can be injected into `chat.postMessage` (`FakeSlack.faults`, see tests/faults.py):
Slack stores the message and then answers 500, resets the connection, or stalls past the
client's read timeout; or it answers 500 without storing it. `conversations.history` and
`.replies` return what was stored, with metadata when asked for it, as Slack does.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_sdk.signature import SignatureVerifier

from adapters.slack.app import BOT_SCOPES
from tests.faults import ACCEPT_500, ACCEPT_RESET, ACCEPT_STALL, REJECT_500, FaultPlan

SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
TEAM = "T0LAB"
BOT_USER = "U0BOT"
HISTORY = ("/conversations.history", "/conversations.replies")
ADMIN, MEMBER, OWNER = "U0ADA", "U0BOB", "U0OWN"  # ada is a workspace admin, bob is not


def slack_user(uid: str, name: str, *, admin: bool = False, owner: bool = False) -> dict[str, Any]:
    """A users.info `user` object with the fields Slack sends (abridged profile)."""
    return {
        "id": uid,
        "team_id": TEAM,
        "name": name,
        "deleted": False,
        "real_name": name.title(),
        "tz": "Europe/Berlin",
        "is_admin": admin,
        "is_owner": owner,
        "is_primary_owner": owner,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": False,
        "is_app_user": False,
        "updated": 1764230400,
        "profile": {"real_name": name.title(), "display_name": name},
    }


@dataclass
class Call:
    path: str
    auth: str | None
    body: dict[str, Any]


@dataclass
class FakeSlack:
    """Recorded calls and scripted failures, shared with the handler thread."""

    base_url: str = ""
    calls: list[Call] = field(default_factory=list)
    channel_errors: dict[str, str] = field(default_factory=dict)  # channel -> error code
    rate_limits: dict[str, int] = field(default_factory=dict)  # channel -> 429s left
    reaction_rate_limits: int = 0  # reactions.add calls answered 429 before any succeeds
    retry_after: str = "0"
    join_error: str | None = None
    oauth_team: str = "T0NEW"
    socket_url: str = ""  # what apps.connections.open hands out (Socket Mode)
    # the bot token's granted scopes, sent as Slack does in every Web API reply's
    # x-oauth-scopes header (None: no header)
    scopes: str | None = ",".join(BOT_SCOPES)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> posted
    users: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {
            ADMIN: slack_user(ADMIN, "ada", admin=True),
            MEMBER: slack_user(MEMBER, "bob"),
            OWNER: slack_user(OWNER, "olga", owner=True),
        }
    )
    users_info_error: str | None = None  # e.g. missing_scope: the app lacks users:read
    faults: FaultPlan = field(default_factory=FaultPlan)  # chat.postMessage faults
    history_faults: FaultPlan = field(default_factory=FaultPlan)  # conversations.* faults
    stall_seconds: float = 1.0  # how long ACCEPT_STALL holds the answer back
    files: list[dict[str, Any]] = field(default_factory=list)  # files.list objects
    file_bodies: dict[str, bytes] = field(default_factory=dict)  # /files-pri/... path -> bytes
    _ts: int = 0
    cond: threading.Condition = field(default_factory=threading.Condition)

    def record(self, call: Call) -> None:
        with self.cond:
            self.calls.append(call)
            self.cond.notify_all()

    def next_ts(self) -> str:
        with self.cond:
            self._ts += 1
            return f"1764230400.{self._ts:06d}"

    def hits(self, path: str) -> list[Call]:
        with self.cond:
            return [c for c in self.calls if c.path == path]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Block until `predicate()` holds (woken by each recorded call), or fail."""
        with self.cond:
            if not self.cond.wait_for(predicate, timeout=timeout):
                raise AssertionError(f"fake Slack never saw the expected calls: {self.calls}")

    def share_file(
        self, user: str, channel: str, name: str, data: bytes, *, created: int = 1764230400
    ) -> dict[str, Any]:
        """A file `user` uploaded to `channel`, as files.list describes it (abridged)."""
        fid = f"F0LIB{len(self.files) + 1}"
        path = f"files-pri/{TEAM}-{fid}/{name}"
        file = {
            "id": fid,
            "created": created,
            "timestamp": created,
            "name": name,
            "title": name,
            "mimetype": "text/plain",
            "filetype": "text",
            "pretty_type": "Plain Text",
            "user": user,
            "user_team": TEAM,
            "editable": False,
            "size": len(data),
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": True,
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": f"{self.base_url}{path}",
            "url_private_download": f"{self.base_url}files-pri/{TEAM}-{fid}/download/{name}",
            "permalink": f"https://robotlab.slack.com/files/{user}/{fid}/{name}",
            "channels": [channel],
            "groups": [],
            "ims": [],
            "comments_count": 0,
        }
        with self.cond:
            self.files.append(file)
            self.file_bodies[f"/files-pri/{TEAM}-{fid}/download/{name}"] = data
            self.file_bodies[f"/{path}"] = data
        return file

    def posts(self) -> list[Call]:
        return self.hits("/chat.postMessage")

    def marked(self, channel: str) -> list[tuple[str, str]]:
        """(what, ts) for each stored message in `channel` that carries a PaperBot marker:
        `what` is the paper id of a digest item, or "header"."""
        with self.cond:
            stored = list(self.messages.get(channel, []))
        found = []
        for message in stored:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if "item" in payload:
                found.append((str(payload["item"]).split(":", 1)[1], message["ts"]))
            elif "digest" in payload:
                found.append(("header", message["ts"]))
        return found


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # Web API methods accept GET with query parameters too
            url = urllib.parse.urlparse(self.path)
            query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
            fake.record(Call(url.path, self.headers.get("Authorization"), query))
            if url.path in HISTORY:
                return self._history(url.path, query)
            if url.path == "/users.info":
                return self._users_info(query)
            if url.path == "/files.list":
                return self._files_list(query)
            if url.path.startswith("/files-pri/"):
                return self._file_download(url.path)
            return self._reply(404, {"ok": False, "error": "unknown_method"})

        def _users_info(self, query: dict[str, Any]) -> None:
            """users.info as Slack answers it; missing_scope names the scope it needs."""
            error = fake.users_info_error
            if error == "missing_scope":
                return self._reply(
                    200,
                    {
                        "ok": False,
                        "error": "missing_scope",
                        "needed": "users:read",
                        "provided": "chat:write,commands,reactions:read",
                    },
                )
            if error:
                return self._reply(200, {"ok": False, "error": error})
            found = fake.users.get(str(query.get("user", "")))
            if found is None:
                return self._reply(200, {"ok": False, "error": "user_not_found"})
            return self._reply(200, {"ok": True, "user": found})

        def _files_list(self, query: dict[str, Any]) -> None:
            """files.list filtered by channel and user, newest first, as Slack pages it."""
            if "files:read" not in (fake.scopes or "").split(","):
                return self._reply(
                    200, {"ok": False, "error": "missing_scope", "needed": "files:read"}
                )
            with fake.cond:
                found = [
                    f
                    for f in fake.files
                    if (not query.get("channel") or query["channel"] in f["channels"])
                    and (not query.get("user") or query["user"] == f["user"])
                ]
            count = int(query.get("count") or 100)
            found = sorted(found, key=lambda f: f["created"], reverse=True)[:count]
            paging = {"count": count, "total": len(found), "page": 1, "pages": 1}
            return self._reply(200, {"ok": True, "files": found, "paging": paging})

        def _file_download(self, path: str) -> None:
            """url_private: the bytes with a bot token that may read files; Slack's sign-in
            page (HTML, 200) otherwise."""
            auth = self.headers.get("Authorization") or ""
            body = fake.file_bodies.get(path)
            allowed = "files:read" in (fake.scopes or "").split(",")
            if body is None or not auth.startswith("Bearer xoxb-") or not allowed:
                raw = b"<!DOCTYPE html><html><body>Sign in to Slack</body></html>"
                ctype = "text/html; charset=utf-8"
            else:
                raw, ctype = body, "text/plain"
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
            return None

        def _history(self, path: str, query: dict[str, Any]) -> None:
            """conversations.history / .replies over what was posted, newest first; message
            metadata only with include_all_metadata, as on Slack."""
            channel = str(query.get("channel", ""))
            if channel in fake.channel_errors:
                return self._reply(200, {"ok": False, "error": fake.channel_errors[channel]})
            fault = fake.history_faults.draw()
            if fault is not None:
                return self._fail_after(fault, lambda: None)
            with fake.cond:
                posted = list(fake.messages.get(channel, []))
            if path == "/conversations.history":
                found = [m for m in posted if "thread_ts" not in m]
            else:
                thread = query.get("ts")
                found = [m for m in posted if m["ts"] == thread or m.get("thread_ts") == thread]
            if str(query.get("include_all_metadata")) not in ("1", "true", "True"):
                found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
            limit = int(query.get("limit") or 100)
            newest_first = sorted(found, key=lambda m: m["ts"], reverse=True)[:limit]
            return self._reply(200, {"ok": True, "messages": newest_first, "has_more": False})

        def log_message(self, *args: object) -> None:
            pass

        def _fail_after(self, fault: str, store: Callable[[], object]) -> None:
            """Inject `fault`: store (unless REJECT_500), then fail the way `fault` says."""
            if fault != REJECT_500:
                store()
            if fault in (ACCEPT_500, REJECT_500):
                return self._reply(500, {"ok": False, "error": "internal_error"})
            if fault == ACCEPT_RESET:  # RST instead of an answer
                linger = struct.pack("ii", 1, 0)
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                self.close_connection = True
                self.connection.close()
                return None
            assert fault == ACCEPT_STALL, fault
            time.sleep(fake.stall_seconds)  # the client has given up by now
            with suppress(OSError):
                self._reply(200, {"ok": True})
            return None

        def _reply(self, status: int, payload: dict[str, Any], headers: dict | None = None) -> None:
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                body = json.loads(raw or "{}")
            else:
                body = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
            path = urllib.parse.urlparse(self.path).path
            fake.record(Call(path, self.headers.get("Authorization"), body))
            auth = self.headers.get("Authorization") or ""
            if path == "/auth.test":
                if not auth.startswith("Bearer xoxb-"):
                    return self._reply(200, {"ok": False, "error": "invalid_auth"})
                return self._reply(
                    200,
                    {"ok": True, "team_id": TEAM, "user_id": BOT_USER, "bot_id": "B0BOT"},
                    {"x-oauth-scopes": fake.scopes} if fake.scopes is not None else None,
                )
            if path == "/apps.connections.open":
                if not auth.startswith("Bearer xapp-"):
                    return self._reply(200, {"ok": False, "error": "invalid_auth"})
                return self._reply(200, {"ok": True, "url": fake.socket_url})
            if path == "/oauth.v2.access":
                return self._reply(
                    200,
                    {
                        "ok": True,
                        "app_id": "A0PAPERBOT",
                        "access_token": f"xoxb-{fake.oauth_team}",
                        "token_type": "bot",
                        "scope": "chat:write,commands,reactions:read,reactions:write",
                        "bot_user_id": "U0BOT2",
                        "team": {"id": fake.oauth_team, "name": "New Lab"},
                        "enterprise": None,
                        "authed_user": {"id": "U0INSTALLER"},
                        "is_enterprise_install": False,
                    },
                )
            if path in HISTORY:
                return self._history(path, body)
            if path == "/users.info":
                return self._users_info(body)
            if path == "/files.list":
                return self._files_list(body)
            channel = str(body.get("channel", ""))
            if path == "/chat.postMessage":
                left = fake.rate_limits.get(channel, 0)
                if left:
                    fake.rate_limits[channel] = left - 1
                    return self._reply(
                        429,
                        {"ok": False, "error": "ratelimited"},
                        {"Retry-After": fake.retry_after},
                    )
                if channel in fake.channel_errors:
                    return self._reply(200, {"ok": False, "error": fake.channel_errors[channel]})
                ts = fake.next_ts()
                message = {"type": "message", "ts": ts, "text": body.get("text", "")}
                for key in ("thread_ts", "metadata"):
                    if body.get(key):
                        message[key] = body[key]

                def store() -> None:
                    with fake.cond:
                        fake.messages.setdefault(channel, []).append(message)

                fault = fake.faults.draw()
                if fault is not None:
                    return self._fail_after(fault, store)
                store()
                return self._reply(200, {"ok": True, "channel": channel, "ts": ts})
            if path == "/reactions.add" and fake.reaction_rate_limits:
                fake.reaction_rate_limits -= 1
                return self._reply(
                    429, {"ok": False, "error": "ratelimited"}, {"Retry-After": fake.retry_after}
                )
            if path == "/conversations.join":
                if fake.join_error:
                    return self._reply(200, {"ok": False, "error": fake.join_error})
                fake.channel_errors.pop(channel, None)
                return self._reply(200, {"ok": True, "channel": {"id": channel}})
            return self._reply(200, {"ok": True})

    return Handler


@contextmanager
def running_fake() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def signed_headers(
    body: str, content_type: str, *, secret: str = SECRET, age_seconds: int = 0
) -> dict[str, str]:
    ts = str(int(time.time()) - age_seconds)  # bolt's verifier compares with its own clock
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body),
    }


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def command_body(
    fake: FakeSlack,
    text: str,
    *,
    channel: str = "C0PAPERS",
    team: str = TEAM,
    user: str = ADMIN,
) -> str:
    return urllib.parse.urlencode(
        {
            "token": "unused",
            "team_id": team,
            "team_domain": "robotlab",
            "channel_id": channel,
            "channel_name": "papers",
            "user_id": user,
            "user_name": fake.users.get(user, {}).get("name", user.lower()),
            "command": "/papers",
            "text": text,
            "api_app_id": "A0PAPERBOT",
            "response_url": f"{fake.base_url}response_url/{channel}",
            "trigger_id": "1.2.3",
        }
    )


def reaction_body(
    ts: str,
    *,
    emoji: str = "+1",
    user: str = "U0ADA",
    channel: str = "C0PAPERS",
    event_id: str = "Ev1",
    added: bool = True,
    team: str = TEAM,
    event_ts: str = "1764231000.000100",
) -> str:
    return json.dumps(
        {
            "token": "unused",
            "team_id": team,
            "api_app_id": "A0PAPERBOT",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(event_ts.split(".")[0]),
            "event": {
                "type": "reaction_added" if added else "reaction_removed",
                "user": user,
                "reaction": emoji,
                "item": {"type": "message", "channel": channel, "ts": ts},
                "item_user": BOT_USER,
                "event_ts": event_ts,
            },
            "authorizations": [{"team_id": team, "user_id": BOT_USER, "is_bot": True}],
        }
    )


@contextmanager
def serving(asgi: Any) -> Iterator[str]:
    """Run an ASGI app with uvicorn on 127.0.0.1 in a thread; yields its base URL.

    The socket is bound and listening before the server starts, so requests queue until it
    accepts them: no start-up polling.
    """
    import socket

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    config = uvicorn.Config(asgi, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
