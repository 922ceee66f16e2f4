"""The CLI follows the chat's rules: one schedule parser, one size range, the same caps on
topics and categories; `command` never creates a channel; `channel remove` asks first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

import app.cli.channel as cli_channel
from app.cli.main import app
from bot.errors import InvalidInput, NotFound
from bot.limits import MAX_PHRASE, SIZE_MAX


@pytest.fixture
def invoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=stdin)

    return run


def added(result: Result) -> dict[str, object]:
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def refused(result: Result, kind: type[Exception] = InvalidInput) -> str:
    assert isinstance(result.exception, kind), (result.output, result.exception)
    return str(result.exception)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("09:00 utc", {"time": "09:00", "timezone": "UTC", "cron": None}),
        ("09:00 europe/berlin", {"time": "09:00", "timezone": "Europe/Berlin", "cron": None}),
        ("09:00 CET", {"time": "09:00", "timezone": "Europe/Berlin", "cron": None}),
        ("9am Europe/Berlin weekdays", {"time": "09:00", "timezone": "Europe/Berlin"}),
        ("0 9 * * mon-fri Europe/Berlin", {"timezone": "Europe/Berlin", "cron": "0 9 * * mon-fri"}),
    ],
)
def test_channel_add_takes_what_chat_takes(invoke, when: str, expected: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    channel = added(
        invoke(
            "channel",
            "add",
            "console:lab",
            "--schedule",
            when,
            "--at",
            "2026-03-02T06:00Z",
            "--json",
        )
    )
    schedule = channel["schedule"]
    assert isinstance(schedule, dict)
    assert {k: schedule[k] for k in expected} == expected
    hour = 9 if "utc" in when else 8  # Berlin is UTC+1 in March before the clocks change
    assert channel["next_run_at"] == f"2026-03-02T{hour:02d}:00:00+00:00"


def test_cli_says_what_an_abbreviation_was_taken_as(invoke) -> None:  # type: ignore[no-untyped-def]
    result = invoke("channel", "add", "console:lab", "--schedule", "09:00 PST")
    assert result.exit_code == 0 and "note: PST taken as America/Los_Angeles" in result.stderr


def test_channel_schedule_takes_cron_and_refuses_typos(invoke) -> None:  # type: ignore[no-untyped-def]
    assert invoke("channel", "add", "console:lab").exit_code == 0
    moved = added(invoke("channel", "schedule", "console:lab", "0 7 * * 1 utc", "--json"))
    assert moved["schedule"]["cron"] == "0 7 * * mon"  # type: ignore[index]
    typo = refused(invoke("channel", "schedule", "console:lab", "09:00 Europe/Berln"))
    assert "Did you mean `Europe/Berlin`" in typo
    assert "not a valid cron line" in refused(invoke("channel", "schedule", "1", "0 9 * 13 * UTC"))


def test_size_range_is_the_chat_one(invoke) -> None:  # type: ignore[no-untyped-def]
    assert added(invoke("channel", "add", "console:a", "--size", str(SIZE_MAX), "--json"))
    too_big = invoke("channel", "add", "console:b", "--size", str(SIZE_MAX + 1))
    assert too_big.exit_code == 2 and f"less than or equal to {SIZE_MAX}" in too_big.output


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--topic", "x" * 10_012, f"at most {MAX_PHRASE}"),
        ("--topic", "robot\u200bics", "zero-width character (U+200B"),
        ("--author", "Jane\u202eDoe", "bidirectional-text control"),
        ("--exclude", "survey\x07", "control character"),
        ("--topic", "x", "at least 2 characters"),
        ("--category", "cs.RB", "`cs.RB` is not an arXiv category. Did you mean `cs.RO`"),
    ],
)
def test_interests_are_checked_as_in_chat(invoke, option: str, value: str, message: str) -> None:  # type: ignore[no-untyped-def]
    assert message in refused(invoke("channel", "add", "console:lab", option, value))
    assert json.loads(invoke("channel", "list", "--json").stdout) == []


def test_categories_are_stored_as_arxiv_writes_them(invoke) -> None:  # type: ignore[no-untyped-def]
    channel = added(invoke("channel", "add", "console:lab", "--category", "CS.ro", "--json"))
    assert channel["interests"] == [{"kind": "category", "value": "cs.RO"}]


def test_command_never_creates_a_channel(invoke) -> None:  # type: ignore[no-untyped-def]
    message = refused(
        invoke("command", "--channel", "console:lab", "subscribe", "robots"), NotFound
    )
    assert "no such channel console:lab; add it with `paperbot channel add console:lab" in message
    assert json.loads(invoke("channel", "list", "--json").stdout) == []


def test_remove_refuses_without_a_terminal_or_yes(invoke) -> None:  # type: ignore[no-untyped-def]
    assert invoke("channel", "add", "console:lab").exit_code == 0
    message = refused(invoke("channel", "remove", "console:lab"))
    assert "no terminal to confirm on; add --yes" in message
    assert len(json.loads(invoke("channel", "list", "--json").stdout)) == 1
    assert invoke("channel", "remove", "console:lab", "--yes").exit_code == 0
    assert json.loads(invoke("channel", "list", "--json").stdout) == []


def test_remove_asks_on_a_terminal(invoke, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cli_channel, "stdin_is_terminal", lambda: True)
    assert invoke("channel", "add", "console:lab").exit_code == 0
    kept = invoke("channel", "remove", "console:lab", stdin="n\n")
    assert kept.exit_code == 1 and "Remove channel 1 (console:lab)" in kept.output
    assert len(json.loads(invoke("channel", "list", "--json").stdout)) == 1
    gone = invoke("channel", "remove", "console:lab", stdin="y\n")
    assert gone.exit_code == 0 and "removed channel 1" in gone.stdout
    assert json.loads(invoke("channel", "list", "--json").stdout) == []
