"""`paperbot fetch` against a local HTTP server on 127.0.0.1 serving the recorded responses."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from storage.store import SqlStore

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "sources"


class FakeSources(BaseHTTPRequestHandler):
    """rss.arxiv.org, export.arxiv.org and huggingface.co, as far as PaperBot asks them."""

    broken = False
    hits: list[str] = []  # noqa: RUF012

    def do_GET(self) -> None:
        FakeSources.hits.append(self.path)
        path = urlsplit(self.path).path
        if FakeSources.broken:
            self._send(500, b"oops", "text/plain")
        elif path.startswith("/rss/"):
            body = (FIX / "arxiv-rss-cs.CL+cs.LG-2026-06-12.xml").read_bytes()
            self._send(200, body, "application/rss+xml", etag='"day-1"')
        elif path == "/api/daily_papers":
            page = "p=0" in self.path
            body = (FIX / "hf-daily-2026-06-12.json").read_bytes() if page else b"[]"
            self._send(200, body, "application/json")
        elif path == "/api/query":
            self._send(200, (FIX / "api-id-empty.xml").read_bytes(), "application/atom+xml")
        else:
            self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, ctype: str, etag: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    FakeSources.broken = False
    FakeSources.hits = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeSources)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def env(server: str, tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "ARXIV_FEED_URL": f"{server}/rss",
        "ARXIV_API_URL": f"{server}/api/query",
        "HF_PAPERS_URL": f"{server}/api/daily_papers",
        "ARXIV_DEFAULT_CATEGORIES": "cs.CL,cs.LG",
        "ARXIV_MIN_INTERVAL_SECONDS": "0",
        "ARXIV_LOCK_FILE": "none",
        "HTTP_BACKOFF_SECONDS": "0",
        "HTTP_MAX_ATTEMPTS": "2",
        "RSS_FEEDS": "",
        "LOG_LEVEL": "WARNING",
    }


def test_fetch_twice_stores_once(env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["fetch", "--json"], env=env)
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    by_source = {s["source"]: s for s in report["sources"]}
    assert by_source["arxiv"]["new"] == 5 and by_source["arxiv"]["not_new"] == 2
    assert by_source["hf"]["new"] == 5 and by_source["hf"]["updated"] == 3
    store = SqlStore.open(env["DATABASE_URL"])
    merged = store.get_paper("2606.00467")
    assert merged is not None and merged.sources == ("arxiv", "hf") and merged.ai_summary
    assert store.count_papers() == 12
    store.close()

    second = runner.invoke(app, ["fetch", "--json"], env=env)
    assert second.exit_code == 0, second.output
    again = json.loads(second.stdout)
    assert sum(s["new"] + s["updated"] + s["not_new"] for s in again["sources"]) == 0
    assert sum(1 for hit in FakeSources.hits if hit.startswith("/rss/")) == 1


def test_fetch_prints_a_table(env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["fetch", "--source", "arxiv"], env=env)
    assert result.exit_code == 0, result.output
    assert "fetch report" in result.stdout and "arxiv" in result.stdout


def test_all_sources_failing_exits_non_zero(env: dict[str, str]) -> None:
    FakeSources.broken = True
    result = CliRunner().invoke(app, ["fetch"], env=env)
    assert result.exit_code == 1
    assert "every source failed" in result.stderr and "HTTP 500" in result.stderr


def test_backfill_and_bad_arguments(env: dict[str, str]) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["backfill", "--days", "2", "--categories", "quant-ph", "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    sources = [s["source"] for s in json.loads(result.stdout)["sources"]]
    assert sources == ["arxiv-api", "hf"]
    assert any("submittedDate" in hit and "quant-ph" in hit for hit in FakeSources.hits)
    bad = runner.invoke(app, ["fetch", "--source", "nope"], env=env)
    assert bad.exit_code != 0 and "unknown source" in str(bad.exception)
