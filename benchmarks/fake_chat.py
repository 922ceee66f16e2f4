"""A rate-limited stand-in for Slack's Web API and Discord's REST API on 127.0.0.1, for the
fan-out benchmark: the real wire format (what slack-sdk and discord.py send and parse), the
platforms' limits enforced, 429 + Retry-After beyond them.

Limits: `channel_rate` posts a second per channel (Slack: ~1/s; 429 with an integer
Retry-After), an optional `global_rate` of posts a second over all channels (Slack's
per-workspace ceiling, Discord's per-bot global limit; 0 = none; counted with 0.1 s of
tolerance, as a window would be), and `reaction_rate`
reactions a second (Slack: reactions.add per workspace; Discord: the bot's budget for them).
Every accepted post is counted by its PaperBot marker (Slack message metadata, Discord nonce),
so a message stored twice shows as a duplicate. Runs in its own process (`serve_in_process`)
so its CPU is not the worker's; `GET /bench/stats` reports.
"""

from __future__ import annotations

import asyncio
import json
import math
import multiprocessing as mp
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

BOT_ID = "4242"


@dataclass
class Gcra:
    """Server-side limit: a request conforms when at least 1/rate passed since the last one
    accepted (a burst of `burst`)."""

    rate: float
    burst: int = 1
    tat: dict[str, float] = field(default_factory=dict)

    def check(self, key: str, now: float) -> float:
        """0 when accepted (and counted), else the seconds until it would be."""
        if self.rate <= 0:
            return 0.0
        interval = 1.0 / self.rate
        tat = max(self.tat.get(key, now), now)
        wait = tat - interval * (self.burst - 1) - now
        if wait > 1e-9:
            return wait
        self.tat[key] = tat + interval
        return 0.0


@dataclass
class Stats:
    accepted: int = 0
    rejected: int = 0
    reactions: int = 0
    reactions_rejected: int = 0
    lookups: int = 0
    first: float = 0.0
    last: float = 0.0
    markers: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "rejected_429": self.rejected,
            "reactions": self.reactions,
            "reactions_429": self.reactions_rejected,
            "lookups": self.lookups,
            "post_span_seconds": round(self.last - self.first, 3) if self.accepted else 0.0,
            "first": self.first,
            "last": self.last,
            "distinct": len(self.markers),
            "duplicates": sum(n - 1 for n in self.markers.values() if n > 1),
        }


