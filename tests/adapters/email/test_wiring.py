"""The runtime registers the email adapter with SMTP_HOST, and `paperbot serve`'s web app
answers the emailed links with or without Slack."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from adapters.email.adapter import EmailAdapter
from app.wiring.runtime import build_runtime
from bot.config import Settings
from bot.errors import ConfigError
from bot.models import Platform


def settings(tmp_path: Path, **extra: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        **extra,  # type: ignore[arg-type]
    )


async def test_serve_answers_email_links_without_slack(tmp_path: Path) -> None:
    rt = build_runtime(
        settings(
            tmp_path,
            smtp_host="127.0.0.1",
            smtp_from="paperbot@lab.org",
            public_url="https://paperbot.lab.org",
        )
    )
    try:
        email = rt.core.adapters[Platform.EMAIL]
        assert isinstance(email, EmailAdapter)
        assert email in rt.services and [s.name for s in rt.services] == ["console", "email"]
        app = rt.web_app() if rt.web_app else None
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as web:
            for path in ("/r/not-a-token", "/u/not-a-token"):
                answer = await web.post(path)
                assert answer.status_code == 400 and "not valid" in answer.text
            assert (await web.get("/healthz")).status_code == 200
    finally:
        rt.close()


def test_incomplete_email_settings_fail_fast_naming_them(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SMTP_FROM is not set; PUBLIC_URL is not set"):
        build_runtime(settings(tmp_path, smtp_host="127.0.0.1"))
    with pytest.raises(ConfigError, match="POSITIVE_EMOJI"):
        build_runtime(
            settings(
                tmp_path,
                smtp_host="127.0.0.1",
                smtp_from="paperbot@lab.org",
                public_url="https://paperbot.lab.org",
                positive_emoji="heart",
            )
        )
    rt = build_runtime(settings(tmp_path))  # no SMTP_HOST: no email adapter, still a web app
    try:
        assert Platform.EMAIL not in rt.core.adapters and rt.web_app is not None
    finally:
        rt.close()
