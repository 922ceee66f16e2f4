"""Email from the terminal: `channel add email:ADDRESS`, a digest over a local SMTP server,
and `paperbot doctor` on the email settings (real processes, a real SQLite file)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.sources.sample import sample_path
from tests.adapters.email.fake_smtp import FakeSmtp
from tests.adapters.email.sample import parts
from tests.e2e.test_cli import cli

ADDRESS = "reading-group@lab.org"


def smtp_env(smtp: FakeSmtp) -> dict[str, str]:
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_STARTTLS": "false",
        "SMTP_FROM": "PaperBot <paperbot@lab.org>",
        "PUBLIC_URL": "https://paperbot.lab.org",
    }


def doctor(tmp_path: Path, env: dict[str, str]) -> dict[str, dict[str, str]]:
    out = cli(tmp_path, "doctor", "--quick", "--json", env=env).stdout
    return {c["name"]: c for c in json.loads(out)["checks"]}


def test_an_email_channel_gets_its_digest_and_doctor_checks_it(tmp_path: Path) -> None:
    assert cli(tmp_path, "ingest", str(sample_path())).returncode == 0
    added = cli(tmp_path, "channel", "add", f"email:{ADDRESS}", "--topic", "robot", "--size", "3")
    assert added.returncode == 0, added.stderr
    assert f"email:{ADDRESS}" in cli(tmp_path, "channel", "list").stdout
    assert doctor(tmp_path, {})["email"]["status"] == "error"  # a channel, and no SMTP_HOST
    with FakeSmtp() as smtp:
        env = smtp_env(smtp)
        checks = doctor(tmp_path, env)
        assert checks["email"]["status"] == "ok" and "1 email channel" in checks["email"]["message"]
        sent = cli(tmp_path, "digest", "--channel", f"email:{ADDRESS}", env=env)
        assert sent.returncode == 0, sent.stderr
    [first] = smtp.received
    assert first.recipients == [ADDRESS]
    text, html = parts(first.message)
    assert text.count("More like this: https://paperbot.lab.org/r/") == 3
    assert html.count('class="vote-up"') == 3


def test_hostile_email_channels_are_refused(tmp_path: Path) -> None:
    for ref in ("email:a@lab.org\r\nBcc: victim@evil.org", "email:Bob <a@lab.org>", "email:"):
        refused = cli(tmp_path, "channel", "add", ref)
        assert refused.returncode == 2 and "bad email address" in refused.stderr
