"""A local SMTP server (aiosmtpd on 127.0.0.1) that records what it receives; failures are
injected per message: a reply code at RCPT or at the end of DATA, or a message taken and its
answer never sent (the ambiguous case)."""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class RecordingHandler:
    received: list[Received] = field(default_factory=list)
    rcpt_replies: list[str] = field(default_factory=list)  # next RCPT answers, then 250
    data_replies: list[str] = field(default_factory=list)  # next end-of-DATA answers
    hang_after_data: int = 0  # messages stored, then no answer for `hang_seconds`
    hang_seconds: float = 3.0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.rcpt_replies:
            return self.rcpt_replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_replies:
            return self.data_replies.pop(0)
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        )
        if self.hang_after_data > 0:
            self.hang_after_data -= 1
            await asyncio.sleep(self.hang_seconds)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FakeSmtp:
    """`with FakeSmtp() as smtp:` a running server on 127.0.0.1:`smtp.port`; with `tls`, it
    requires STARTTLS, and with `login` (user, password) it requires AUTH after it."""

    def __init__(
        self, *, tls: ssl.SSLContext | None = None, login: tuple[str, str] | None = None
    ) -> None:
        # aiosmtpd logs every connection from its own thread, sometimes after a test's
        # captured stream closed: keep its chatter out of the test output
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.handler = RecordingHandler()
        self.port = free_port()
        extra: dict[str, Any] = {}
        if tls is not None:
            extra.update(tls_context=tls, require_starttls=True)
        if login is not None:
            extra.update(authenticator=_accept(login), auth_required=True)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **extra)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def __enter__(self) -> FakeSmtp:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def _accept(login: tuple[str, str]) -> Any:
    """An aiosmtpd authenticator that accepts exactly this user and password."""

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            login[0].encode(),
            login[1].encode(),
        )
        return AuthResult(success=ok, handled=False)

    return authenticator
