"""The Slack client's connection pool: one keep-alive connection for many calls, and transport
failures classified as before (never sent vs maybe carried out)."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from adapters.slack.client import make_client
from adapters.slack.pooled import PooledWebClient, make_pool
from bot.errors import DeliveryUncertain


@contextmanager
def keep_alive_slack() -> Iterator[tuple[str, list[int]]]:
    """A Web API stand-in speaking HTTP/1.1 keep-alive; records each request's client port."""
    ports: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            ports.append(self.client_address[1])
            raw = json.dumps({"ok": True, "channel": "C1", "ts": f"1.{len(ports):06d}"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", ports
    finally:
        server.shutdown()
        server.server_close()


def test_many_calls_share_one_connection() -> None:
    with keep_alive_slack() as (url, ports), make_pool(4) as pool:
        client = make_client(base_url=url, token="xoxb-t", pool=pool)
        assert isinstance(client, PooledWebClient)
        for i in range(5):
            assert client.chat_postMessage(channel="C1", text=f"paper {i}")["ok"]
    assert len(ports) == 5 and len(set(ports)) == 1


def test_the_default_client_opens_a_connection_per_call() -> None:
    with keep_alive_slack() as (url, ports):
        client = make_client(base_url=url, token="xoxb-t")
        for i in range(3):
            client.chat_postMessage(channel="C1", text=f"paper {i}")
    assert len(set(ports)) == 3  # what the pool saves


def test_a_refused_connection_is_never_sent_and_a_reset_maybe_carried_out() -> None:
    from adapters.slack.adapter import SlackAdapter
    from bot.errors import DeliveryError
    from bot.models import Channel, ChannelRef, ChannelSettings, Platform

    channel = Channel(1, ChannelRef(Platform.SLACK, "T1", "C1"), "c", ChannelSettings())
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    adapter = SlackAdapter(lambda team: "xoxb-t", api_url=closed, pace_seconds=0)
    with pytest.raises(DeliveryError) as info:
        adapter.post_notice(channel, "hi")
    assert not isinstance(info.value, DeliveryUncertain)


def test_calls_skip_the_http_client_layers_unless_a_proxy_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    with keep_alive_slack() as (url, _ports), make_pool(4) as pool:
        assert pool.direct
        client = make_client(base_url=url, token="xoxb-t", pool=pool)
        sent = client.chat_postMessage(channel="C1", text="paper")
        assert sent["ts"] == "1.000001" and sent.status_code == 200
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    with make_pool(1) as proxied:
        assert not proxied.direct  # through httpx.Client, which honours the proxy


def test_slack_sdk_formats_no_debug_line_nobody_logs() -> None:
    with keep_alive_slack() as (url, _ports), make_pool(1) as pool:
        client = make_client(base_url=url, token="xoxb-t", pool=pool)
        assert client.logger.level > logging.DEBUG  # slack-sdk checks the level itself
