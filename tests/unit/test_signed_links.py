"""Signed, expiring links: round trip, expiry on the injected clock, tampering, purpose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.content.signed_links import read_link, sign_link
from bot.errors import LinkExpired, LinkInvalid

KEY = b"k" * 32
NOW = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)


def test_round_trip_until_expiry() -> None:
    token = sign_link(KEY, "page", {"channel": "7", "ref": "slack:T1:C1"}, NOW + timedelta(days=7))
    assert read_link(KEY, token, "page", NOW) == {"channel": "7", "ref": "slack:T1:C1"}
    later = NOW + timedelta(days=7) - timedelta(seconds=1)
    assert read_link(KEY, token, "page", later)["channel"] == "7"


def test_expired_on_the_clock_given() -> None:
    token = sign_link(KEY, "page", {"channel": "7"}, NOW + timedelta(days=7))
    with pytest.raises(LinkExpired, match="expired on 2026-07-07 09:00"):
        read_link(KEY, token, "page", NOW + timedelta(days=7))


@pytest.mark.parametrize("where", [0, 5, -3])
def test_any_changed_character_is_invalid(where: int) -> None:
    token = sign_link(KEY, "page", {"channel": "7"}, NOW + timedelta(days=1))
    i = where % len(token)  # not the last character: its low bits may be base64 padding
    tampered = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
    with pytest.raises(LinkInvalid) as caught:
        read_link(KEY, tampered, "page", NOW)
    assert not isinstance(caught.value, LinkExpired)


def test_cut_short_other_key_other_purpose_and_junk_are_invalid() -> None:
    token = sign_link(KEY, "page", {"channel": "7"}, NOW + timedelta(days=1))
    for bad_key, bad_token, purpose in [
        (KEY, token[:-4], "page"),
        (b"other" * 8, token, "page"),
        (KEY, token, "feedback"),
        (KEY, "not-a-token", "page"),
        (KEY, "", "page"),
    ]:
        with pytest.raises(LinkInvalid):
            read_link(bad_key, bad_token, purpose, NOW)


def test_naive_expiry_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        sign_link(KEY, "page", {}, datetime(2026, 7, 1))
