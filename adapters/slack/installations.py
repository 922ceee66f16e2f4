"""slack-sdk's InstallationStore and OAuthStateStore on our InstallationRepository port."""

from __future__ import annotations

import json
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

from bot.errors import StorageError
from bot.models import InstallationRecord, Platform
from bot.ports import Clock, InstallationRepository

log = logging.getLogger(__name__)


def _team(team_id: str | None, is_enterprise_install: bool | None) -> str | None:
    return None if is_enterprise_install else team_id


class RepositoryInstallationStore(InstallationStore):
    """Installs live in our own database (table `installation`), one row per installer."""

    def __init__(self, repo: InstallationRepository) -> None:
        self.repo = repo

    @property
    def logger(self) -> logging.Logger:
        return log

    def save(self, installation: Installation) -> None:
        data = json.dumps({"kind": "installation", "value": installation.__dict__})
        self.repo.save_installation(
            InstallationRecord(
                platform=Platform.SLACK,
                enterprise_id=installation.enterprise_id,
                workspace=_team(installation.team_id, installation.is_enterprise_install),
                user_id=installation.user_id,
                data=data,
                installed_at=datetime.fromtimestamp(installation.installed_at, UTC),
            )
        )

    def save_bot(self, bot: Bot) -> None:
        data = json.dumps({"kind": "bot", "value": bot.__dict__})
        self.repo.save_installation(
            InstallationRecord(
                platform=Platform.SLACK,
                enterprise_id=bot.enterprise_id,
                workspace=_team(bot.team_id, bot.is_enterprise_install),
                user_id=None,
                data=data,
                installed_at=datetime.fromtimestamp(bot.installed_at, UTC),
            )
        )

    def _find(
        self, enterprise_id: str | None, workspace: str | None, user_id: str | None = None
    ) -> InstallationRecord | None:
        try:
            return self.repo.find_installation(Platform.SLACK, enterprise_id, workspace, user_id)
        except StorageError as exc:  # e.g. sealed with a key TOKEN_ENCRYPTION_KEY lacks
            log.error("cannot read the Slack install for team %s: %s", workspace, exc)
            return None

    @staticmethod
    def _load(record: InstallationRecord | None) -> Installation | Bot | None:
        if record is None:
            return None
        try:
            parsed: dict[str, Any] = json.loads(record.data)
            if parsed.get("kind") == "bot":
                return Bot(**parsed["value"])
            return Installation(**parsed["value"])
        except (ValueError, TypeError, KeyError):
            log.error("unreadable Slack installation for team %s", record.workspace)
            return None

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        found = self._load(
            self._find(enterprise_id, _team(team_id, is_enterprise_install), user_id)
        )
        return found if isinstance(found, Installation) else None

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = self._load(self._find(enterprise_id, _team(team_id, is_enterprise_install)))
        if isinstance(found, Installation):
            return found.to_bot() if found.bot_token else None
        return found

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.repo.delete_installations(Platform.SLACK, enterprise_id, team_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        self.repo.delete_installations(Platform.SLACK, enterprise_id, team_id, user_id)

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.repo.delete_installations(Platform.SLACK, enterprise_id, team_id)

    def bot_token(self, team_id: str) -> str | None:
        """The bot token for a workspace, for posting digests outside a request."""
        bot = self.find_bot(enterprise_id=None, team_id=team_id)
        return bot.bot_token if bot else None


class RepositoryOAuthStateStore(OAuthStateStore):
    """Single-use OAuth `state` values kept in our database, so any web process can finish
    an install another one started."""

    def __init__(self, repo: InstallationRepository, clock: Clock, expiration_seconds: int = 600):
        self.repo = repo
        self.clock = clock
        self.expiration_seconds = expiration_seconds

    @property
    def logger(self) -> logging.Logger:
        return log

    def issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        expires = self.clock.now() + timedelta(seconds=self.expiration_seconds)
        self.repo.issue_oauth_state(state, expires)
        return state

    def consume(self, state: str) -> bool:
        return self.repo.consume_oauth_state(state, self.clock.now())
