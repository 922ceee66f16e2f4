"""`email:ADDRESS` channel references: strict addresses, hostile ones refused."""

from __future__ import annotations

import pytest

from app.cli.common import parse_ref
from bot.digest.recipients import parse_address
from bot.errors import InvalidInput
from bot.models import EMAIL_WORKSPACE, ChannelRef, Platform


def test_a_plain_address_is_a_channel() -> None:
    ref = parse_ref("email:reading-group@Lab.ORG")
    assert ref == ChannelRef(Platform.EMAIL, EMAIL_WORKSPACE, "reading-group@lab.org")
    assert str(ref) == "email:reading-group@lab.org"
    assert parse_ref(str(ref)) == ref


@pytest.mark.parametrize(
    "hostile",
    [
        "a@lab.org\r\nBcc: victim@evil.org",  # header injection
        "a@lab.org\nX: y",
        "Bob <a@lab.org>",  # a display name
        '"a b"@lab.org',  # quoted local part
        "a@[127.0.0.1]",  # IP literal
        "a@lab.org,b@lab.org",  # two recipients
        "a@lab.org;b@lab.org",
        "a@localhost",
        "nobody",
        "",
        "a" * 60 + "@lab.org",  # longer than a channel id may be
        "ü@lab.org",
        "a@lab.org\x00",
    ],
)
def test_hostile_addresses_are_refused(hostile: str) -> None:
    with pytest.raises(InvalidInput):
        parse_address(hostile)
    with pytest.raises(InvalidInput):
        parse_ref(f"email:{hostile}")
