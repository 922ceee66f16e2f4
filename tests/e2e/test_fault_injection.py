"""Exactly once under random ambiguous faults: real workers, adapters and SDKs against the fake
platforms, which store a post and then answer 500, reset the connection or stall past the
client's timeout (or answer 500 without storing it), at random with a fixed seed.
benchmarks/reliability.py runs the same with >= 500 posts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fault_runs import RunReport, discord_run, slack_run
from tests.faults import KINDS


def check(report: RunReport, posts: int) -> None:
    assert report.posts == posts
    assert set(report.faults) == set(KINDS) and sum(report.faults.values()) >= posts // 10
    assert report.clean, report  # no duplicate, nothing lost or misrecorded, no worker error


def test_slack_one_worker_on_sqlite(tmp_path: Path) -> None:
    report = slack_run(
        f"sqlite:///{tmp_path / 'run.db'}", workers=1, channels=24, size=5, rate=0.2, seed_value=7
    )
    check(report, 120)


@pytest.mark.postgres
def test_slack_four_workers_on_postgresql(pg_schema_url: str) -> None:
    report = slack_run(pg_schema_url, workers=4, channels=24, size=5, rate=0.2, seed_value=11)
    check(report, 120)


@pytest.mark.postgres
def test_slack_paced_channels_in_flight_on_postgresql(pg_schema_url: str) -> None:
    # 2 workers x 16 channels in flight, each channel paced by the core, votes in their lane
    report = slack_run(
        pg_schema_url,
        workers=2,
        channels=32,
        size=4,
        rate=0.2,
        seed_value=5,
        pace=0.05,
        concurrency=16,
    )
    check(report, 128)


def test_discord_one_worker_on_sqlite(tmp_path: Path) -> None:
    report = discord_run(
        f"sqlite:///{tmp_path / 'run.db'}", workers=1, channels=10, size=4, rate=0.25, seed_value=7
    )
    check(report, 40)


@pytest.mark.postgres
def test_discord_four_workers_on_postgresql(pg_schema_url: str) -> None:
    report = discord_run(pg_schema_url, workers=4, channels=10, size=4, rate=0.25, seed_value=3)
    check(report, 40)
