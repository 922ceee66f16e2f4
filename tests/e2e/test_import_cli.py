"""`paperbot channel import` end to end: a real SQLite store, a local arXiv API, the CLI."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from bot.clock import FixedClock
from bot.config import Settings
from bot.errors import InvalidInput
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Platform
from tests.fake_sources import FakeSources
from tests.library_data import LIBRARY, arxiv_api, stored_papers

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)
REF = ChannelRef(Platform.CONSOLE, "local", "lab")


@pytest.fixture
def web() -> Iterator[FakeSources]:
    with FakeSources() as fake:
        fake.route("/api/query", arxiv_api)
        yield fake


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, web: FakeSources) -> str:
    from app.wiring.runtime import build_runtime

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.setenv("ARXIV_API_URL", web.url + "/api/query")
    monkeypatch.setenv("ARXIV_LOCK_FILE", str(tmp_path / "arxiv.lock"))
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    rt = build_runtime(settings, out=io.StringIO(), clock=FixedClock(T0))
    try:
        rt.core.ingest(stored_papers())
        rt.store.add_channel(
            REF, "lab", ChannelSettings(), [Interest(InterestKind.TOPIC, "robots")], now=T0
        )
    finally:
        rt.close()
    return url


def seeds(url: str) -> list[str]:
    from storage.store import SqlStore

    store = SqlStore.open(url)
    try:
        channel = store.find_channel(REF)
        assert channel is not None
        return sorted(channel.interest_values(InterestKind.SEED))
    finally:
        store.close()


def test_import_prints_counts_and_reasons_and_is_idempotent(db: str, web: FakeSources) -> None:
    args = ["channel", "import", "--channel", "console:lab", str(LIBRARY / "zotero.bib")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    assert out[0] == "5 matched, 1 unmatched"
    assert out[1] == (
        "unmatched: “Deep learning”: DOI 10.1038/nature14539 is not an arXiv paper I know, "
        "and no paper I know has this title"
    )
    assert seeds(db) == ["2104.12255", "2503.12461", "2503.15457", "2503.15879", "2606.00011"]
    assert [q["id_list"] for p, q in web.hits if p == "/api/query"] == ["2104.12255"]
    again = CliRunner().invoke(app, [*args, "--json"])
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert (report["matched"], report["unmatched"], report["added"]) == (5, 1, 0)
    assert [e["matched_by"] for e in report["entries"]] == [
        "arxiv", "arxiv", "doi", "arxiv", "title", None,
    ]  # fmt: skip
    assert seeds(db) == ["2104.12255", "2503.12461", "2503.15457", "2503.15879", "2606.00011"]


@pytest.mark.parametrize("name", ["zotero.ris", "zotero.csv"])
def test_ris_and_zotero_csv(db: str, name: str) -> None:
    result = CliRunner().invoke(
        app, ["channel", "import", "--channel", "console:lab", str(LIBRARY / name)]
    )
    assert result.exit_code == 0, result.output
    expected = {"zotero.ris": "2 matched, 1 unmatched", "zotero.csv": "3 matched, 1 unmatched"}
    assert result.stdout.splitlines()[0] == expected[name]


def test_bad_files_are_one_error_line(db: str, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("read the diffusion paper")
    for path, says in ((notes, "can't tell what kind of file"), (tmp_path, "is not a file")):
        result = CliRunner().invoke(
            app, ["channel", "import", "--channel", "console:lab", str(path)]
        )
        assert isinstance(result.exception, InvalidInput) and says in str(result.exception)
