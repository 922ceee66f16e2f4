"""Signed, expiring link tokens (emailed 👍/👎 and unsubscribe links, channel pages).

A token is `itsdangerous.URLSafeSerializer` over `{"p": payload, "x": expiry}` salted with the
link's purpose, so a token made for one purpose never reads as another. The expiry is checked
against the `now` the caller passes (an injected clock), never the wall clock.

`link_key` picks the key: the LINK_SIGNING_KEY setting, else one generated once and kept in
the database (`KeyStore`), so every process signs and checks with the same key.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from itsdangerous import BadSignature, URLSafeSerializer

from bot.errors import LinkExpired, LinkInvalid

KEY_NAME = "link_signing_key"
MAX_TOKEN = 2_000  # characters; longer is no token of ours


class KeyStore(Protocol):
    def get_or_create_secret(self, name: str, make: Callable[[], str], *, now: datetime) -> str:
        """The stored secret `name`, created with `make()` the first time (race-safe)."""
        ...


def link_key(setting: str | None, store: KeyStore, now: datetime) -> bytes:
    """LINK_SIGNING_KEY when set, else the database's key (generated on first use)."""
    if setting:
        return setting.encode("utf-8")
    stored = store.get_or_create_secret(KEY_NAME, lambda: secrets.token_urlsafe(32), now=now)
    return stored.encode("utf-8")


class LinkKey:
    """`link_key` read once, on first use (the database is asked at most once per process)."""

    def __init__(self, setting: str | None, store: KeyStore, now: Callable[[], datetime]) -> None:
        self._setting = setting
        self._store = store
        self._now = now
        self._key: bytes | None = None

    def __call__(self) -> bytes:
        if self._key is None:
            self._key = link_key(self._setting, self._store, self._now())
        return self._key


def sign_link(key: bytes, purpose: str, payload: dict[str, str], expires_at: datetime) -> str:
    """A URL-safe token carrying `payload` for `purpose` until `expires_at` (aware datetime)."""
    if expires_at.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    body = {"p": dict(payload), "x": int(expires_at.timestamp())}
    return str(URLSafeSerializer(key, salt=purpose).dumps(body))


def read_link(key: bytes, token: str, purpose: str, now: datetime) -> dict[str, str]:
    """The payload of a token signed for `purpose`; LinkInvalid (tampered, malformed, another
    purpose or key) or LinkExpired (signed, but `now` is past its expiry)."""
    if not token or len(token) > MAX_TOKEN:
        raise LinkInvalid("this link is not valid")
    try:
        body = URLSafeSerializer(key, salt=purpose).loads(token)
    except BadSignature:
        raise LinkInvalid("this link is not valid (changed, cut short, or not ours)") from None
    payload, expiry = _parts(body)
    if now.timestamp() >= expiry:
        ends = datetime.fromtimestamp(expiry, UTC).strftime("%Y-%m-%d %H:%M UTC")
        raise LinkExpired(f"this link expired on {ends}")
    return payload


def _parts(body: object) -> tuple[dict[str, str], int]:
    """The payload and expiry of a verified body, checked for shape."""
    if not isinstance(body, dict):
        raise LinkInvalid("this link is not valid")
    payload, expiry = body.get("p"), body.get("x")
    if not isinstance(payload, dict) or not isinstance(expiry, int):
        raise LinkInvalid("this link is not valid")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in payload.items()):
        raise LinkInvalid("this link is not valid")
    return payload, expiry
