"""`paperbot export` end to end: a real store, a posted digest, reactions, three formats."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import bibtexparser
import pytest
from typer.testing import CliRunner

from app.cli.main import app
from bot.clock import FixedClock
from bot.config import Settings
from bot.errors import InvalidInput
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Platform
from tests.conftest import make_paper

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    from app.wiring.runtime import build_runtime

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.delenv("LLM_BASE_URL", raising=False)
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    rt = build_runtime(settings, out=io.StringIO(), clock=FixedClock(T0))
    try:
        rt.core.ingest(
            [
                make_paper("2606.00001", "Robot grasping at scale", authors=("Ada Lovelace",)),
                make_paper("2606.00002", "Robot grasping, the sequel", authors=("Alan Turing",)),
            ]
        )
        channel = rt.store.add_channel(
            ChannelRef(Platform.CONSOLE, "local", "lab"),
            "lab",
            ChannelSettings(size=2),
            [Interest(InterestKind.TOPIC, "robot grasping")],
            now=T0,
        )
        _, result = rt.core.run_digest(channel, run_key="2026-06-30")
        assert len(result.posted) == 2
        rt.core.react(channel, "2606.00001", "ana", "+1")
        rt.core.react(channel, "2606.00002", "ben", "-1")
    finally:
        rt.close()
    return url


def test_export_bibtex_to_stdout(db: str) -> None:
    result = CliRunner().invoke(app, ["export", "--channel", "console:lab", "--format", "bibtex"])
    assert result.exit_code == 0, result.output
    entries = bibtexparser.loads(result.stdout).entries
    assert [e["eprint"] for e in entries] == ["2606.00001"]
    assert entries[0]["ID"] == "lovelace2026robot"


def test_export_csv_and_jsonl_to_files(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    out_csv = tmp_path / "out" / "liked.csv"
    result = runner.invoke(app, ["export", "--channel", "1", "--output", str(out_csv)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert [(r["id"], r["likes"]) for r in rows] == [("2606.00001", "1")]
    assert rows[0]["tldr"]  # the TL;DR the channel saw
    out_jsonl = tmp_path / "liked.jsonl"
    result = runner.invoke(
        app, ["export", "--channel", "console:lab", "--format", "JSONL", "-o", str(out_jsonl)]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out_jsonl.read_text(encoding="utf-8").splitlines()]
    assert records[0]["id"] == "2606.00001" and records[0]["authors"] == ["Ada Lovelace"]


def test_export_rejects_unknown_format(db: str) -> None:
    result = CliRunner().invoke(app, ["export", "--channel", "console:lab", "--format", "ris"])
    assert isinstance(result.exception, InvalidInput)
