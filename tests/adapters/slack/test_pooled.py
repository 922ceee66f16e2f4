"""The Slack client's connection pool: one keep-alive connection for many calls, and transport
failures classified as before (never sent vs maybe carried out)."""

from __future__ import annotations

import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.error import URLError

import httpcore
import pytest

from adapters.slack.client import make_client
from adapters.slack.pooled import PooledWebClient, make_pool
from bot.errors import DeliveryUncertain


@contextmanager
def keep_alive_slack(
    *,
    hang_up_after: int = 0,
    drop_request: int = 0,
    tls: ssl.SSLContext | None = None,
    together: int = 0,
) -> Iterator[tuple[str, list[int]]]:
    """A Web API stand-in speaking HTTP/1.1 keep-alive; records each request's client port.
    With `hang_up_after` it closes each connection, unannounced, after that many answers;
    with `drop_request` it hangs up on that request (1-based) without answering; with `tls`
    it speaks HTTPS (the URL given stays http://); with `together` the first that many
    requests are answered only once all of them have arrived (each on its own connection)."""
    ports: list[int] = []
    seen = [0]
    gate = threading.Barrier(together) if together else None

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen[0] += 1
            if gate is not None and seen[0] <= gate.parties:
                gate.wait(timeout=10)
            if seen[0] == drop_request:
                self.close_connection = True
                return
            ports.append(self.client_address[1])
            raw = json.dumps({"ok": True, "channel": "C1", "ts": f"1.{len(ports):06d}"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
            answered = ports.count(self.client_address[1])
            if hang_up_after and answered >= hang_up_after:
                self.close_connection = True  # no `Connection: close`: the client must notice

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
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


def test_threads_share_at_most_max_connections() -> None:
    with keep_alive_slack() as (url, ports), make_pool(4) as pool:
        client = make_client(base_url=url, token="xoxb-t", pool=pool)

        def post(i: int) -> bool:
            return bool(client.chat_postMessage(channel="C1", text=f"paper {i}")["ok"])

        with ThreadPoolExecutor(16) as threads:
            assert all(threads.map(post, range(80)))
    assert len(ports) == 80 and 1 <= len(set(ports)) <= 4


def test_a_connection_the_server_closed_is_not_sent_on_again() -> None:
    with keep_alive_slack(hang_up_after=1) as (url, ports), make_pool(2) as pool:
        client = make_client(base_url=url, token="xoxb-t", pool=pool)
        for i in range(3):
            assert client.chat_postMessage(channel="C1", text=f"paper {i}")["ok"]
            time.sleep(0.05)  # the server's FIN arrives
    assert len(set(ports)) == 3  # a new connection each time, no failed post


def test_a_dropped_answer_is_maybe_carried_out_and_its_connection_discarded() -> None:
    from adapters.slack.adapter import SlackAdapter
    from bot.models import Channel, ChannelRef, ChannelSettings, Platform

    channel = Channel(1, ChannelRef(Platform.SLACK, "T1", "C1"), "c", ChannelSettings())
    with keep_alive_slack(drop_request=2) as (url, ports), make_pool(2) as pool:
        adapter = SlackAdapter(lambda team: "xoxb-t", api_url=url, pace_seconds=0, pool=pool)
        adapter.post_notice(channel, "one")
        with pytest.raises(DeliveryUncertain):  # chat.postMessage is never re-sent blindly
            adapter.post_notice(channel, "two")
        adapter.post_notice(channel, "three")
    assert len(ports) == 2 and ports[0] != ports[1]  # "two" dropped; "three" on a new one


def test_a_full_pool_times_out_as_never_sent() -> None:
    with keep_alive_slack() as (url, _ports), make_pool(1, timeout=0.2) as pool:
        pool.connections._slots.acquire()  # the only slot, held by another request
        client = make_client(base_url=url, token="xoxb-t", pool=pool, timeout=0.2)
        with pytest.raises(URLError):  # as urllib: the request never left
            client.chat_postMessage(channel="C1", text="paper")


def test_idle_connections_left_over_from_a_burst_close_when_their_keep_alive_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from adapters.slack import connections
    from adapters.slack.connections import Connections

    monkeypatch.setattr(connections, "PRUNE_EVERY", 0.0)
    pool = Connections(
        ssl_context=ssl.create_default_context(), max_connections=4, keepalive_expiry=1.0
    )
    timeout = dict.fromkeys(("connect", "read", "write", "pool"), 5.0)
    with keep_alive_slack(together=3) as (url, ports):

        def post(_: int) -> int:
            return pool.request("POST", url, headers=[], content=b"{}", timeout=timeout).status

        with ThreadPoolExecutor(3) as threads:  # three at once: three connections
            assert list(threads.map(post, range(3))) == [200] * 3
        (idle,) = pool._idle.values()
        assert len(idle) == 3
        for _ in range(2):  # one connection kept busy, the two under it left to expire
            time.sleep(0.6)
            assert post(0) == 200
        assert len(idle) == 1 and len(set(ports)) == 3
    pool.close()
    assert not idle


def test_tls_calls_share_one_verified_connection() -> None:
    """The pool's HTTPS path: the server's certificate checked against the context's CA,
    then several calls on the one TLS connection."""
    import trustme

    from adapters.slack.connections import Connections

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)
    timeout = dict.fromkeys(("connect", "read", "write", "pool"), 5.0)
    with keep_alive_slack(tls=server_ctx) as (url, ports):
        https = url.replace("http://", "https://")
        pool = Connections(ssl_context=trusting, max_connections=2, keepalive_expiry=30.0)
        for _ in range(3):
            reply = pool.request("POST", https, headers=[], content=b"{}", timeout=timeout)
            assert reply.status == 200 and json.loads(reply.body)["ok"]
        pool.close()
        stranger = Connections(
            ssl_context=ssl.create_default_context(), max_connections=1, keepalive_expiry=30.0
        )
        with pytest.raises(httpcore.ConnectError):  # an unknown CA: nothing sent
            stranger.request("POST", https, headers=[], content=b"{}", timeout=timeout)
    assert len(ports) == 3 and len(set(ports)) == 1
