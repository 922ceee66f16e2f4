"""Two `/papers now` at once in one channel make one digest, on SQLite and PostgreSQL: the
second person is told it is on its way; no IntegrityError, no error log, no traceback."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.digest.guard import ALREADY_ON_ITS_WAY
from bot.models import Channel, ChannelRef, CommandRequest, Digest, Platform
from bot.service import PaperBot
from storage.store import SqlStore
from tests.conftest import make_paper
from tests.fakes import RecordingAdapter

PAPERS = [
    make_paper("2606.00001", "Robot manipulation with diffusion policies"),
    make_paper("2606.00002", "Dexterous robot manipulation from video"),
    make_paper("2606.00003", "Robot grasping in clutter"),
]
REF = ChannelRef(Platform.SLACK, "T1", "C1")
NOW = CommandRequest(Platform.SLACK, "T1", "C1", "U1", "now", channel_name="papers")


class HeldAdapter(RecordingAdapter):
    """Posts the header only once `release` is set: a digest stays on its way meanwhile."""

    def __init__(self) -> None:
        super().__init__(platform=Platform.SLACK)
        self.release = threading.Event()

    def post_header(self, channel: Channel, digest: Digest) -> str | None:
        assert self.release.wait(10), "the test never released the first digest"
        return super().post_header(channel, digest)


def make_core(db_url: str, clock: FixedClock, settings: Settings, chat: RecordingAdapter):  # type: ignore[no-untyped-def]
    return PaperBot(SqlStore.open(db_url), clock, settings, {Platform.SLACK: chat})


@pytest.fixture
def cfg(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'x.db'}", ranker="lexical")  # type: ignore[call-arg]


@pytest.fixture
def first(db_url: str, clock: FixedClock, cfg: Settings) -> Iterator[PaperBot]:
    core = make_core(db_url, clock, cfg, HeldAdapter())
    core.ingest(PAPERS)
    assert core.on_command(
        CommandRequest(Platform.SLACK, "T1", "C1", "U1", "subscribe robot", channel_name="papers")
    ).ok
    yield core
    core.store.close()  # type: ignore[attr-defined]


def race(*commands: Callable[[], str], on_first: Callable[[], None]) -> list[str]:
    """Run the commands in threads released together; `on_first` runs once one has answered.
    A command that raises answers with the exception's name."""
    start, answers, answered = threading.Barrier(len(commands)), [], threading.Condition()

    def run(command: Callable[[], str]) -> None:
        start.wait()
        try:
            text = command()
        except Exception as exc:
            text = f"raised {type(exc).__name__}: {exc}"
        with answered:
            answers.append(text)
            answered.notify_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in commands]
    for t in threads:
        t.start()
    with answered:
        assert answered.wait_for(lambda: answers, timeout=20)
    on_first()
    for t in threads:
        t.join(20)
    return answers


def one_digest(core: PaperBot) -> Digest:
    channel = core.store.find_channel(REF)
    assert channel is not None
    digests = core.store.recent_digests(channel.id)
    assert len(digests) == 1, [d.run_key for d in digests]
    return digests[0]


def crashes(records: list[logging.LogRecord]) -> list[str]:
    return [r.getMessage() for r in records if r.levelno >= logging.ERROR or r.exc_info]


def test_two_now_in_one_process_make_one_digest(
    first: PaperBot, caplog: pytest.LogCaptureFixture
) -> None:
    chat = first.adapters[Platform.SLACK]
    assert isinstance(chat, HeldAdapter)
    answers = race(
        lambda: first.on_command(NOW).text,
        lambda: first.on_command(NOW).text,
        on_first=chat.release.set,
    )
    assert answers[0] == ALREADY_ON_ITS_WAY  # the one that waited for nothing
    assert answers[1] == "Posted 3 papers."
    assert len(one_digest(first).items) == 3 and len(chat.items()) == 3
    assert crashes(caplog.records) == []
    # once it is out, `/papers now` works again (and finds nothing new)
    assert "No new papers" in first.on_command(NOW).text


def test_two_now_in_two_processes_make_one_digest(
    first: PaperBot,
    db_url: str,
    clock: FixedClock,
    cfg: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two processes (two stores on one database), both planning the same papers before either
    records its digest: on PostgreSQL the advisory lock turns the second away; on SQLite the
    outbox refuses its digest. Either way, one digest and a kind answer."""
    held = first.adapters[Platform.SLACK]
    assert isinstance(held, HeldAdapter)
    held.release.set()
    second = make_core(db_url, clock, cfg, RecordingAdapter(platform=Platform.SLACK))
    planned = threading.Barrier(2)
    for core in (first, second):
        plan = core.plan

        def plan_then_wait(channel: Channel, *, size: int | None = None, plan=plan):  # type: ignore[no-untyped-def]
            result = plan(channel, size=size)
            # both have picked the same papers (or the other one was turned away before planning)
            with contextlib.suppress(threading.BrokenBarrierError):
                planned.wait(10)
            return result

        core.plan = plan_then_wait  # type: ignore[method-assign]
    try:
        answers = race(
            lambda: first.on_command(NOW).text,
            lambda: second.on_command(NOW).text,
            on_first=planned.abort,
        )
    finally:
        second.store.close()  # type: ignore[attr-defined]
    assert sorted(answers) == [ALREADY_ON_ITS_WAY, "Posted 3 papers."]
    assert len(one_digest(first).items) == 3
    assert crashes(caplog.records) == []
