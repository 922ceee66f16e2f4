"""A worker process killed mid-digest: after its lease expires another process finishes the
digest with no paper posted twice and none skipped (real process death, real PostgreSQL)."""

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
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, ItemStatus, Platform
from storage.store import SqlStore
from tests.conftest import make_paper

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
HERE = Path(__file__).resolve().parent
T_RUN = "2026-06-29T09:00:05+00:00"
T_LATER = "2026-06-29T09:05:10+00:00"  # past the 300 s lease
CHANNELS = 3


def seed(url: str) -> None:
    store = SqlStore.open(url)
    at = datetime(2026, 6, 29, 8, tzinfo=UTC)
    store.upsert_papers([make_paper(f"2606.{i:05d}", f"Robot study {i}") for i in range(6)], at)
    for c in range(CHANNELS):
        ch = store.add_channel(
            ChannelRef(Platform.CONSOLE, "local", f"lab{c}"),
            f"lab{c}",
            ChannelSettings(size=4, schedule=parse_schedule("09:00 UTC daily")),
            [Interest(InterestKind.TOPIC, "robot")],
            now=at,
        )
        store.set_next_run(ch.id, datetime(2026, 6, 29, 9, tzinfo=UTC))
    store.close()


@pytest.mark.parametrize("when", ["header", "after-post:2"])
def test_killed_worker_is_finished_by_another(
    pg_schema_url: str, tmp_path: Path, when: str
) -> None:
    seed(pg_schema_url)
    outbox = tmp_path / "outbox.jsonl"
    doomed = subprocess.run(
        [sys.executable, str(HERE / "crash_worker.py"), pg_schema_url, str(outbox), T_RUN, when],
        capture_output=True,
        timeout=60,
    )
    assert doomed.returncode == 9, doomed.stderr.decode()[-2000:]

    env = {
        **os.environ,
        "DATABASE_URL": pg_schema_url,
        "CONSOLE_OUTBOX": str(outbox),
        "LOG_LEVEL": "WARNING",
    }
    early = subprocess.run(
        [sys.executable, "-m", "app", "tick", "--at", T_RUN, "--json"],
        env=env,
        capture_output=True,
        timeout=60,
        cwd=tmp_path,
    )
    out = early.stdout.decode()
    report = json.loads(out[out.rfind("\n{") + 1 :])
    assert report["claimed"] == CHANNELS - 1  # the dead worker's channel is still leased

    later = subprocess.run(
        [sys.executable, "-m", "app", "tick", "--at", T_LATER],
        env=env,
        capture_output=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert later.returncode == 0, later.stderr.decode()[-2000:]

    posted = Counter(
        (r["channel"], r["paper_id"]) for r in map(json.loads, outbox.read_text().splitlines())
    )
    assert max(posted.values()) == 1  # the console adapter found the unrecorded post
    assert len(posted) == CHANNELS * 4  # and nothing was skipped
    store = SqlStore.open(pg_schema_url)
    try:
        assert store.unfinished_digests() == []
        for c in range(1, CHANNELS + 1):
            digest = store.find_digest(c, "2026-06-29")
            assert digest is not None
            assert [i.status for i in digest.items] == [ItemStatus.POSTED] * 4
    finally:
        store.close()
