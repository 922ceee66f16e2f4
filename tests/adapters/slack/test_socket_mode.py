"""Socket Mode for real: slack-sdk's websocket client against a fake Socket Mode server
(aiohttp on 127.0.0.1), driving the same bolt listeners and the real command layer."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp import WSMsgType, web

from app.wiring.runtime import build_runtime
from bot.clock import FixedClock
from bot.config import Settings
from bot.models import InterestKind
from tests.adapters.slack.conftest import PAPERS, REF
from tests.adapters.slack.fake_slack import FakeSlack, command_body


class SocketServer:
    """Says hello, sends the queued envelopes, records every frame the client sends back."""

    def __init__(self, envelopes: list[dict[str, Any]]) -> None:
        self.envelopes = envelopes
        self.received: list[dict[str, Any]] = []
        self.cond = threading.Condition()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        for envelope in self.envelopes:
            await ws.send_str(json.dumps(envelope))
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                with self.cond:
                    self.received.append(json.loads(msg.data))
                    self.cond.notify_all()
        return ws

    def acks(self) -> dict[str, dict[str, Any]]:
        return {
            m["envelope_id"]: m.get("payload") or {} for m in self.received if "envelope_id" in m
        }


@contextmanager
def socket_server(server: SocketServer) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_get("/link", server.handle)
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.SockSite(runner, sock).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"ws://127.0.0.1:{sock.getsockname()[1]}/link"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


def test_commands_over_socket_mode(
    slack_settings: Settings, fake: FakeSlack, clock: FixedClock
) -> None:
    form = urllib.parse.parse_qs(command_body(fake, "subscribe cat:cs.RO"))
    command = {k: v[0] for k, v in form.items()}
    server = SocketServer(
        [
            {
                "envelope_id": "env-cmd",
                "type": "slash_commands",
                "payload": command,
                "accepts_response_payload": True,
            }
        ]
    )
    settings = slack_settings.model_copy(update={"slack_app_token": "xapp-test"})
    rt = build_runtime(settings, clock=clock)
    rt.core.ingest(PAPERS)
    try:
        with socket_server(server) as url:
            fake.socket_url = url
            assert rt.socket_mode is not None
            stop = rt.socket_mode()  # returns at once; the SDK's threads do the rest
            try:
                with server.cond:
                    assert server.cond.wait_for(lambda: "env-cmd" in server.acks(), timeout=15)
            finally:
                stop()  # slack-sdk's own shutdown takes ~3 s (its worker threads' intervals)
        reply = server.acks()["env-cmd"]
        assert "cs.RO" in reply["text"]
        channel = rt.store.find_channel(REF)
        assert channel is not None
        assert channel.interest_values(InterestKind.CATEGORY) == ("cs.RO",)
        opened = fake.hits("/apps.connections.open")
        assert opened and opened[0].auth == "Bearer xapp-test"
    finally:
        rt.close()


def test_no_socket_mode_without_app_token(slack_settings: Settings, clock: FixedClock) -> None:
    rt = build_runtime(slack_settings, clock=clock)
    try:
        assert rt.socket_mode is None
    finally:
        rt.close()
