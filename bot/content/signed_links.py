"""Signed, expiring links (a channel's web page, one-click feedback): no login, no server state.

A token is `itsdangerous.URLSafeSerializer` over `{"p": payload, "x": expiry}` salted with the
link's purpose, so a token made for one use never opens another. Expiry is checked against the
caller's clock, never the wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from bot.errors import LinkExpired, LinkInvalid


def sign_link(key: bytes, purpose: str, payload: dict[str, str], expires_at: datetime) -> str:
    """A URL-safe token carrying `payload` until `expires_at` (timezone-aware)."""
    if expires_at.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    body = {"p": dict(payload), "x": int(expires_at.timestamp())}
    return str(URLSafeSerializer(key, salt=purpose).dumps(body))


def read_link(key: bytes, token: str, purpose: str, now: datetime) -> dict[str, str]:
    """The payload of a token signed with `key` for `purpose`; LinkInvalid when it was
    tampered with or made for another purpose, LinkExpired when `now` is past its expiry."""
    try:
        body: Any = URLSafeSerializer(key, salt=purpose).loads(token)
    except BadSignature as exc:
        raise LinkInvalid("this link is not valid") from exc
    payload, expiry = _fields(body)
    expires_at = datetime.fromtimestamp(expiry, UTC)
    if now >= expires_at:
        raise LinkExpired(f"this link expired on {expires_at:%Y-%m-%d %H:%M} UTC")
    return payload


def _fields(body: Any) -> tuple[dict[str, str], int]:
    """The payload and expiry of a decoded body (signed by us, so only a bug fails here)."""
    if not isinstance(body, dict):
        raise LinkInvalid("this link is not valid")
    payload, expiry = body.get("p"), body.get("x")
    if not isinstance(payload, dict) or not isinstance(expiry, int):
        raise LinkInvalid("this link is not valid")
    return {str(k): str(v) for k, v in payload.items()}, expiry
