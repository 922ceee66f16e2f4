"""Several `paperbot tick` processes against one PostgreSQL: each digest is posted once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.digest.schedule import parse_schedule
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Platform
from storage.store import SqlStore
from tests.conftest import make_paper

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
T0 = datetime(2026, 6, 29, 6, tzinfo=UTC)
CHANNELS = 40
WORKERS = 3
TOPICS = ("robot", "speech", "graph", "vision")


def seed(url: str) -> None:
    store = SqlStore.open(url)
    papers = [
        make_paper(f"2606.{i:05d}", f"{TOPICS[i % len(TOPICS)].title()} study number {i}")
        for i in range(24)
    ]
    store.upsert_papers(papers, T0)
    for c in range(CHANNELS):
        ch = store.add_channel(
            ChannelRef(Platform.CONSOLE, "local", f"team{c}"),
            f"team{c}",
            ChannelSettings(size=3, schedule=parse_schedule("09:00 Europe/Berlin daily")),
            [Interest(InterestKind.TOPIC, TOPICS[c % len(TOPICS)])],
            now=T0,
        )
        store.set_next_run(ch.id, datetime(2026, 6, 29, 7, tzinfo=UTC))
    store.close()


def test_worker_processes_post_each_digest_exactly_once(pg_schema_url: str, tmp_path: Path) -> None:
    seed(pg_schema_url)
    procs = []
    for w in range(WORKERS):
        env = {
            **os.environ,
            "DATABASE_URL": pg_schema_url,
            "CONSOLE_OUTBOX": str(tmp_path / f"outbox{w}.jsonl"),
            "CLAIM_BATCH_SIZE": "2",
            "WORKER_ID": f"worker-{w}",
            "LOG_LEVEL": "WARNING",
        }
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "app", "tick", "--at", "2026-06-29T07:00:30Z", "--json"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=tmp_path,
            )
        )
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]
        text = "\n" + out.decode()  # a worker that claimed nothing prints only its report
        reports.append(json.loads(text[text.rindex("\n{") :]))

    posted: list[tuple[str, str]] = []
    for w in range(WORKERS):
        path = tmp_path / f"outbox{w}.jsonl"
        if path.exists():
            for line in path.read_text().splitlines():
                record = json.loads(line)
                posted.append((record["channel"], record["paper_id"]))
    counts = Counter(posted)
    assert counts and max(counts.values()) == 1, "a paper was posted twice to a channel"
    assert {ch for ch, _ in posted} == {f"console:team{c}" for c in range(CHANNELS)}
    assert len(posted) == CHANNELS * 3
    delivered = [d["channel_id"] for r in reports for d in r["delivered"]]
    print("digests per worker:", [len(r["delivered"]) for r in reports])
    assert sorted(delivered) == list(range(1, CHANNELS + 1))  # each digest by one worker

    store = SqlStore.open(pg_schema_url)
    try:
        assert store.unfinished_digests() == []
        assert all(
            c.next_run_at == datetime(2026, 6, 30, 7, tzinfo=UTC) for c in store.list_channels()
        )
    finally:
        store.close()
