"""Fixtures for the Slack adapter tests: a fake Web API, a store with papers, a core."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.models import ChannelRef, ChannelSettings, Platform
from storage.store import SqlStore
from tests.adapters.slack.fake_slack import BOT_TOKEN, SECRET, FakeSlack, running_fake
from tests.conftest import make_paper

PAPERS = [
    make_paper(
        "2611.00001",
        "Tactile grasping for robot manipulation",
        "Robot manipulation with tactile grasping of unseen objects.",
        categories=("cs.RO",),
    ),
    make_paper(
        "2611.00002",
        "Legged robot locomotion on rough terrain",
        "Robot locomotion with legged robots on rough terrain.",
        categories=("cs.RO",),
    ),
    make_paper("2611.00005", "Protein folding with diffusion", categories=("q-bio.BM",)),
]
# Papers announced the next day: neither says "robot", so only what reactions taught can pick them.
NEXT_DAY = [
    make_paper(
        "2611.00003",
        "Dexterous grasping with tactile sensing",
        "Tactile sensing improves dexterous grasping of unseen objects.",
        categories=("cs.CV",),
    ),
    make_paper(
        "2611.00004",
        "Quadruped locomotion policies for rough terrain",
        "Learning quadruped locomotion policies on rough terrain.",
        categories=("cs.CV",),
    ),
]
REF = ChannelRef(Platform.SLACK, "T0LAB", "C0PAPERS")


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with running_fake() as f:
        yield f


@pytest.fixture
def slack_settings(tmp_path: Path, fake: FakeSlack) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite:///{tmp_path / 'slack.db'}",
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=fake.base_url,
        slack_pace_seconds=0,
        new_channel_lookback_days=3,
    )


@pytest.fixture
def slack_store(slack_settings: Settings, clock: FixedClock) -> Iterator[SqlStore]:
    store = SqlStore.open(slack_settings.resolved_database_url())
    store.upsert_papers(PAPERS, clock.now())
    yield store
    store.close()


def robot_channel(store: SqlStore, clock: FixedClock, **settings: object):  # type: ignore[no-untyped-def]
    from bot.models import Interest, InterestKind

    return store.add_channel(
        REF,
        "papers",
        ChannelSettings(**settings),  # type: ignore[arg-type]
        [Interest(InterestKind.TOPIC, "robot")],
        now=clock.now(),
    )
