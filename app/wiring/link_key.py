"""The key that signs PaperBot's web links: LINK_SIGNING_KEY, else one made once and kept in the
database (so the web process and the workers agree). Kept apart so another key store can stand in."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable

from bot.config import Settings
from bot.ports import Clock
from storage.store import SqlStore

SECRET_NAME = "link_signing_key"


def link_key_source(settings: Settings, store: SqlStore, clock: Clock) -> Callable[[], bytes]:
    """A function returning the key; the database is asked once, on first use."""
    if settings.link_signing_key:
        given = settings.link_signing_key.encode()
        return lambda: given
    found: list[bytes] = []
    lock = threading.Lock()

    def key() -> bytes:
        with lock:
            if not found:
                made = store.app_secret(
                    SECRET_NAME, lambda: secrets.token_urlsafe(32), now=clock.now()
                )
                found.append(made.encode())
            return found[0]

    return key
