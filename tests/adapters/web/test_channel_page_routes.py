"""GET /c/{token} through the real ASGI app (httpx's ASGI transport): a valid link renders
every section with an SVG plot; an expired, tampered or orphaned link gets a clear page; text
people typed or feeds sent is escaped; the wired `paperbot serve` app serves it without Slack."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from adapters.slack.web import create_web_app
from adapters.web.channel_page import channel_page_routes
from app.wiring.runtime import build_runtime
from bot.clock import FixedClock
from bot.config import Settings
from bot.content.channel_link import make_page_link
from bot.content.channel_page import LinkedPage, page_of_link
from bot.models import CommandRequest, Platform
from storage.store import SqlStore
from tests.channel_page_seed import HOSTILE, HOSTILE_EXCLUDE, START, Seeded, seed_channel

KEY = b"route-test-key-0123456789abcdef"
SECTIONS = ("subscriptions", "learned", "curve", "digests", "liked")


def _app(seeded: Seeded) -> Starlette:
    routes = channel_page_routes(lambda token: page_of_link(seeded.core, KEY, token))
    return create_web_app(None, health=lambda: True, extra_routes=routes)


def _token(seeded: Seeded, days: float = 7) -> str:
    made = make_page_link(KEY, "https://x.test", seeded.channel, seeded.clock.now(), days)
    return made.url.rsplit("/", 1)[1]


async def _get(app: Starlette, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


@pytest.fixture
def seeded(sqlite_store: SqlStore, settings: Settings) -> Seeded:
    return seed_channel(sqlite_store, settings, hostile=True)


async def test_valid_link_renders_every_section(seeded: Seeded) -> None:
    response = await _get(_app(seeded), f"/c/{_token(seeded)}")
    assert response.status_code == 200
    html = response.text
    for section in SECTIONS:
        assert f'<section id="{section}">' in html
    assert "#robots" in html and "robot manipulation" in html and "Ada Lovelace" in html
    assert re.search(r'<td>cs\.RO</td><td class="num up">\+\d\.\d\d</td>', html)  # learned
    assert "matches “robot manipulation”" in html  # a pick's reason
    assert len(re.findall(r'<circle class="point"', html)) == 2 * 5  # two series, five days
    assert "share of the day&#x27;s papers" in html and "digest day" in html
    assert "until 2026-06-12 12:05 UTC" in html  # the link's expiry: 7 days after it was made


async def test_headers_keep_the_token_private(seeded: Seeded) -> None:
    response = await _get(_app(seeded), f"/c/{_token(seeded)}")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    html = response.text
    assert "<script" not in html and "<link" not in html  # no script, nothing loaded from
    assert not re.search(r"<[^>]+\ssrc=", html) and "url(" not in html  # elsewhere


async def test_hostile_text_is_escaped(seeded: Seeded) -> None:
    html = (await _get(_app(seeded), f"/c/{_token(seeded)}")).text
    assert HOSTILE not in html and HOSTILE_EXCLUDE not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>bold</b>" not in html and "<img" not in html


async def test_expired_link_says_how_to_get_a_new_one(seeded: Seeded) -> None:
    token = _token(seeded, days=1)
    seeded.clock.advance(timedelta(days=1, seconds=1))
    response = await _get(_app(seeded), f"/c/{token}")
    assert response.status_code == 410
    assert "This link has expired" in response.text
    assert "/papers web" in response.text and "#robots" not in response.text


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-3], lambda t: t[:12] + "x" + t[13:], lambda t: "junk"]
)
async def test_tampered_link_is_not_valid(seeded: Seeded, mangle) -> None:  # type: ignore[no-untyped-def]
    response = await _get(_app(seeded), f"/c/{mangle(_token(seeded))}")
    assert response.status_code == 404
    assert "This link is not valid" in response.text and "/papers web" in response.text
    assert "Ada Lovelace" not in response.text


async def test_link_of_a_removed_channel(seeded: Seeded) -> None:
    token = _token(seeded)
    seeded.core.store.remove_channel(seeded.channel.id)
    response = await _get(_app(seeded), f"/c/{token}")
    assert response.status_code == 404 and "This channel is gone" in response.text


async def test_a_failure_is_a_brief_page_and_a_log_line(
    seeded: Seeded, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_token: str) -> LinkedPage:
        raise RuntimeError("database on fire")

    app = create_web_app(None, health=lambda: True, extra_routes=channel_page_routes(broken))
    response = await _get(app, f"/c/{_token(seeded)}")
    assert response.status_code == 500 and "Something went wrong" in response.text
    assert "database on fire" not in response.text and "Traceback" not in response.text
    assert "channel page failed" in caplog.text and "database on fire" in caplog.text


async def test_served_by_the_wired_web_app_without_slack(tmp_path: Path) -> None:
    """`/papers web` on the console and the page it points to, as `paperbot serve` wires them:
    no LINK_SIGNING_KEY, so the key is made once and kept in the database."""
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{tmp_path / 'wired.db'}",
        public_url="https://papers.example.org/",
        ranker="lexical",
    )  # type: ignore[call-arg]
    assert not settings.slack_requested
    rt = build_runtime(settings, out=io.StringIO(), clock=FixedClock(START))
    try:
        reply = rt.core.on_command(
            CommandRequest(Platform.CONSOLE, "", "lab", "operator", "web", channel_name="lab")
        )
        assert reply.ok and reply.ephemeral
        url = re.search(r"https://papers\.example\.org/c/[\w.\-]+", reply.text)
        assert url is not None, reply.text
        response = await _get(rt.web_app(), url.group(0).removeprefix("https://papers.example.org"))  # type: ignore[arg-type]
        assert response.status_code == 200 and "#lab" in response.text
        assert "No digest has been posted here yet." in response.text
        assert (await _get(rt.web_app(), "/healthz")).status_code == 200  # type: ignore[arg-type]
    finally:
        rt.close()
    again = build_runtime(settings, out=io.StringIO(), clock=FixedClock(START))
    try:  # another process on the same database checks with the same key
        response = await _get(
            again.web_app(), url.group(0).removeprefix("https://papers.example.org")
        )  # type: ignore[arg-type]
        assert response.status_code == 200
    finally:
        again.close()
