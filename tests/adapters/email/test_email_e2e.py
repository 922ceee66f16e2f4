"""The whole path: a channel email:ADDRESS, the worker, a local SMTP server, and the emailed
links clicked through `paperbot serve`'s web app (httpx's ASGI transport)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from adapters.email.adapter import EmailAdapter
from adapters.email.setup import setup_email
from adapters.slack.web import create_web_app
from adapters.web.feedback_routes import FeedbackLinks, feedback_routes
from bot.clock import FixedClock
from bot.config import Settings
from bot.content.signed_links import LinkKey
from bot.digest.schedule import parse_schedule
from bot.digest.worker import Worker
from bot.models import (
    EMAIL_WORKSPACE,
    Channel,
    ChannelRef,
    ChannelSettings,
    Interest,
    InterestKind,
    ItemStatus,
    Paper,
    Platform,
)
from bot.service import PaperBot
from storage.store import SqlStore
from tests.adapters.email.fake_smtp import FakeSmtp
from tests.adapters.email.sample import PUBLIC, SENDER, parts, read_html
from tests.conftest import make_paper
from tests.fakes import Crash

ADDRESS = "reading-group@lab.org"
T_RUN = datetime(2026, 6, 29, 9, 0, 5, tzinfo=UTC)
PAPERS = ["2606.00001", "2606.00002", "2606.00003"]


class Setup:
    def __init__(
        self,
        store: SqlStore,
        tmp_path: Path,
        smtp: FakeSmtp,
        *,
        public_url: str = PUBLIC,
        papers: list[Paper] | None = None,
    ) -> None:
        self.store, self.smtp = store, smtp
        self.clock = FixedClock(datetime(2026, 6, 29, 8, tzinfo=UTC))
        self.settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite:///{tmp_path / 'cfg.db'}",
            ranker="lexical",
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            smtp_starttls=False,
            smtp_from=SENDER,
            smtp_timeout_seconds=0.5,
            public_url=public_url,
            email_rate_per_minute=6000,
        )
        self.key = LinkKey(None, store, self.clock.now)
        self.adapter = setup_email(self.settings, self.key, self.clock)
        self.core = PaperBot(store, self.clock, self.settings, {Platform.EMAIL: self.adapter})
        ref = ChannelRef(Platform.EMAIL, EMAIL_WORKSPACE, ADDRESS)
        schedule = ChannelSettings(size=3, schedule=parse_schedule("09:00 UTC daily"))
        topic = [Interest(InterestKind.TOPIC, "robot")]
        self.channel = store.add_channel(ref, ADDRESS, schedule, topic, now=self.clock.now())
        papers = papers or [make_paper(p, f"Robot study <b>{p}</b>") for p in PAPERS]
        store.upsert_papers(papers, self.clock.now())
        Worker(self.core, worker_id="setup").tick()
        self.clock.set(T_RUN)

    def tick(self, worker: str = "w1") -> None:
        Worker(self.core, worker_id=worker).tick()

    def items_posted(self) -> list[str | None]:
        digest = self.store.find_digest(self.channel.id, "2026-06-29")
        assert digest is not None
        assert all(i.status is ItemStatus.POSTED for i in digest.items)
        return [i.message_id for i in digest.items]

    def fresh_channel(self) -> Channel:
        return self.store.get_channel(self.channel.id)


@pytest.fixture
def env(store: SqlStore, tmp_path: Path, smtp: FakeSmtp) -> Setup:
    return Setup(store, tmp_path, smtp)


def test_the_digest_arrives_once_with_both_parts(env: Setup) -> None:
    env.tick()
    env.clock.advance(timedelta(minutes=5))
    env.tick()
    [got] = env.smtp.received
    assert got.recipients == [ADDRESS]
    assert got.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert got.message["Message-ID"].startswith("<paperbot.digest-")
    text, html = parts(got.message)
    assert "Robot study &lt;b&gt;2606.00001&lt;/b&gt;" in html
    assert "Robot study <b>2606.00001</b>" in text
    assert env.items_posted() == [f"mail-1-{rank}" for rank in (1, 2, 3)]


def test_an_answer_lost_after_data_is_sent_once(env: Setup) -> None:
    env.smtp.handler.hang_after_data = 1  # taken, then no reply within SMTP_TIMEOUT_SECONDS
    env.smtp.handler.hang_seconds = 1.5
    env.tick()
    env.clock.advance(timedelta(hours=1))
    env.tick()
    assert len(env.smtp.received) == 1
    assert len(env.items_posted()) == 3


def test_a_crash_after_the_send_does_not_send_again(env: Setup) -> None:
    sender = env.adapter.sender
    real_send = sender.send

    def send_then_die(message: object) -> None:
        real_send(message)  # type: ignore[arg-type]
        sender.send = real_send  # type: ignore[method-assign]
        raise Crash("killed after SMTP took the message, before the outbox recorded it")

    sender.send = send_then_die  # type: ignore[method-assign]
    with pytest.raises(Crash):
        env.tick("dies")
    env.clock.advance(timedelta(seconds=env.settings.claim_lease_seconds + 1))
    env.adapter = setup_email(env.settings, env.key, env.clock)  # a new process: no memory
    env.core.adapters[Platform.EMAIL] = env.adapter
    env.tick("w2")
    assert len(env.smtp.received) == 1
    assert len(env.items_posted()) == 3


def test_a_temporary_refusal_is_retried_later(env: Setup) -> None:
    env.smtp.handler.data_replies.append("451 4.3.0 Try again later")
    env.tick()
    assert env.smtp.received == []
    digest = env.store.find_digest(env.channel.id, "2026-06-29")
    assert digest is not None and {i.status for i in digest.items} == {ItemStatus.FAILED}
    env.clock.advance(timedelta(seconds=env.settings.delivery_backoff_seconds + 1))
    env.tick()
    assert len(env.smtp.received) == 1 and len(env.items_posted()) == 3


def test_an_unknown_address_pauses_the_channel(env: Setup) -> None:
    env.smtp.handler.rcpt_replies.append("550 5.1.1 No such user")
    env.tick()
    assert env.smtp.received == []
    assert env.fresh_channel().settings.paused


def client_for(env: Setup) -> httpx.AsyncClient:
    links = FeedbackLinks(env.core, env.key, env.clock.now)
    app = create_web_app(None, health=lambda: True, extra_routes=feedback_routes(links))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC)


def emailed_links(env: Setup) -> dict[str, list[str]]:
    _, html = parts(env.smtp.received[-1].message)
    found: dict[str, list[str]] = {}
    for cls, href, _ in read_html(html).links:
        found.setdefault(cls, []).append(href.removeprefix(PUBLIC))
    return found


async def test_votes_count_once_and_the_last_one_wins(env: Setup) -> None:
    env.tick()
    links = emailed_links(env)
    up, down = links["vote-up"][0], links["vote-down"][0]
    async with client_for(env) as web:
        page = await web.get(up)  # what a link scanner does: nothing is recorded
        assert page.status_code == 200 and 'method="post"' in page.text
        first = env.store.find_item_by_message(env.channel.id, "mail-1-1")
        assert first in PAPERS
        assert f"Robot study &lt;b&gt;{first}&lt;/b&gt;" in page.text
        assert env.store.feedback(env.channel.id) == []
        for _ in range(2):
            done = await web.post(up)
            assert done.status_code == 200 and "recorded" in done.text
        [opinion] = env.store.feedback(env.channel.id)
        assert (opinion.user_id, opinion.paper_id, opinion.value) == (ADDRESS, first, 1)
        env.clock.advance(timedelta(minutes=1))
        assert (await web.post(down)).status_code == 200
        [opinion] = env.store.feedback(env.channel.id)
        assert opinion.value == -1
        assert env.store.reaction_counts(env.channel.id) == (0, 1)


async def test_tampered_and_expired_links_are_refused(env: Setup) -> None:
    env.tick()
    up = emailed_links(env)["vote-up"][1]
    tampered = up[:-3] + ("AAA" if not up.endswith("AAA") else "BBB")
    async with client_for(env) as web:
        for method in ("GET", "POST"):
            bad = await web.request(method, tampered)
            assert bad.status_code == 400 and "This link is not valid" in bad.text
        env.clock.advance(timedelta(days=env.settings.email_link_days, seconds=1))
        late = await web.post(up)
        assert late.status_code == 410 and "This link has expired" in late.text
    assert env.store.feedback(env.channel.id) == []


async def test_unsubscribe_one_click_stops_the_digests(env: Setup) -> None:
    env.tick()
    [unsubscribe] = emailed_links(env)["unsubscribe"]
    header = str(env.smtp.received[-1].message["List-Unsubscribe"])
    assert f"<{PUBLIC}{unsubscribe}>" in header
    async with client_for(env) as web:
        confirm = await web.get(unsubscribe)
        assert confirm.status_code == 200 and "Unsubscribe" in confirm.text
        assert not env.fresh_channel().settings.paused
        one_click = await web.post(unsubscribe, content=b"List-Unsubscribe=One-Click")
        assert one_click.status_code == 200 and "no more" in one_click.text
        assert (await web.post(unsubscribe)).status_code == 200  # twice is fine
    channel = env.fresh_channel()
    assert channel.settings.paused and "unsubscribed" in (channel.settings.paused_reason or "")
    env.store.upsert_papers([make_paper("2606.00009", "Robot study nine")], env.clock.now())
    env.clock.advance(timedelta(days=2))
    env.tick()
    assert len(env.smtp.received) == 1  # nothing after the unsubscribe


def test_the_adapter_is_the_email_platforms(env: Setup) -> None:
    assert isinstance(env.adapter, EmailAdapter) and env.adapter.platform is Platform.EMAIL
