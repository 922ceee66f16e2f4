"""`paperbot run --processes 2` against PostgreSQL: the delivery process posts beside the first,
each digest once; SIGTERM stops both; SQLite refuses more than one process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import pytest

from bot.digest.schedule import parse_schedule
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Platform
from storage.store import SqlStore
from tests.conftest import make_paper

pytestmark = pytest.mark.slow
CHANNELS = 200


def seed(url: str) -> None:
    """Channels not due yet (the processes start first)."""
    now = datetime.now(UTC)  # `run` runs on the real clock
    store = SqlStore.open(url)
    store.upsert_papers([make_paper(f"2606.{i:05d}", f"Robot study {i}") for i in range(6)], now)
    for c in range(CHANNELS):
        store.add_channel(
            ChannelRef(Platform.CONSOLE, "local", f"team{c}"),
            f"team{c}",
            ChannelSettings(size=2, schedule=parse_schedule("09:00 UTC daily")),
            [Interest(InterestKind.TOPIC, "robot")],
            now=now,
        )
    store.close()


def make_due(url: str) -> None:
    store = SqlStore.open(url)
    for channel in store.list_channels():
        store.set_next_run(channel.id, datetime.now(UTC) - timedelta(minutes=1))
    store.close()


def read_lines(stream: IO[str], into: list[str]) -> None:
    for line in stream:
        into.append(line)


def wait_until(condition: Callable[[], bool], seconds: float, why: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, why
        time.sleep(0.1)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.postgres
@pytest.mark.skipif(not Path("/proc").exists(), reason="reads /proc for the child processes")
def test_two_processes_deliver_each_digest_once_and_stop_together(
    pg_schema_url: str, tmp_path: Path
) -> None:
    seed(pg_schema_url)
    outbox = tmp_path / "outbox.jsonl"
    env = {
        **os.environ,
        "DATABASE_URL": pg_schema_url,
        "CONSOLE_OUTBOX": str(outbox),
        "CLAIM_BATCH_SIZE": "1",  # one channel a claim, so both processes get some
        "DELIVERY_CONCURRENCY": "1",
        "WORKER_ID": "lab",
        "LOG_LEVEL": "INFO",
        "COLUMNS": "200",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "run",
            "--tick-seconds",
            "2",
            "--no-fetch",
            "--processes",
            "2",
        ],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
    )
    lines: list[str] = []
    assert proc.stderr is not None
    reader = threading.Thread(target=read_lines, args=(proc.stderr, lines), daemon=True)
    reader.start()
    try:
        wait_until(lambda: "delivery process lab/2 running" in "".join(lines), 90, "no start")
        make_due(pg_schema_url)
        posts = lambda: outbox.read_text().count("\n") if outbox.exists() else 0  # noqa: E731
        wait_until(lambda: posts() >= CHANNELS * 2, 90, "not every digest was posted")
        children = children_of(proc.pid)
        assert children, "no delivery process"
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        reader.join(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    log = "".join(lines)
    assert proc.returncode == 0, log[-3000:]
    deadline = time.monotonic() + 10  # multiprocessing's resource tracker exits just after
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in children), "a delivery process outlived the worker"
    posted = Counter(
        (json.loads(line)["channel"], json.loads(line)["paper_id"])
        for line in outbox.read_text().splitlines()
    )
    assert len(posted) == CHANNELS * 2 and set(posted.values()) == {1}, log[-3000:]
    by_process = Counter(re.findall(r"worker (lab(?:/2)?): (\d+) digests", log))
    digests = {who: 0 for who in ("lab", "lab/2")}
    for (who, n), times in by_process.items():
        digests[who] += int(n) * times
    assert sum(digests.values()) == CHANNELS, log[-3000:]
    assert digests["lab/2"] > 0, log[-3000:]  # the second process delivered some
    assert "delivery process lab/2 stopped" in log


def test_more_than_one_process_needs_postgresql(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "app", "run", "--processes", "2", "--no-fetch"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode != 0
    assert "needs PostgreSQL" in result.stderr + result.stdout