class FakeChat:
    def __init__(self, channel_rate: float, global_rate: float, reaction_rate: float) -> None:
        self.channel = Gcra(channel_rate)
        # the platforms count a global limit over a window: a tenth of a second of tolerance
        self.global_ = Gcra(global_rate, burst=max(1, int(global_rate / 10)))
        self.reactions = Gcra(reaction_rate)
        self.stats = Stats()
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.nonces: dict[str, dict[str, Any]] = {}
        self.seq = 0

    def admit(self, channel: str) -> float:
        """0 when a post to `channel` may be stored now, else the wait (counted as a 429)."""
        now = time.monotonic()
        wait = self.channel.check(channel, now)
        if wait <= 0:
            wait = self.global_.check("*", now)
            if wait > 0:  # give the channel its turn back: the post was refused
                self.channel.tat[channel] -= 1.0 / self.channel.rate
        if wait > 0:
            self.stats.rejected += 1
        return wait

    def store(self, channel: str, marker: str, message: dict[str, Any]) -> None:
        now = time.monotonic()
        self.stats.accepted += 1
        self.stats.first = self.stats.first or now
        self.stats.last = now
        self.stats.markers[f"{channel}|{marker}"] += 1
        self.messages.setdefault(channel, []).append(message)

    def next_id(self) -> int:
        self.seq += 1
        return self.seq

    # -------------------------------------------------------------- Slack
    async def slack(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.read()
        if request.content_type == "application/json":
            body = json.loads(raw or b"{}")
        else:
            body = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
        channel = str(body.get("channel", ""))
        if method == "chat.postMessage":
            return self.slack_post(channel, body)
        if method == "reactions.add":
            wait = self.reactions.check("*", time.monotonic())
            if wait > 0:
                self.stats.reactions_rejected += 1
                return slack_429(wait)
            self.stats.reactions += 1
            return web.json_response({"ok": True})
        if method in ("conversations.history", "conversations.replies"):
            self.stats.lookups += 1
            found = list(reversed(self.messages.get(channel, [])))[: int(body.get("limit", 100))]
            return web.json_response({"ok": True, "messages": found, "has_more": False})
        return web.json_response({"ok": True})

    def slack_post(self, channel: str, body: dict[str, Any]) -> web.Response:
        wait = self.admit(channel)
        if wait > 0:
            return slack_429(wait)
        ts = f"{1764230400 + self.next_id() // 1000000}.{self.seq % 1000000:06d}"
        payload = (body.get("metadata") or {}).get("event_payload") or {}
        marker = str(payload.get("item") or f"header:{payload.get('digest')}")
        message = {"type": "message", "ts": ts, "text": "", "metadata": body.get("metadata")}
        self.store(channel, marker, message)
        return web.json_response({"ok": True, "channel": channel, "ts": ts})

    # ------------------------------------------------------------ Discord
    async def discord(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        if path == "/users/@me":
            return discord_json(discord_user())
        if path in ("/oauth2/applications/@me", "/applications/@me"):  # login() asks for it
            return discord_json(discord_application())
        parts = path.split("/")
        if request.method == "POST" and len(parts) == 4 and parts[3] == "messages":
            return self.discord_post(parts[2], await request.json())
        if request.method == "PUT" and "/reactions/" in path:
            wait = self.reactions.check("*", time.monotonic())
            if wait > 0:
                self.stats.reactions_rejected += 1
                return discord_429(wait, is_global=True)
            self.stats.reactions += 1
            return web.Response(status=204)
        if request.method == "GET" and len(parts) == 4 and parts[3] == "messages":
            self.stats.lookups += 1
            found = list(reversed(self.messages.get(parts[2], [])))
            return discord_json(found[: int(request.query.get("limit", "50"))])
        return discord_json(
            {"message": f"404: Not Found {request.method} {path}", "code": 0}, status=404
        )

    def discord_post(self, channel: str, body: dict[str, Any]) -> web.Response:
        nonce = str(body.get("nonce") or "")
        if nonce and nonce in self.nonces:  # enforce_nonce: the message already made
            return discord_json(self.nonces[nonce])
        wait = self.admit(channel)
        if wait > 0:
            return discord_429(wait, is_global=False)
        message = discord_message(str(self.next_id() + 10**17), channel, body)
        self.store(channel, nonce or message["id"], message)
        if nonce:
            self.nonces[nonce] = message
        return discord_json(message)

    async def stats_view(self, _request: web.Request) -> web.Response:
        return web.json_response(self.stats.as_dict())

    def app(self) -> web.Application:
        app = web.Application(client_max_size=2**20)
        app.router.add_get("/bench/stats", self.stats_view)
        app.router.add_post("/api/{method}", self.slack)
        app.router.add_route("*", "/api/v10/{tail:.*}", self.discord)
        return app


def discord_json(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """discord.py parses JSON only when Content-Type is exactly application/json."""
    body = json.dumps(data).encode()
    return web.Response(body=body, status=status, headers=headers, content_type="application/json")


def slack_429(wait: float) -> web.Response:
    retry = str(max(1, math.ceil(wait)))  # Slack sends whole seconds
    return web.json_response(
        {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": retry}
    )


def discord_429(wait: float, *, is_global: bool) -> web.Response:
    headers = {
        "Retry-After": str(max(1, math.ceil(wait))),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset-After": f"{wait:.3f}",
        "X-RateLimit-Bucket": "bench",
        "X-RateLimit-Scope": "global" if is_global else "user",
        "Via": "1.1 google",  # without it discord.py takes a 429 for a Cloudflare ban
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    body = {"message": "You are being rate limited.", "retry_after": wait, "global": is_global}
    return discord_json(body, status=429, headers=headers)


def discord_user() -> dict[str, Any]:
    return {"id": BOT_ID, "username": "paperbot", "discriminator": "0", "avatar": None, "bot": True}


def discord_application() -> dict[str, Any]:
    return {
        "id": BOT_ID,
        "name": "paperbot",
        "description": "",
        "icon": None,
        "bot_public": False,
        "bot_require_code_grant": False,
        "verify_key": "00",
        "owner": discord_user(),
        "flags": 0,
        "team": None,
    }


def discord_message(mid: str, channel: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": mid,
        "channel_id": channel,
        "author": discord_user(),
        "content": body.get("content") or "",
        "timestamp": datetime.now(UTC).isoformat(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds") or [],
        "pinned": False,
        "type": 0,
        "flags": 0,
        **({"nonce": body["nonce"]} if body.get("nonce") else {}),
    }


def _serve(port_out: Any, channel_rate: float, global_rate: float, reaction_rate: float) -> None:
    async def main() -> None:
        fake = FakeChat(channel_rate, global_rate, reaction_rate)
        runner = web.AppRunner(fake.app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
        await site.start()
        port_out.send(runner.addresses[0][1])
        await asyncio.Event().wait()

    asyncio.run(main())


def serve_in_process(
    *, channel_rate: float = 1.0, global_rate: float = 0.0, reaction_rate: float = 50 / 60
) -> tuple[mp.process.BaseProcess, str]:
    """Start the fake in its own process; (process, base URL). Terminate it when done."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(
        target=_serve, args=(child, channel_rate, global_rate, reaction_rate), daemon=True
    )
    proc.start()
    port = parent.recv()
    return proc, f"http://127.0.0.1:{port}"
