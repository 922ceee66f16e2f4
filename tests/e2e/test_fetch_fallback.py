"""`paperbot fetch` with the arXiv feed broken: the same announcement comes from the arXiv API.

Through the CLI against a local server on 127.0.0.1 (tests/fake_sources.py) serving the recorded
fixtures; the clock is fixed with `--at` so no test depends on today's date.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from bot.digest.schedule import ArxivCalendar
from bot.sources.arxiv_fallback import announcement_window
from storage.store import SqlStore
from tests.fake_sources import Answer, FakeSources

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "sources"
FEED = (FIX / "arxiv-rss-cs.CL+cs.LG-2026-06-12.xml").read_bytes()
WINDOW = (FIX / "api-window-cs.CL+cs.LG-2026-06-11.xml").read_bytes()
EMPTY_API = (FIX / "api-id-empty.xml").read_bytes()
HF = (FIX / "hf-daily-2026-06-12.json").read_bytes()
FRIDAY = "2026-06-12T14:00:00Z"  # the feed of Fri 12 Jun holds Thursday evening's announcement
WINDOW_QUERY = "(cat:cs.CL OR cat:cs.LG) AND submittedDate:[202606101800 TO 202606111759]"
DOWN = Answer(500, b"Internal Server Error", "text/plain")


def fake_api(query: dict[str, str]) -> Answer:
    """The window query gets the window's papers; id look-ups and anything else, nothing."""
    if query.get("search_query") == WINDOW_QUERY and query.get("start") == "0":
        return Answer(body=WINDOW, content_type="application/atom+xml")
    return Answer(body=EMPTY_API, content_type="application/atom+xml")


@pytest.fixture
def web() -> Iterator[FakeSources]:
    with FakeSources() as server:
        server.route("/rss/", body=FEED, content_type="application/rss+xml")
        server.route("/api/query", fake_api)
        server.route(
            "/api/daily_papers",
            lambda q: Answer(
                body=HF if q.get("p") == "0" else b"[]", content_type="application/json"
            ),
        )
        yield server


@pytest.fixture
def env(web: FakeSources, tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "ARXIV_FEED_URL": f"{web.url}/rss",
        "ARXIV_API_URL": f"{web.url}/api/query",
        "HF_PAPERS_URL": f"{web.url}/api/daily_papers",
        "ARXIV_DEFAULT_CATEGORIES": "cs.CL,cs.LG",
        "ARXIV_MIN_INTERVAL_SECONDS": "0",
        "ARXIV_LOCK_FILE": "none",
        "HTTP_BACKOFF_SECONDS": "0",
        "HTTP_MAX_ATTEMPTS": "2",
        "RSS_FEEDS": "",
        "LOG_LEVEL": "WARNING",
    }


def run(env: dict[str, str], *args: str) -> tuple[int, dict[str, dict[str, object]], str]:
    result = CliRunner().invoke(app, ["fetch", "--json", *args], env=env)
    report = json.loads(result.stdout) if result.stdout.strip() else {"sources": []}
    return result.exit_code, {s["source"]: s for s in report["sources"]}, result.stderr


def stored(env: dict[str, str]) -> SqlStore:
    return SqlStore.open(env["DATABASE_URL"])


@pytest.mark.parametrize(
    "broken",
    [
        DOWN,
        Answer(200, b"<rss version='2.0'><channel><item><title>cut off", "application/rss+xml"),
        Answer(200, b"<!DOCTYPE html><html><body>Service Unavailable</body></html>", "text/html"),
        Answer(200, b"\x00\x01\x02 binary garbage", "application/octet-stream"),
    ],
    ids=["http-500", "truncated-xml", "html-page", "garbage"],
)
def test_broken_feed_falls_back_to_the_api_and_exits_0(
    web: FakeSources, env: dict[str, str], broken: Answer
) -> None:
    web.route("/rss/", broken)
    web.route("/api/daily_papers", DOWN)  # Hugging Face is down too: only the fallback delivers
    code, sources, stderr = run(env, "--at", FRIDAY)
    assert code == 0, stderr
    assert not sources["arxiv"]["ok"] and not sources["hf"]["ok"]
    api = sources["arxiv-api"]
    assert api["ok"] and api["new"] == 5 and api["fetched"] == 5
    assert api["notes"][0] == (
        "fallback for the failed arXiv feed: submissions 2026-06-10 18:00 to 2026-06-11 18:00 UTC"
    )
    asked = [q for path, q in web.hits if path == "/api/query" and q.get("search_query")]
    assert asked[0]["search_query"] == WINDOW_QUERY
    store = stored(env)
    assert store.count_papers() == 5
    paper = store.get_paper("2606.12730")
    assert paper is not None and paper.sources == ("arxiv-api",) and "cs.CL" in paper.categories
    store.close()


