"""Settings: defaults, .env.example coverage, fail-fast messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented_in_env_example() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = {m.lower() for m in re.findall(r"^#?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE)}
    assert set(Settings.model_fields) - documented == set()
    assert documented - set(Settings.model_fields) == set()


def test_env_example_defaults_match_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RANKER", raising=False)  # tests/conftest.py pins the lexical tier
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    for name, value in re.findall(r"^([A-Z][A-Z0-9_]+)=(.*)$", text, flags=re.MULTILINE):
        field = name.lower()
        actual = getattr(defaults, field)
        if value == "":
            assert actual in ("", None), name
        elif isinstance(actual, bool):
            assert actual == (value.lower() in ("1", "true", "yes", "on")), name
        elif isinstance(actual, int | float):
            assert float(actual) == float(value), name
        else:
            assert str(actual) == value, name


def test_postgres_urls_are_normalised() -> None:
    s = Settings(_env_file=None, database_url="postgres://u:p@db:5432/x")  # type: ignore[call-arg]
    assert s.resolved_database_url() == "postgresql+psycopg://u:p@db:5432/x"


def test_invalid_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEW_CHANNEL_LOOKBACK_DAYS", "lots")
    with pytest.raises(ConfigError, match="NEW_CHANNEL_LOOKBACK_DAYS"):
        load_settings(_env_file=None)


def test_missing_platform_token_names_it() -> None:
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        s.require("slack_bot_token", why="Slack")
