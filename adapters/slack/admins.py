"""Whether a Slack user is a workspace admin or owner: `users.info`, cached for a few minutes.

Needs the `users:read` scope. When Slack cannot answer (the scope is missing, Slack is down)
the check raises PermissionUnknown with what to fix, and the core refuses settings changes
(fail closed). Only answers are cached, never failures.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from adapters.slack.client import api_error_code
from bot.errors import PermissionUnknown

CACHE_SECONDS = 300.0  # a user made admin (or no longer) is seen within five minutes
CACHE_SIZE = 10_000
ADMIN_FLAGS = ("is_admin", "is_owner", "is_primary_owner")
SCOPE_FIX = (
    "PaperBot's Slack app lacks the `users:read` scope, so it cannot see who is a workspace "
    "admin. A workspace admin should add `users:read` (api.slack.com/apps → PaperBot → OAuth & "
    "Permissions, or update the app from adapters/slack/manifest.yaml) and reinstall the app."
)
TOKEN_FIX = "Slack refused PaperBot's token ({code}); a workspace admin should reinstall the app."


def _problem(code: str) -> str:
    if code in ("missing_scope", "no_permission"):
        return SCOPE_FIX
    if code in ("invalid_auth", "not_authed", "account_inactive", "token_revoked"):
        return TOKEN_FIX.format(code=code)
    return f"Slack answered `{code}` when I asked who you are; try again in a minute."


class SlackAdmins:
    """`is_admin(client, team, user)` with a TTL cache shared by every command thread."""

    def __init__(
        self, ttl: float = CACHE_SECONDS, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self._cache: TTLCache[tuple[str, str], bool] = TTLCache(CACHE_SIZE, ttl, timer=timer)
        self._lock = threading.Lock()

    def check(self, client: WebClient, team: str, user: str) -> Callable[[], bool]:
        """A check the core runs only when a command needs it."""
        return partial(self.is_admin, client, team, user)

    def is_admin(self, client: WebClient, team: str, user: str) -> bool:
        key = (team, user)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            response = client.users_info(user=user)
        except SlackApiError as exc:
            raise PermissionUnknown(_problem(api_error_code(exc))) from exc
        except (SlackClientError, OSError) as exc:
            raise PermissionUnknown(
                f"Slack did not answer when I asked who you are ({type(exc).__name__}); "
                "try again in a minute."
            ) from exc
        info = response.get("user") or {}
        answer = any(bool(info.get(flag)) for flag in ADMIN_FLAGS)
        with self._lock:
            self._cache[key] = answer
        return answer
