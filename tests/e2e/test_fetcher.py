"""`run_fetch` end to end on a real SQLite store, with recorded responses behind MockTransport."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Paper, Platform
from bot.service import PaperBot
from bot.sources.fetcher import FetchReport, run_fetch
from bot.sources.http import NoGate, PoliteClient
from storage.store import SqlStore

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "sources"
FEED = (FIX / "arxiv-rss-cs.CL+cs.LG-2026-06-12.xml").read_bytes()
HF = (FIX / "hf-daily-2026-06-12.json").read_bytes()
EMPTY_API = (FIX / "api-id-empty.xml").read_bytes()
NOW = datetime(2026, 6, 12, 14, 0, tzinfo=UTC)  # 10:00 in New York: the feeds hold 2026-06-12

Handler = Callable[[httpx.Request], httpx.Response]


class FakeWeb:
    """Serves the recorded responses; `overrides` replace a host's answer; records requests."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.overrides: dict[str, Handler] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        host = request.url.host
        if host in self.overrides:
            return self.overrides[host](request)
        if host == "rss.test":
            return httpx.Response(200, content=FEED, headers={"ETag": '"feed-1"'})
        if host == "hf.test":
            page = int(request.url.params.get("p", "0"))
            return httpx.Response(200, content=HF if page == 0 else b"[]")
        if host == "api.test":
            return httpx.Response(200, content=EMPTY_API)
        return httpx.Response(404)

    def hosts(self) -> list[str]:
        return [r.url.host for r in self.requests]


@pytest.fixture
def web() -> FakeWeb:
    return FakeWeb()


@pytest.fixture
def env(tmp_path: Path, web: FakeWeb) -> tuple[PaperBot, Settings, PoliteClient]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{tmp_path / 'f.db'}",
        arxiv_feed_url="https://rss.test/rss",
        arxiv_api_url="https://api.test/api/query",
        hf_papers_url="https://hf.test/api/daily_papers",
        arxiv_default_categories="cs.CL,cs.LG",
        http_backoff_seconds=0,
        http_max_attempts=2,
    )
    store = SqlStore.open(settings.database_url)
    clock = FixedClock(NOW)
    core = PaperBot(store, clock, settings)
    client = PoliteClient(
        settings, clock, transport=httpx.MockTransport(web), cache=store, sleep=lambda s: None
    )
    return core, settings, client


def fetch(env: tuple[PaperBot, Settings, PoliteClient], **kw: object) -> FetchReport:
    core, settings, client = env
    return run_fetch(core, settings, client=client, arxiv_gate=NoGate(), **kw)  # type: ignore[arg-type]


def paper(env: tuple[PaperBot, Settings, PoliteClient], pid: str) -> Paper:
    found = env[0].store.get_paper(pid)
    assert found is not None
    return found


def test_feed_and_hf_merge_into_one_record_per_work(env, web: FakeWeb) -> None:
    report = fetch(env)
    assert report.ok
    arxiv, hf = report.get("arxiv"), report.get("hf")
    assert arxiv is not None and hf is not None
    assert (arxiv.fetched, arxiv.new, arxiv.not_new) == (7, 5, 2)
    assert (hf.fetched, hf.new, hf.updated) == (8, 5, 3)  # 3 already known from arXiv
    merged = paper(env, "2606.00467")
    assert merged.sources == ("arxiv", "hf")
    assert "cs.CL" in merged.categories and merged.announce_type == "new"
    assert merged.upvotes == 0 and merged.ai_summary and merged.hf_comments == 2
    assert merged.url == "https://arxiv.org/abs/2606.00467"
    assert env[0].store.count_papers() == 12
    assert web.hosts().count("rss.test") == 1
    assert str(web.requests[0].url) == "https://rss.test/rss/cs.CL+cs.LG"


def test_second_run_adds_nothing_and_reuses_the_days_feed(env, web: FakeWeb) -> None:
    fetch(env)
    before = len(web.requests)
    again = fetch(env)
    assert again.ok and again.new == 0
    assert all(s.new == 0 and s.updated == 0 and s.not_new == 0 for s in again.sources)
    assert env[0].store.count_papers() == 12
    new_requests = web.hosts()[before:]
    assert "rss.test" not in new_requests  # same announcement day: served from the cache
    assert again.get("arxiv").cached == 1  # type: ignore[union-attr]


