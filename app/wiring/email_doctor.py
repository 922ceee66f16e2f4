"""`paperbot doctor`'s email checks: settings when email is used, and the SMTP server."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from adapters.email.setup import check_email_settings
from adapters.email.smtp import SmtpConfig, SmtpSender
from app.setup_checks import Check
from bot.config import Settings
from bot.errors import DeliveryError
from storage.db import make_engine, sqlite_path


def email_channel_count(settings: Settings) -> int:
    """How many `email:` channels the database holds (0 when it cannot tell); never creates
    a SQLite file that is not there yet."""
    try:
        url = settings.resolved_database_url()
        path = sqlite_path(url)
        if path is not None and not path.exists():
            return 0
        engine = make_engine(url)
    except Exception:
        return 0
    try:
        with engine.connect() as conn:
            query = text("SELECT count(*) FROM channel WHERE platform = 'email'")
            return int(conn.execute(query).scalar_one())
    except SQLAlchemyError:
        return 0
    finally:
        engine.dispose()


def email_checks(settings: Settings, *, quick: bool = False) -> list[Check]:
    """Nothing when email is unused; else the settings, then (not quick) the SMTP server."""
    channels = email_channel_count(settings)
    if not channels and not settings.email_requested:
        return []
    problems = check_email_settings(settings)
    if problems:
        why = f"{channels} email channel(s)" if channels else "SMTP_HOST is set"
        return [Check("email", "error", f"{why}: " + "; ".join(problems))]
    checks = [Check("email", "ok", f"settings complete; {channels} email channel(s)")]
    if not quick:
        checks.append(smtp_check(settings))
    return checks


def smtp_check(settings: Settings) -> Check:
    assert settings.smtp_host
    config = SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
        timeout=min(settings.smtp_timeout_seconds, 10.0),
    )
    try:
        return Check("smtp", "ok", SmtpSender(config).check())
    except DeliveryError as exc:
        return Check("smtp", "error", f"{exc}: check SMTP_HOST, SMTP_PORT and the login")
