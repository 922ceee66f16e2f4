"""A small fake Discord (REST + gateway) on 127.0.0.1, enough for discord.py 2.7.

Adapted from the platform research proof: plain JSON text frames, heartbeats answered,
READY + GUILD_CREATE after IDENTIFY, RESUMED after RESUME, every REST call recorded.
A message create with a `nonce` and `enforce_nonce` that repeats one from the same author
within `nonce_window` seconds returns the existing message, as Discord does. Faults can be
injected into message creates (`faults`, see tests/faults.py): stored, then 500, a reset
connection, or no answer for `stall_seconds`; or a 500 before anything is stored.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from tests.faults import ACCEPT_500, ACCEPT_RESET, REJECT_500, FaultPlan

BOT_ID, APP_ID, GUILD_ID, CHANNEL_ID, USER_ID = 1000, 2000, 3000, 4000, 5000
OTHER_CHANNEL_ID = 4001
MEMBER_ID = 5001  # a member without Manage Channels
ALL_PERMISSIONS = "2147483647"
# View Channel, Send Messages, Add Reactions, Read Message History: a plain member
MEMBER_PERMISSIONS = str(1024 | 2048 | 64 | 65536)
MANAGE_CHANNELS = 1 << 4


def jr(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py parses JSON only when Content-Type is exactly "application/json"
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers=headers,
        content_type="application/json",
    )


def user(uid: int, name: str, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(uid),
        "username": name,
        "discriminator": "0",
        "global_name": None,
        "avatar": None,
        "bot": bot,
    }


@dataclass
class Call:
    method: str
    path: str
    body: Any
    query: dict[str, str] = field(default_factory=dict)


class FakeDiscord:
    """Records REST calls in `calls`; `dispatch` pushes a gateway event to the connected bot."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.identify: dict[str, Any] | None = None
        self.identifies = 0
        self.resumes = 0
        self.ws: web.WebSocketResponse | None = None
        self.seq = 0
        self.next_id = 9000
        self.rate_limit_next_post = 0  # answer this many message POSTs with 429
        self.rate_limit_with_via = True  # without Via discord.py treats it as a Cloudflare ban
        self.retry_after = 0.05
        self.forbidden_channels: set[str] = set()  # 403 Missing Access
        self.missing_channels: set[str] = set()  # 404 Unknown Channel
        self.fail_channels: set[str] = set()  # 400 Bad Request
        self.forbid_reactions = False  # 403 on adding reactions (no Add Reactions permission)
        self.member_guilds = {str(GUILD_ID)}  # command sync to other guilds is refused (403)
        self.connected = asyncio.Event()
        self.base = ""
        self.posted: dict[str, list[dict[str, Any]]] = {}  # channel id -> messages sent
        self.history_forbidden = False  # 403 on reading history (no Read Message History)
        self.app_flags = 0  # the application's flags (privileged intents allowed, ...)
        self.nonce_window = 300.0  # seconds a nonce with enforce_nonce dedupes creates
        self.nonces: dict[tuple[str, str], tuple[dict[str, Any], float]] = {}
        self.faults = FaultPlan()  # on message creates
        self.stall_seconds = 1.0  # how long ACCEPT_STALL holds the answer back
        self.threads: dict[str, dict[str, Any]] = {}  # thread id -> channel object (GET)

    # ------------------------------------------------------------ helpers
    def new_id(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        assert self.ws is not None, "no bot connected"
        self.seq += 1
        await self.ws.send_str(json.dumps({"op": 0, "t": event, "s": self.seq, "d": data}))

    def posts(self, channel_id: int | str | None = None) -> list[Call]:
        """Message POSTs that succeeded-or-not, optionally for one channel."""
        return [
            c
            for c in self.calls
            if c.method == "POST"
            and c.path.startswith("/channels/")
            and c.path.endswith("/messages")
            and (channel_id is None or c.path.split("/")[2] == str(channel_id))
        ]

    def reactions_added(self) -> list[Call]:
        return [c for c in self.calls if c.method == "PUT" and "/reactions/" in c.path]

    def callbacks(self) -> list[Call]:
        return [c for c in self.calls if c.path.endswith("/callback")]

    def followups(self) -> list[Call]:
        return [c for c in self.calls if c.path.startswith("/webhooks/") and c.method == "POST"]

    def message(self, payload: dict[str, Any], channel_id: str) -> dict[str, Any]:
        return {
            "id": self.new_id(),
            "channel_id": str(channel_id),
            "guild_id": str(GUILD_ID),
            "author": user(BOT_ID, "paperbot", True),
            "content": payload.get("content") or "",
            "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": payload.get("embeds") or [],
            "pinned": False,
            "type": 0,
            "flags": payload.get("flags") or 0,
            **({"nonce": payload["nonce"]} if payload.get("nonce") is not None else {}),
        }

    def marked(self, channel_id: int | str) -> list[tuple[str, str]]:
        """(what, id) for each message PaperBot stored in the channel: `what` is the paper id
        of a paper embed (its footer starts with it), "header" for a digest header."""
        found = []
        for message in self.posted.get(str(channel_id), []):
            footers = [(e.get("footer") or {}).get("text", "") for e in message["embeds"]]
            if footers and footers[0]:
                found.append((footers[0].split(" ·", 1)[0], message["id"]))
            elif message["content"].startswith("📚"):
                found.append(("header", message["id"]))
        return found

    def create_message(self, body: dict[str, Any], channel_id: str) -> dict[str, Any]:
        """Store a message, or return the one already made with the same enforced nonce."""
        nonce = body.get("nonce")
        key = (str(BOT_ID), str(nonce))
        if nonce is not None and body.get("enforce_nonce"):
            seen = self.nonces.get(key)
            if seen is not None and time.monotonic() - seen[1] < self.nonce_window:
                return seen[0]
        sent = self.message(body, channel_id)
        self.posted.setdefault(channel_id, []).append(sent)
        if nonce is not None:
            self.nonces[key] = (sent, time.monotonic())
        return sent

    async def faulty_create(
        self, request: web.Request, body: dict[str, Any], channel_id: str, fault: str
    ) -> web.StreamResponse:
        """Inject `fault` into a message create (stored first unless REJECT_500)."""
        sent = None if fault == REJECT_500 else self.create_message(body, channel_id)
        if fault in (ACCEPT_500, REJECT_500):
            return jr({"message": "500: Internal Server Error", "code": 0}, status=500)
        if fault == ACCEPT_RESET:
            transport = request.transport
            assert transport is not None
            sock = transport.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
            return web.Response(status=500)  # never reaches the client
        await asyncio.sleep(self.stall_seconds)  # ACCEPT_STALL: the client gave up by now
        return jr(sent)

    # ------------------------------------------------------------ REST
    async def rest(self, request: web.Request) -> web.StreamResponse:
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
        path = "/" + request.match_info["tail"]
        self.calls.append(Call(request.method, path, body, dict(request.query)))
        if request.headers.get("Authorization") == "Bot bad-token":
            return jr({"message": "401: Unauthorized", "code": 0}, status=401)
        if path == "/users/@me":
            return jr(user(BOT_ID, "paperbot", True))
        if path == "/users/@me/guilds":
            return jr(
                [{"id": g, "name": "Lab", "owner": False} for g in sorted(self.member_guilds)]
            )
        if path in ("/oauth2/applications/@me", "/applications/@me"):  # login() calls the first
            return jr(
                {
                    "id": str(APP_ID),
                    "name": "paperbot",
                    "description": "",
                    "icon": None,
                    "bot_public": False,
                    "bot_require_code_grant": False,
                    "verify_key": "00",
                    "owner": user(USER_ID, "alice"),
                    "flags": self.app_flags,
                    "team": None,
                    "interactions_endpoint_url": None,
                }
            )
        if path.startswith(f"/applications/{APP_ID}/") and path.endswith("/commands"):
            guild = path.split("/")[4] if "/guilds/" in path else None
            if guild is not None and guild not in self.member_guilds:
                return jr({"message": "Missing Access", "code": 50001}, status=403)
            return jr(
                [
                    dict(
                        c,
                        id=self.new_id(),
                        application_id=str(APP_ID),
                        guild_id=guild,
                        version="1",
                        default_member_permissions=None,
                        dm_permission=False,
                        nsfw=False,
                    )
                    for c in body
                ]
            )
        if (
            path.startswith("/channels/")
            and path.endswith("/messages")
            and request.method == "POST"
        ):
            channel_id = path.split("/")[2]
            if channel_id in self.forbidden_channels:
                return jr({"message": "Missing Access", "code": 50001}, status=403)
            if channel_id in self.missing_channels:
                return jr({"message": "Unknown Channel", "code": 10003}, status=404)
            if channel_id in self.fail_channels:
                return jr({"message": "Invalid Form Body", "code": 50035}, status=400)
            if self.rate_limit_next_post > 0:
                self.rate_limit_next_post -= 1
                headers = {
                    "Retry-After": "1",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset-After": str(self.retry_after),
                    "X-RateLimit-Bucket": "fakebucket",
                    "X-RateLimit-Scope": "user",
                }
                if self.rate_limit_with_via:
                    headers["Via"] = "1.1 google"
                return jr(
                    {
                        "message": "You are being rate limited.",
                        "retry_after": self.retry_after,
                        "global": False,
                    },
                    status=429,
                    headers=headers,
                )
            fault = self.faults.draw()
            if fault is not None:
                return await self.faulty_create(request, body, channel_id, fault)
            return jr(self.create_message(body, channel_id))
        if path.startswith("/channels/") and path.endswith("/messages") and request.method == "GET":
            if self.history_forbidden:
                return jr({"message": "Missing Access", "code": 50001}, status=403)
            channel_id = path.split("/")[2]
            newest_first = sorted(
                self.posted.get(channel_id, []), key=lambda m: int(m["id"]), reverse=True
            )
            before = request.query.get("before")
            if before:
                newest_first = [m for m in newest_first if int(m["id"]) < int(before)]
            return jr(newest_first[: int(request.query.get("limit", "50"))])
        if path.startswith("/channels/") and path.count("/") == 2 and request.method == "GET":
            found = self.threads.get(path.split("/")[2])
            if found is None:
                return jr({"message": "Unknown Channel", "code": 10003}, status=404)
            return jr(found)
        if "/reactions/" in path and request.method == "PUT":
            if self.forbid_reactions:
                return jr({"message": "Missing Permissions", "code": 50013}, status=403)
            return web.Response(status=204)
        if path.startswith("/interactions/") and path.endswith("/callback"):
            return jr(
                {
                    "interaction": {
                        "id": path.split("/")[2],
                        "type": 2,
                        "response_message_ephemeral": True,
                    },
                    "resource": {"type": body["type"]},
                }
            )
        if path.startswith("/webhooks/") and request.method in ("POST", "PATCH"):
            return jr(self.message(body or {}, str(CHANNEL_ID)))
        return jr({"message": "404: Not Found", "code": 0}, status=404)

    # ------------------------------------------------------------ gateway
    async def gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.ws = ws
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            frame = json.loads(msg.data)
            if frame["op"] == 1:  # heartbeat
                await ws.send_str(json.dumps({"op": 11}))
            elif frame["op"] == 2:  # identify
                self.identify = frame["d"]
                self.identifies += 1
                await self._ready(request)
                self.connected.set()
            elif frame["op"] == 6:  # resume
                self.resumes += 1
                await self.dispatch("RESUMED", {})
                self.connected.set()
        return ws

    async def _ready(self, request: web.Request) -> None:
        await self.dispatch(
            "READY",
            {
                "v": 10,
                "user": user(BOT_ID, "paperbot", True),
                "private_channels": [],
                "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
                "session_id": "sess",
                "resume_gateway_url": str(request.url.with_path("/").with_query(None)),
                "application": {"id": str(APP_ID), "flags": 0},
            },
        )
        await self.dispatch("GUILD_CREATE", guild_payload())

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the gateway socket with a resumable code, as Discord does on a reconnect."""
        assert self.ws is not None
        self.connected.clear()
        await self.ws.close(code=code)

    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/", self.gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self.rest)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.base = f"http://127.0.0.1:{port}"
        return self

    @property
    def api_url(self) -> str:
        return self.base + "/api/v10"

    @property
    def gateway_url(self) -> str:
        return self.base.replace("http", "ws", 1) + "/"

    async def stop(self) -> None:
        if self.ws is not None and not self.ws.closed:
            await self.ws.close()
        await self.runner.cleanup()


def guild_payload(guild_id: int = GUILD_ID) -> dict[str, Any]:
    channel = {
        "type": 0,
        "position": 0,
        "permission_overwrites": [],
        "guild_id": str(guild_id),
    }
    return {
        "id": str(guild_id),
        "name": "Lab",
        "owner_id": str(USER_ID),
        "unavailable": False,
        "member_count": 2,
        "large": False,
        "features": [],
        "emojis": [],
        "stickers": [],
        "roles": [
            {
                "id": str(guild_id),
                "name": "@everyone",
                "permissions": "0",
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        ],
        "channels": [
            dict(channel, id=str(CHANNEL_ID), name="papers"),
            dict(channel, id=str(OTHER_CHANNEL_ID), name="robots"),
        ]
        if guild_id == GUILD_ID
        else [],
        "members": [
            {
                "user": user(BOT_ID, "paperbot", True),
                "roles": [],
                "joined_at": "2024-01-01T00:00:00+00:00",
                "deaf": False,
                "mute": False,
                "flags": 0,
            }
        ],
        "threads": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def reaction_event(
    message_id: int | str, emoji: str = "👍", user_id: int = USER_ID, channel_id: int = CHANNEL_ID
) -> dict[str, Any]:
    return {
        "user_id": str(user_id),
        "channel_id": str(channel_id),
        "message_id": str(message_id),
        "guild_id": str(GUILD_ID),
        "emoji": {"id": None, "name": emoji},
        "burst": False,
        "type": 0,
        "message_author_id": str(BOT_ID),
    }


_interaction_ids = iter(range(70000, 10**9))


def slash_interaction(
    subcommand: str,
    options: list[dict[str, Any]] | None = None,
    *,
    channel_id: int = CHANNEL_ID,
    channel_name: str = "papers",
    kind: int = 2,
    user_id: int = USER_ID,
    permissions: str = ALL_PERMISSIONS,
    group: str | None = None,
    resolved: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """INTERACTION_CREATE for `/papers [group] <subcommand> ...` (kind 4 = autocomplete).

    `permissions` is the invoking member's permissions in the channel, as Discord sends them
    (a decimal string; the default is every permission, a server admin)."""
    sub: dict[str, Any] = {"type": 1, "name": subcommand, "options": options or []}
    if group is not None:
        sub = {"type": 2, "name": group, "options": [sub]}
    data: dict[str, Any] = {
        "id": "8888",
        "name": "papers",
        "type": 1,
        "guild_id": str(GUILD_ID),
        "options": [sub],
    }
    if resolved is not None:
        data["resolved"] = resolved
    return {
        "id": str(next(_interaction_ids)),
        "application_id": str(APP_ID),
        "type": kind,
        "token": "itoken",
        "version": 1,
        "guild_id": str(GUILD_ID),
        "channel_id": str(channel_id),
        "channel": {
            "id": str(channel_id),
            "type": 0,
            "name": channel_name,
            "guild_id": str(GUILD_ID),
            "position": 0,
            "permission_overwrites": [],
        },
        "member": {
            "user": user(user_id, "alice" if user_id == USER_ID else f"user{user_id}"),
            "roles": [],
            "permissions": permissions,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
        },
        "app_permissions": "2147483647",
        "attachment_size_limit": 10485760,
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(GUILD_ID)},
        "context": 0,
        "data": data,
    }


def managers_interaction(action: str, member_id: int | None = None, **kw: Any) -> dict[str, Any]:
    """`/papers managers <action> [member]`: a user option resolved as Discord resolves it."""
    if member_id is None:
        return slash_interaction(action, group="managers", **kw)
    member = {
        "roles": [],
        "joined_at": "2024-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
        "permissions": MEMBER_PERMISSIONS,
    }
    resolved = {
        "users": {str(member_id): user(member_id, f"user{member_id}")},
        "members": {str(member_id): member},
    }
    opts = [option("member", str(member_id), type_=6)]
    return slash_interaction(action, opts, group="managers", resolved=resolved, **kw)


def option(name: str, value: Any, type_: int = 3, focused: bool = False) -> dict[str, Any]:
    opt: dict[str, Any] = {"name": name, "type": type_, "value": value}
    if focused:
        opt["focused"] = True
    return opt


_message_ids = iter(range(800000, 10**9))


def thread_channel(thread_id: int | str, parent_id: int = CHANNEL_ID) -> dict[str, Any]:
    """A public thread started from message `thread_id` (such a thread has the message's id)."""
    return {
        "id": str(thread_id),
        "guild_id": str(GUILD_ID),
        "parent_id": str(parent_id),
        "owner_id": str(USER_ID),
        "type": 11,
        "name": "Question about the paper",
        "last_message_id": None,
        "message_count": 0,
        "member_count": 1,
        "rate_limit_per_user": 0,
        "flags": 0,
        "total_message_sent": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": "2026-06-30T09:00:00+00:00",
            "locked": False,
            "create_timestamp": "2026-06-30T09:00:00+00:00",
        },
    }


def user_message(
    content: str,
    *,
    channel_id: int | str = CHANNEL_ID,
    mentions: tuple[int, ...] = (BOT_ID,),
    reply_to: int | str | None = None,
    author_id: int = USER_ID,
    bot: bool = False,
) -> dict[str, Any]:
    """MESSAGE_CREATE from a member: `reply_to` makes it a reply (type 19) to that message."""
    data: dict[str, Any] = {
        "id": str(next(_message_ids)),
        "channel_id": str(channel_id),
        "guild_id": str(GUILD_ID),
        "author": user(author_id, "alice" if author_id == USER_ID else f"user{author_id}", bot),
        "member": {
            "roles": [],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
        },
        "content": content,
        "timestamp": "2026-06-30T09:05:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [
            user(uid, "paperbot" if uid == BOT_ID else f"user{uid}", uid == BOT_ID)
            for uid in mentions
        ],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
    }
    if reply_to is not None:
        data["type"] = 19
        data["message_reference"] = {
            "type": 0,
            "message_id": str(reply_to),
            "channel_id": str(channel_id),
            "guild_id": str(GUILD_ID),
        }
    return data
