"""The CLI end to end, as a user runs it: a real process, a real SQLite file, the console adapter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sources.sample import sample_path

pytestmark = pytest.mark.slow  # real processes: run by CI (`make test`), not `make test-fast`


def cli(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CONSOLE_OUTBOX"))
    }
    full_env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            "CONSOLE_OUTBOX": str(tmp_path / "outbox.jsonl"),
            "LOG_LEVEL": "WARNING",
        }
    )
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=tmp_path,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def outbox(tmp_path: Path) -> list[dict[str, object]]:
    path = tmp_path / "outbox.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_demo_shows_a_digest_reactions_and_a_changed_digest(tmp_path: Path) -> None:
    result = cli(tmp_path, "demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("papers for #demo-lab") == 2
    assert "TL;DR:" in out and "Why: matches" in out and "https://arxiv.org/abs/" in out
    assert "The team reacts:" in out and "What the reactions changed on day 2" in out
    changed = int(out.split("with reactions, ")[1].split(" of ")[0])
    assert changed >= 1
    assert not (tmp_path / "bot.db").exists()  # the demo keeps to a temporary database


def test_ingest_is_idempotent_and_reports_rejects(tmp_path: Path) -> None:
    first = cli(tmp_path, "ingest", str(sample_path()), "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["new"] == 500
    second = json.loads(cli(tmp_path, "ingest", str(sample_path()), "--json").stdout)
    assert (second["new"], second["updated"], second["unchanged"]) == (0, 0, 500)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "2601.00001", "title": "Fine"}\n{oops\n{"id": "2601.00002"}\n')
    text = cli(tmp_path, "ingest", str(bad)).stdout
    assert (
        "1 new" in text
        and "2 rejected" in text
        and "bad.jsonl:2" in text
        and "missing title" in text
    )
    missing = cli(tmp_path, "ingest", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_channel_digest_react_loop(tmp_path: Path) -> None:
    assert cli(tmp_path, "ingest", str(sample_path())).returncode == 0
    added = cli(
        tmp_path,
        "channel",
        "add",
        "console:lab",
        "--topic",
        "medical image segmentation",
        "--topic",
        "speech",
        "--exclude",
        "survey",
        "--size",
        "3",
        "--json",
    )
    assert added.returncode == 0, added.stderr
    channel = json.loads(added.stdout)
    assert channel["size"] == 3 and {"kind": "exclude", "value": "survey"} in channel["interests"]
    listed = json.loads(cli(tmp_path, "channel", "list", "--json").stdout)
    assert [c["ref"] for c in listed] == ["console:lab"]

    dry = cli(tmp_path, "digest", "--channel", "console:lab", "--dry-run")
    assert dry.returncode == 0 and "[dry run] 3 of 500" in dry.stdout
    assert outbox(tmp_path) == []

    posted = cli(tmp_path, "digest", "--channel", "console:lab")
    assert posted.returncode == 0, posted.stderr
    lines = outbox(tmp_path)
    assert len(lines) == 3
    assert {"channel", "paper_id", "title", "tldr", "reasons", "message_id"} <= set(lines[0])
    assert lines[0]["channel"] == "console:lab" and isinstance(lines[0]["reasons"], list)

    again = cli(tmp_path, "digest", "--channel", str(channel["id"]))
    assert "no new papers" in again.stdout and len(outbox(tmp_path)) == 3

    paper = str(lines[0]["paper_id"])
    react = cli(tmp_path, "react", "--channel", "console:lab", "--paper", paper, "--emoji", "+1")
    assert react.returncode == 0 and "recorded" in react.stdout
    dup = cli(tmp_path, "react", "--channel", "console:lab", "--paper", paper, "--emoji", "+1")
    assert "nothing changed" in dup.stdout
    bad = cli(
        tmp_path, "react", "--channel", "console:lab", "--paper", paper, "--emoji", "grinning"
    )
    assert bad.returncode == 2 and "carries no opinion" in bad.stderr

    removed = cli(tmp_path, "channel", "remove", "console:lab", "--yes")
    assert removed.returncode == 0
    assert json.loads(cli(tmp_path, "channel", "list", "--json").stdout) == []


@pytest.mark.parametrize(
    "url", ["nonsense://///", "postgresql://nobody@127.0.0.1:1/x?connect_timeout=1"]
)
def test_bad_database_url_is_one_line(tmp_path: Path, url: str) -> None:
    result = cli(tmp_path, "channel", "list", env={"DATABASE_URL": url})
    assert result.returncode == 2
    assert (
        result.stderr.strip().startswith("error:") and len(result.stderr.strip().splitlines()) == 1
    )
    assert "Traceback" not in result.stderr


def test_unknown_channel_and_bad_ref(tmp_path: Path) -> None:
    assert (
        "no channel console:ghost" in cli(tmp_path, "digest", "--channel", "console:ghost").stderr
    )
    assert "bad channel" in cli(tmp_path, "channel", "add", "console:").stderr


def test_chat_commands_from_the_terminal(tmp_path: Path) -> None:
    assert cli(tmp_path, "ingest", str(sample_path())).returncode == 0
    assert cli(tmp_path, "channel", "add", "console:lab").returncode == 0
    sub = cli(
        tmp_path,
        "command",
        "--channel",
        "console:lab",
        "subscribe",
        "retrieval-augmented generation",
    )
    assert sub.returncode == 0 and "Subscribed" in sub.stdout
    now = cli(tmp_path, "command", "--channel", "console:lab", "now")
    assert now.returncode == 0 and "Posted 5 papers" in now.stdout
    assert len(outbox(tmp_path)) == 5
    bad = cli(tmp_path, "command", "--channel", "console:lab", "size", "99")
    assert bad.returncode == 1 and "Usage:" in bad.stdout
    usage = cli(tmp_path, "command", "--channel", "console:lab", "help", "threshold")
    assert "`/papers threshold <low|medium|high>`" in usage.stdout  # not taken for a link
    search = cli(tmp_path, "command", "--channel", "console:lab", "search", "retrieval")
    assert search.returncode == 0 and "(https://arxiv.org/abs/" in search.stdout


def test_the_terminal_acts_as_the_operator_on_a_channel_someone_set_up(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Platform
    from storage.store import SqlStore

    store = SqlStore.open(f"sqlite:///{tmp_path / 'bot.db'}")
    ref = ChannelRef(Platform.SLACK, "T1", "C1")
    channel = store.add_channel(
        ref,
        "papers",
        ChannelSettings(),
        [Interest(InterestKind.TOPIC, "robots")],
        now=datetime(2026, 6, 30, tzinfo=UTC),
    )
    store.claim_channel(channel.id, "U0ADA")  # set up from Slack by someone else
    store.close()
    paused = cli(tmp_path, "command", "--channel", "slack:T1:C1", "pause")
    assert paused.returncode == 0 and "Paused scheduled digests" in paused.stdout
    added = cli(tmp_path, "command", "--channel", "slack:T1:C1", "managers", "add", "U0BOB")
    assert added.returncode == 0 and "now manages this channel" in added.stdout
    store = SqlStore.open(f"sqlite:///{tmp_path / 'bot.db'}")
    after = store.get_channel(channel.id)
    assert after.settings.paused and after.set_up_by == "U0ADA"
    assert store.channel_managers(channel.id) == ["U0BOB"]
    store.close()


def test_reseal_tokens_encrypts_the_stored_installs(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from cryptography.fernet import Fernet

    from bot.models import InstallationRecord, Platform
    from storage.installations import SqlInstallations
    from storage.store import SqlStore
    from storage.token_cipher import TokenCipher

    url = f"sqlite:///{tmp_path / 'bot.db'}"
    store = SqlStore.open(url)
    token = '{"bot_token": "xoxb-cli-secret"}'
    SqlInstallations(store).save_installation(
        InstallationRecord(Platform.SLACK, None, "T1", "U1", token, datetime.now(UTC))
    )
    store.close()

    refused = cli(tmp_path, "reseal-tokens")
    assert refused.returncode != 0 and "TOKEN_ENCRYPTION_KEY" in refused.stderr
    key = Fernet.generate_key().decode()
    done = cli(tmp_path, "reseal-tokens", env={"TOKEN_ENCRYPTION_KEY": key})
    assert done.returncode == 0, done.stderr
    assert "sealed 1 stored install" in done.stdout
    assert b"xoxb-cli-secret" not in (tmp_path / "bot.db").read_bytes()
    store = SqlStore.open(url)
    found = SqlInstallations(store, TokenCipher.from_setting(key)).find_installation(
        Platform.SLACK, None, "T1"
    )
    store.close()
    assert found is not None and found.data == token
    bad = cli(tmp_path, "reseal-tokens", env={"TOKEN_ENCRYPTION_KEY": "nope"})
    assert bad.returncode != 0 and "Fernet key" in bad.stderr
