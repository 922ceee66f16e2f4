"""The SMTP shell against a local aiosmtpd server: each failure lands in our exception tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.email.pacing import Pacer
from adapters.email.render import render_email
from adapters.email.smtp import SmtpConfig, SmtpSender
from bot.errors import ChannelUnavailable, DeliveryError, DeliveryUncertain, RateLimited
from tests.adapters.email.fake_smtp import FakeSmtp, free_port
from tests.adapters.email.sample import SENDER, email_channel, hostile_digest, parts, signer
from tests.adapters.email.tls import self_signed


def sender(port: int, timeout: float = 5.0) -> SmtpSender:
    return SmtpSender(SmtpConfig("127.0.0.1", port, starttls=False, timeout=timeout))


def message() -> object:
    return render_email(email_channel(), hostile_digest(), sender=SENDER, links=signer())


def test_a_message_arrives_whole(smtp: FakeSmtp) -> None:
    sent = message()
    sender(smtp.port).send(sent)  # type: ignore[arg-type]
    [got] = smtp.received
    assert got.sender == "paperbot@lab.org" and got.recipients == ["reading-group@lab.org"]
    assert got.message["Message-ID"] == "<paperbot.digest-11.channel-3@lab.org>"
    assert parts(got.message) == parts(sent)  # dots, long lines and emoji survive DATA


@pytest.mark.parametrize(
    ("where", "reply", "error"),
    [
        ("rcpt", "550 5.1.1 No such user", ChannelUnavailable),
        ("rcpt", "450 4.2.1 Mailbox busy", DeliveryError),
        ("data", "451 4.3.0 Try again later", DeliveryError),
        ("data", "554 5.7.1 Rejected as spam", DeliveryError),
    ],
)
def test_refusals_are_definite(
    smtp: FakeSmtp, where: str, reply: str, error: type[DeliveryError]
) -> None:
    (smtp.handler.rcpt_replies if where == "rcpt" else smtp.handler.data_replies).append(reply)
    with pytest.raises(error) as caught:
        sender(smtp.port).send(message())  # type: ignore[arg-type]
    assert type(caught.value) is error and reply.split()[0] in str(caught.value)
    assert str(caught.value).startswith("temporary") == reply.startswith("4")
    assert smtp.received == []


def test_no_answer_after_the_data_is_uncertain(smtp: FakeSmtp) -> None:
    smtp.handler.hang_after_data = 1
    smtp.handler.hang_seconds = 2.0
    with pytest.raises(DeliveryUncertain):
        sender(smtp.port, timeout=0.5).send(message())  # type: ignore[arg-type]
    assert len(smtp.received) == 1  # the server did take it


def test_an_unreachable_server_is_temporary() -> None:
    with pytest.raises(DeliveryError, match=r"temporary: SMTP server 127\.0\.0\.1"):
        sender(free_port(), timeout=1.0).send(message())  # type: ignore[arg-type]


def test_doctor_check_greets_the_server(smtp: FakeSmtp) -> None:
    assert sender(smtp.port).check() == f"127.0.0.1:{smtp.port} answers"
    with pytest.raises(DeliveryError, match="cannot reach"):
        sender(free_port(), timeout=1.0).check()


def test_pacer_spaces_sends_and_refuses_long_waits() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)

    pacer = Pacer(6, max_wait=15, monotonic=lambda: now[0], sleep=sleep)  # one per 10 s
    pacer.acquire()
    pacer.acquire()
    assert slept == [10.0]
    with pytest.raises(RateLimited) as caught:
        pacer.acquire()  # 20 s away: the worker retries the digest then
    assert caught.value.retry_after == 20.0
    now[0] += 30
    pacer.acquire()
    assert slept == [10.0]


def test_a_notice_whose_answer_is_lost_counts_as_sent(smtp: FakeSmtp) -> None:
    from adapters.email.adapter import EmailAdapter

    smtp.handler.hang_after_data = 1
    smtp.handler.hang_seconds = 1.5
    adapter = EmailAdapter(
        sender(smtp.port, timeout=0.5),
        from_address=SENDER,
        links=signer,
        pacer=Pacer(6000),
    )
    assert adapter.post_notice(email_channel(), "No new papers for this list today.") is None
    [got] = smtp.received
    body = got.message.get_body(("plain",))
    assert body is not None and "No new papers" in str(body.get_content())
    assert got.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_starttls_and_login(tmp_path: Path) -> None:
    server_tls, client_tls = self_signed(tmp_path)
    with FakeSmtp(tls=server_tls, login=("paperbot", "s3cret")) as smtp:
        config = SmtpConfig("127.0.0.1", smtp.port, "paperbot", "s3cret", starttls=True)
        SmtpSender(config, tls=client_tls).send(message())  # type: ignore[arg-type]
        assert len(smtp.received) == 1
        wrong = SmtpConfig("127.0.0.1", smtp.port, "paperbot", "wrong", starttls=True)
        with pytest.raises(DeliveryError, match="535") as caught:
            SmtpSender(wrong, tls=client_tls).send(message())  # type: ignore[arg-type]
        assert not isinstance(caught.value, RateLimited | ChannelUnavailable)
        plain = SmtpConfig("127.0.0.1", smtp.port, starttls=False)
        with pytest.raises(DeliveryError, match="530"):  # this server requires STARTTLS
            SmtpSender(plain).send(message())  # type: ignore[arg-type]
        untrusted = SmtpConfig("127.0.0.1", smtp.port, "paperbot", "s3cret", starttls=True)
        with pytest.raises(DeliveryError, match="temporary"):  # unknown certificate: refused
            SmtpSender(untrusted).send(message())  # type: ignore[arg-type]
    assert len(smtp.received) == 1
