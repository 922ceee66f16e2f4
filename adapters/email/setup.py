"""Build the email adapter from settings (SMTP_*, PUBLIC_URL), failing fast on what is missing."""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parseaddr

from adapters.email.adapter import EmailAdapter
from adapters.email.links import LinkSigner
from adapters.email.pacing import Pacer
from adapters.email.smtp import SmtpConfig, SmtpSender
from bot.config import Settings
from bot.digest.recipients import parse_address
from bot.errors import ConfigError, InvalidInput
from bot.ports import Clock


def check_email_settings(settings: Settings) -> list[str]:
    """What keeps email from working, one problem per line (empty when it can work)."""
    problems = [
        f"{name.upper()} is not set"
        for name in ("smtp_host", "smtp_from", "public_url")
        if not getattr(settings, name)
    ]
    if settings.smtp_from:
        try:
            parse_address(parseaddr(settings.smtp_from)[1])
        except InvalidInput as exc:
            problems.append(f"SMTP_FROM: {exc}")
    url = settings.public_url or ""
    if url and not url.startswith(("https://", "http://")):
        problems.append("PUBLIC_URL must start with https:// (the public URL of paperbot serve)")
    if "+1" not in settings.positive_emoji_set or "-1" not in settings.negative_emoji_set:
        problems.append(
            "emailed votes are recorded as +1 / -1: keep them in POSITIVE_EMOJI / NEGATIVE_EMOJI"
        )
    if settings.smtp_username and not settings.smtp_password:
        problems.append("SMTP_USERNAME is set but SMTP_PASSWORD is not")
    return problems


def setup_email(settings: Settings, key: Callable[[], bytes], clock: Clock) -> EmailAdapter:
    """The adapter for `email:ADDRESS` channels; ConfigError naming what is missing."""
    problems = check_email_settings(settings)
    if problems:
        raise ConfigError("Email (SMTP_HOST is set): " + "; ".join(problems))
    assert settings.smtp_host and settings.smtp_from and settings.public_url
    config = SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
        timeout=settings.smtp_timeout_seconds,
    )
    public_url = settings.public_url

    def links() -> LinkSigner:
        return LinkSigner(
            key(),
            public_url,
            clock.now(),
            link_days=settings.email_link_days,
            unsubscribe_days=settings.email_unsubscribe_days,
        )

    return EmailAdapter(
        SmtpSender(config),
        from_address=settings.smtp_from,
        links=links,
        pacer=Pacer(settings.email_rate_per_minute),
    )
