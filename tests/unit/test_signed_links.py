"""Signed links: round trip, tampering, purpose and key separation, expiry on the given clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.content.signed_links import LinkKey, link_key, read_link, sign_link
from bot.errors import InvalidInput, LinkExpired, LinkInvalid
from storage.store import SqlStore

KEY = b"k" * 32
NOW = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=30)


def test_round_trip_until_expiry() -> None:
    token = sign_link(KEY, "vote", {"c": "7", "m": "mail-1-1"}, LATER)
    assert read_link(KEY, token, "vote", NOW) == {"c": "7", "m": "mail-1-1"}
    assert read_link(KEY, token, "vote", LATER - timedelta(seconds=1))["c"] == "7"
    with pytest.raises(LinkExpired, match="expired on 2026-07-30"):
        read_link(KEY, token, "vote", LATER)
    assert issubclass(LinkExpired, LinkInvalid) and issubclass(LinkInvalid, InvalidInput)


def test_tampered_cut_or_foreign_tokens_are_refused() -> None:
    token = sign_link(KEY, "vote", {"e": "+1"}, LATER)
    body, _, sig = token.rpartition(".")
    flipped = sign_link(KEY, "vote", {"e": "-1"}, LATER).rpartition(".")[0]
    for bad in (
        f"{flipped}.{sig}",  # another payload under this signature
        token[:-2],  # cut short
        token + "x",
        "",
        "x" * 5000,
        "not-a-token",
    ):
        with pytest.raises(LinkInvalid):
            read_link(KEY, bad, "vote", NOW)
    with pytest.raises(LinkInvalid):
        read_link(KEY, token, "unsubscribe", NOW)  # made for another purpose
    with pytest.raises(LinkInvalid):
        read_link(b"other-key", token, "vote", NOW)
    assert body  # the token has a body and a signature


def test_expiry_must_be_aware() -> None:
    with pytest.raises(ValueError):
        sign_link(KEY, "vote", {}, datetime(2026, 7, 1))


def test_key_from_setting_else_generated_once_in_the_database(db_url: str) -> None:
    first, second = SqlStore.open(db_url), SqlStore.open(db_url)
    try:
        assert link_key("from-settings", first, NOW) == b"from-settings"
        stored = link_key(None, first, NOW)
        assert len(stored) >= 40
        assert link_key(None, second, NOW) == stored  # another process reads the same key
        calls: list[datetime] = []
        lazy = LinkKey(None, second, lambda: calls.append(NOW) or NOW)  # type: ignore[func-returns-value]
        assert lazy() == stored and lazy() == stored and len(calls) == 1
    finally:
        first.close()
        second.close()
