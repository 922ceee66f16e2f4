"""The README's "Using it" and scheduling commands work when pasted in order on a fresh checkout.

The commands are read from README.md itself, so the README cannot drift from the CLI: each runs
as `python -m app ...` in a fresh directory holding what the checkout holds (the bundled sample),
against a new SQLite file, and must exit 0. `paperbot run` runs until it is up, then gets Ctrl-C.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app

pytestmark = pytest.mark.slow  # real processes: run by CI (`make test`), not `make test-fast`

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PROGRAM = ".venv/bin/paperbot"


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def sh_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def commands(block: str) -> list[list[str]]:
    """Each command of a ```sh block as argv: continuation lines joined, comments dropped."""
    joined = block.replace("\\\n", " ")
    return [shlex.split(line, comments=True) for line in joined.splitlines() if line.strip()]


def readme_commands() -> list[list[str]]:
    using = sh_blocks(section("Using it"))[0]
    scheduling = sh_blocks(section("Scheduled digests and workers"))[0]
    found = commands(using) + commands(scheduling)
    assert all(argv[0] == PROGRAM for argv in found), found
    return [argv[1:] for argv in found]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A directory laid out like the checkout for the files the README names."""
    data = tmp_path / "bot" / "data"
    data.mkdir(parents=True)
    shutil.copy(ROOT / "bot" / "data" / "sample.jsonl.gz", data / "sample.jsonl.gz")
    return tmp_path


def environment(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DISCORD_", "DATABASE_URL", "CONSOLE_OUTBOX", "LOG_"))
    }
    closed = "http://127.0.0.1:9"  # the worker's start-up fetch fails at once, offline
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'readme.db'}",
        LOG_FORMAT="plain",
        ARXIV_FEED_URL=f"{closed}/rss",
        ARXIV_API_URL=f"{closed}/api/query",
        HF_PAPERS_URL=f"{closed}/api/daily_papers",
        HTTP_MAX_ATTEMPTS="1",
        ARXIV_MIN_INTERVAL_SECONDS="0",
        SOURCE_FETCH_DEADLINE_SECONDS="5",  # the closed port: give up fetching soon, so Ctrl-C is quick
        ARXIV_LOCK_FILE="none",
    )
    return env


def run_worker_until_up(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", *argv],
        cwd=cwd,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:  # until the scheduler is up (reads output, no sleeping)
        seen.append(line)
        if " running: a pass every" in line:
            break
    proc.send_signal(signal.SIGINT)  # Ctrl-C, as the README says
    _, rest = proc.communicate(timeout=180)  # a running fetch finishes its retries first
    return proc.returncode, "".join(seen) + rest


def test_the_readme_commands_run_in_order(checkout: Path) -> None:
    env = environment(checkout)
    outputs = []
    for argv in readme_commands():
        if argv[0] == "run":
            code, log = run_worker_until_up(argv, checkout, env)
            assert code == 0, log
            assert "stopped" in log
            continue
        result = subprocess.run(
            [sys.executable, "-m", "app", *argv],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, f"{argv}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr, result.stderr
        outputs.append((argv, result.stdout + result.stderr))
    said = dict((" ".join(argv), out) for argv, out in outputs)
    assert "sample.jsonl.gz: 500 new" in said["ingest bot/data/sample.jsonl.gz"]
    assert "TL;DR:" in said["digest --channel console:mylab --dry-run"]
    assert "posted 5 papers to console:mylab" in said["digest --channel console:mylab"]
    tick = next(out for argv, out in outputs if argv[:2] == ["tick", "--at"])
    assert "tick at 2026-11-30 08:00:00 UTC: 1 digests" in tick  # robots' Monday digest


def test_the_readme_names_only_commands_that_exist() -> None:
    named = set(re.findall(r"paperbot ([a-z][a-z-]+)", README))
    assert {"doctor", "run", "serve", "ingest", "tick"} <= named
    runner = CliRunner()
    for command in sorted(named):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, f"`paperbot {command}` is in the README but not the CLI"


def test_the_readme_deploy_section_names_files_that_exist() -> None:
    deploy = section("Deploy")
    for path in re.findall(
        r"`((?:adapters|tests)/[\w./-]+|Dockerfile|docker-compose\.yml)`", deploy
    ):
        assert (ROOT / path).exists(), path
    assert len(re.findall(r"^1\. ", deploy, flags=re.M)) == 3  # three step lists
