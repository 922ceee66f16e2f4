"""`paperbot serve`: options and environment reach uvicorn; incomplete Slack settings fail fast."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from bot.errors import ConfigError
from tests.adapters.slack.fake_slack import BOT_TOKEN, SECRET, FakeSlack

SLACK_VARS = (
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "PORT",
    "WEB_HOST",
)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_run(asgi: Any, **kwargs: Any) -> None:
        calls.append({"app": asgi, **kwargs})

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in SLACK_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    return calls


def test_serve_runs_the_web_app_on_the_requested_port(
    served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, fake: FakeSlack
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("SLACK_API_URL", fake.base_url)
    monkeypatch.setenv("PORT", "8123")
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert served[0]["port"] == 8123 and served[0]["host"] == "0.0.0.0"
    assert served[0]["access_log"] is False
    routes = {getattr(r, "path", "") for r in served[0]["app"].routes}
    assert {"/slack/events", "/slack/install", "/slack/oauth_redirect", "/healthz"} <= routes
    result = CliRunner().invoke(app, ["serve", "--port", "9000", "--host", "127.0.0.1"])
    assert (served[1]["port"], served[1]["host"]) == (9000, "127.0.0.1")


def test_serve_names_the_missing_variable(
    served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    result = CliRunner().invoke(app, ["serve"])
    assert isinstance(result.exception, ConfigError)
    assert "SLACK_SIGNING_SECRET" in str(result.exception)
    assert BOT_TOKEN not in str(result.exception) and served == []