def test_next_day_revalidates_with_a_conditional_get(env, web: FakeWeb) -> None:
    fetch(env)
    env[0].clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    web.overrides["rss.test"] = lambda r: (
        httpx.Response(304) if r.headers.get("if-none-match") == '"feed-1"' else httpx.Response(500)
    )
    report = fetch(env, sources=["arxiv"])
    assert report.ok and report.get("arxiv").cached == 1  # type: ignore[union-attr]


def test_replace_of_an_unknown_paper_is_stored_but_not_new(env) -> None:
    fetch(env, sources=["arxiv"])
    assert paper(env, "2606.11199").version == 2
    candidates = {p.id for p in env[0].store.papers_seen_since(NOW - timedelta(days=1))}
    assert "2606.11196" in candidates
    assert {"2606.11199", "2606.11200"}.isdisjoint(candidates)


def test_a_new_version_updates_the_record_but_is_never_new_again(env, web: FakeWeb) -> None:
    fetch(env, sources=["arxiv"])
    env[0].clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    v2 = FEED.replace(b"2606.00467v1 Announce Type: new", b"2606.00467v2 Announce Type: replace")
    v2 = v2.replace(b"oai:arXiv.org:2606.00467v1", b"oai:arXiv.org:2606.00467v2")
    web.overrides["rss.test"] = lambda r: httpx.Response(200, content=v2)
    report = fetch(env, sources=["arxiv"])
    assert report.get("arxiv").updated >= 1  # type: ignore[union-attr]
    updated = paper(env, "2606.00467")
    assert updated.version == 2 and updated.announce_type == "new"
    since_yesterday = env[0].store.papers_seen_since(NOW + timedelta(minutes=1))
    assert "2606.00467" not in {p.id for p in since_yesterday}


def test_one_failing_source_does_not_stop_the_others_and_is_picked_up_next_run(env, web) -> None:
    web.overrides["hf.test"] = lambda r: httpx.Response(500)
    report = fetch(env)
    assert report.ok
    assert report.get("arxiv").ok and not report.get("hf").ok  # type: ignore[union-attr]
    assert "HTTP 500" in report.get("hf").errors[0]  # type: ignore[union-attr]
    del web.overrides["hf.test"]
    again = fetch(env)
    assert again.get("hf").ok and again.get("hf").new == 5  # type: ignore[union-attr]


def test_truncated_feed_keeps_good_entries_and_is_refetched(env, web: FakeWeb) -> None:
    cut = FEED[: FEED.index(b"2606.11198") + 50]
    web.overrides["rss.test"] = lambda r: httpx.Response(200, content=cut)
    report = fetch(env, sources=["arxiv"])
    arxiv = report.get("arxiv")
    assert arxiv is not None and not arxiv.ok and "truncated" in arxiv.errors[0]
    assert arxiv.new == 4  # the complete entries before the cut
    fallback = report.get("arxiv-api")  # the same announcement asked of the API (empty here)
    assert fallback is not None and fallback.ok and "fallback" in fallback.notes[0]
    del web.overrides["rss.test"]
    again = fetch(env, sources=["arxiv"])
    assert again.ok and again.get("arxiv").new == 1  # type: ignore[union-attr]
    assert again.get("arxiv").not_new == 2  # type: ignore[union-attr]


def test_html_and_bad_json_are_source_errors(env, web: FakeWeb) -> None:
    web.overrides["rss.test"] = lambda r: httpx.Response(
        200, content=b"<html><body>maintenance</body></html>"
    )
    web.overrides["hf.test"] = lambda r: httpx.Response(200, content=b"[{")
    env[1].arxiv_feed_fallback = False
    report = fetch(env)
    assert not report.ok
    assert "HTML" in report.get("arxiv").errors[0]  # type: ignore[union-attr]
    assert "malformed JSON" in report.get("hf").errors[0]  # type: ignore[union-attr]
    assert env[0].store.count_papers() == 0


def test_weekend_feed_is_a_quiet_success(env, web: FakeWeb) -> None:
    empty = (FIX / "arxiv-rss-weekend-empty.xml").read_bytes()
    web.overrides["rss.test"] = lambda r: httpx.Response(200, content=empty)
    report = fetch(env, sources=["arxiv"])
    assert report.ok and report.get("arxiv").notes == [  # type: ignore[union-attr]
        "no announcements today (weekend or arXiv holiday)"
    ]