def test_fallback_papers_merge_with_hf_as_the_feeds_would(web: FakeSources, env: dict[str, str]):
    web.route("/rss/", DOWN)
    code, sources, _ = run(env, "--at", FRIDAY)
    assert code == 0
    assert sources["arxiv-api"]["new"] == 5 and sources["hf"]["updated"] == 3
    store = stored(env)
    merged = store.get_paper("2606.00467")
    assert merged is not None and merged.sources == ("arxiv-api", "hf")
    assert merged.upvotes == 0 and merged.ai_summary and merged.categories[0] == "cs.CL"
    assert store.count_papers() == 10  # 5 from the API + 5 only on HF
    store.close()


def test_a_working_feed_asks_the_api_nothing(web: FakeSources, env: dict[str, str]) -> None:
    code, sources, _ = run(env, "--at", FRIDAY, "--source", "arxiv")
    assert code == 0 and sources["arxiv"]["ok"] and "arxiv-api" not in sources
    assert web.paths("/api/query") == []


def test_every_source_failing_still_exits_1(web: FakeSources, env: dict[str, str]) -> None:
    for path in ("/rss/", "/api/query", "/api/daily_papers"):
        web.route(path, DOWN)
    code, sources, stderr = run(env, "--at", FRIDAY)
    assert code == 1 and "every source failed" in stderr
    assert not sources["arxiv-api"]["ok"] and "HTTP 500" in sources["arxiv-api"]["errors"][0]


def test_no_fallback_for_a_feed_that_holds_no_announcement(
    web: FakeSources, env: dict[str, str]
) -> None:
    web.route("/rss/", DOWN)
    code, sources, _ = run(env, "--at", "2026-06-13T14:00:00Z", "--source", "arxiv")  # Saturday
    assert code == 1 and "arxiv-api" not in sources
    assert sources["arxiv"]["notes"] == [
        "no announcement in the feed of 2026-06-13: no API fallback needed"
    ]
    assert web.paths("/api/query") == []


def test_the_fallback_can_be_turned_off(web: FakeSources, env: dict[str, str]) -> None:
    web.route("/rss/", DOWN)
    code, sources, _ = run({**env, "ARXIV_FEED_FALLBACK": "false"}, "--at", FRIDAY)
    assert code == 0 and sources["hf"]["ok"] and not sources["arxiv"]["ok"]
    assert not any(q.get("search_query") for path, q in web.hits if path == "/api/query")
    notes = sources["arxiv-api"]["notes"]  # only the HF papers' category look-up asked it
    assert notes == ["looked up 8 HF papers for their arXiv categories"]


CALENDAR = ArxivCalendar(frozenset({date(2026, 11, 26), date(2026, 12, 25)}))


@pytest.mark.parametrize(
    ("feed_day", "start", "end"),
    [
        # Thursday's announcement (in Friday's feed): Wed 14:00 to Thu 14:00 US Eastern (EDT)
        (date(2026, 6, 12), datetime(2026, 6, 10, 18, tzinfo=UTC), datetime(2026, 6, 11, 18, tzinfo=UTC)),
        # Sunday's announcement (Monday's feed): Thu 14:00 to Fri 14:00
        (date(2026, 6, 15), datetime(2026, 6, 11, 18, tzinfo=UTC), datetime(2026, 6, 12, 18, tzinfo=UTC)),
        # Monday's announcement (Tuesday's feed): the weekend's, Fri 14:00 to Mon 14:00
        (date(2026, 6, 16), datetime(2026, 6, 12, 18, tzinfo=UTC), datetime(2026, 6, 15, 18, tzinfo=UTC)),
        # Winter time (EST): 14:00 is 19:00 UTC
        (date(2026, 12, 2), datetime(2026, 11, 30, 19, tzinfo=UTC), datetime(2026, 12, 1, 19, tzinfo=UTC)),
        # After Thanksgiving (Thu 26 Nov, no deadline): Sunday's covers Wed 14:00 to Fri 14:00
        (date(2026, 11, 30), datetime(2026, 11, 25, 19, tzinfo=UTC), datetime(2026, 11, 27, 19, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_announcement_windows(feed_day: date, start: datetime, end: datetime) -> None:
    assert announcement_window(CALENDAR, feed_day) == (start, end)


@pytest.mark.parametrize(
    "feed_day",
    [date(2026, 6, 13), date(2026, 6, 14), date(2026, 11, 27)],  # Sat, Sun, after a holiday
)
def test_feeds_without_an_announcement_have_no_window(feed_day: date) -> None:
    assert announcement_window(CALENDAR, feed_day) is None
