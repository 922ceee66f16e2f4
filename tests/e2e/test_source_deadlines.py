"""Every source has a total deadline per fetch: a server that drips bytes cannot starve the others.

Real HTTP against a local server on 127.0.0.1 (tests/fake_sources.py) that sends one byte at a
time; the deadline is a fraction of a second so the tests stay quick.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.service import PaperBot
from bot.sources.fetcher import FetchReport, run_fetch
from bot.sources.http import DeadlineExceeded, HttpFailure, NoGate, PoliteClient
from storage.store import SqlStore
from tests.fake_sources import Answer, FakeSources

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "sources"
NOW = datetime(2026, 6, 12, 14, 0, tzinfo=UTC)
JOURNAL = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>journal</title>
<item><title>A cell paper</title><link>https://j.example/1</link><guid>j1</guid>
  <pubDate>Fri, 12 Jun 2026 08:00:00 GMT</pubDate><description>Cells divide.</description></item>
</channel></rss>"""
DEADLINE = 0.5


@pytest.fixture
def web() -> Iterator[FakeSources]:
    with FakeSources() as server:
        hf = (FIX / "hf-daily-2026-06-12.json").read_bytes()
        server.route(
            "/api/daily_papers",
            lambda q: Answer(
                body=hf if q.get("p") == "0" else b"[]", content_type="application/json"
            ),
        )
        server.route("/api/query", body=(FIX / "api-id-empty.xml").read_bytes())
        server.route("/fast.xml", body=JOURNAL, content_type="application/rss+xml")
        server.route("/slow.xml", body=JOURNAL * 20, drip=0.02)  # ~30 s to send it all
        yield server


def settings_for(web: FakeSources, tmp_path: Path, **overrides: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{tmp_path / 'd.db'}",
        arxiv_feed_url=f"{web.url}/rss",
        arxiv_api_url=f"{web.url}/api/query",
        hf_papers_url=f"{web.url}/api/daily_papers",
        arxiv_default_categories="cs.CL,cs.LG",
        rss_feeds=f"slow={web.url}/slow.xml,fast={web.url}/fast.xml",
        source_fetch_deadline_seconds=DEADLINE,
        http_backoff_seconds=0,
        http_max_attempts=2,
        **overrides,
    )


def fetch(settings: Settings, sources: list[str]) -> tuple[FetchReport, SqlStore, float]:
    store = SqlStore.open(settings.database_url)
    clock = FixedClock(NOW)
    core = PaperBot(store, clock, settings)
    started = time.monotonic()
    with PoliteClient(settings, clock, cache=store) as client:
        report = run_fetch(core, settings, sources=sources, client=client, arxiv_gate=NoGate())
    return report, store, time.monotonic() - started


def test_a_dripping_feed_is_given_up_at_its_deadline_and_the_others_go_through(
    web: FakeSources, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.sources.fetcher")
    report, store, took = fetch(settings_for(web, tmp_path), ["rss", "hf"])
    assert took < 5 * DEADLINE + 2  # not the ~30 s the slow feed would take
    rss, hf = report.get("rss"), report.get("hf")
    assert rss is not None and hf is not None and report.ok
    assert len(rss.errors) == 1 and "over the 0.5s deadline" in rss.errors[0]
    assert "/slow.xml" in rss.errors[0]
    assert rss.new == 1 and store.get_paper("guid:j1") is not None  # the fast feed
    assert hf.ok and hf.new == 8
    overruns = [r.getMessage() for r in caplog.records if "deadline" in r.getMessage()]
    assert len(overruns) == 1 and overruns[0].startswith("rss failed: gave up on")
    store.close()


def test_a_dripping_arxiv_feed_falls_back_to_the_api_within_its_own_deadline(
    web: FakeSources, tmp_path: Path
) -> None:
    window = (FIX / "api-window-cs.CL+cs.LG-2026-06-11.xml").read_bytes()
    feed = (FIX / "arxiv-rss-cs.CL+cs.LG-2026-06-12.xml").read_bytes()
    web.route("/rss/", body=feed, drip=0.01)
    web.route("/api/query", lambda q: Answer(body=window if q.get("search_query") else b""))
    report, store, took = fetch(settings_for(web, tmp_path), ["arxiv"])
    assert took < 5 * DEADLINE + 2
    arxiv, api = report.get("arxiv"), report.get("arxiv-api")
    assert arxiv is not None and "deadline" in arxiv.errors[0]
    assert api is not None and api.ok and api.new == 5
    assert store.count_papers() == 5
    store.close()


def test_a_retry_wait_that_would_end_past_the_deadline_is_not_taken(web: FakeSources) -> None:
    web.route("/busy", status=503, body=b"busy", headers={"Retry-After": "2"})
    slept: list[float] = []
    settings = Settings(_env_file=None, http_max_attempts=5)  # type: ignore[call-arg]
    with PoliteClient(settings, FixedClock(NOW), sleep=slept.append) as client:
        with client.within(1.0), pytest.raises(DeadlineExceeded, match="over the 1s deadline"):
            client.get(f"{web.url}/busy")
        assert slept == [] and web.paths("/busy") == ["/busy"]
        with pytest.raises(HttpFailure, match="HTTP 503"):  # no deadline: retried as before
            client.get(f"{web.url}/busy")
        assert slept == [2.0, 2.0, 2.0, 2.0]


def test_an_outer_deadline_still_holds_inside_a_longer_inner_one(web: FakeSources) -> None:
    now = [0.0]
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    with PoliteClient(settings, FixedClock(NOW), monotonic=lambda: now[0]) as client:
        with client.within(5.0) as outer, client.within(60.0) as inner:
            assert inner is outer
            now[0] = 10.0
            with pytest.raises(DeadlineExceeded):
                client.get(f"{web.url}/fast.xml")
        assert client.deadline is None
    assert web.paths() == []  # nothing was asked past the deadline