def test_timeout_and_429_are_reported_after_retries(env, web: FakeWeb) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timeout", request=request)

    web.overrides["rss.test"] = slow
    web.overrides["hf.test"] = lambda r: httpx.Response(429, headers={"Retry-After": "1"})
    web.overrides["api.test"] = slow  # the feed's fallback times out too
    report = fetch(env)
    assert not report.ok
    assert "timed out" in report.get("arxiv").errors[0]  # type: ignore[union-attr]
    assert "HTTP 429" in report.get("hf").errors[0]  # type: ignore[union-attr]
    assert web.hosts().count("rss.test") == 2 and web.hosts().count("hf.test") == 2


def test_categories_come_from_channels_and_defaults(env, web: FakeWeb) -> None:
    core = env[0]
    core.store.add_channel(
        ChannelRef(Platform.CONSOLE, "local", "lab"),
        "lab",
        ChannelSettings(),
        [Interest(InterestKind.CATEGORY, "cs.RO"), Interest(InterestKind.TOPIC, "robots")],
        now=NOW,
    )
    fetch(env, sources=["arxiv"])
    assert str(web.requests[0].url) == "https://rss.test/rss/cs.CL+cs.LG+cs.RO"


def test_arxiv_api_backfill_pages_and_fills_hf_papers(env, web: FakeWeb) -> None:
    pages = {
        "0": (FIX / "api-q-testing-s0-m10.xml").read_bytes(),
        "10": (FIX / "api-q-testing-s10-m10.xml").read_bytes(),
    }
    web.overrides["api.test"] = lambda r: (
        httpx.Response(200, content=pages.get(r.url.params["start"], EMPTY_API))
        if r.url.params["search_query"]
        else httpx.Response(200, content=EMPTY_API)
    )
    core, settings, client = env
    settings = settings.model_copy(
        update={"arxiv_backfill_max_results": 20, "arxiv_api_page_size": 10}
    )
    report = run_fetch(
        core, settings, sources=["arxiv-api", "hf"], categories=["quant-ph"], days=3,
        client=client, arxiv_gate=NoGate(),
    )  # fmt: skip
    api = report.get("arxiv-api")
    assert api is not None and api.ok and api.fetched == 20 and api.new == 20
    assert any("stopped at 20 of 214881 results" in note for note in api.notes)
    queries = [r.url.params for r in web.requests if r.url.host == "api.test"]
    assert queries[0]["search_query"] == (
        "(cat:quant-ph) AND submittedDate:[202606090000 TO 202606122359]"
    )
    assert [q["start"] for q in queries[:2]] == ["0", "10"]
    hf_days = [r.url.params["date"] for r in web.requests if r.url.host == "hf.test"]
    assert hf_days == ["2026-06-12", "2026-06-11", "2026-06-10"]
    lookup = queries[-1]["id_list"].split(",")
    assert len(lookup) == 8 and "2606.00467" in lookup  # HF papers no arXiv source described


def test_arxiv_feed_cannot_serve_a_past_day(env) -> None:
    report = fetch(env, sources=["arxiv"], day=date(2026, 6, 1))
    assert not report.ok and "only holds today's" in report.get("arxiv").errors[0]  # type: ignore[union-attr]


def test_lookup_papers_fetches_only_what_the_store_lacks(env, web: FakeWeb) -> None:
    from bot.sources.fetcher import lookup_papers

    core, settings, client = env
    fetch(env, sources=["arxiv"])
    body = (FIX / "api-id-astro-ph-0601001.xml").read_bytes()
    web.overrides["api.test"] = lambda r: httpx.Response(200, content=body)
    found = lookup_papers(
        core, settings, ["2606.00467v1", "astro-ph/0601001", "nonsense"],
        client=client, arxiv_gate=NoGate(),
    )  # fmt: skip
    assert set(found) == {"2606.00467", "astro-ph/0601001"}
    api_calls = [r.url.params["id_list"] for r in web.requests if r.url.host == "api.test"]
    assert api_calls == ["astro-ph/0601001"]
    assert core.store.get_paper("astro-ph/0601001") is not None


