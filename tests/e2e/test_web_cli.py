"""`paperbot command --channel console:lab web` in a real process: the link, or the setting to
set; the link opens the page in another process on the same database (one stored key)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx

from app.wiring.runtime import build_runtime
from bot.config import Settings
from tests.e2e.test_cli import cli

PUBLIC = "https://papers.example.org"


async def test_web_from_the_terminal(tmp_path: Path) -> None:
    assert cli(tmp_path, "channel", "add", "console:lab", "--topic", "robots").returncode == 0
    unset = cli(tmp_path, "command", "--channel", "console:lab", "web", env={"PUBLIC_URL": ""})
    assert unset.returncode == 1 and "PUBLIC_URL" in unset.stdout

    made = cli(tmp_path, "command", "--channel", "console:lab", "web", env={"PUBLIC_URL": PUBLIC})
    assert made.returncode == 0, made.stderr
    found = re.search(rf"\(({re.escape(PUBLIC)}/c/[\w.\-]+)\)", made.stdout)
    assert found is not None, made.stdout

    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'bot.db'}")  # type: ignore[call-arg]
    rt = build_runtime(settings, out=io.StringIO())
    try:
        assert rt.web_app is not None
        transport = httpx.ASGITransport(app=rt.web_app())  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            page = await client.get(found.group(1).removeprefix(PUBLIC))
    finally:
        rt.close()
    assert page.status_code == 200 and "#lab" in page.text and "robots" in page.text
