"""One bad record never costs a page: on SQLite and PostgreSQL, through a local fake HF server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.service import PaperBot
from bot.sources.fetcher import run_fetch
from bot.sources.http import NoGate, PoliteClient
from storage.store import SqlStore
from tests.conftest import make_paper
from tests.fake_sources import Answer, FakeSources

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "sources"
NOW = datetime(2026, 6, 12, 14, 0, tzinfo=UTC)
MAX_COUNT = 2**31 - 1  # the INTEGER columns of upvotes, stars, comments


@pytest.fixture
def web() -> Iterator[FakeSources]:
    with FakeSources() as server:
        server.route("/api/query", body=(FIX / "api-id-empty.xml").read_bytes())
        yield server


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(db_url)
    yield opened
    opened.close()


def bad_hf_page() -> list[dict[str, object]]:
    page = json.loads((FIX / "hf-daily-2026-06-12.json").read_text(encoding="utf-8"))
    page[0]["paper"]["title"] = "Bad\x00title"  # PostgreSQL text cannot hold NUL
    page[1]["paper"]["upvotes"] = 10**30  # an INTEGER column holds 2^31-1
    page[2]["paper"]["githubStars"] = 2**63  # SQLite's INTEGER holds 2^63-1
    page[3]["paper"]["summary"] = "Lone \ud800 surrogate and \x00 NUL."  # no UTF-8 for it
    page[4]["paper"]["publishedAt"] = "the day after tomorrow"  # no valid record: skipped
    return page


def test_hf_page_with_bad_records_stores_every_other_paper(
    store: SqlStore, web: FakeSources, tmp_path: Path
) -> None:
    page = bad_hf_page()
    body = json.dumps(page).encode()
    web.route(
        "/api/daily_papers",
        lambda q: Answer(
            body=body if q.get("p") == "0" else b"[]", content_type="application/json"
        ),
    )
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        hf_papers_url=f"{web.url}/api/daily_papers",
        arxiv_api_url=f"{web.url}/api/query",
        http_max_attempts=1,
    )
    clock = FixedClock(NOW)
    core = PaperBot(store, clock, settings)
    with PoliteClient(settings, clock, cache=store) as client:
        report = run_fetch(core, settings, sources=["hf"], client=client, arxiv_gate=NoGate())
    hf = report.get("hf")
    assert hf is not None and hf.ok, hf
    skipped_id = str(page[4]["paper"]["id"])  # type: ignore[index]
    assert hf.skipped == [(skipped_id, "bad date 'the day after tomorrow'")]
    assert hf.new == 7 and store.count_papers() == 7
    ids = [str(item["paper"]["id"]) for item in page]  # type: ignore[index]
    stored = store.get_papers(ids)
    assert stored[ids[0]].title == "Badtitle"
    assert stored[ids[1]].upvotes == MAX_COUNT
    assert stored[ids[2]].code_stars == MAX_COUNT
    assert stored[ids[3]].abstract == "Lone surrogate and NUL."


def test_a_chunk_with_rows_the_database_refuses_keeps_the_others(store: SqlStore) -> None:
    """The store's own last line of defence, for papers that skipped validation."""
    store.upsert_papers([make_paper("2606.00005", "Known", upvotes=3)], NOW)
    papers = [
        make_paper("2606.00001", "Good"),
        make_paper("2606.00002", "Huge", upvotes=10**30),
        make_paper("2606.00003", "Lone \ud800 surrogate"),
        make_paper("2606.00004", "Also good"),
        make_paper("2606.00005", "Known", upvotes=2**70),  # an update the database refuses
        make_paper("2606.00006", "NUL\x00 in the title"),
    ]
    report = store.upsert_papers(papers, NOW)
    refused = {pid for pid, _ in report.rejected}
    assert {"2606.00002", "2606.00003", "2606.00005"} <= refused
    assert all("the database refused it" in reason for _, reason in report.rejected)
    kept = store.get_papers([p.id for p in papers])
    assert {"2606.00001", "2606.00004"} <= set(kept)
    assert kept["2606.00005"].upvotes == 3  # the refused update left the row as it was
    if store.dialect == "postgresql":
        assert "2606.00006" in refused  # SQLite stores a NUL; PostgreSQL text cannot
    assert report.new + len(refused - {"2606.00005"}) == 5 and report.new == len(kept) - 1