def test_empty_api_page_mid_way_is_an_error_and_not_cached(env, web: FakeWeb) -> None:
    first = (FIX / "api-q-testing-s0-m10.xml").read_bytes()
    hiccup = EMPTY_API.replace(
        b">0</opensearch:totalResults>", b">214881</opensearch:totalResults>"
    )
    web.overrides["api.test"] = lambda r: httpx.Response(
        200, content=first if r.url.params["start"] == "0" else hiccup
    )
    core, settings, client = env
    settings = settings.model_copy(update={"arxiv_api_page_size": 10})
    report = run_fetch(core, settings, sources=["arxiv-api"], client=client, arxiv_gate=NoGate())
    api = report.get("arxiv-api")
    assert api is not None and api.new == 10
    assert len(api.errors) == 1 and "empty page at 10 of 214881" in api.errors[0]
    web.overrides["api.test"] = lambda r: httpx.Response(
        200, content=first if r.url.params["start"] == "0" else EMPTY_API
    )
    before = len(web.requests)
    again = run_fetch(core, settings, sources=["arxiv-api"], client=client, arxiv_gate=NoGate())
    starts = [r.url.params["start"] for r in web.requests[before:]]
    assert starts == ["10"]  # page 0 reused from today's cache, the failed page asked again
    assert again.get("arxiv-api").ok  # type: ignore[union-attr]


def test_generic_rss_feeds_are_fetched_and_merged(env, web: FakeWeb) -> None:
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>bio</title>
    <item><title>A cell paper</title><link>https://www.biorxiv.org/content/10.1101/2026.06.01.1v1</link>
      <description>Cells divide.</description><guid>b1</guid></item>
    <item><title>Also on arXiv</title><link>https://arxiv.org/abs/2606.00467v1</link>
      <description>Short.</description><guid>b2</guid></item>
    <item><title>Broken</title></item>
    </channel></rss>"""
    web.overrides["bio.test"] = lambda r: httpx.Response(200, content=feed)
    core, settings, client = env
    settings = settings.model_copy(update={"rss_feeds": "bio=https://bio.test/feed"})
    fetch((core, settings, client), sources=["arxiv"])
    report = run_fetch(core, settings, sources=["all"], client=client, arxiv_gate=NoGate())
    rss_report = report.get("rss")
    assert rss_report is not None and rss_report.ok
    assert (rss_report.fetched, rss_report.new, rss_report.updated) == (2, 1, 1)
    assert rss_report.skipped == [("entry 3", "missing id (no guid, link or DOI)")]
    assert paper(env, "doi:10.1101/2026.06.01.1").sources == ("rss:bio",)
    merged = paper(env, "2606.00467")
    assert "rss:bio" in merged.sources and merged.abstract.startswith("Large Language")


def test_feed_at_the_entry_cap_warns(env, web: FakeWeb) -> None:
    items = "".join(
        f"<item><title>T{n}</title><link>https://arxiv.org/abs/2606.{n:05d}</link>"
        f"<description>arXiv:2606.{n:05d}v1 Announce Type: new \nAbstract: A{n}</description>"
        f"<guid>oai:arXiv.org:2606.{n:05d}v1</guid></item>"
        for n in range(2000)
    )
    body = f'<rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()
    web.overrides["rss.test"] = lambda r: httpx.Response(200, content=body)
    report = fetch(env, sources=["arxiv"])
    arxiv = report.get("arxiv")
    assert arxiv is not None and arxiv.new == 2000
    assert any("arXiv's cap" in note for note in arxiv.notes)


def test_fetched_papers_reach_a_digest_once_and_replacements_never(env, web: FakeWeb) -> None:
    import io

    from adapters.console import ConsoleAdapter
    from bot.models import Threshold

    core = env[0]
    core.adapters[Platform.CONSOLE] = ConsoleAdapter(io.StringIO())
    channel = core.store.add_channel(
        ChannelRef(Platform.CONSOLE, "local", "nlp"),
        "nlp",
        ChannelSettings(size=25, threshold=Threshold.LOW),
        [Interest(InterestKind.CATEGORY, "cs.CL"), Interest(InterestKind.CATEGORY, "cs.LG")],
        now=NOW - timedelta(days=1),
    )
    fetch(env)
    _, first = core.run_digest(channel, run_key="2026-06-12")
    posted = set(first.posted)
    assert "2606.00467" in posted
    assert {"2606.11199", "2606.11200"}.isdisjoint(posted)  # replacements: not new
    core.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    v2 = FEED.replace(b"2606.00467v1 Announce Type: new", b"2606.00467v2 Announce Type: replace")
    web.overrides["rss.test"] = lambda r: httpx.Response(200, content=v2)
    fetch(env, sources=["arxiv"])
    assert paper(env, "2606.00467").version == 2
    _, second = core.run_digest(core.store.get_channel(channel.id), run_key="2026-06-13")
    assert posted.isdisjoint(second.posted)
    assert second.digest is None or "2606.00467" not in {i.paper.id for i in second.digest.items}
