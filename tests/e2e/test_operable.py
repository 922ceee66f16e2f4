"""Operable from a terminal and from a container: log formats, --version, --json, one-line errors."""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.fetch import RetriesToBar
from app.cli.main import app
from app.demo import next_steps
from app.logs import resolve_format, setup_logging
from bot.sources.sample import sample_path

pytestmark = pytest.mark.slow  # real processes: run by CI (`make test`), not `make test-fast`

ISO_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00 (INFO|WARNING|ERROR) \S+: ")


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m app ARGS` with stderr a pipe (not a terminal), as in a container."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    full.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", "LOG_LEVEL": "INFO", **env})
    if "LOG_FORMAT" not in env:
        full.pop("LOG_FORMAT", None)  # auto: stderr is a pipe here, so plain
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=tmp_path,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_version_comes_from_the_package_metadata() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"paperbot {version('paperbot')}\n"


def test_logs_off_a_terminal_are_plain_iso_lines_and_a_new_database_is_announced(
    tmp_path: Path,
) -> None:
    result = run_cli(tmp_path, "channel", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines and all(ISO_LINE.match(line) for line in lines), lines
    assert f"INFO storage.db: created new database at {tmp_path / 'bot.db'}" in lines[0]
    again = run_cli(tmp_path, "channel", "list")
    assert "created new database" not in again.stderr  # only the first time


def test_json_logs_are_one_object_per_line(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "channel", "list", LOG_FORMAT="json")
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert records and {tuple(r) for r in records} == {("time", "level", "logger", "message")}
    assert records[0]["time"].endswith("+00:00") and records[0]["logger"] == "storage.db"


def test_auto_is_rich_on_a_terminal_and_plain_otherwise() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert resolve_format("auto", Tty()) == "rich"
    assert resolve_format("auto", io.StringIO()) == "plain"
    assert resolve_format("JSON", Tty()) == "json"
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        resolve_format("xml", io.StringIO())


def test_discord_voice_warnings_are_silenced_and_others_kept() -> None:
    code = (
        "import logging, discord\n"
        "from app.logs import setup_logging\n"
        "setup_logging('INFO', 'plain')\n"
        "discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = True\n"
        "discord.Client(intents=discord.Intents.none())\n"
        "logging.getLogger('discord.client').warning('a real discord warning')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "voice will NOT be supported" not in result.stderr
    assert "WARNING discord.client: a real discord warning" in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_logs_uvicorn_in_the_same_json_format(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'web.db'}",
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        PORT=str(free_port()),
        WEB_HOST="127.0.0.1",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "serve"],
        env=env,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:  # until uvicorn says it is up (reads output, no sleeping)
        seen.append(line)
        if "Uvicorn running" in line or "Application startup complete" in line:
            break
    proc.send_signal(signal.SIGTERM)
    _, rest = proc.communicate(timeout=30)
    records = [json.loads(line) for line in [*seen, *rest.splitlines()] if line.strip()]
    assert {"uvicorn.error", "paperbot"} <= {r["logger"] for r in records}, records


def test_run_warns_at_start_about_a_bot_token_that_hears_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}",
        LOG_FORMAT="plain",
        LOG_LEVEL="INFO",
        SLACK_BOT_TOKEN="xoxb-only",
        SLACK_API_URL="http://127.0.0.1:9/",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "run", "--tick-seconds", "3600", "--no-fetch"],
        env=env,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "running" in line:
            break
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    warned = [line for line in seen if " WARNING paperbot.worker: slack settings:" in line]
    assert warned and "SLACK_BOT_TOKEN alone" in warned[0], seen


@pytest.mark.parametrize("kind", ["directory", "truncated", "not gzip"])
def test_a_bad_ingest_file_is_one_line_and_a_nonzero_exit(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "papers.jsonl.gz"
    if kind == "directory":
        target.mkdir()
    elif kind == "truncated":
        target.write_bytes(sample_path().read_bytes()[:20_000])
    else:
        target.write_text('{"id": "2601.00001", "title": "plain text"}\n')
    result = run_cli(tmp_path, "ingest", str(target), LOG_LEVEL="WARNING")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and str(target) in line


def test_a_gzip_file_is_still_read_whole(tmp_path: Path) -> None:
    target = tmp_path / "two.jsonl.gz"
    with gzip.open(target, "wt") as fh:
        fh.write('{"id": "2601.00001", "title": "One"}\n{"id": "2601.00002", "title": "Two"}\n')
    result = run_cli(tmp_path, "ingest", str(target), "--json", LOG_LEVEL="WARNING")
    assert json.loads(result.stdout)["new"] == 2


def test_discord_sync_offline_is_one_line_without_an_invite(tmp_path: Path) -> None:
    result = run_cli(
        tmp_path,
        "discord-sync",
        DISCORD_TOKEN="t",
        DISCORD_API_URL="http://127.0.0.1:9/api/v10",
        LOG_LEVEL="WARNING",
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "invite" not in result.stdout + result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: cannot reach Discord at http://127.0.0.1:9/api/v10")


def test_reports_print_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'json.db'}")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    runner = CliRunner()

    def as_json(*args: str) -> dict[str, object]:
        result = runner.invoke(app, [*args, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    assert runner.invoke(app, ["ingest", str(sample_path())]).exit_code == 0
    ref = "console:lab"
    assert as_json("channel", "add", ref, "--topic", "robot manipulation")["ref"] == ref
    plan = as_json("digest", "--channel", ref, "--dry-run")
    picks = plan["picks"]
    assert isinstance(picks, list) and len(picks) == 5 and picks[0]["reasons"]
    posted = as_json("digest", "--channel", ref)
    assert posted["posted"] == [p["paper_id"] for p in picks]  # the console output went to stderr
    first = picks[0]["paper_id"]
    reacted = as_json("react", "--channel", ref, "--paper", first)
    assert reacted == {
        "channel": ref, "paper_id": first, "emoji": "+1", "user": "cli", "action": "add",
        "changed": True,
    }  # fmt: skip
    reply = as_json("command", "--channel", ref, "topics")
    assert reply["ok"] is True and "robot manipulation" in str(reply["text"])
    moved = as_json("channel", "schedule", ref, "08:30 America/Los_Angeles mon,thu")
    assert moved["schedule"]["timezone"] == "America/Los_Angeles"  # type: ignore[index]
    assert as_json("channel", "remove", ref, "--yes") == {"removed": {"id": 1, "ref": ref}}


def test_a_second_channel_add_says_how_to_change_the_channel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.cli.main import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'twice.db'}")
    monkeypatch.setattr(sys, "argv", ["paperbot", "channel", "add", "console:lab", "--topic", "xy"])
    for expected in (0, 2):
        with pytest.raises(SystemExit) as exited:
            main()
        assert (exited.value.code or 0) == expected


def test_retries_show_on_the_fetch_progress_bar() -> None:
    seen: list[tuple[str, str]] = []
    http_log = logging.getLogger("bot.sources.http")
    handler = RetriesToBar(lambda source, what: seen.append((source, what)))
    http_log.addHandler(handler)
    try:
        http_log.warning("retrying %s after: %s", "https://rss.arxiv.org/rss/cs.AI", "offline")
        http_log.warning("something else")
    finally:
        http_log.removeHandler(handler)
    assert seen == [("retries", "retrying https://rss.arxiv.org/rss/cs.AI after: offline")]


def test_the_demo_ends_with_commands_that_run_as_printed() -> None:
    root = Path(__file__).resolve().parents[2]
    steps = next_steps(".venv/bin/paperbot", cwd=root)
    assert steps[0] == ".venv/bin/paperbot ingest bot/data/sample.jsonl.gz"
    assert steps[-1] == ".venv/bin/paperbot digest --channel console:mylab"


def test_setup_logging_returns_the_format_used() -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        assert setup_logging("INFO", "auto", io.StringIO()) == "plain"
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
