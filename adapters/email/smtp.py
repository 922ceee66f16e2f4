"""The thin SMTP shell: send one message, translating every failure into bot.errors.

What a failure means depends on how far the transaction got:
- before the message's final "." was sent (connect, TLS, login, MAIL, RCPT, DATA command, or a
  broken connection while the content was still going out): the server never took it.
  4xx replies and a server we cannot reach are temporary, a refused recipient (5xx at RCPT) is
  ChannelUnavailable (the address is gone: pause it), any other 5xx (auth, sender, content) is
  permanent for this message. Temporary and permanent both raise DeliveryError: the outbox
  retries the digest with its backoff, up to DELIVERY_MAX_ATTEMPTS (RateLimited is kept for
  our own pacing: the worker would learn a per-channel spacing from it, which one email per
  digest does not need).
- after the final "." was sent: a 2xx reply is success, a 4xx/5xx reply a definite refusal
  (as above), and no reply at all (timeout, reset) is DeliveryUncertain: the server may have
  queued it. The adapter decides what that means (`adapters/email/adapter.py`).
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr

from bot.errors import ChannelUnavailable, DeliveryError, DeliveryUncertain


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout: float = 30.0


class SmtpSender:
    """Sends one message per connection (a digest is one email): simple and stateless."""

    def __init__(self, config: SmtpConfig, tls: ssl.SSLContext | None = None) -> None:
        self.config = config
        self.tls = tls

    @property
    def server(self) -> str:
        return f"{self.config.host}:{self.config.port}"

    def send(self, message: EmailMessage) -> None:
        """Deliver `message` to its To address; raises only bot.errors.DeliveryError kinds."""
        try:
            smtp = self._open()
        except smtplib.SMTPResponseException as exc:
            raise _refused(exc.smtp_code, exc.smtp_error, "connect") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"temporary: SMTP server {self.server}: {exc}") from exc
        try:
            _transaction(smtp, message)
        finally:
            with contextlib.suppress(OSError):
                smtp.close()

    def check(self) -> str:
        """Connect, greet, STARTTLS and log in, then quit: what the server said, or a
        DeliveryError kind (for `paperbot doctor`)."""
        try:
            smtp = self._open()
        except smtplib.SMTPResponseException as exc:
            raise _refused(exc.smtp_code, exc.smtp_error, "login") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"cannot reach SMTP server {self.server}: {exc}") from exc
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
        tls = " with STARTTLS" if self.config.starttls else ""
        login = f", logged in as {self.config.username}" if self.config.username else ""
        return f"{self.server} answers{tls}{login}"

    def _open(self) -> smtplib.SMTP:
        cfg = self.config
        smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
        try:
            smtp.ehlo()
            if cfg.starttls:
                smtp.starttls(context=self.tls or ssl.create_default_context())
                smtp.ehlo()
            if cfg.username:
                smtp.login(cfg.username, cfg.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp


def _transaction(smtp: smtplib.SMTP, message: EmailMessage) -> None:
    """MAIL, RCPT, DATA; the content's final "." marks where failures become ambiguous."""
    sender = parseaddr(str(message["From"]))[1]
    recipient = parseaddr(str(message["To"]))[1]
    content = _data_bytes(message)
    try:
        _expect(smtp.mail(sender), "MAIL")
        _expect(smtp.rcpt(recipient), "RCPT")
        _expect(smtp.docmd("DATA"), "DATA", ok=354)
        smtp.send(content)
    except (OSError, smtplib.SMTPServerDisconnected) as exc:
        raise DeliveryError(
            f"temporary: SMTP connection lost before the end of DATA: {exc}"
        ) from exc
    try:
        code, reply = smtp.getreply()
    except (OSError, smtplib.SMTPServerDisconnected) as exc:
        raise DeliveryUncertain(f"no answer after the message was sent: {exc}") from exc
    _expect((code, reply), "end of DATA")


def _data_bytes(message: EmailMessage) -> bytes:
    """The message as DATA content: CRLF lines, leading dots doubled, the final '.' line."""
    raw = message.as_bytes()
    return (
        smtplib.quotedata(raw.decode("ascii", "surrogateescape")).encode("ascii", "surrogateescape")
        + b"\r\n.\r\n"
    )


def _expect(answer: tuple[int, bytes], phase: str, ok: int = 250) -> None:
    code, reply = answer
    if code == ok or (ok == 250 and 200 <= code < 300):
        return
    raise _refused(code, reply, phase)


def _refused(code: int, reply: bytes | str, phase: str) -> DeliveryError:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    what = f"SMTP {phase} refused: {code} {text}".strip()
    if 400 <= code < 500 or code < 200:
        return DeliveryError(f"temporary: {what}")
    if phase == "RCPT" and code in (550, 551, 553):
        return ChannelUnavailable(what)
    return DeliveryError(what)
