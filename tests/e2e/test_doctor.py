"""`paperbot doctor` against local fakes of Slack, Discord and the paper sources: ok, warn, error."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from app.cli.main import app
from app.setup_checks import Check
from app.wiring.doctor import run_checks
from bot.config import Settings
from storage.store import SqlStore
from tests.adapters.discordbot.fake_discord import FakeDiscord
from tests.adapters.slack.fake_slack import BOT_TOKEN, FakeSlack, running_fake


class FakeSources:
    """arXiv feed and API, HF Daily Papers and an RSS feed: each path answers `status[path]`."""

    def __init__(self) -> None:
        self.status: dict[str, int] = {}
        self.paths: list[str] = []
        self.base = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                fake.paths.append(self.path)
                body = b"<rss></rss>"
                self.send_response(fake.status.get(path, 200))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@contextmanager
def running_sources() -> Iterator[FakeSources]:
    fake = FakeSources()
    server = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sources() -> Iterator[FakeSources]:
    with running_sources() as fake:
        yield fake


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    yield server
    await server.stop()


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with running_fake() as fake:
        yield fake


@pytest.fixture
def migrated(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'doctor.db'}"
    SqlStore.open(url).close()
    return url


def env_for(sources: FakeSources, database_url: str, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "ARXIV_FEED_URL": f"{sources.base}/rss",
        "ARXIV_API_URL": f"{sources.base}/api/query",
        "HF_PAPERS_URL": f"{sources.base}/api/daily_papers",
        "RSS_FEEDS": f"lab={sources.base}/lab.xml",
        **extra,
    }


def settings_from(env: dict[str, str]) -> Settings:
    return Settings(_env_file=None, **{k.lower(): v for k, v in env.items()})  # type: ignore[arg-type]


def statuses(checks: list[Check]) -> dict[str, str]:
    return {c.name: c.status for c in checks}


def invoke(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *args: str) -> Any:
    for key in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return CliRunner().invoke(app, ["doctor", "--timeout", "3", *args])


async def test_everything_ok_against_the_fakes(
    sources: FakeSources,
    slack: FakeSlack,
    fake: FakeDiscord,
    migrated: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = env_for(
        sources,
        migrated,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_URL=slack.base_url,
        DISCORD_TOKEN="fake-token",
        DISCORD_API_URL=fake.api_url,
        DISCORD_GUILD_ID="3000",
    )
    result = await asyncio.to_thread(invoke, monkeypatch, env, "--json")
    assert result.exit_code == 0, result.output
    checks = json.loads(result.output)["checks"]
    assert {c["name"]: c["status"] for c in checks} == {
        "slack settings": "ok",
        "discord settings": "ok",
        "database": "ok",
        "slack token": "ok",
        "slack socket mode": "ok",
        "discord token": "ok",
        "discord intents": "ok",
        "discord server": "ok",
        "source arxiv feed": "ok",
        "source arxiv api": "ok",
        "source hf daily papers": "ok",
        "source rss lab": "ok",
    }
    assert set(checks[0]) == {"name", "status", "message"}
    assert [c.path for c in slack.calls] == ["/auth.test", "/apps.connections.open"]
    assert {"/users/@me", "/applications/@me", "/users/@me/guilds"} <= {c.path for c in fake.calls}
    assert "/rss/cs.AI" in [p.split("?")[0] for p in sources.paths]  # the configured base URL


def test_warnings_are_listed_but_exit_zero(
    sources: FakeSources, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources.status["/api/daily_papers"] = 503
    env = env_for(sources, f"sqlite:///{tmp_path / 'not-yet.db'}")
    result = invoke(monkeypatch, env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "WARN  chat platforms: no Slack or Discord settings" in lines[0]
    assert any(line.startswith("WARN  database: no database yet at") for line in lines)
    assert any(line.startswith("WARN  source hf daily papers:") and "503" in line for line in lines)
    assert lines[-1].endswith("0 error(s), 3 warning(s): ready")
    assert not (tmp_path / "not-yet.db").exists()  # the doctor never creates the database


async def test_each_problem_is_one_error_line_and_exit_one(
    sources: FakeSources,
    slack: FakeSlack,
    fake: FakeDiscord,
    migrated: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slack.scopes = "chat:write,commands,reactions:read,reactions:write,channels:join"
    fake.member_guilds = {"9999"}
    sources.status["/lab.xml"] = 404
    env = env_for(
        sources,
        migrated,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=slack.base_url,
        DISCORD_TOKEN="fake-token",
        DISCORD_API_URL=fake.api_url,
        DISCORD_GUILD_ID="3000",
        ARXIV_API_URL="http://127.0.0.1:9/api/query",  # nothing listens on the discard port
    )
    result = await asyncio.to_thread(invoke, monkeypatch, env)
    assert result.exit_code == 1, result.output
    errors = {
        line.split(":")[0][6:]: line
        for line in result.output.splitlines()
        if line.startswith("ERROR")
    }
    assert set(errors) == {"slack token", "discord server", "source arxiv api", "source rss lab"}
    assert "lacks scopes channels:history, groups:history" in errors["slack token"]
    assert "client_id=2000" in errors["discord server"]  # the invite URL to fix it
    assert "cannot reach http://127.0.0.1:9/api/query" in errors["source arxiv api"]
    assert "HTTP 404" in errors["source rss lab"]
    assert result.output.splitlines()[-1].endswith(
        "4 error(s), 0 warning(s): fix the ERROR lines above"
    )


async def test_a_refused_discord_token_and_a_needed_intent(
    fake: FakeDiscord, migrated: str, sources: FakeSources, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = env_for(sources, migrated, DISCORD_TOKEN="bad-token", DISCORD_API_URL=fake.api_url)
    checks = await asyncio.to_thread(run_checks, settings_from(env), timeout=3)
    (token,) = [c for c in checks if c.name == "discord token"]
    assert token.status == "error" and "Reset Token" in token.message

    import app.wiring.doctor as doctor

    monkeypatch.setattr(doctor, "needed_intents", lambda: ["message_content"])
    assert doctor.intents_check(0).status == "error"
    assert doctor.intents_check(1 << 19).status == "ok"  # the "limited" flag counts too
    assert "members on but unused" in doctor.intents_check(1 << 14 | 1 << 19).message


def test_quick_checks_settings_and_database_only(
    sources: FakeSources, migrated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = env_for(sources, migrated, SLACK_BOT_TOKEN="xoxb-only")
    result = invoke(monkeypatch, env, "--quick", "--json")
    assert result.exit_code == 1  # a bot token alone never hears commands
    checks = json.loads(result.output)["checks"]
    assert [(c["name"], c["status"]) for c in checks] == [
        ("slack settings", "error"),
        ("database", "ok"),
    ]
    assert sources.paths == []  # no network


def test_unloadable_settings_are_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(monkeypatch, {"LOG_FORMAT": "xml"}, "--json")
    assert result.exit_code == 1
    (check,) = json.loads(result.output)["checks"]
    assert check["name"] == "settings" and "LOG_FORMAT" in check["message"]


def test_database_at_head_on_sqlite_and_postgres(db_url: str) -> None:
    SqlStore.open(db_url).close()
    settings = Settings(_env_file=None, database_url=db_url)  # type: ignore[call-arg]
    (check,) = [c for c in run_checks(settings, quick=True) if c.name == "database"]
    assert check.status == "ok" and "schema at head" in check.message
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    engine.dispose()
    (check,) = [c for c in run_checks(settings, quick=True) if c.name == "database"]
    assert check.status == "error" and "upgrade PaperBot" in check.message


def test_an_unreachable_postgres_is_one_error() -> None:
    url = "postgresql+psycopg://postgres:hunter2@127.0.0.1:9/test"
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    (check,) = [c for c in run_checks(settings, quick=True, timeout=2) if c.name == "database"]
    assert check.status == "error" and "cannot reach" in check.message
    assert "hunter2" not in check.message  # the password is never printed
