"""`paperbot channel add --schedule`, `channel list`, `tick --at` and `run` with SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from app.cli.main import app

pytestmark = pytest.mark.slow  # real processes: run by CI (`make test`), not `make test-fast`


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "CONSOLE_OUTBOX": str(tmp_path / "outbox.jsonl"),
        "LOG_LEVEL": "WARNING",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return values


def test_schedule_list_and_tick(env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    add = runner.invoke(
        app,
        [
            "channel",
            "add",
            "console:lab",
            "--topic",
            "language models",
            "--schedule",
            "09:00 Europe/Berlin weekdays",
            "--at",
            "2026-11-29T12:00:00Z",
            "--json",
        ],
    )
    assert add.exit_code == 0, add.output
    channel = json.loads(add.output)
    assert channel["schedule"]["timezone"] == "Europe/Berlin"
    assert channel["next_run_at"] is not None

    bad = runner.invoke(app, ["channel", "add", "console:x", "--schedule", "9am Mars/Base"])
    assert bad.exit_code != 0

    sample = Path(__file__).resolve().parents[2] / "bot" / "data" / "sample.jsonl.gz"
    assert runner.invoke(app, ["ingest", str(sample)]).exit_code == 0
    # Before Monday 09:00 in Berlin nothing is due; at 09:00:30 the digest goes out once.
    early = runner.invoke(app, ["tick", "--at", "2026-11-30T07:59:00Z", "--json"])
    assert json.loads(early.output[early.output.index("{") :])["claimed"] == 0
    for _ in range(2):
        result = runner.invoke(app, ["tick", "--at", "2026-11-30T09:00:30+01:00"])
        assert result.exit_code == 0, result.output
    posted = (tmp_path / "outbox.jsonl").read_text().splitlines()
    assert len(posted) == 5 and len({json.loads(p)["paper_id"] for p in posted}) == 5

    listing = runner.invoke(app, ["channel", "list"])
    assert "schedule 09:00 Europe/Berlin weekdays" in listing.output
    assert "next Tue 01 Dec 09:00" in listing.output
    assert "last digest Mon 30 Nov 09:00" in listing.output


def test_run_stops_gracefully_on_sigterm(env: dict[str, str], tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "run", "--tick-seconds", "3600", "--no-fetch"],
        env={**os.environ, **env, "LOG_LEVEL": "INFO", "COLUMNS": "200"},
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:  # wait for the scheduler to be up (reads output, no sleeping)
        seen.append(line)
        if "running" in line:
            break
    proc.send_signal(signal.SIGTERM)
    _, rest = proc.communicate(timeout=30)
    assert proc.returncode == 0, "".join(seen) + rest
    assert "stopped" in rest


def test_chat_schedule_command_sets_the_next_run(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from app.runtime import load_runtime
    from bot.clock import FixedClock
    from bot.config import Settings
    from bot.models import CommandRequest, Platform

    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'c.db'}")  # type: ignore[call-arg]
    clock = FixedClock(datetime(2026, 11, 27, 12, tzinfo=UTC))  # a Friday
    rt = load_runtime(settings, clock=clock)
    try:
        reply = rt.core.on_command(
            CommandRequest(
                Platform.CONSOLE, "local", "lab", "u1", "schedule 09:00 Europe/Berlin weekdays"
            )
        )
        assert reply.ok and "Next digest: Mon 30 Nov 09:00 (Europe/Berlin)" in reply.text
        channel = rt.store.list_channels()[0]
        assert channel.next_run_at == datetime(2026, 11, 30, 8, tzinfo=UTC)
    finally:
        rt.close()


class RecordingService:
    """A chat service that records its lifecycle; `fail` makes its start raise."""

    def __init__(self, name: str, events: list[str], fail: Exception | None = None) -> None:
        self.name, self.events, self.fail = name, events, fail

    def start(self) -> None:
        if self.fail is not None:
            raise self.fail
        self.events.append(f"{self.name} started")

    def stop(self) -> None:
        self.events.append(f"{self.name} stopped")


def run_worker_with(services: list[RecordingService], monkeypatch: pytest.MonkeyPatch) -> Result:
    """`paperbot run` with these services; SIGTERM as soon as they all started."""
    import app.cli.worker_jobs as worker_jobs
    from app.runtime import load_runtime

    def fake_load_runtime(settings: object, **kw: object) -> object:
        rt = load_runtime(settings, **kw)  # type: ignore[arg-type]
        rt.services = [*services, Stopper()]  # type: ignore[list-item]
        return rt

    monkeypatch.setattr(worker_jobs, "load_runtime", fake_load_runtime)
    saved = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        return CliRunner().invoke(app, ["run", "--no-fetch", "--tick-seconds", "3600"])
    finally:
        signal.signal(signal.SIGTERM, saved[0])
        signal.signal(signal.SIGINT, saved[1])


class Stopper:
    """The last service: the platform stops us right away."""

    name = "stopper"

    def start(self) -> None:
        os.kill(os.getpid(), signal.SIGTERM)

    def stop(self) -> None: ...


def test_run_starts_every_chat_service_and_stops_them_on_sigterm(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    result = run_worker_with(
        [
            RecordingService("slack", events),
            RecordingService("broken", events, fail=RuntimeError("no network")),
            RecordingService("discord", events),
        ],
        monkeypatch,
    )
    assert result.exit_code == 0, result.output
    # a service that cannot start is logged and left out; the others run and stop, in reverse
    assert events == ["slack started", "discord started", "discord stopped", "slack stopped"]


def test_run_fails_at_start_on_a_service_with_a_missing_setting(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.errors import ConfigError

    events: list[str] = []
    missing = ConfigError("Slack Socket Mode needs SLACK_BOT_TOKEN")
    result = run_worker_with(
        [RecordingService("console", events), RecordingService("slack", events, fail=missing)],
        monkeypatch,
    )
    assert result.exit_code != 0
    assert events == ["console started", "console stopped"]
